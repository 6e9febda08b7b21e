"""A bounded transcript of a stream: the first and last lines in memory, the rest on disk.

A fast stream sends millions of lines; keeping them all costs gigabytes. The transcript
keeps at most ``keep`` lines and ``keep_chars`` characters at each end in memory and
writes the ones between to a private temporary file (up to ``spill_chars``; later ones
are only counted), so the report can still show them and memory stays flat whatever the
server sends. A spilled line is written with its raw receive time and formatted only when
the report reads it back, so spilling costs the stream little.
"""

from __future__ import annotations

import tempfile
from collections import deque
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import IO

KEEP_LINES = 1000
KEEP_CHARS = 4 << 20
"""Characters kept in memory at each end (one SSE line may be up to 1 MiB)."""
SPILL_CHARS = 2 << 20
"""The most the temporary file holds: what the report's transcript can show of the middle."""


def utc_iso(epoch: float) -> str:
    """``2026-12-01T18:48:38.783Z``: UTC with milliseconds."""
    moment = datetime.fromtimestamp(epoch, timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class Transcript:
    """Every line with its receive time (seconds since ``started_wall``), bounded in memory."""

    def __init__(
        self,
        started_wall: float = 0.0,
        keep: int = KEEP_LINES,
        keep_chars: int = KEEP_CHARS,
        spill_chars: int = SPILL_CHARS,
    ) -> None:
        self.started_wall = started_wall
        self.keep = keep
        self.keep_chars = keep_chars
        self.spill_chars = spill_chars
        self.head: list[tuple[float, str]] = []
        self.tail: deque[tuple[float, str]] = deque()
        self.count = 0
        self.spilled = 0
        """Lines written to the temporary file."""
        self.dropped = 0
        """Lines neither kept nor spilled (past the spill file's size)."""
        self._head_chars = 0
        self._head_full = False
        self._tail_chars = 0
        self._spill: IO[str] | None = None
        self._spill_chars = 0

    @property
    def in_memory(self) -> int:
        """Lines held in memory now."""
        return len(self.head) + len(self.tail)

    def add(self, at: float, text: str) -> None:
        self.count += 1
        if not self._head_full:
            if len(self.head) < self.keep and self._head_chars + len(text) <= self.keep_chars:
                self.head.append((at, text))
                self._head_chars += len(text)
                return
            self._head_full = True
        self.tail.append((at, text))
        self._tail_chars += len(text)
        while len(self.tail) > self.keep or self._tail_chars > self.keep_chars:
            old_at, old = self.tail.popleft()
            self._tail_chars -= len(old)
            self._to_disk(old_at, old)

    def _to_disk(self, at: float, text: str) -> None:
        line = f"{at:.6f} {text}\n"
        if self._spill_chars + len(line) > self.spill_chars:
            self.dropped += 1
            return
        if self._spill is None:
            self._spill = tempfile.TemporaryFile(  # noqa: SIM115 - closed by close()
                "w+", encoding="utf-8", errors="replace"
            )
        self._spill.write(line)
        self._spill_chars += len(line)
        self.spilled += 1

    def lines(self) -> Iterator[str]:
        """Every kept line as ``<UTC time> <text>``, in order, spilled ones included."""
        for at, text in self.head:
            yield self._shown(at, text)
        if self._spill is not None:
            self._spill.flush()
            self._spill.seek(0)
            for line in self._spill:
                at, _, text = line.rstrip("\n").partition(" ")
                yield self._shown(float(at), text)
            self._spill.seek(0, 2)  # later lines are appended
        if self.dropped:
            yield f"… {self.dropped} lines not kept …"
        for at, text in self.tail:
            yield self._shown(at, text)

    def _shown(self, at: float, text: str) -> str:
        return f"{utc_iso(self.started_wall + at)} {text}"

    def close(self) -> None:
        if self._spill is not None:
            self._spill.close()
            self._spill = None
