"""The survey behind ``sse-doctor status``: the doctor's own checks for every project at once,
each project's outcome reduced to one row.

The login and the project list happen once; each project then gets a doctor run of its own
of the checks in SURVEY_CHECKS, taking the login's results as given, all projects at the
same time. Every probe keeps its own deadline, so N projects take about as long as one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

from doctor.catalogue import BY_ID
from doctor.config import LATEST_RUN, Config
from doctor.context import Artifact, Asker, Context
from doctor.diagnosis import INCONCLUSIVE, PROBLEM, WARNING, Finding, exit_code
from doctor.i18n import tr
from doctor.model import Status
from doctor.registry import load_checks, select
from doctor.report.redact import Redactor
from doctor.session import RunRecord, choose, run_doctor
from doctor.stream.signatures import agent_problem
from doctor.team.known import Login, given

SURVEY_CHECKS = ("backend.project", "backend.run", "containers.project", "ai_server.health")
"""What each project is asked: its status, its newest run, its container, its AI Server."""
MAX_PARALLEL = 64
"""Projects surveyed at the same time; more wait for a free slot."""
NEUTRAL = ("sse.not-tested",)
"""Findings that are not a fault of a project seen by status (it has no run yet)."""
NOT_YET = ("CREATED", "PROVISIONING", "STOPPED")
"""Project statuses that are a stage of its life, not a failure (a FAILED provision is)."""


@dataclass
class ProjectRow:
    """One project as ``status`` shows it; None where nothing was looked at."""

    project_id: str
    title: str
    status: str | None
    container: str | None
    ai_health: str | None
    run_id: str | None
    run_status: str | None
    run_error: str | None
    verdict: Finding | None
    """The cause to act on first; None when nothing is wrong."""

    @property
    def severity(self) -> str:
        return self.verdict.severity if self.verdict else "ok"


@dataclass
class Survey:
    """The login's record (shown when it fails) and a row per project."""

    login: RunRecord
    rows: list[ProjectRow]
    redactor: Redactor
    """Knows the secrets of the configuration and the token of the login."""
    listed: bool = True
    """Whether the projects could be listed (else ``login`` says why not)."""

    @property
    def exit_code(self) -> int:
        """As for ``run``, over every project's verdict; 3 when there is no project to see."""
        if not self.listed:
            return self.login.exit_code or 1
        if not self.rows:
            return 3
        verdicts = [r.verdict for r in self.rows if r.verdict is not None]
        return exit_code(verdicts, self.login.config.strict)


def survey(config: Config, ask: Asker | None = None) -> Survey:
    """Log in, list the projects, and survey every one of them at once."""
    record, login = login_and_list(config, ask)
    redactor = Context(config).redactor
    if login is None:
        return Survey(record, [], redactor, listed=False)
    redactor.add_secret(login.token)
    mine = replace(config, token=login.token, run=LATEST_RUN, new_run=False, only=SURVEY_CHECKS)
    checks, _ = choose(mine)
    projects = login.projects

    def one(project_id: str) -> ProjectRow:
        chosen = replace(mine, project=project_id)
        outcome, ctx = run_doctor(chosen, None, checks=given(checks, login, project_id))
        ctx.close()
        return row(projects[project_id], outcome, ctx)

    return Survey(record, for_each(list(projects), one), redactor)


def login_and_list(config: Config, ask: Asker | None = None) -> tuple[RunRecord, Login | None]:
    """Log in (asking on a terminal, if it must) and list the projects: the record to show
    when that fails, and what the login learned (None when it failed)."""
    checks = select(load_checks(), ["backend.login"], [])
    record, ctx = run_doctor(replace(config, project=None), ask, checks=checks)
    ctx.close()
    if not ctx.token or record.exit_code:
        return record, None
    login = Login(dict(ctx.results), ctx.token, ctx.user, ctx.contract)
    listing = select(load_checks(), ["backend.projects"], [])
    listed, list_ctx = run_doctor(
        replace(config, token=ctx.token, project=None),
        None,  # never the picker: every project is looked at
        checks=given(listing, login),
    )
    list_ctx.close()
    projects = list_ctx.artifacts.get(Artifact.PROJECTS)
    if projects is None:
        return listed, None
    login.projects = dict(projects)
    login.results.update(list_ctx.results)
    return record, login


