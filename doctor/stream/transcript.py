"""A bounded transcript of a stream: the first and last lines in memory, the rest on disk.

A fast stream sends millions of lines; keeping them all costs gigabytes. The transcript
keeps ``keep`` lines at each end in memory and writes the ones between to a private
temporary file (up to ``spill_bytes``; later ones are only counted), so the report can
still show them and memory stays flat whatever the server sends.
"""

from __future__ import annotations

import tempfile
from collections import deque
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import IO

KEEP_LINES = 1000
SPILL_BYTES = 64 << 20


def utc_iso(epoch: float) -> str:
    """``2026-12-01T18:48:38.783Z``: UTC with milliseconds."""
    moment = datetime.fromtimestamp(epoch, timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class Transcript:
    """Every line with its receive time, bounded in memory."""

    def __init__(self, started_wall: float = 0.0, keep: int = KEEP_LINES) -> None:
        self.started_wall = started_wall
        self.keep = keep
        self.head: list[tuple[float, str]] = []
        self.tail: deque[tuple[float, str]] = deque(maxlen=keep)
        self.count = 0
        self.spilled = 0
        self.dropped = 0
        """Lines neither kept nor spilled (past the spill file's size)."""
        self._spill: IO[str] | None = None
        self._spill_size = 0

    def add(self, at: float, text: str) -> None:
        self.count += 1
        if len(self.head) < self.keep:
            self.head.append((at, text))
            return
        if len(self.tail) == self.keep:
            self._to_disk(*self.tail[0])
        self.tail.append((at, text))

    def _to_disk(self, at: float, text: str) -> None:
        line = f"{utc_iso(self.started_wall + at)} {text}\n"
        if self._spill_size + len(line) > SPILL_BYTES:
            self.dropped += 1
            return
        if self._spill is None:
            self._spill = tempfile.TemporaryFile(  # noqa: SIM115 - closed by close()
                "w+", encoding="utf-8", errors="replace"
            )
        self._spill.write(line)
        self._spill_size += len(line)
        self.spilled += 1

    def lines(self) -> Iterator[str]:
        """Every kept line as ``<UTC time> <text>``, in order, spilled ones included."""
        for at, text in self.head:
            yield f"{utc_iso(self.started_wall + at)} {text}"
        if self._spill is not None:
            self._spill.flush()
            self._spill.seek(0)
            for line in self._spill:
                yield line.rstrip("\n")
        if self.dropped:
            yield f"… {self.dropped} lines not kept …"
        for at, text in self.tail:
            yield f"{utc_iso(self.started_wall + at)} {text}"

    def close(self) -> None:
        if self._spill is not None:
            self._spill.close()
            self._spill = None
