"""Backend checks of the project: the list (choosing one), the project itself, and the run.

The run to watch is ``--run ID``, ``--new-run`` (which starts an agent and costs LLM
tokens), or by default the project's newest run from ``GET …/agent/runs``: because the AI
Server replays every log on every connection, a finished run streams again in seconds and
tests the whole forwarding path without starting an agent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from checks.backend import request, unexpected
from doctor.clients.contract import RUN_STARTS
from doctor.clients.http_errors import detail, json_or_problem, response_evidence
from doctor.config import LATEST_RUN, PROJECT_ID, RUN_ID
from doctor.context import Artifact, Context, RunInfo
from doctor.i18n import tr
from doctor.model import Check, Result, Status
from doctor.stream.signatures import upstream_problem

READY = "READY"


def project_path(ctx: Context, suffix: str = "") -> str:
    return ctx.config.api(f"/projects/{quote(ctx.project_id or '', safe='')}{suffix}")


def run_path(ctx: Context, run_id: str, suffix: str = "") -> str:
    """The URL of a run of the chosen project (ids quoted as one path segment each)."""
    return project_path(ctx, f"/agent/runs/{quote(run_id, safe='')}{suffix}")


def access_problem(check: Check, answer: Any, what: str, evidence: dict[str, Any]) -> Result | None:
    """The project's 401/403/404 as the backend words them, or None for another status."""
    said = detail(answer) or "-"
    evidence["detail"] = said
    status = answer.status_code
    message = tr(
        "{what}: the backend answered {status} {detail}.", what=what, status=status, detail=said
    )
    if status == 401:
        return check.found("auth.token-invalid", message, evidence)
    if status == 403 and "無權限" in said:
        return check.found("project.forbidden", message, evidence)
    if status == 404 and "專案" in said:
        hint = None
        if "無權限" in said:  # 765d572 does not tell a missing project from another's
            hint = tr("Check --project: at 765d572 this also means another user's project.")
        return check.found("project.not-found", message, evidence, hint)
    if status == 403:
        return check.found("auth.token-invalid", message, evidence)
    return None


def _projects(data: Any) -> list[dict[str, Any]] | None:
    """The projects of a list answer: ``{"total","projects"}``, a bare list, ``{"items"}``."""
    if isinstance(data, dict):
        data = data.get("projects", data.get("items"))
    if not isinstance(data, list):
        return None
    return [p for p in data if isinstance(p, dict) and p.get("id", p.get("_id")) is not None]


def _name(project: Mapping[str, Any]) -> str:
    return str(project.get("title") or project.get("name") or project.get("repo_url") or "")


