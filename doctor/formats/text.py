"""Human output: who and what was checked, results by layer, the diagnosis, the criteria.

It reads like ``flutter doctor``: one line per check with its mark, the causes once with
the rows they explain, and a closing line with the verdict. Commands in hints (between
backticks) go on lines of their own, ``$ docker start …``, never wrapped, so they copy
whole; there is no box around anything. ``-v`` adds each result's evidence as
``• key: value`` lines, ``-vv`` the evidence as JSON; ``-q`` prints the closing line only.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table
from rich.text import Text
from rich.theme import Theme

from doctor import __version__
from doctor.catalogue import BY_ID
from doctor.i18n import ntr, tr
from doctor.model import CRITERIA, LAYER_NAMES, LAYERS, Check, Result, Status

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
        "doctor.command": "bold",
    }
)
MARKS = {Status.PASS: "✓", Status.WARN: "!", Status.FAIL: "✗", Status.ERROR: "✗", Status.SKIP: "−"}
ASCII_MARKS = {
    Status.PASS: "ok",
    Status.WARN: "!!",
    Status.FAIL: "XX",
    Status.ERROR: "XX",
    Status.SKIP: "--",
}
"""The marks for a stream that cannot show MARKS (cp1252, ASCII)."""
NEEDED = "".join(MARKS.values()) + "→•·—"
"""Every character of the text output that is not ASCII, but for messages and titles."""
WIDTH = 100
"""Width of the text output off a terminal (and of the report's run.txt)."""
COMMAND = re.compile(r"`([^`]+)`")
COMMAND_WORDS = ("docker ", "sse-doctor", "curl ", "wget ", "cd ", "uvicorn ", "sudo ", "pip ")
"""A backticked span starting with one of these is a command to copy."""
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def make_console(file: Any = None, color: bool = True, width: int | None = None) -> Console:
    """A console for our output; without colour it writes plain text, no escape codes."""
    return Console(
        file=file,
        theme=THEME,
        width=width,
        color_system="auto" if color else None,
        force_terminal=color or None,
        highlight=False,
        emoji=False,
        markup=False,
    )


def shows_marks(encoding: str | None) -> bool:
    """True when a stream in this encoding can show the marks and the arrow."""
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


def shown(text: str) -> str:
    """Text from a peer, with control characters (terminal escapes) made visible."""
    return CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def commands(hint: str) -> tuple[str, list[str]]:
    """A hint's prose (backticks dropped) and the commands it names, to print on their own."""
    found = [c for c in COMMAND.findall(hint) if c.startswith(COMMAND_WORDS)]
    return COMMAND.sub(lambda m: m.group(1), hint), found


def print_items(items: Iterator[Any], color: bool, width: int) -> str:
    """The lines and small tables as text ``width`` wide (without trailing blanks off colour)."""
    buffer = io.StringIO()
    console = make_console(buffer, color, width=width)
    for item in items:
        console.print(item, soft_wrap=isinstance(item, Text) and item.no_wrap is True)
    text = buffer.getvalue()
    return text if color else "\n".join(line.rstrip() for line in text.split("\n"))


def render(
    record: RunRecord,
    verbose: int = 0,
    color: bool = False,
    width: int | None = None,
    ascii_only: bool = False,
    suggest_report: bool = True,
) -> str:
    """The run as text; ``ascii_only`` uses ASCII_MARKS and ``->``; ``verbose`` -1 is -q.

    ``suggest_report`` ends a run with problems by pointing at ``sse-doctor report``; a
    bundle read back (``analyze``) does not.
    """
    view = RunView(record, verbose, ascii_only, suggest_report)
    return print_items(view.lines(), color, width or output_width())


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
    """A finished run as a sequence of lines and small tables."""

    def __init__(
        self,
        record: RunRecord,
        verbose: int = 0,
        ascii_only: bool = False,
        suggest_report: bool = True,
    ) -> None:
        self.record = record
        self.suggest_report = suggest_report
        self.verbose = verbose
        self.marks = ASCII_MARKS if ascii_only else MARKS
        self.arrow = "->" if ascii_only else "→"
        self.dot = "*" if ascii_only else "•"
        self.sep = " - " if ascii_only else " · "
        self.dash = " - " if ascii_only else " — "
        explained: dict[str, str] = {}
        for finding in record.diagnosis:
            for check_id in finding.checks:
                explained.setdefault(check_id, finding.hint)
        self.explained = explained

    def lines(self) -> Iterator[Any]:
        if self.verbose >= 0:
            yield from self._header()
            yield from self._results()
            yield from self._diagnosis()
            yield from self._criteria()
            yield from self._left_out()
            yield Text("")
            yield self._counts()
        yield self._closing()

    def _header(self) -> Iterator[Any]:
        target = self.record.target
        yield unwrapped(f"sse-doctor {__version__}{self.sep}{target['backend_url']}", "bold")
        parts = []
        if target.get("api"):
            parts.append(tr("API: {api}", api=target["api"]))
        who = [tr("user {name}", name=target["user"])] if target.get("user") else []
        if target.get("project_id"):
            who.append(tr("project {id}", id=target["project_id"]))
        if target.get("run_id"):
            who.append(tr("run {id}", id=target["run_id"]) + _run_note(target.get("run") or {}))
        if who:
            yield unwrapped(self.sep.join(who))
        for part in parts:
            yield unwrapped(part, "doctor.evidence")

    def _results(self) -> Iterator[Any]:
        by_layer: dict[str, list[tuple[Check, Result]]] = {}
        for check, result in self.record.pairs():
            by_layer.setdefault(check.layer, []).append((check, result))
        layers = [name for name in LAYERS if name in by_layer]
        layers += [name for name in by_layer if name not in LAYERS]
        id_width = max((len(check.id) for check in self.record.checks), default=0)
        for layer in layers:
            yield Text("")
            yield Text(tr(LAYER_NAMES.get(layer, layer)), style="doctor.layer")
            for check, result in by_layer[layer]:
                yield from self._row(check, result, id_width)

    def _row(self, check: Check, result: Result, id_width: int) -> Iterator[Any]:
        style = f"doctor.{result.status.value}"
        table = Table.grid(padding=(0, 1))
        table.add_column(width=2 + max(len(m) for m in self.marks.values()), justify="right")
        table.add_column(no_wrap=True, min_width=id_width)
        table.add_column(overflow="fold")
        message = Text(shown(result.message), style=style if result.status != Status.PASS else "")
        table.add_row(Text(self.marks[result.status], style=style), Text(check.id), message)
        yield table
        indent = " " * (4 + id_width + max(len(m) for m in self.marks.values()))
        hint = result.hint if result.status in (Status.WARN, Status.FAIL, Status.ERROR) else None
        if hint and self.explained.get(check.id) != hint:
            yield from self._hint(hint, indent)
        if self.verbose >= 1:
            took = tr("took {ms} ms", ms=result.duration_ms)
            yield unwrapped(f"{indent}{self.dot} {took}", "doctor.evidence")
        if self.verbose == 1:
            for key, value in result.evidence.items():
                text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                yield wrapped(f"{indent}{self.dot} {key}: {shown(text)}", "doctor.evidence")
        elif self.verbose >= 2 and result.evidence:
            raw = json.dumps(dict(result.evidence), ensure_ascii=False, indent=2, default=str)
            for line in raw.splitlines():
                yield unwrapped(indent + line, "doctor.evidence")

    def _hint(self, hint: str, indent: str) -> Iterator[Any]:
        prose, found = commands(shown(hint))
        yield wrapped(f"{indent}{self.arrow} {prose}", "doctor.hint")
        for command in found:
            yield unwrapped(f"{indent}  $ {command}", "doctor.command")

    def _diagnosis(self) -> Iterator[Any]:
        findings = self.record.diagnosis
        if not findings:
            return
        yield Text("")
        yield Text(tr("Diagnosis"), style="doctor.layer")
        for number, finding in enumerate(findings, 1):
            style = "doctor.fail" if finding.severity == "problem" else "doctor.warn"
            facts = [finding.id, finding.category.value if finding.category else None]
            facts.append(tr(finding.basis))
            head = f"  {number}. {finding_heading(finding)} [{', '.join(f for f in facts if f)}]"
            yield wrapped(head, style)
            yield wrapped("     " + shown(finding.title))
            if finding.hint:
                yield from self._hint(finding.hint, "     ")
            if finding.checks:
                seen = tr("Seen in: {checks}", checks=", ".join(finding.checks))
                yield wrapped("     " + seen, "doctor.evidence")

    def _criteria(self) -> Iterator[Any]:
        criteria = self.record.criteria
        yield Text("")
        evaluated = [(cid, label) for cid, label in CRITERIA if criteria.get(cid) is not None]
        if not evaluated:
            yield Text(
                tr("Success criteria: not evaluated (the stream was not watched)."),
                style="doctor.skip",
            )
            return
        yield Text(tr("Success criteria"), style="doctor.layer")
        for cid, label in evaluated:
            met = criteria[cid]
            box, style = ("[x]", "doctor.pass") if met else ("[ ]", "doctor.fail")
            line = Text(f"  {box} ", style=style)
            line.append(tr(label))
            yield line
        rest = [tr(label) for cid, label in CRITERIA if criteria.get(cid) is None]
        if rest:
            yield wrapped(
                "  " + tr("not evaluated: {labels}", labels="; ".join(rest)), "doctor.skip"
            )

    def _left_out(self) -> Iterator[Any]:
        if self.record.left_out:
            yield Text("")
        for count, why in self.record.left_out:
            if why == "--no-docker":
                text = ntr(
                    count,
                    "{count} Docker check not run: {why}",
                    "{count} Docker checks not run: {why}",
                    why=why,
                )
            else:
                text = ntr(
                    count, "{count} check not run: {why}", "{count} checks not run: {why}", why=why
                )
            yield wrapped(text, "doctor.skip")

    def _counts(self) -> Text:
        counts = self.record.summary
        parts = [
            ntr(counts["pass"], "{count} passed", "{count} passed"),
            ntr(counts["warn"], "{count} warning", "{count} warnings"),
            ntr(counts["fail"], "{count} failed", "{count} failed"),
            ntr(counts["error"], "{count} error", "{count} errors"),
            ntr(counts["skip"], "{count} skipped", "{count} skipped"),
        ]
        seconds = self.record.duration_ms / 1000
        return Text(", ".join(parts) + tr(" in {seconds:.1f} s", seconds=seconds))

    def _closing(self) -> Any:
        record = self.record
        findings = record.diagnosis
        problems = sum(1 for f in findings if f.severity == "problem")
        warnings = sum(1 for f in findings if f.severity == "warning")
        if record.interrupted:
            return Text(tr("Interrupted with Ctrl+C: the results so far are above."), "doctor.warn")
        cancelled = tr("Cancelled at the prompt: the stream was not watched.")
        if record.cancelled and not problems:
            return Text(cancelled, "doctor.skip")
        if problems:
            found = ntr(problems, "{count} problem found", "{count} problems found")
            if record.cancelled:
                found = f"{found}{self.dash}{cancelled}"
            elif self.suggest_report:
                report = tr("run `sse-doctor report` to attach the bundle to an issue")
                found = f"{found}{self.dash}{report}"
            return unwrapped(f"{self.marks[Status.FAIL]} {found}", "doctor.fail")
        inconclusive = [f for f in findings if f.severity == "inconclusive"]
        if inconclusive:
            return wrapped(
                "? " + tr("Inconclusive: {title}", title=shown(inconclusive[0].title)),
                "doctor.warn",
            )
        if warnings:
            text = ntr(
                warnings,
                "No problem found; {count} warning.",
                "No problem found; {count} warnings.",
            )
            return unwrapped(f"{self.marks[Status.WARN]} {text}", "doctor.warn")
        return unwrapped(f"{self.marks[Status.PASS]} " + tr("No problem found."), "doctor.pass")


def _run_note(run: dict[str, Any]) -> str:
    """``(the newest run; DONE; a replay)``."""
    notes = []
    chosen = {"newest": tr("the newest run"), "new": tr("started now"), "prompt": tr("chosen")}
    if run.get("chosen") in chosen:
        notes.append(chosen[run["chosen"]])
    if run.get("status_before"):
        notes.append(str(run["status_before"]))
    if run.get("replay"):
        notes.append(tr("a replay"))
    return f" ({'; '.join(notes)})" if notes else ""


def unwrapped(text: str, style: str = "") -> Text:
    """A line printed as it is, never wrapped (commands, ids, URLs)."""
    line = Text(text, style=style)
    line.no_wrap = True
    return line


def wrapped(text: str, style: str = "") -> Any:
    """A line that wraps, its continuation lines indented like its first."""
    indent = len(text) - len(text.lstrip(" "))
    if not indent:
        return Text(text, style=style)
    grid = Table.grid()
    grid.add_column(width=indent)
    grid.add_column(overflow="fold")
    grid.add_row("", Text(text[indent:], style=style))
    return grid
