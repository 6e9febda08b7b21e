"""SSE checks: watch a run's stream and judge it, then query the run's final status."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import quote

import httpx

from doctor.clients.http_errors import category_for_status, describe_http_error, response_evidence
from doctor.context import Artifact, Context
from doctor.i18n import tr
from doctor.model import Category, Check, Result, Status
from doctor.stream.observer import End, LineCallback, StreamObserver
from doctor.stream.verdict import judge

FINAL_STATUSES = ("DONE", "FAILED")
POLL_INTERVAL_S = 0.2


def run_path(ctx: Context, run_id: str, suffix: str = "") -> str:
    """The URL of a run of the chosen project (ids quoted as one path segment each)."""
    project = quote(ctx.project_id or "", safe="")
    return ctx.config.api(f"/projects/{project}/agent/runs/{quote(run_id, safe='')}{suffix}")


class StreamCheck(Check):
    """Opens the run's SSE stream, records it, and evaluates five of the six criteria.

    ``on_line`` (optional) sees every raw line as it arrives; ``sse-doctor stream`` prints
    them. The observation is kept in ``ctx.artifacts[Artifact.SSE_OBSERVATION]`` and the
    timed transcript in ``Artifact.SSE_TRANSCRIPT``, also when Ctrl+C stops the read.
    """

    id = "sse.stream"
    layer = "sse"
    title = "SSE stream"
    depends_on = ("backend.project",)
    after = ("ai_server.health",)

    def __init__(self, on_line: LineCallback | None = None) -> None:
        self.on_line = on_line
        self.observer: StreamObserver | None = None
        """The observer of the stream being read, for ``interrupt()`` on Ctrl+C."""

    def deadline(self, ctx: Context) -> float:
        """The whole observation, plus the new-run request, the connect and some slack."""
        return ctx.config.stream_timeout + 4 * ctx.config.timeout

    def run(self, ctx: Context) -> Result:
        if not ctx.project_id:
            return self.skipped(tr("No project was chosen: give --project."))
        chosen = self.choose_run(ctx)
        if isinstance(chosen, Result):
            return chosen
        ctx.run_id = chosen
        config = ctx.config
        observer = StreamObserver(
            ctx.http,
            run_path(ctx, chosen, "/stream"),
            {
                "Accept": "text/event-stream",
                "Cache-Control": "no-cache",
                **ctx.auth_headers(),
            },
            probe_timeout=config.timeout,
            stream_timeout=config.stream_timeout,
            idle_timeout=config.idle_timeout,
            on_line=self.on_line,
        )
        self.observer = observer
        ctx.artifacts[Artifact.SSE_OBSERVATION] = observer.observation
        try:
            obs = observer.observe()
        finally:
            ctx.artifacts[Artifact.SSE_TRANSCRIPT] = observer.observation.transcript()
        verdict = judge(obs, config.idle_timeout, config.stream_timeout)
        ctx.criteria.update(verdict.criteria)
        evidence: dict[str, Any] = {"url": obs.url, "run_id": chosen, **verdict.facts}
        if obs.end is End.INTERRUPTED:
            return self.skipped(
                tr("Stopped with Ctrl+C after {count} log events.", count=obs.log_events),
                evidence,
            )
        if not verdict.problems:
            return self.passed(
                tr(
                    "The stream delivered {count} log events and `event: status` "
                    "in {seconds:.1f} s.",
                    count=obs.log_events,
                    seconds=obs.ended_at or 0.0,
                ),
                evidence,
            )
        evidence["problems"] = [problem.as_evidence() for problem in verdict.problems]
        top = verdict.problems[0]
        if top.status is Status.FAIL:
            return self.failed(top.message, top.category, top.hint, evidence)
        return self.warned(top.message, top.category, top.hint, evidence)

    def choose_run(self, ctx: Context) -> str | Result:
        """The run to watch: --run, --new-run, or the answer to the guide's question.

        A skip or failure result when there is none; ``sse-doctor stream`` asks this before
        it announces the stream, as the guide's script does.
        """
        if ctx.run_id:
            return ctx.run_id
        if ctx.config.new_run:
            return self._new_run(ctx)
        answer = ctx.ask(
            tr("Start a new Agent run? (y = new run, n = cancel, or type an existing run_id)")
        )
        if answer is None:
            return self.skipped(
                tr("No run to watch: give --run RUN_ID to reuse a run or --new-run to start one.")
            )
        answer = answer.strip()
        if answer.lower() in ("y", "yes"):
            return self._new_run(ctx)
        if answer.lower() in ("", "n", "no"):
            return self.skipped(tr("Cancelled: no run was chosen."))
        return answer

    def _new_run(self, ctx: Context) -> str | Result:
        project = quote(ctx.project_id or "", safe="")
        url = ctx.config.api(f"/projects/{project}/agent/runs")
        try:
            response = ctx.http.post(url, headers=ctx.auth_headers())
        except httpx.HTTPError as exc:
            problem = describe_http_error(exc, url, ctx.config.timeout)
            return self.failed(problem.message, problem.category, problem.hint, problem.evidence)
        evidence = {"url": url, **response_evidence(response)}
        data = _json(response)
        run_id = (data.get("run_id") or data.get("id")) if isinstance(data, dict) else None
        if response.is_success and run_id:
            return str(run_id)
        # No stream was opened yet: what is not about the project is the backend's problem.
        category = category_for_status(response.status_code) or Category.PREREQUISITE
        return self.failed(
            tr(
                "Starting a new run failed: HTTP {status}, {detail}",
                status=response.status_code,
                detail=_detail(data) or tr("no run_id or id in the answer"),
            ),
            category,
            evidence=evidence,
        )


class FinalStatusCheck(Check):
    """Polls the run until it is DONE or FAILED, for at most twice the probe timeout.

    With ``wait=False`` it asks once (``sse-doctor stream`` after the stream ended early).
    When the stream never opened, the run was not followed: it asks once and, unless the
    run already finished, skips rather than blame the run for the stream's failure.
    """

    id = "sse.final_status"
    layer = "sse"
    title = "Final run status"
    depends_on = ("backend.login",)
    after = ("sse.stream",)

    def __init__(self, wait: bool = True) -> None:
        self.wait = wait

    def deadline(self, ctx: Context) -> float:
        return 3 * ctx.config.timeout + 1

    def run(self, ctx: Context) -> Result:
        if not (ctx.run_id and ctx.project_id):
            return self.skipped(tr("No run to query: give --run RUN_ID or --new-run."))
        url = run_path(ctx, ctx.run_id)
        followed = ctx.criteria.get("sse.connect") is True
        budget = 2 * ctx.config.timeout if self.wait and followed else 0.0
        until = time.monotonic() + budget
        seen, problem, polls = None, None, 0
        while True:
            polls += 1
            seen, problem = self._query(ctx, url)
            if seen in FINAL_STATUSES or time.monotonic() >= until:
                break
            time.sleep(min(POLL_INTERVAL_S, max(0.0, until - time.monotonic())))
        evidence = {"url": url, "status": seen, "polls": polls}
        if seen in FINAL_STATUSES:
            ctx.criteria["run.final_status"] = True
            if seen == "DONE":
                return self.passed(tr("The run finished: DONE."), evidence)
            return self.passed(
                tr("The run finished as FAILED: the Agent failed, but the status was reported."),
                evidence,
            )
        if not followed:
            return self.skipped(
                tr(
                    "The run is {status}; it was not followed because the stream never opened.",
                    status=seen or tr("unknown"),
                ),
                evidence,
            )
        ctx.criteria["run.final_status"] = False
        if seen is None:
            message = tr("The run's status could not be read: {problem}", problem=problem)
        elif not self.wait:
            message = tr("The run is {status}, not DONE or FAILED.", status=seen)
        else:
            message = tr(
                "The run is still {status} after {seconds:g} s, not DONE or FAILED.",
                status=seen,
                seconds=round(budget, 1),
            )
        return self.failed(message, Category.FINAL_STATUS, evidence=evidence)

    def _query(self, ctx: Context, url: str) -> tuple[str | None, str | None]:
        """(the run's status in upper case, None) or (None, what went wrong)."""
        try:
            response = ctx.http.get(url, headers=ctx.auth_headers())
        except httpx.HTTPError as exc:
            return None, describe_http_error(exc, url, ctx.config.timeout).message
        data = _json(response)
        if not response.is_success:
            return None, f"HTTP {response.status_code} ({_detail(data) or '-'})"
        status = data.get("status") if isinstance(data, dict) else None
        if not isinstance(status, str):
            return None, tr("the answer has no status")
        return status.upper(), None


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _detail(data: Any) -> str | None:
    detail = data.get("detail") if isinstance(data, dict) else None
    return str(detail)[:200] if detail else None


CHECKS = [StreamCheck(), FinalStatusCheck()]