class BackendProjects(Check):
    """The project list; without --project, the only READY project, or a choice on a terminal."""

    id = "backend.projects"
    layer = "backend"
    title = "Project list"
    depends_on = ("backend.login",)

    def run(self, ctx: Context) -> Result:
        url = ctx.config.api("/projects")
        answer = request(self, ctx, "GET", url, headers=ctx.auth_headers())
        if isinstance(answer, Result):
            return answer
        evidence: dict[str, Any] = {"url": url, **response_evidence(answer, body=False)}
        if answer.status_code in (401, 403):
            return access_problem(self, answer, tr("The project list"), evidence) or unexpected(
                self, answer, url
            )
        if not answer.is_success:
            return unexpected(self, answer, url)
        data, problem = json_or_problem(answer, url)
        projects = None if problem else _projects(data)
        if projects is None:
            return self.found(
                "backend.not-api",
                tr('{url} answered neither {{"total", "projects": [...]}} nor a list.', url=url),
                evidence,
                tr("Check --backend-url and --api-prefix."),
            )
        listed = {str(p.get("id", p.get("_id"))): p for p in projects}
        ctx.artifacts[Artifact.PROJECTS] = listed
        ready = [pid for pid, p in listed.items() if p.get("status") == READY]
        evidence.update(projects=len(listed), ready=ready[:10])
        evidence["statuses"] = {pid: p.get("status") for pid, p in list(listed.items())[:10]}
        return self._choose(ctx, listed, ready, evidence)

    def _choose(
        self,
        ctx: Context,
        listed: dict[str, dict[str, Any]],
        ready: list[str],
        evidence: dict[str, Any],
    ) -> Result:
        given = ctx.config.project
        if given:
            if given in listed:
                status = listed[given].get("status")
                message = tr("Using project {id} (status {status}).", id=given, status=status)
            else:
                message = tr(
                    "Using project {id} as given; it is not among the {count} projects listed.",
                    id=given,
                    count=len(listed),
                )
            return self._chosen(ctx, given, message, evidence)
        if len(ready) == 1:
            message = tr("Using the only READY project, {id}.", id=ready[0])
            return self._chosen(ctx, ready[0], message, evidence)
        if not ready:
            shown = ", ".join(f"{pid} {p.get('status')}" for pid, p in list(listed.items())[:10])
            return self.found(
                "project.none",
                tr(
                    "None of the {count} projects is READY ({projects}).",
                    count=len(listed),
                    projects=shown or "-",
                ),
                evidence,
                tr("Provision a project until it is READY, then name it with --project."),
            )
        if ctx.interactive:
            choices = [f"{pid}  {_name(listed[pid])}" for pid in ready]
            answer = _pick(ctx, tr("Choose a READY project (number)"), ready, choices)
            if answer is None:
                return self.skipped(tr("No project was chosen."), evidence)
            return self._chosen(
                ctx, answer, tr("Using project {id}, chosen at the prompt.", id=answer), evidence
            )
        return self.skipped(
            tr(
                "{count} projects are READY ({ids}); choose one with --project.",
                count=len(ready),
                ids=", ".join(ready),
            ),
            evidence,
        )

    def _chosen(
        self, ctx: Context, project_id: str, message: str, evidence: dict[str, Any]
    ) -> Result:
        if not PROJECT_ID.fullmatch(project_id):
            return self.found(
                "project.not-found",
                tr("{id!r} cannot be a project id.", id=project_id),
                evidence,
            )
        ctx.project_id = project_id
        evidence["chosen"] = project_id
        return self.passed(message, evidence)


def _pick(ctx: Context, question: str, values: list[str], choices: list[str]) -> str | None:
    """A value chosen by its number; asks again on an invalid answer; None on Enter."""
    prompt = question
    while True:
        answer = (ctx.ask(prompt, choices) or "").strip()
        if not answer:
            return None
        if answer.isdigit() and 1 <= int(answer) <= len(values):
            return values[int(answer) - 1]
        prompt = tr(
            "{answer!r} is not one of 1 to {count}; choose again", answer=answer, count=len(values)
        )


class BackendProject(Check):
    """The project is READY, and the backend sees its container running."""

    id = "backend.project"
    layer = "backend"
    title = "Project is READY"
    depends_on = ("backend.projects",)

    def run(self, ctx: Context) -> Result:
        if not ctx.project_id:
            return self.skipped(tr("No project was chosen: give --project."))
        url = project_path(ctx)
        answer = request(self, ctx, "GET", url, headers=ctx.auth_headers())
        if isinstance(answer, Result):
            return answer
        evidence: dict[str, Any] = {"url": url, **response_evidence(answer, body=False)}
        if answer.status_code in (401, 403, 404):
            what = tr("Project {id}", id=ctx.project_id)
            return access_problem(self, answer, what, evidence) or unexpected(self, answer, url)
        if not answer.is_success:
            return unexpected(self, answer, url)
        data, problem = json_or_problem(answer, url)
        if problem or not isinstance(data, dict):
            return self.found("backend.not-api", problem.message if problem else url, evidence)
        ctx.project = data
        status, docker = data.get("status"), data.get("docker_status")
        evidence.update(project_status=status, docker_status=docker)
        if data.get("last_error"):
            evidence["last_error"] = str(data["last_error"])[:300]
        if status != READY:
            return self.found(
                "project.not-ready",
                tr(
                    "Project {id} is {status}, not READY{error}.",
                    id=ctx.project_id,
                    status=status,
                    error=tr(": {last_error}", last_error=evidence["last_error"])
                    if "last_error" in evidence
                    else "",
                ),
                evidence,
            )
        if isinstance(docker, dict) and docker.get("status") not in (None, "running"):
            problem_id = (
                "container.missing" if docker.get("status") == "not_found" else "container.stopped"
            )
            return self.found(
                problem_id,
                tr(
                    "Project {id} is READY, but the backend sees its container {state}.",
                    id=ctx.project_id,
                    state=docker.get("status"),
                ),
                evidence,
                status=Status.WARN,
            )
        return self.passed(tr("Project {id} is READY.", id=ctx.project_id), evidence)


