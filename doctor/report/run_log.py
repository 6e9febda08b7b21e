"""The backend's own account of a run's stream: its log lines, at both versions, for one run.

The real backend writes, per stream it forwards: ``🔗 開始串流 AI Server 日誌: <url of the
run>``, ``✅ SSE 連線已建立，狀態碼: <code>``, then ``✅ SSE 串流正常結束: run_id=<run>, 共 N
行`` or ``❌ HTTP 錯誤: …`` / ``❌ Stream 轉發失敗: …``; httpx's ``HTTP Request: GET
http://refactor-project-…/tasks/<run>/stream "HTTP/1.1 200 OK"``; at 765d572 also a
``📨 [DEBUG] 收到 SSE 訊息 #n`` print (and ``[SSE #n]`` at debug level) per line, and the
guide's ``[SSE]`` lines. :func:`scope` keeps the lines of one run: those naming it, and
those between the ``🔗`` line of its stream and that stream's end; :func:`run_lines` adds
the lines around them that belong to no other run, for the bundle.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

START = "🔗 開始串流 AI Server 日誌"
CONNECTED = re.compile(r"SSE 連線已建立，狀態碼: (\d{3})")
ENDED = re.compile(r"SSE 串流正常結束: run_id=(\S+), 共 (\d+) 行")
FAILED = re.compile(r"❌ ((?:HTTP 錯誤|Stream 轉發失敗): .*)")
PER_LINE = ("📨 [DEBUG] 收到 SSE 訊息", "[SSE #", "[SSE]")
MAX_LINES = 500
MAX_SHOWN = 2000
"""Lines of one run the bundle shows (the newest)."""
MAX_LINE_CHARS = 4096


@dataclass
class RunLog:
    """What the backend logged about one run's streams."""

    run_id: str
    lines: list[str] = field(default_factory=list)
    omitted: int = 0
    streams: int = 0
    """How many streams of the run it started (``🔗`` lines)."""
    connected: list[int] = field(default_factory=list)
    """The AI Server's status code each stream got."""
    ended: list[int] = field(default_factory=list)
    """The line count of each stream that ended normally."""
    errors: list[str] = field(default_factory=list)
    """``HTTP 錯誤: …`` / ``Stream 轉發失敗: …`` texts."""

    def keep(self, line: str) -> None:
        if len(self.lines) < MAX_LINES:
            self.lines.append(line)
        else:
            self.omitted += 1


MINE, OTHER, NEUTRAL = "mine", "other", "neutral"
_NAMED_ID = re.compile(r"(?:/runs/|/tasks/|run_id=|task_id=)([^\s/?#\"',;]+)")
"""A run or task id a line names: in a run's URL, or as ``run_id=`` / ``task_id=``."""


class _Step(NamedTuple):
    index: int
    line: str
    owner: str
    """MINE (a line about the run), OTHER (about another run) or NEUTRAL."""
    start: bool
    """A ``🔗`` line, the start of a stream."""
    inside: bool
    """Whether the line came inside a stream of the run."""


def _walk(lines: Iterable[str], run_id: str) -> Iterator[_Step]:
    """Each line and whose it is: the run's (naming it, or written by one of its streams),
    another run's (naming another id, or written by another run's stream), or nobody's."""
    inside = other = False
    stream_url = f"/tasks/{run_id}/stream"
    for index, raw in enumerate(lines):
        line = raw.rstrip("\r\n")
        if START in line:
            inside = stream_url in line
            other = not inside
            yield _Step(index, line, MINE if inside else OTHER, True, inside)
            continue
        was_inside = inside
        if run_id in line or (inside and _of_a_stream(line)):
            yield _Step(index, line, MINE, False, was_inside)
            ended = ENDED.search(line)
            if (ended and ended.group(1).rstrip(",") == run_id) or FAILED.search(line):
                inside = False
            continue
        if _NAMED_ID.search(line) or (other and _of_a_stream(line)):
            yield _Step(index, line, OTHER, False, was_inside)
            if other and (ENDED.search(line) or FAILED.search(line)):
                other = False
            continue
        yield _Step(index, line, NEUTRAL, False, was_inside)


def scope(lines: Iterable[str], run_id: str) -> RunLog:
    """The lines about ``run_id``, and what they say."""
    found = RunLog(run_id)
    for step in _walk(lines, run_id):
        if step.owner != MINE:
            continue
        line = step.line
        found.keep(line)
        if step.start:
            found.streams += 1
            continue
        if (connected := CONNECTED.search(line)) and "[DEBUG]" not in line:  # V1 says it twice
            found.connected.append(int(connected.group(1)))
        if (ended := ENDED.search(line)) and ended.group(1).rstrip(",") == run_id:
            found.ended.append(int(ended.group(2)))
        elif (failed := FAILED.search(line)) and step.inside:
            found.errors.append(failed.group(1).strip())
    return found


@dataclass
class RunLines:
    """The lines of one run with their context, as the bundle's ``backend-log.txt`` shows
    them: groups that are not adjacent in the log separated by ``--``, like ``grep -C``."""

    found: RunLog
    lines: list[str]
    selected: int
    """Lines chosen (the run's and their context), separators not counted."""
    omitted: int
    """The oldest chosen lines left out at the limit."""
    total: int
    """Lines read."""


def run_lines(
    lines: Sequence[str], run_id: str, context: int = 2, limit: int = MAX_SHOWN
) -> RunLines:
    """The run's lines and up to ``context`` lines around each that belong to no other
    run (a traceback after ``❌``, the access log of the request); the newest ``limit``."""
    found = scope(lines, run_id)
    steps = list(_walk(lines, run_id))
    chosen: set[int] = set()
    for step in steps:
        if step.owner == MINE:
            chosen.add(step.index)
            low, high = max(0, step.index - context), min(len(steps), step.index + context + 1)
            chosen.update(i for i in range(low, high) if steps[i].owner != OTHER)
    order = sorted(chosen)
    omitted = max(0, len(order) - limit)
    order = order[omitted:]
    shown: list[str] = []
    for position, index in enumerate(order):
        if position and index != order[position - 1] + 1:
            shown.append("--")
        shown.append(_short(steps[index].line))
    return RunLines(found, shown, len(order), omitted, len(steps))


def _short(line: str) -> str:
    if len(line) <= MAX_LINE_CHARS:
        return line
    return line[:MAX_LINE_CHARS] + f"[… line cut, {len(line)} characters]"


def _of_a_stream(line: str) -> bool:
    """A line a stream writes without naming its run."""
    return bool(CONNECTED.search(line) or FAILED.search(line)) or any(m in line for m in PER_LINE)
