"""``sse-doctor stream``: the guide's test script as a command, printing each SSE line live.

Only click and doctor.cli.options are imported here at start-up; the rest is imported when the
command runs, so that ``sse-doctor --help`` stays fast.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from doctor.cli.help import command
from doctor.cli.options import build_config, stack_options, terminal_asker, write_stdout

if TYPE_CHECKING:
    from checks.sse_stream import StreamCheck
    from doctor.config import Config
    from doctor.context import Context


@command(
    "stream",
    "Watch a run's SSE stream line by line, like the guide's script.",
    [
        "sse-doctor stream                       # the newest run, or asks",
        "sse-doctor stream --run latest --idle-timeout 60",
        "sse-doctor stream --new-run",
    ],
)
@stack_options
def stream(**options: Any) -> None:
    """Watch a run's SSE stream line by line, like the guide's test script.

    \b
    On a terminal it asks for what is missing (email, password, project, run);
    elsewhere --email/--password (or --token) and --run or --new-run are required.
    Ctrl+C stops the stream and still prints the summary: exit 0 when no criterion
    seen so far failed, else 1.
    """
    config = build_config(options)
    ask = terminal_asker()
    if ask is None:
        _require_inputs(config)
    sys.exit(_watch(config, ask))


def _require_inputs(config: Config) -> None:
    """Without a terminal nothing is asked: name the first missing option."""
    from doctor.config import ConfigError

    if not config.token:
        if not (config.email or config.username):
            raise ConfigError("--username", "required without a terminal (or --email, or --token)")
        if not config.password:
            raise ConfigError("--password", "required without a terminal (or give --token)")


def _watch(config: Config, ask: Any) -> int:
    from doctor.context import Context

    ctx = Context(config, ask)
    try:
        return _session(ctx)
    finally:
        ctx.close()


def _session(ctx: Context) -> int:
    """Log in, choose project and run, stream, then print the summary; the exit status."""
    from datetime import datetime

    from checks.sse_stream import FinalStatusCheck, StreamCheck
    from doctor.context import Artifact
    from doctor.i18n import tr
    from doctor.model import Result, Status
    from doctor.registry import load_checks, select
    from doctor.runner import run_checks, run_one
    from doctor.stream.observer import End

    def echo(text: str) -> None:
        write_stdout(ctx.redactor.redact(text) + "\n")

    echo(f"[{_clock(datetime.now())}] " + tr("📡 Starting SSE stream test..."))
    needed = [c for c in select(load_checks(), ["sse.stream"], []) if c.layer != "sse"]
    for check, result in zip(needed, run_checks(needed, ctx)):
        if not result.status.ok:
            _print_problem(echo, "❌ " + check.id + ": " + result.message, result.hint)
            return 3 if result.problem == "sse.not-tested" else 1
    echo("✅ " + ctx.results["backend.run"].message)

    def print_line(at: float, text: str) -> None:
        if text:
            started = ctx.artifacts[Artifact.SSE_OBSERVATION].started_wall
            echo(f"[{_clock(datetime.fromtimestamp(started + at))}] " + _describe(text))

    check = StreamCheck(on_line=print_line)
    echo(tr("Receiving SSE events (Ctrl+C stops):"))
    try:
        with _ctrl_c_ends(check):
            result: Result | None = run_one(check, ctx)
    except KeyboardInterrupt:
        result = None
    obs = ctx.artifacts.get(Artifact.SSE_OBSERVATION)
    count = obs.transcript.count if obs is not None else 0
    if result is None or (obs is not None and obs.end is End.INTERRUPTED):
        return _interrupted(ctx, echo, count)
    if result.status in (Status.SKIP, Status.ERROR):
        _print_problem(echo, "❌ " + result.message, result.hint)
        return 1
    if result.status in (Status.PASS, Status.WARN):
        echo(tr("✅ Stream ended! {count} lines received", count=count))
    for index, problem in enumerate(result.evidence.get("problems", ())):
        mark = "❌ " if problem["status"] == Status.FAIL.value else "⚠️ "
        _print_problem(echo, mark + problem["message"], result.hint if index == 0 else None)
    if result.status is Status.FAIL and not result.evidence.get("problems"):
        _print_problem(echo, "❌ " + result.message, result.hint)
    final = run_one(FinalStatusCheck(wait=bool(ctx.criteria["sse.status_event"])), ctx)
    _print_criteria(ctx, echo)
    if final.status is Status.PASS:
        echo(tr("Final status: {status}", status=final.evidence["status"]))
    else:
        echo("❌ " + final.message)
    ok = result.status in (Status.PASS, Status.WARN) and final.status is Status.PASS
    return 0 if ok else 1


@contextmanager
def _ctrl_c_ends(check: StreamCheck) -> Iterator[None]:
    """While the stream is read, Ctrl+C ends the read cleanly instead of raising.

    Before the response is open there is nothing to end, so Ctrl+C raises
    KeyboardInterrupt as usual.
    """
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_sigint(signum: int, frame: Any) -> None:
        if check.observer is None or not check.observer.interrupt():
            raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _interrupted(ctx: Context, echo: Any, count: int) -> int:
    """Ctrl+C: the criteria as far as the stream got; the run's status is not queried."""
    from doctor.i18n import tr

    echo(tr("⏹️ Stopped with Ctrl+C: {count} lines received", count=count))
    _print_criteria(ctx, echo)
    echo(tr("Final status: not queried (stopped with Ctrl+C)"))
    return 1 if False in ctx.criteria.values() else 0


def _print_problem(echo: Any, message: str, hint: str | None) -> None:
    echo(message)
    if hint:
        echo("   → " + hint)


def _print_criteria(ctx: Context, echo: Any) -> None:
    from doctor.i18n import tr
    from doctor.model import CRITERIA

    echo(tr("Success criteria"))
    for cid, label in CRITERIA:
        met = ctx.criteria.get(cid)
        box = {True: "[x]", False: "[ ]"}.get(met, "[-]")  # type: ignore[arg-type]
        suffix = "" if met is not None else "  " + tr("(not evaluated)")
        echo(f"  {box} {tr(label)}{suffix}")


def _describe(text: str) -> str:
    """A raw SSE line as the guide's script shows it."""
    from doctor.i18n import tr

    if text.startswith("event:"):
        return tr("📨 Event type: {line}", line=text)
    if text.startswith("data:"):
        return tr("📄 Data: {line}", line=text)
    return text


def _clock(moment: Any) -> str:
    """HH:MM:SS.mmm"""
    return moment.strftime("%H:%M:%S.%f")[:-3]
