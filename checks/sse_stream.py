"""SSE checks: watch the run's stream and judge it, then query the run's final status."""

from __future__ import annotations

import time
from typing import Any

from checks.backend import request
from checks.projects import run_path
from doctor.clients.http_errors import detail
from doctor.context import Artifact, Context
from doctor.i18n import sentences, tr
from doctor.model import Check, Result, Status
from doctor.stream.observer import End, LineCallback, StreamObserver
from doctor.stream.signatures import RUN_QUERY_FAILED, agent_problem
from doctor.stream.verdict import judge

FINAL_STATUSES = ("DONE", "FAILED", "STOPPED")
UPSTREAM_PROBLEMS = frozenset(
    {"sse.upstream-unreachable", "network.container-unresolvable", "sse.upstream-cut"}
)
"""The stream's failures that also make the run's status unreadable (the AI Server's gone)."""
POLL_INTERVAL_S = 0.2


class StreamCheck(Check):
    """Opens the run's SSE stream, records it, and evaluates five of the six criteria.

    ``on_line`` (optional) sees every raw line as it arrives; ``sse-doctor stream`` prints
    them. The observation is kept in ``ctx.artifacts[Artifact.SSE_OBSERVATION]``, also
    when Ctrl+C stops the read.
    """

    id = "sse.stream"
    layer = "sse"
    title = "SSE stream"
    depends_on = ("backend.run",)

    def __init__(self, on_line: LineCallback | None = None) -> None:
        self.on_line = on_line
        self.observer: StreamObserver | None = None
        """The observer of the stream being read, for ``interrupt()`` on Ctrl+C."""

    def deadline(self, ctx: Context) -> float:
        """The whole observation, plus the connect and some slack."""
        return ctx.config.stream_timeout + 2 * ctx.config.timeout + 1

    def run(self, ctx: Context) -> Result:
        run = ctx.run
        if run is None:
            return self.found("sse.not-tested", tr("No run to watch."), status=Status.SKIP)
        config = ctx.config
        observer = StreamObserver(
            ctx.http,
            run_path(ctx, run.run_id, "/stream"),
            {"Accept": "text/event-stream", "Cache-Control": "no-cache", **ctx.auth_headers()},
            probe_timeout=config.timeout,
            stream_timeout=config.stream_timeout,
            idle_timeout=config.idle_timeout,
            on_line=self.on_line,
        )
        self.observer = observer
        ctx.artifacts[Artifact.SSE_OBSERVATION] = observer.observation
        obs = observer.observe()
        verdict = judge(obs, config.idle_timeout, config.stream_timeout, run.status)
        ctx.criteria.update(verdict.criteria)
        ctx.artifacts[Artifact.SSE_EVENTS] = verdict.events
        evidence: dict[str, Any] = {"url": obs.url, "run_id": run.run_id, **verdict.facts}
        if run.replay:
            evidence["replay"] = True
        if obs.end is End.INTERRUPTED:
            return self.skipped(
                tr("Stopped with Ctrl+C after {count} events.", count=obs.event_total), evidence
            )
        if not verdict.problems:
            return self.passed(self._healthy(obs, run.replay), evidence)
        evidence["problems"] = [problem.as_evidence() for problem in verdict.problems]
        top = verdict.problems[0]
        hint = top.hint or _hint(top.id, ctx)
        message = top.message
        if top.id in UPSTREAM_PROBLEMS:
            container = _container_after(ctx)
            if container:
                evidence["container"] = container
                message += " " + tr("The container now: {state}.", state=container["said"])
        return self.found(top.id, message, evidence, hint, status=top.status)

    def _healthy(self, obs: Any, replay: bool) -> str:
        message = tr(
            "The stream delivered {count} events ({logs} `log`) and `event: status` "
            "in {seconds:.1f} s.",
            count=obs.event_total,
            logs=obs.log_events,
            seconds=obs.ended_at or 0.0,
        )
        if replay:
            message += " " + tr(
                "It was a replay of a finished run: the AI Server sends every log again."
            )
        return message