class BackendRun(Check):
    """The run to watch: ``--run``, ``--new-run``, a prompt, or the newest run."""

    id = "backend.run"
    layer = "backend"
    title = "Run to watch"
    depends_on = ("backend.project",)
    after = ("ai_server.health", "containers.project")

    def run(self, ctx: Context) -> Result:
        given = ctx.config.run
        if given and given != LATEST_RUN:
            return self._known(ctx, RunInfo(given, "--run"))
        if ctx.config.new_run:
            return self._new(ctx)
        if ctx.interactive and given != LATEST_RUN:
            return self._ask(ctx)
        return self._newest(ctx)

    def _detail(self, ctx: Context, run: RunInfo) -> dict[str, Any]:
        """Fill in the run's status from its detail; the evidence of that query."""
        url = run_path(ctx, run.run_id)
        answer = request(self, ctx, "GET", url, headers=ctx.auth_headers())
        if isinstance(answer, Result):
            return {"detail_error": answer.message}
        evidence: dict[str, Any] = {"detail_status": answer.status_code}
        data = answer.json() if answer.is_success and _is_json(answer) else None
        if isinstance(data, dict):
            run.status = str(data.get("status") or "") or None
            run.created_at, run.finished_at = data.get("created_at"), data.get("finished_at")
            run.error_message = data.get("error_message")
        else:
            evidence["detail"] = detail(answer) or answer.text[:80]
        return evidence

    def _known(self, ctx: Context, run: RunInfo) -> Result:
        if not RUN_ID.fullmatch(run.run_id):
            return self.found("run.not-found", tr("{id!r} is not a run id.", id=run.run_id))
        evidence = {"run_id": run.run_id, "chosen": run.chosen, **self._detail(ctx, run)}
        ctx.run = run
        evidence.update(run_status=run.status)
        return self.passed(_describe(run), evidence)

    def _newest(self, ctx: Context) -> Result:
        url = project_path(ctx, "/agent/runs")
        answer = request(self, ctx, "GET", url, headers=ctx.auth_headers())
        if isinstance(answer, Result):
            return answer
        evidence: dict[str, Any] = {"url": url, **response_evidence(answer, body=False)}
        if not answer.is_success:
            return unexpected(self, answer, url)
        data, problem = json_or_problem(answer, url)
        runs = data.get("runs") if isinstance(data, dict) else None
        if problem or not isinstance(runs, list):
            return self.found(
                "backend.not-api", tr('{url} answered no {{"runs": [...]}}.', url=url), evidence
            )
        runs = [r for r in runs if isinstance(r, dict) and r.get("id")]
        evidence["runs"] = len(runs)
        if not runs:
            return self.found(
                "sse.not-tested",
                _no_runs(ctx),
                evidence,
                tr("Start one with --new-run (it costs LLM tokens), or name one with --run."),
                status=Status.SKIP,
            )
        newest = max(runs, key=lambda r: str(r.get("created_at") or ""))
        run = RunInfo(
            str(newest["id"]),
            "newest",
            newest.get("status"),
            newest.get("created_at"),
            newest.get("finished_at"),
            newest.get("error_message"),
        )
        ctx.run = run
        evidence.update(run_id=run.run_id, chosen=run.chosen, run_status=run.status)
        return self.passed(_describe(run), evidence)

    def _ask(self, ctx: Context) -> Result:
        while True:
            answer = (
                ctx.ask(
                    tr(
                        "Which run? Enter = the newest, y = start a new run (uses LLM tokens), "
                        "n = cancel, or a run id"
                    )
                )
                or ""
            ).strip()
            low = answer.lower()
            if not answer:
                return self._newest(ctx)
            if low in ("y", "yes"):
                return self._new(ctx, confirmed=True)
            if low in ("n", "no"):
                ctx.cancelled = True
                return self.found(
                    "sse.not-tested",
                    tr("Cancelled at the prompt: no run was watched."),
                    {"cancelled": True},
                    status=Status.SKIP,
                )
            if RUN_ID.fullmatch(answer) and len(answer) >= 8:
                return self._known(ctx, RunInfo(answer, "prompt"))
            ctx.ask(tr("{answer!r} is not a run id. Press Enter to choose again", answer=answer))

    def _new(self, ctx: Context, confirmed: bool = False) -> Result:
        down = _known_down(ctx)
        if down:
            return self.skipped(
                tr("Not starting a new run: {reason}", reason=down),
                {"refused": True},
            )
        if ctx.interactive and not confirmed:
            answer = ctx.ask(tr("Start a new Agent run? It costs LLM tokens [y/N]")) or ""
            if answer.strip().lower() not in ("y", "yes"):
                ctx.cancelled = True
                return self.found(
                    "sse.not-tested",
                    tr("Cancelled at the prompt: no run was started."),
                    {"cancelled": True},
                    status=Status.SKIP,
                )
        starts = [ctx.contract.run_start] if ctx.contract and ctx.contract.run_start else RUN_STARTS
        for path in starts:
            url = project_path(ctx, path)
            answer = request(self, ctx, "POST", url, headers=ctx.auth_headers(), json={})
            if isinstance(answer, Result):
                return answer
            if answer.status_code not in (404, 405) or path == starts[-1]:
                break
        evidence: dict[str, Any] = {"url": url, **response_evidence(answer)}
        data = answer.json() if _is_json(answer) else None
        run_id = data.get("run_id") if isinstance(data, dict) else None
        if answer.is_success and isinstance(run_id, str) and run_id:
            run = RunInfo(run_id, "new", "RUNNING")
            ctx.run = run
            evidence.update(run_id=run_id, chosen=run.chosen)
            return self.passed(tr("Started a new run: {id}.", id=run_id), evidence)
        said = detail(answer) or "-"
        evidence["detail"] = said
        message = tr(
            "Starting a new run failed: HTTP {status} {detail}",
            status=answer.status_code,
            detail=said,
        )
        if answer.status_code == 400 and "READY" in said:
            return self.found("project.not-ready", message, evidence)
        if answer.status_code in (401, 403, 404):
            return access_problem(self, answer, tr("Starting a run"), evidence) or unexpected(
                self, answer, url
            )
        return self.found(upstream_problem(said) or "run.start-failed", message, evidence)


