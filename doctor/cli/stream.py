"""``sse-doctor stream``: the guide's test script as a command, printing each SSE line live.

With ``--json`` it writes NDJSON instead: one object per SSE line as it arrives
(``{"type": "line", "time", "line"}``), then one ``{"type": "summary", …}`` with the
problems, the criteria, the final status and the exit status. A format that must be one
document (markdown, junit) cannot grow line by line: it is a usage error.

Only click and doctor.cli.options are imported here at start-up; the rest is imported when the
command runs, so that ``sse-doctor --help`` stays fast.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from doctor.cli.help import command
from doctor.cli.options import build_config, stack_options, terminal_asker, write_stdout

if TYPE_CHECKING:
    from checks.sse_stream import StreamCheck
    from doctor.config import Config
    from doctor.context import Context
    from doctor.model import Result


@command(
    "stream",
    "Watch a run's SSE stream line by line, like the guide's script.",
    [
        "sse-doctor stream                       # the newest run, or asks",
        "sse-doctor stream --run latest --idle-timeout 60",
        "sse-doctor stream --new-run",
        "sse-doctor stream --run latest --json   # NDJSON: a line per SSE line, then a summary",
    ],
)
@stack_options
def stream(**options: Any) -> None:
    """Watch a run's SSE stream line by line, like the guide's test script.

    \b
    On a terminal it asks for what is missing (email, password, project, run);
    elsewhere --email/--password (or --token) and --run or --new-run are required.
    Ctrl+C stops the stream and still prints the summary: exit 0 when no criterion
    seen so far failed, else 1. --json writes NDJSON: an object per SSE line, then a
    summary object.
    """
    config = build_config(options)
    if config.format not in ("text", "json"):
        from doctor.config import ConfigError

        raise ConfigError(
            "--format",
            f"stream writes text or, with --json, NDJSON, not {config.format}: "
            f"`sse-doctor run --format {config.format}` writes one {config.format} document",
        )
    ask = terminal_asker()
    if ask is None:
        _require_inputs(config)
    sys.exit(_watch(config, ask))


@dataclass
class _Output:
    """Where ``stream`` writes: the guide's lines, or NDJSON objects and a closing summary."""

    ctx: Context
    as_json: bool
    problems: list[dict[str, Any]] = field(default_factory=list)
    final_status: str | None = None
    interrupted: bool = False

    def say(self, text: str) -> None:
        """A line for a person (none in NDJSON: the summary holds what it says)."""
        if not self.as_json:
            self._write(text)

    def problem(self, mark: str, result: Result, message: str, hint: str | None) -> None:
        """A problem ``result`` shows (``message``: the result's own or one it lists)."""
        shown = {"check": result.check_id, "id": result.problem, "message": message, "hint": hint}
        self.problems.append(shown)
        self.say(mark + message)
        if hint:
            self.say("   → " + hint)

    def sse_line(self, wall: float, text: str) -> None:
        if not self.as_json:
            from datetime import datetime

            self._write(f"[{_clock(datetime.fromtimestamp(wall))}] " + _describe(text))
            return
        from doctor.stream.transcript import utc_iso

        self._object({"type": "line", "time": utc_iso(wall), "line": text})

    def summary(self, code: int) -> None:
        """The closing NDJSON object."""
        if not self.as_json:
            return
        from doctor.context import Artifact
        from doctor.formats.json import criteria_document

        obs = self.ctx.artifacts.get(Artifact.SSE_OBSERVATION)
        self._object(
            {
                "type": "summary",
                "run_id": self.ctx.run_id,
                "lines": obs.transcript.count if obs is not None else 0,
                "events": obs.event_total if obs is not None else 0,
                "end": obs.end.value if obs is not None and obs.end else None,
                "problems": self.problems,
                "criteria": criteria_document(self.ctx.criteria),
                "final_status": self.final_status,
                "interrupted": self.interrupted,
                "exit_code": code,
            }
        )

    def _object(self, value: dict[str, Any]) -> None:
        from doctor.formats.json import dumps, plain

        write_stdout(dumps(self.ctx.redactor.redact_obj(plain(value)), indent=None))

    def _write(self, text: str) -> None:
        write_stdout(self.ctx.redactor.redact(text) + "\n")


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
    out = _Output(ctx, config.format == "json")
    try:
        code = _session(ctx, out)
        out.summary(code)
    except KeyboardInterrupt:
        out.interrupted = True
        out.summary(130)
        raise
    finally:
        ctx.close()
    return code


