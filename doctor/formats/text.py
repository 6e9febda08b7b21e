"""Human output with rich: results grouped by layer, the diagnosis, the six criteria."""

from __future__ import annotations

import io
import json
import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TextIO

from rich import box
from rich.console import Console, Group
from rich.live import Live
from rich.panel import Panel
from rich.spinner import Spinner
from rich.table import Table
from rich.text import Text
from rich.theme import Theme

from doctor import __version__
from doctor.catalogue import BY_ID
from doctor.i18n import tr
from doctor.model import CRITERIA, LAYERS, Check, Result, Status
from doctor.runner import Progress

if TYPE_CHECKING:
    from doctor.diagnosis import Finding
    from doctor.session import RunRecord

THEME = Theme(
    {
        "doctor.pass": "green",
        "doctor.warn": "yellow",
        "doctor.fail": "bold red",
        "doctor.error": "bold magenta",
        "doctor.skip": "dim",
        "doctor.layer": "bold",
        "doctor.hint": "cyan",
        "doctor.evidence": "dim",
    }
)
MARKS = {
    Status.PASS: "✓",
    Status.WARN: "!",
    Status.FAIL: "✗",
    Status.ERROR: "✗",
    Status.SKIP: "−",
}
ASCII_MARKS = {
    Status.PASS: "ok",
    Status.WARN: "!!",
    Status.FAIL: "XX",
    Status.ERROR: "XX",
    Status.SKIP: "--",
}
"""The marks for a stream that cannot show MARKS (cp1252, ASCII)."""
NEEDED = "".join(MARKS.values()) + "→╭─╮│╰╯"
"""Every character of the text output that is not ASCII, but for messages and titles."""
LAYER_NAMES = {
    "mongodb": "MongoDB",
    "docker": "Docker engine",
    "image": "Base image",
    "backend": "Backend API",
    "container": "Containers",
    "ai_server": "AI Server",
    "sse": "SSE stream",
}
WIDTH = 100
"""Width of the text output off a terminal (and of the report's run.txt)."""


def make_console(
    file: TextIO | None = None, color: bool = True, width: int | None = None
) -> Console:
    """A console for our output; without colour it writes plain text, no escape codes."""
    return Console(
        file=file,
        theme=THEME,
        width=width,
        color_system="auto" if color else None,
        force_terminal=color or None,
        highlight=False,
        emoji=False,
    )