def _is_json(answer: Any) -> bool:
    try:
        answer.json()
    except ValueError:
        return False
    return True


def _describe(run: RunInfo) -> str:
    how = {
        "--run": tr("run {id} as given", id=run.run_id),
        "newest": tr("the newest run, {id}", id=run.run_id),
        "prompt": tr("run {id}, chosen at the prompt", id=run.run_id),
        "new": tr("the new run {id}", id=run.run_id),
    }[run.chosen]
    status = run.status or tr("status unknown")
    replay = tr("; it has finished, so its stream is a replay of every log") if run.replay else ""
    return tr("Watching {how} ({status}){replay}.", how=how, status=status, replay=replay)


def _no_runs(ctx: Context) -> str:
    """No run to watch; an empty list may hide an AI Server the backend cannot reach."""
    base = tr("The project has no run to watch: the backend lists none.")
    health = ctx.results.get("ai_server.health") if hasattr(ctx, "results") else None
    if health is not None and not health.status.ok and health.status is not Status.SKIP:
        return (
            base
            + " "
            + tr("The AI Server does not answer, and the backend turns that into an empty list.")
        )
    return base


def _known_down(ctx: Context) -> str | None:
    """Why a new run cannot start: the AI Server or its container is already known down."""
    for check_id in ("containers.project", "ai_server.health"):
        result = ctx.results.get(check_id)
        if result is not None and result.status in (Status.FAIL, Status.ERROR):
            return result.message
    return None


CHECKS = [BackendProjects(), BackendProject(), BackendRun()]