def _session(ctx: Context, out: _Output) -> int:
    """Log in, choose project and run, stream, then print the summary; the exit status."""
    from dataclasses import replace
    from datetime import datetime

    from checks.sse_stream import FinalStatusCheck, StreamCheck
    from doctor.context import Artifact
    from doctor.i18n import tr
    from doctor.model import Status
    from doctor.registry import load_checks, select
    from doctor.runner import run_checks, run_one
    from doctor.stream.observer import End

    out.say(f"[{_clock(datetime.now())}] " + tr("📡 Starting SSE stream test..."))
    needed = [c for c in select(load_checks(), ["sse.stream"], []) if c.layer != "sse"]
    for check, result in zip(needed, run_checks(needed, ctx)):
        if not result.status.ok:
            mark = "⏹️ " if ctx.cancelled else "❌ "
            out.problem(mark + check.id + ": ", result, result.message, result.hint)
            if result.problem == "sse.not-tested":
                return 0 if ctx.cancelled else 3  # cancelled at a prompt: nothing is wrong
            return 1
    out.say("✅ " + ctx.results["backend.run"].message)

    def print_line(at: float, text: str) -> None:
        if text:
            out.sse_line(ctx.artifacts[Artifact.SSE_OBSERVATION].started_wall + at, text)

    check = StreamCheck(on_line=print_line)
    out.say(tr("Receiving SSE events (Ctrl+C stops):"))
    try:
        with _ctrl_c_ends(check):
            result: Result | None = run_one(check, ctx)
    except KeyboardInterrupt:
        result = None
    obs = ctx.artifacts.get(Artifact.SSE_OBSERVATION)
    count = obs.transcript.count if obs is not None else 0
    if result is None or (obs is not None and obs.end is End.INTERRUPTED):
        return _interrupted(ctx, out, count)
    if result.status in (Status.SKIP, Status.ERROR):
        out.problem("❌ ", result, result.message, result.hint)
        return 1
    if result.status in (Status.PASS, Status.WARN):
        out.say(tr("✅ Stream ended! {count} lines received", count=count))
    for index, problem in enumerate(result.evidence.get("problems", ())):
        mark = "❌ " if problem["status"] == Status.FAIL.value else "⚠️ "
        listed = replace(result, problem=problem["id"])
        out.problem(mark, listed, problem["message"], result.hint if index == 0 else None)
    if result.status is Status.FAIL and not result.evidence.get("problems"):
        out.problem("❌ ", result, result.message, result.hint)
    final = run_one(FinalStatusCheck(wait=bool(ctx.criteria["sse.status_event"])), ctx)
    _print_criteria(ctx, out)
    if final.status is Status.PASS:
        out.final_status = final.evidence["status"]
        out.say(tr("Final status: {status}", status=out.final_status))
    else:
        out.problem("❌ ", final, final.message, None)
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


def _interrupted(ctx: Context, out: _Output, count: int) -> int:
    """Ctrl+C: the criteria as far as the stream got; the run's status is not queried."""
    from doctor.i18n import tr

    out.interrupted = True
    out.say(tr("⏹️ Stopped with Ctrl+C: {count} lines received", count=count))
    _print_criteria(ctx, out)
    out.say(tr("Final status: not queried (stopped with Ctrl+C)"))
    return 1 if False in ctx.criteria.values() else 0


def _print_criteria(ctx: Context, out: _Output) -> None:
    from doctor.i18n import tr
    from doctor.model import CRITERIA

    out.say(tr("Success criteria"))
    for cid, label in CRITERIA:
        met = ctx.criteria.get(cid)
        box = {True: "[x]", False: "[ ]"}.get(met, "[-]")  # type: ignore[arg-type]
        suffix = "" if met is not None else "  " + tr("(not evaluated)")
        out.say(f"  {box} {tr(label)}{suffix}")


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
