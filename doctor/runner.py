"""Run checks in dependency order, concurrently, each under its own deadline."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from doctor.context import Context, PromptEnded
from doctor.i18n import tr
from doctor.model import Category, Check, Result, Status


@dataclass
class Progress:
    """Observer of a run; the runner calls it and never prints."""

    on_start: Callable[[Check], None] = lambda check: None
    on_result: Callable[[Check, Result], None] = lambda check, result: None


@dataclass
class _Running:
    check: Check
    started: float
    prompt_seconds_at_start: float
    deadline: float


def run_checks(
    checks: Sequence[Check], ctx: Context, progress: Progress | None = None
) -> list[Result]:
    """Run ``checks`` and return one result per check, in the order given.

    A check starts once every dependency has finished; a dependency that did not pass (or
    was not selected) turns it into ``skip``. Each check runs in a daemon thread so that a
    check blocked in a socket call cannot hold the run past its deadline.
    """
    progress = progress or Progress()
    by_id = {check.id: check for check in checks}
    results: dict[str, Result] = {}
    running: dict[str, _Running] = {}
    finished: queue.Queue[tuple[str, Result]] = queue.Queue()

    def finish(check: Check, result: Result) -> None:
        results[check.id] = result
        ctx.results[check.id] = result
        running.pop(check.id, None)
        progress.on_result(check, result)

    while len(results) < len(checks):
        moved = True
        while moved:  # a skip can unblock a check passed over earlier in the same pass
            moved = False
            for check in checks:
                if check.id in results or check.id in running:
                    continue
                blocker = _blocker(check, by_id, results, ctx)
                if blocker is _WAITING:
                    continue
                moved = True
                if blocker is not None:
                    finish(check, replace(blocker, check_id=check.id))
                    continue
                running[check.id] = _start(check, ctx, finished)
                progress.on_start(check)
        if len(results) == len(checks):
            break
        if not running:  # what is left waits on itself
            for check in checks:
                if check.id not in results:
                    finish(check, Result(check.id, Status.SKIP, tr("Circular dependency.")))
            break
        _collect(ctx, by_id, running, finished, finish)
    return [results[check.id] for check in checks]


_WAITING = Result("", Status.SKIP, "")
MAX_DEADLINE_S = 7 * 24 * 3600.0
"""Longer (or not a number) is a plugin's mistake: such a check gets the default deadline."""


def _blocker(
    check: Check, by_id: dict[str, Check], results: dict[str, Result], ctx: Context
) -> Result | None:
    """A skip result when a dependency failed or is missing, _WAITING while one is due."""
    for dep in check.depends_on:
        if dep not in by_id:
            return Result("", Status.SKIP, tr("Needs {dep}, which was not selected.", dep=dep))
        if dep not in results:
            return _WAITING
        if not results[dep].status.ok:
            reason = tr("Skipped because {dep} did not pass.", dep=dep)
            return Result("", Status.SKIP, reason, evidence={"blocked_by": dep})
    if any(other in by_id and other not in results for other in check.waits_for(ctx.config)):
        return _WAITING
    return None


def _start(check: Check, ctx: Context, finished: queue.Queue[tuple[str, Result]]) -> _Running:
    started = time.monotonic()
    try:
        deadline = float(check.deadline(ctx))
    except Exception:  # a broken deadline() gets the default one
        deadline = Check.deadline(check, ctx)
    if not 0 < deadline < MAX_DEADLINE_S:  # also NaN
        deadline = Check.deadline(check, ctx)

    def work() -> None:
        finished.put((check.id, run_one(check, ctx, started)))

    threading.Thread(target=work, name=f"check:{check.id}", daemon=True).start()
    return _Running(check, started, ctx.prompt_seconds(), deadline)


def run_one(check: Check, ctx: Context, started: float | None = None) -> Result:
    """Run one check, turning an exception into an ``error`` result; no deadline here."""
    started = time.monotonic() if started is None else started
    try:
        result = check.run(ctx)
        if not isinstance(result, Result):
            raise TypeError(f"run() returned {type(result).__name__}, not Result")
    except PromptEnded:
        result = Result(
            check.id,
            Status.SKIP,
            tr("Cancelled at the prompt: the input ended (Ctrl+D)."),
            evidence={"cancelled": True},
            problem="sse.not-tested",
        )
    except Exception as exc:
        category = _network_category(exc)
        result = Result(
            check.id,
            Status.ERROR,
            f"{type(exc).__name__}: {exc}"[:500],
            category,
            category.hint if category else tr("Report it with the bundle of sse-doctor report."),
            {"exception": type(exc).__name__},
            problem="check.error",
        )
    elapsed_ms = round((time.monotonic() - started) * 1000)
    return replace(result, check_id=check.id, duration_ms=elapsed_ms)


def _network_category(exc: BaseException) -> Category | None:
    """``timeout`` or ``prerequisite`` when an unexpected exception is a network failure.

    Checks describe the failures they expect; this covers the rest, whatever library
    (httpx, docker-py's requests, pymongo) raised them, by the exception chain's types.
    """
    seen: BaseException | None = exc
    while seen is not None:
        name = type(seen).__name__
        if isinstance(seen, TimeoutError) or "Timeout" in name:
            return Category.TIMEOUT
        if isinstance(seen, ConnectionError) or name in ("ConnectionError", "ConnectError"):
            return Category.PREREQUISITE
        seen = seen.__cause__ or seen.__context__
    return None


def _collect(
    ctx: Context,
    by_id: dict[str, Check],
    running: dict[str, _Running],
    finished: queue.Queue[tuple[str, Result]],
    finish: Callable[[Check, Result], None],
) -> None:
    """Wait for the next result or the nearest deadline, whichever comes first."""
    now = time.monotonic()
    due = min(_due(run, ctx) for run in running.values())
    try:
        check_id, result = finished.get(timeout=min(max(0.0, due - now), threading.TIMEOUT_MAX))
    except queue.Empty:
        pass
    else:
        if check_id in running:
            finish(by_id[check_id], result)
    now = time.monotonic()
    for run in list(running.values()):
        if _due(run, ctx) <= now:
            finish(run.check, _timed_out(run, now))


def _due(run: _Running, ctx: Context) -> float:
    return run.started + run.deadline + (ctx.prompt_seconds() - run.prompt_seconds_at_start)


TIMEOUT_PROBLEMS = {
    "mongodb": "mongodb.timeout",
    "docker": "docker.down",
    "image": "docker.down",
    "container": "docker.down",
    "backend": "backend.hang",
    "ai_server": "ai.timeout",
    "sse": "sse.no-response",
}
"""The problem a check's deadline passing names, by the check's layer."""


def _timed_out(run: _Running, now: float) -> Result:
    elapsed_ms = round((now - run.started) * 1000)
    return Result(
        run.check.id,
        Status.FAIL,
        tr(
            "{title}: no answer within {seconds:g} s.",
            title=tr(run.check.title),
            seconds=round(run.deadline, 1),
        ),
        Category.TIMEOUT,
        Category.TIMEOUT.hint,
        {"elapsed_ms": elapsed_ms, "deadline_s": round(run.deadline, 3)},
        elapsed_ms,
        problem=TIMEOUT_PROBLEMS.get(run.check.layer, "check.timeout"),
    )
