"""The backend's own account of a run's stream: its log lines, at both versions, for one run.

The real backend writes, per stream it forwards: ``🔗 開始串流 AI Server 日誌: <url of the
run>``, ``✅ SSE 連線已建立，狀態碼: <code>``, then ``✅ SSE 串流正常結束: run_id=<run>, 共 N
行`` or ``❌ HTTP 錯誤: …`` / ``❌ Stream 轉發失敗: …``; httpx's ``HTTP Request: GET
http://refactor-project-…/tasks/<run>/stream "HTTP/1.1 200 OK"``; at 765d572 also a
``📨 [DEBUG] 收到 SSE 訊息 #n`` print (and ``[SSE #n]`` at debug level) per line, and the
guide's ``[SSE]`` lines. :func:`scope` keeps the lines of one run: those naming it, and
those between the ``🔗`` line of its stream and that stream's end.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

START = "🔗 開始串流 AI Server 日誌"
CONNECTED = re.compile(r"SSE 連線已建立，狀態碼: (\d{3})")
ENDED = re.compile(r"SSE 串流正常結束: run_id=(\S+), 共 (\d+) 行")
FAILED = re.compile(r"❌ ((?:HTTP 錯誤|Stream 轉發失敗): .*)")
PER_LINE = ("📨 [DEBUG] 收到 SSE 訊息", "[SSE #", "[SSE]")
MAX_LINES = 500


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


def scope(lines: Iterable[str], run_id: str) -> RunLog:
    """The lines about ``run_id``, and what they say."""
    found = RunLog(run_id)
    inside = False
    stream_url = f"/tasks/{run_id}/stream"
    for raw in lines:
        line = raw.rstrip("\r\n")
        if START in line:
            inside = stream_url in line
            if inside:
                found.streams += 1
                found.keep(line)
            continue
        mine = run_id in line
        if not (mine or (inside and _of_a_stream(line))):
            continue
        found.keep(line)
        if (connected := CONNECTED.search(line)) and "[DEBUG]" not in line:  # V1 says it twice
            found.connected.append(int(connected.group(1)))
        if (ended := ENDED.search(line)) and ended.group(1).rstrip(",") == run_id:
            found.ended.append(int(ended.group(2)))
            inside = False
        elif (failed := FAILED.search(line)) and inside:
            found.errors.append(failed.group(1).strip())
            inside = False
    return found


def _of_a_stream(line: str) -> bool:
    """A line a stream writes without naming its run."""
    return bool(CONNECTED.search(line) or FAILED.search(line)) or any(m in line for m in PER_LINE)
