"""Select the lines of a backend log that belong in the bug report.

:func:`filter_backend_log` works like ``grep -F -C N -e NEEDLE… FILE``: the
lines holding any needle (``[SSE]``, the run id, the container name
``refactor-project-<id>``), with N lines of context around each, groups of
lines that are not adjacent separated by a ``--`` line.

It reads the file as a stream of large binary chunks, so memory stays bounded
whatever the size of the log, and it is fast: needles are located with
``bytes.find`` (a memchr-speed search) and line boundaries are only looked up
around the hits.

Decisions:

* Output cap: when the selected lines exceed ``max_output_bytes``, the *most
  recent* ones are kept (whole lines, oldest dropped first), because the end
  of a log is where a broken stream shows.  ``truncated`` is then True and
  ``omitted_lines`` says how many selected lines were dropped.
* Lines are decoded as UTF-8 with replacement characters; CRLF line ends
  become LF; a last line without a line end gets one.
* A line longer than ``max_line_bytes`` is cut to its beginning followed by
  ``[… line cut, N bytes]``; it still counts as a match when a needle occurs
  anywhere in it.  This keeps memory bounded even for a file with no line
  ends at all.  (For lines under the limit the output equals grep's.)
* Only regular files are read (:func:`open_regular`): a FIFO, a device or a
  socket raises :class:`NotRegularFile` at once, without blocking; with
  ``max_read_bytes`` only the end of a longer file is read.
* A file that cannot be read raises the :class:`OSError` that ``open`` raises
  (``FileNotFoundError``, ``PermissionError``, ``IsADirectoryError``); the
  message names the path.  Invalid arguments raise :class:`ValueError`.
"""

from __future__ import annotations

import collections
import contextlib
import errno
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "DEFAULT_MAX_LINE_BYTES",
    "FilteredLog",
    "NotRegularFile",
    "filter_backend_log",
    "open_regular",
]

DEFAULT_CHUNK_SIZE = 8 << 20
DEFAULT_MAX_LINE_BYTES = 64 << 10

_SEP = b"--\n"
_NEAR = 4096  # hits closer than this are checked for overlapping context in one call


@dataclass(frozen=True)
class FilteredLog:
    """The selected lines of a log and what it took to select them."""

    text: str
    """Selected lines; non-adjacent groups separated by ``--`` lines, like grep."""
    matched_lines: int
    """Lines holding a needle, in the whole file (also those cut by the cap)."""
    truncated: bool
    """True when the output cap dropped the oldest selected lines."""
    bytes_scanned: int
    """Bytes read from the file."""
    omitted_lines: int = 0
    """Selected lines (context included, separators not) dropped by the cap."""
    bytes_skipped: int = 0
    """Bytes before the last ``max_read_bytes`` of the file, not read."""


class _Output:
    """Selected lines, keeping only the last ``cap`` bytes (in whole lines)."""

    def __init__(self, cap: int, max_line: int) -> None:
        self.cap = cap
        self.max_line = max_line
        self.pieces: collections.deque[bytes] = collections.deque()
        self.size = 0
        self.truncated = False
        self.omitted_lines = 0

    def add(self, block: bytes) -> None:
        if len(block) > self.max_line:
            block = _cut_long_lines(block, self.max_line)
        if not block.endswith(b"\n"):  # the last line of a file without a line end
            block += b"\n"
        self.pieces.append(block)
        self.size += len(block)
        if self.size > self.cap:
            self._trim()

    def separator(self) -> None:
        if self.pieces:
            self.pieces.append(_SEP)
            self.size += len(_SEP)

    def _trim(self) -> None:
        self.truncated = True
        pieces = self.pieces
        while self.size > self.cap and pieces:
            first = pieces[0]
            excess = self.size - self.cap
            if len(first) <= excess or first is _SEP:
                pieces.popleft()
                self.size -= len(first)
                if first is not _SEP:
                    self.omitted_lines += first.count(b"\n")
            else:  # drop whole lines from the front of this block
                cut = first.find(b"\n", excess - 1) + 1
                pieces[0] = first[cut:]
                self.size -= cut
                self.omitted_lines += first.count(b"\n", 0, cut)
        while pieces and (pieces[0] is _SEP or not pieces[0]):
            self.size -= len(pieces.popleft())

    def text(self) -> str:
        data = b"".join(self.pieces)
        return data.decode("utf-8", errors="replace").replace("\r\n", "\n")


def _cut_note(length: int) -> bytes:
    return f" [… line cut, {length} bytes]".encode()


def _cut_line(head: bytes, length: int, max_line: int) -> bytes:
    """The first bytes of a line of *length* bytes, plus a note; at most max_line bytes."""
    note = _cut_note(length)
    return head[: max(0, max_line - len(note))] + note


def _cut_long_lines(block: bytes, max_line: int) -> bytes:
    lines = block.split(b"\n")
    if all(len(line) <= max_line for line in lines):
        return block
    return b"\n".join(
        line if len(line) <= max_line else _cut_line(line, len(line), max_line) for line in lines
    )