def shows_marks(encoding: str | None) -> bool:
    """True when a stream in this encoding can show the marks, the arrow and the box."""
    try:
        NEEDED.encode(encoding or "utf-8")
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def output_width() -> int:
    """COLUMNS when it is set, else the terminal's width on a terminal, else WIDTH."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    if sys.stdout is not None and sys.stdout.isatty():
        return shutil.get_terminal_size((WIDTH, 24)).columns
    return WIDTH


def render(
    record: RunRecord,
    verbose: int = 0,
    color: bool = False,
    width: int | None = None,
    ascii_only: bool = False,
) -> str:
    """The run as text; ``ascii_only`` uses ASCII_MARKS, ``->`` and an ASCII box."""
    buffer = io.StringIO()
    console = make_console(buffer, color, width=width or output_width())
    console.print(RunView(record, verbose, ascii_only))
    text = buffer.getvalue()
    return text if color else "\n".join(line.rstrip() for line in text.split("\n"))


def finding_heading(finding: Finding) -> str:
    """The catalogue's title of a finding's problem, marked when it is not a problem."""
    entry = BY_ID.get(finding.id)
    title = tr(entry.title) if entry else finding.id
    if finding.severity == "warning":
        return tr("Warning: {title}", title=title)
    if finding.severity == "inconclusive":
        return tr("Inconclusive: {title}", title=title)
    return title


class RunView:
    """A finished run as a rich renderable."""

    def __init__(self, record: RunRecord, verbose: int = 0, ascii_only: bool = False) -> None:
        self.record = record
        self.verbose = verbose
        self.marks = ASCII_MARKS if ascii_only else MARKS
        self.arrow = "->" if ascii_only else "→"
        self.box = box.ASCII if ascii_only else box.ROUNDED

    def __rich_console__(self, console: Console, options: object) -> Iterator[object]:
        record = self.record
        target = record.target
        header = Text(f"sse-doctor {__version__}", style="bold")
        header.append(f"  {target['backend_url']}")
        if target.get("user"):
            header.append("  " + tr("user {name}", name=target["user"]))
        if target.get("project_id"):
            header.append("  " + tr("project {id}", id=target["project_id"]))
        if target.get("run_id"):
            header.append("  " + tr("run {id}", id=target["run_id"]))
            run = target.get("run") or {}
            if run.get("replay"):
                header.append(" " + tr("(replay of a finished run)"))
        yield header
        by_layer: dict[str, list[tuple[Check, Result]]] = {}
        for check, result in record.pairs():
            by_layer.setdefault(check.layer, []).append((check, result))
        layers = [name for name in LAYERS if name in by_layer]
        layers += [name for name in by_layer if name not in LAYERS]
        id_width = max((len(check.id) for check in record.checks), default=0)
        for layer in layers:
            yield Text("")
            yield Text(tr(LAYER_NAMES.get(layer, layer)), style="doctor.layer")
            yield self._layer_table(by_layer[layer], id_width)
        yield Text("")
        yield self._diagnosis()
        yield Text("")
        yield self._criteria()
        yield Text("")
        yield self._summary()

    def _layer_table(self, pairs: list[tuple[Check, Result]], id_width: int) -> Table:
        table = Table.grid(padding=(0, 1))
        table.add_column(width=max(len(mark) for mark in self.marks.values()))
        table.add_column(no_wrap=True, min_width=id_width)
        table.add_column(overflow="fold")  # "ellipsis" cuts full lines of wide characters
        for check, result in pairs:
            style = f"doctor.{result.status.value}"
            lines = Text(result.message, style=style if result.status != Status.PASS else "")
            if result.hint and result.status in (Status.WARN, Status.FAIL, Status.ERROR):
                lines.append(f"\n{self.arrow} " + result.hint, style="doctor.hint")
            if self.verbose:
                lines.append(f"\n{result.duration_ms} ms", style="doctor.evidence")
                if result.evidence:
                    evidence = json.dumps(dict(result.evidence), ensure_ascii=False, default=str)
                    lines.append(f"  {evidence}", style="doctor.evidence")
            table.add_row(Text(self.marks[result.status], style=style), Text(check.id), lines)
        return table

    def _diagnosis(self) -> Panel:
        if not self.record.diagnosis:
            body: object = Text(tr("No problem found."), style="doctor.pass")
        else:
            table = Table.grid(padding=(0, 1))
            table.add_column(no_wrap=True)
            table.add_column(ratio=1, overflow="fold")
            for number, finding in enumerate(self.record.diagnosis, 1):
                text = Text(f"{finding_heading(finding)} ({finding.id})", style="bold")
                text.append(f"\n{finding.title}")
                text.append("\n" + tr("Try: {hint}", hint=finding.hint), style="doctor.hint")
                text.append(
                    "\n" + tr("Seen in: {checks}", checks=", ".join(finding.checks)),
                    style="doctor.evidence",
                )
                table.add_row(f"{number}.", text)
            body = table
        return Panel(body, box=self.box, title=tr("Diagnosis"), title_align="left", expand=True)

    def _criteria(self) -> Group:
        rows = [Text(tr("Success criteria"), style="doctor.layer")]
        for cid, label in CRITERIA:
            met = self.record.criteria.get(cid)
            box, style = {True: ("[x]", "doctor.pass"), False: ("[ ]", "doctor.fail")}.get(
                met, ("[-]", "doctor.skip")
            )
            line = Text(f"  {box} ", style=style)
            line.append(tr(label))
            if met is None:
                line.append("  " + tr("(not evaluated)"), style="doctor.skip")
            rows.append(line)
        return Group(*rows)

    def _summary(self) -> Text:
        counts = self.record.summary
        text = Text(
            tr(
                "{passed} passed, {warned} warnings, {failed} failed, {errors} errors, "
                "{skipped} skipped in {seconds:.1f} s",
                passed=counts["pass"],
                warned=counts["warn"],
                failed=counts["fail"],
                errors=counts["error"],
                skipped=counts["skip"],
                seconds=self.record.duration_ms / 1000,
            ),
            style="doctor.fail" if self.record.exit_code else "doctor.pass",
        )
        return text


class LiveProgress:
    """A transient spinner on stderr listing the checks still running."""

    def __init__(self, file: TextIO | None = None) -> None:
        self.console = make_console(file or sys.stderr, color=True)
        self.running: dict[str, str] = {}
        self.done = 0
        self.live = Live(console=self.console, transient=True, refresh_per_second=12)
        self.progress = Progress(on_start=self._started, on_result=self._finished)

    def _view(self) -> Spinner:
        names = ", ".join(self.running) or "…"
        return Spinner(
            "dots", Text(tr("{done} done; running: {names}", done=self.done, names=names))
        )

    def _started(self, check: Check) -> None:
        self.running[check.id] = check.title
        self.live.update(self._view())

    def _finished(self, check: Check, result: Result) -> None:
        self.running.pop(check.id, None)
        self.done += 1
        self.live.update(self._view())

    def __enter__(self) -> LiveProgress:
        self.live.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.live.stop()

    @contextmanager
    def paused(self) -> Iterator[None]:
        """Stop drawing while the user answers a prompt."""
        self.live.stop()
        try:
            yield
        finally:
            self.live.start()