class FinalStatusCheck(Check):
    """Queries the run until it is final, for at most twice the probe timeout.

    With ``wait=False`` it asks once (``sse-doctor stream`` after the stream ended early).
    A run the doctor stopped watching before it ended is not judged: still RUNNING is then
    the doctor's own doing, not the run's.
    """

    id = "sse.final_status"
    layer = "sse"
    title = "Final run status"
    depends_on = ("backend.login",)
    after = ("sse.stream", "ai_server.health")
    needs = ("backend.run",)

    def __init__(self, wait: bool = True) -> None:
        self.wait = wait

    def deadline(self, ctx: Context) -> float:
        return 4 * ctx.config.timeout + 1

    def run(self, ctx: Context) -> Result:
        if not (ctx.run_id and ctx.project_id):
            return self.skipped(tr("No run to query."))
        url = run_path(ctx, ctx.run_id)
        followed = ctx.criteria.get("sse.status_event") is True
        budget = ctx.config.timeout if self.wait and followed else 0.0
        until = time.monotonic() + budget
        polls = 0
        while True:
            polls += 1
            answer = request(self, ctx, "GET", url, headers=ctx.auth_headers())
            if isinstance(answer, Result):
                return answer
            data = _json(answer)
            status = str(data.get("status") or "").upper() if isinstance(data, dict) else ""
            if not answer.is_success or status in FINAL_STATUSES or time.monotonic() >= until:
                break
            time.sleep(min(POLL_INTERVAL_S, max(0.0, until - time.monotonic())))
        evidence: dict[str, Any] = {"url": url, "http_status": answer.status_code, "polls": polls}
        if not answer.is_success:
            return self._unanswered(ctx, answer, evidence)
        evidence["status"] = status
        error = data.get("error_message") if isinstance(data, dict) else None
        if error:
            evidence["error_message"] = str(error)[:500]
        if status in FINAL_STATUSES:
            ctx.criteria["run.final_status"] = True
            if status == "FAILED":
                problem = agent_problem(str(error or ""))
                return self.found(
                    problem,
                    tr("The run FAILED: {error}", error=error or tr("no error_message")),
                    evidence,
                )
            return self.passed(tr("The run finished: {status}.", status=status), evidence)
        if not followed:
            return self.skipped(
                tr(
                    "The run is {status}: the stream was not followed to its end, so this is "
                    "not a verdict on the run.",
                    status=status or tr("unknown"),
                ),
                evidence,
            )
        ctx.criteria["run.final_status"] = False
        return self.found(
            "run.stuck",
            tr(
                "The run is still {status} after its stream sent `event: status`.",
                status=status or tr("unknown"),
            ),
            evidence,
        )

    def _unanswered(self, ctx: Context, answer: Any, evidence: dict[str, Any]) -> Result:
        said = detail(answer) or "-"
        evidence["detail"] = said
        message = tr(
            "The run's status could not be read: HTTP {status} {detail}.",
            status=answer.status_code,
            detail=said,
        )
        health = ctx.results.get("ai_server.health")
        stream = ctx.results.get("sse.stream")
        answers = health is not None and health.status is Status.PASS
        upstream_failed = stream is not None and bool(stream_problems(stream) & UPSTREAM_PROBLEMS)
        if (
            answer.status_code == 503
            and RUN_QUERY_FAILED in said
            and answers
            and not upstream_failed
        ):
            return self.found(
                "run.not-found",
                sentences(
                    message, tr("The AI Server answers /health, so it does not know the run.")
                ),
                evidence,
            )
        return self.skipped(sentences(message, tr("The other results say why.")), evidence)


def _container_after(ctx: Context) -> dict[str, Any] | None:
    """The project's container as Docker shows it after the stream failed (when it can)."""
    if ctx.config.no_docker or ctx.config.ai_url or not ctx.container_name:
        return None
    from checks.containers import exit_meaning, find_container

    try:
        facts = find_container(ctx.docker, ctx.container_name)
    except Exception:  # no engine: the stream's own evidence stands alone
        return None
    if facts is None:
        return {"exists": False, "said": tr("removed")}
    said = f"{facts['state']}{exit_meaning(facts)}"
    if facts["restart_count"]:
        said += tr(", {count} restarts", count=facts["restart_count"])
    keys = ("state", "exit_code", "oom_killed", "restart_count", "finished_at")
    return {**{key: facts[key] for key in keys}, "said": said}


def _hint(problem_id: str, ctx: Context) -> str | None:
    """The upstream problems' fix, naming the project's container."""
    name = ctx.container_name or "refactor-project-<id>"
    hints = {
        "sse.upstream-unreachable": tr(
            "The container runs but its AI Server does not listen: `docker logs {name}` shows "
            "why; `docker restart {name}` starts it again.",
            name=name,
        ),
        "sse.upstream-cut": tr(
            "See how it died: `docker inspect {name}` (ExitCode, OOMKilled) and "
            "`docker logs {name}`.",
            name=name,
        ),
        "network.container-unresolvable": tr(
            "Run the backend where {name} resolves: in compose, on refactor-network; see "
            "`docker network inspect refactor-network`.",
            name=name,
        ),
    }
    return hints.get(problem_id)


def stream_problems(result: Result) -> set[str]:
    """Every problem id a stream result names (its own and those in its evidence)."""
    listed = {p.get("id") for p in result.evidence.get("problems", ()) if isinstance(p, dict)}
    return {result.problem, *listed} - {None}


def _json(answer: Any) -> Any:
    try:
        return answer.json()
    except ValueError:
        return None


CHECKS = [StreamCheck(), FinalStatusCheck()]