class _LongLine:
    """A line that grows past max_line before its end was read: keep its head only."""

    def __init__(self, head: bytes, needles: Sequence[bytes]) -> None:
        self.head = head
        self.length = 0
        self.matched = False
        self.tail = b""
        self.needles = needles
        self.keep = max(len(n) for n in needles) - 1

    def feed(self, buf: bytearray, start: int, stop: int) -> None:
        """Account for buf[start:stop], the next bytes of the line."""
        self.length += stop - start
        if not self.matched:
            seam = self.tail + bytes(buf[start : min(stop, start + self.keep)])
            self.matched = any(n in seam or buf.find(n, start, stop) >= 0 for n in self.needles)
        if self.keep:
            self.tail = (self.tail + bytes(buf[max(start, stop - self.keep) : stop]))[-self.keep :]

    def line(self, max_line: int) -> bytes:
        return _cut_line(self.head, self.length, max_line)


def _advance(buf: bytearray, pos: int, lines: int, hi: int) -> tuple[int, int]:
    """Move *pos* (a line start) forward by up to *lines* lines, not past *hi*."""
    n = 0
    while n < lines and pos < hi:
        nl = buf.find(b"\n", pos, hi)
        pos = hi if nl < 0 else nl + 1
        n += 1
    return pos, n


def _back(buf: bytearray, pos: int, lines: int, floor: int = 0) -> int:
    """Move *pos* (a line start) back by up to *lines* lines, not before *floor*."""
    for _ in range(lines):
        if pos <= floor:
            break
        pos = buf.rfind(b"\n", 0, pos - 1) + 1
    return max(pos, floor)


def _hits(buf: bytearray, lo: int, hi: int, needles: Sequence[bytes]) -> list[tuple[int, int]]:
    """(start, end) of each line in buf[lo:hi] that holds a needle, in order."""
    found: dict[int, int] = {}
    for needle in needles:
        i = buf.find(needle, lo, hi)
        while i >= 0:
            s = buf.rfind(b"\n", lo, i) + 1
            if s == 0:
                s = lo
            e = buf.find(b"\n", i, hi)
            e = hi if e < 0 else e + 1
            found[s] = e
            i = buf.find(needle, e, hi)
    if len(needles) == 1:
        return list(found.items())
    return sorted(found.items())