def for_each(items: Sequence[str], work: Callable[[str], Any]) -> list[Any]:
    """``work`` of every item, all at once (at most MAX_PARALLEL), in the items' order."""
    if not items:
        return []
    with ThreadPoolExecutor(max_workers=min(MAX_PARALLEL, len(items))) as pool:
        return list(pool.map(work, items))


def row(project: dict[str, Any], record: RunRecord, ctx: Context) -> ProjectRow:
    """A project's row from its doctor run."""
    run = ctx.run
    return ProjectRow(
        project_id=str(record.target.get("project_id") or project.get("id")),
        title=project_title(project),
        status=project.get("status"),
        container=_container(ctx),
        ai_health=_health(record),
        run_id=run.run_id if run else None,
        run_status=run.status if run else None,
        run_error=run.error_message if run else None,
        verdict=verdict(record, ctx, project),
    )


def project_title(project: dict[str, Any]) -> str:
    """The title (V2), else the repository's name (V1 projects have none)."""
    title = project.get("title")
    if title:
        return str(title)
    repo = str(project.get("repo_url") or "")
    return repo.rstrip("/").rsplit("/", 1)[-1].removesuffix(".git") or "-"


def _container(ctx: Context) -> str | None:
    facts = ctx.artifacts.get(Artifact.PROJECT_CONTAINER)
    if not facts:
        return None
    if not facts.get("exists"):
        return "missing"
    if facts.get("state") == "running":
        return "running"
    code = facts.get("exit_code")
    oom = " OOMKilled" if facts.get("oom_killed") else ""
    return f"{facts.get('state')} ({code}{oom})" if code is not None else str(facts.get("state"))


def _health(record: RunRecord) -> str | None:
    result = next((r for r in record.results if r.check_id == "ai_server.health"), None)
    if result is None or result.status is Status.SKIP:
        return None
    if result.status is Status.PASS:
        return "healthy"
    return result.problem or result.status.value


def verdict(record: RunRecord, ctx: Context, project: dict[str, Any]) -> Finding | None:
    """The project's first problem, else what its newest run or the AI Server's memory says."""
    findings = [f for f in record.diagnosis if f.id not in NEUTRAL]
    if project.get("status") in NOT_YET:  # no container, no run yet: its stage says it all
        findings = [replace(f, severity=WARNING) for f in findings if f.id == "project.not-ready"]
    for severity in (PROBLEM, WARNING, INCONCLUSIVE):
        first = next((f for f in findings if f.severity == severity), None)
        if first is not None:
            return first
    run = ctx.run
    if run is not None and run.status == "FAILED":
        problem = agent_problem(run.error_message or "")
        title = tr("Run {id} FAILED: {error}", id=run.run_id, error=run.error_message or "-")
        return _finding(problem, title, ("backend.run",), {"run_status": "FAILED"})
    thread = project.get("refactor_thread_id")
    health = _health(record)
    if run is None and thread and health == "healthy":
        title = tr(
            "The AI Server knows no run of this project, though the backend started one "
            "(thread {thread}): it lost its tasks when it restarted.",
            thread=thread,
        )
        evidence = {"refactor_thread_id": thread, "runs": 0, "ai_health": health}
        return _finding("run.not-found", title, ("backend.run", "ai_server.health"), evidence)
    return None


def _finding(
    problem_id: str, title: str, checks: tuple[str, ...], evidence: dict[str, Any]
) -> Finding:
    entry = BY_ID[problem_id]
    return Finding(
        id=problem_id,
        category=entry.category,
        severity=PROBLEM,
        basis="inferred" if problem_id == "run.not-found" else "observed",
        title=title,
        checks=checks,
        hint=tr(entry.fix),
        evidence=evidence,
    )