def filter_backend_log(
    path: Path | str | BinaryIO,
    needles: Sequence[str] = ("[SSE]",),
    context: int = 3,
    max_output_bytes: int = 2 << 20,
    *,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
    max_read_bytes: int | None = None,
) -> FilteredLog:
    """Select the lines of *path* holding any of *needles*, with *context* lines around each.

    *path* may also be a binary file object (``io.BytesIO`` of a container's log tail).
    With *max_read_bytes* only the last that many bytes of a path are read (of a file
    object, at most that many from where it stands), however much the file grows meanwhile.

    Output is that of ``grep -F -C context`` (see the module documentation for
    the output cap, long lines, CRLF and errors).  Memory use is about
    ``chunk_size`` plus ``max_output_bytes`` plus ``(context + 1) *
    max_line_bytes``, whatever the size of the file.
    """
    bneedles = sorted({n.encode("utf-8") for n in needles if n}, key=len, reverse=True)
    if not bneedles:
        raise ValueError("filter_backend_log needs at least one non-empty needle")
    if any(b"\n" in n for n in bneedles):
        raise ValueError("a needle cannot contain a line end")
    if context < 0 or max_output_bytes < 0 or chunk_size < 1 or max_line_bytes < 1:
        raise ValueError("context and max_output_bytes must be >= 0, sizes >= 1")
    if max_read_bytes is not None and max_read_bytes < 0:
        raise ValueError("max_read_bytes must be >= 0")

    out = _Output(max_output_bytes, max_line_bytes)
    matched = 0
    scanned = 0
    buf = bytearray(chunk_size + max_line_bytes)
    carry = 0  # bytes at the front of buf kept from the previous round
    scan_from = 0  # first line of buf not yet searched (after the context lines kept)
    emitted_to = -1  # end of the last emitted line in buf; < 0: before buf
    after_left = 0  # trailing-context lines still owed
    long: _LongLine | None = None
    eof = False
    skipped = 0

    opened = (
        open_regular(path) if isinstance(path, (str, os.PathLike)) else contextlib.nullcontext(path)
    )
    with opened as f:
        if max_read_bytes is not None and isinstance(path, (str, os.PathLike)):
            skipped = max(0, os.fstat(f.fileno()).st_size - max_read_bytes)
            f.seek(skipped)
        while not eof:
            if len(buf) < carry + chunk_size:
                buf.extend(bytes(carry + chunk_size - len(buf)))
            want = (
                chunk_size if max_read_bytes is None else min(chunk_size, max_read_bytes - scanned)
            )
            with memoryview(buf) as mv, mv[carry : carry + want] as part:
                n = (f.readinto(part) or 0) if want else 0
            scanned += n
            eof = n == 0
            end = carry + n
            cut_line: tuple[int, int, bool] | None = None  # (start, end, matched)

            if long is not None:  # the end of an over-long line is still to come
                nl = buf.find(b"\n", carry, end)
                if nl < 0 and not eof:
                    long.feed(buf, carry, end)
                    continue
                stop = end if nl < 0 else nl
                long.feed(buf, carry, stop)
                line = long.line(max_line_bytes)
                if nl >= 0:
                    line += b"\n"
                    stop += 1
                buf[carry:stop] = line
                end += len(line) - (stop - carry)
                cut_line = (carry, carry + len(line), long.matched)
                long = None

            if eof:
                complete = end
            else:
                last_nl = buf.rfind(b"\n", scan_from, end)
                complete = last_nl + 1 if last_nl >= 0 else scan_from

            if complete > scan_from:
                lo, hi = scan_from, complete
                # selected lines go out a group at a time: buf[group:emitted_to] is pending
                group = max(emitted_to, 0)
                if after_left:
                    emitted_to, k = _advance(buf, lo, after_left, hi)
                    after_left -= k
                hits = _hits(buf, lo, hi, bneedles)
                if cut_line is not None:  # it is the first line; its needle may be cut off
                    cs, ce, cut_matched = cut_line
                    if hits and hits[0][0] == cs:
                        del hits[0]
                    if cut_matched:
                        hits.insert(0, (cs, ce))
                last = len(hits) - 1
                for i, (s, e) in enumerate(hits):
                    matched += 1
                    if s <= emitted_to:  # within (or right after) the lines selected so far
                        start = emitted_to
                    else:
                        start = max(_back(buf, s, context, max(emitted_to, 0)), emitted_to)
                    nxt = hits[i + 1][0] if i < last else hi
                    if nxt - e < _NEAR and buf.count(b"\n", e, nxt) <= context and nxt < hi:
                        stop, after_left = nxt, 0  # the next hit is within the trailing context
                    else:
                        stop, k = _advance(buf, e, context, hi)
                        after_left = context - k
                    if stop > start:
                        if start != emitted_to:  # a new group
                            if emitted_to > group:
                                out.add(bytes(buf[group:emitted_to]))
                            out.separator()
                            group = start
                        emitted_to = stop
                if emitted_to > group:
                    out.add(bytes(buf[group:emitted_to]))
            if eof:
                break

            # Keep the last `context` complete lines (for leading context) and the partial line.
            keep_from = _back(buf, complete, context)
            prefix = bytes(buf[keep_from:complete])
            if len(prefix) > context * (max_line_bytes + 1):
                prefix, emitted_to = _shrink_prefix(prefix, emitted_to - keep_from, max_line_bytes)
            else:
                emitted_to -= keep_from
            if end - complete > max_line_bytes:  # a line longer than allowed, still going
                long = _LongLine(bytes(buf[complete : complete + max_line_bytes]), bneedles)
                long.feed(buf, complete, end)
                partial = b""
            else:
                partial = bytes(buf[complete:end])
            buf[: len(prefix) + len(partial)] = prefix + partial
            carry = len(prefix) + len(partial)
            scan_from = len(prefix)
            if emitted_to < 0:
                emitted_to = -1

    return FilteredLog(
        text=out.text(),
        matched_lines=matched,
        truncated=out.truncated,
        bytes_scanned=scanned,
        omitted_lines=out.omitted_lines,
        bytes_skipped=skipped,
    )


class NotRegularFile(OSError):
    """A path that is not a regular file: reading it could block, or never end."""


def open_regular(path: Path | str) -> BinaryIO:
    """Open a regular file for reading, unbuffered; NotRegularFile for anything else.

    The path is checked before it is opened and the open file again after (the path may
    have changed in between); the open uses O_NONBLOCK, so that even a FIFO put there
    meanwhile cannot block it.
    """
    name = os.fspath(path)
    mode = os.stat(name).st_mode
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), name)
    if not stat.S_ISREG(mode):
        raise NotRegularFile(f"{name} is not a regular file ({file_kind(mode)})")
    nonblock = getattr(os, "O_NONBLOCK", 0)  # POSIX only
    fd = os.open(name, os.O_RDONLY | nonblock | getattr(os, "O_NOCTTY", 0))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegularFile(f"{name} is not a regular file ({file_kind(mode)})")
        if nonblock:
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb", buffering=0)
    except BaseException:
        os.close(fd)
        raise


def _shrink_prefix(prefix: bytes, emitted_to: int, max_line: int) -> tuple[bytes, int]:
    """Cut the long lines of the kept context lines; map emitted_to onto the result."""
    lines = prefix.split(b"\n")[:-1]  # the prefix ends with a line end
    done = prefix.count(b"\n", 0, emitted_to) if emitted_to >= 0 else 0
    new = [
        line if len(line) <= max_line else _cut_line(line, len(line), max_line) for line in lines
    ]
    shrunk = b"".join(line + b"\n" for line in new)
    if emitted_to < 0:
        return shrunk, -1
    return shrunk, sum(len(line) + 1 for line in new[:done])


def file_kind(mode: int) -> str:
    """What a file that is not a regular one is, for a message."""
    kinds = (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a named pipe"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISLNK, "a symbolic link"),
    )
    return next((name for test, name in kinds if test(mode)), "not a regular file")
