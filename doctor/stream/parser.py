"""Incremental Server-Sent Events parser.

Implements the WHATWG HTML "event stream interpretation" rules: UTF-8
decoding (invalid bytes become U+FFFD, one leading BOM ignored), CR, LF and
CRLF line ends (also a CRLF split across two chunks), comments, fields with
and without a colon, ``data`` joining, ``event``, ``id`` (ignored when it
contains NUL) and ``retry`` (ASCII digits only), dispatch on a blank line only
when the data buffer is not empty, and an unterminated last event discarded at
end of stream.

Bytes go in through :meth:`SSEParser.feed` in whatever chunks the network
delivers; each call returns the events those bytes completed. An optional
``on_line`` callback sees every raw line with the time its chunk arrived, for
a transcript. Lines longer than ``max_line_bytes`` are counted and dropped
without being buffered, and so is an event whose data passes ``max_event_chars``
(endless ``data:`` lines without a blank one), so memory stays bounded whatever the
server sends.
"""

from __future__ import annotations

import codecs
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass

__all__ = ["SSEParser", "ServerSentEvent"]


@dataclass(frozen=True, slots=True)
class ServerSentEvent:
    """One dispatched event.

    ``id`` is the last event ID in effect at dispatch (None if the stream never
    set one); ``retry`` is the reconnection time set in this event's block, if any.
    """

    event: str
    data: str
    id: str | None = None
    retry: int | None = None


_new_object = object.__new__
_set_event = ServerSentEvent.event.__set__  # type: ignore[attr-defined]
_set_data = ServerSentEvent.data.__set__  # type: ignore[attr-defined]
_set_id = ServerSentEvent.id.__set__  # type: ignore[attr-defined]
_set_retry = ServerSentEvent.retry.__set__  # type: ignore[attr-defined]


def _new_event(event: str, data: str, id: str | None, retry: int | None) -> ServerSentEvent:
    """Build a ServerSentEvent about twice as fast as its frozen ``__init__``.

    Writes the slots directly; this is the parser's hottest allocation.
    """
    ev = _new_object(ServerSentEvent)
    _set_event(ev, event)
    _set_data(ev, data)
    _set_id(ev, id)
    _set_retry(ev, retry)
    return ev


def _utf8_len(text: str) -> int:
    """Length of ``text`` in UTF-8 bytes."""
    return len(text.encode("utf-8"))


def _too_long(line: str, cap: int) -> bool:
    """True when ``line`` is longer than ``cap`` UTF-8 bytes (encodes only if unsure)."""
    n = len(line)
    return n > cap or (4 * n > cap and _utf8_len(line) > cap)


class SSEParser:
    """Turn a byte stream into :class:`ServerSentEvent` objects, chunk by chunk.

    Findings the caller may report after (or during) parsing:

    - ``oversized_lines``: lines dropped for exceeding ``max_line_bytes``;
    - ``longest_dropped_line``: size in bytes of the longest of them;
    - ``oversized_events``: events dropped because their data passed ``max_event_chars``;
    - ``last_event_id``: the last event ID string (updated at each blank line);
    - ``retry``: the reconnection time in effect (ms), None if never set;
    - after :meth:`close`, ``unterminated_line`` (the final line that had no
      line end, "" if none) and ``discarded_event`` (True when the stream
      ended mid-event: data was buffered or a line was left unterminated).

    A dropped oversized line is treated as if it were not in the stream: it
    neither dispatches nor reaches ``on_line``. Line lengths are measured in
    UTF-8 bytes of the decoded text, terminator excluded.
    """

    def __init__(
        self,
        max_line_bytes: int = 1 << 20,
        on_line: Callable[[str, float], None] | None = None,
        max_event_chars: int = 4 << 20,
    ) -> None:
        if max_line_bytes < 1:
            raise ValueError("max_line_bytes must be at least 1")
        self.max_line_bytes = max_line_bytes
        self.max_event_chars = max_event_chars
        self.on_line = on_line
        self.oversized_lines = 0
        self.oversized_events = 0
        self.longest_dropped_line = 0
        self.last_event_id: str | None = None
        self.retry: int | None = None
        self.unterminated_line = ""
        self.discarded_event = False
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._at_start = True  # no text decoded yet: a BOM may still come
        self._skip_lf = False  # previous text ended in CR: swallow one LF
        self._pending: list[str] = []  # pieces of the current, unterminated line
        self._pending_bytes = 0
        self._dropping = False  # the current line exceeded the cap
        self._dropped_bytes = 0
        self._data: list[str] = []
        self._sized: tuple[list[str], int, int] = (self._data, 0, 0)
        """The data list last measured, how many of its items, and their characters."""
        self._skip_event = False  # the current event's data passed the cap: never dispatch it
        self._event = ""
        self._id_buffer: str | None = None
        self._block_retry: int | None = None

    def feed(self, chunk: bytes, received_at: float | None = None) -> list[ServerSentEvent]:
        """Parse ``chunk``; return the events it completed.

        ``received_at`` (``time.monotonic()`` by default) is passed to
        ``on_line`` for every line this chunk completed.
        """
        text = self._decoder.decode(chunk)
        if not text:
            return []
        return self._feed_text(text, received_at)

    def close(self) -> list[ServerSentEvent]:
        """End of stream: discard the unterminated line and the unfinished event.

        Per spec an event not ended by a blank line is never dispatched, so the
        returned list is always empty; it mirrors :meth:`feed` for callers that
        treat both alike.
        """
        tail = self._decoder.decode(b"", final=True)  # a U+FFFD at most, never a line end
        events = self._feed_text(tail, None) if tail else []
        self.unterminated_line = "".join(self._pending)
        self.discarded_event = bool(
            self._data or self._pending or self._dropping or self._skip_event
        )
        if self._dropping:
            self._end_drop()
        self._pending = []
        self._pending_bytes = 0
        self._data = []
        self._skip_event = False
        self._event = ""
        self._block_retry = None
        return events

    def _end_drop(self) -> None:
        """The oversized line being discarded has ended: record it."""
        self.oversized_lines += 1
        self.longest_dropped_line = max(self.longest_dropped_line, self._dropped_bytes)
        self._dropping = False
        self._dropped_bytes = 0

    def _feed_text(self, text: str, received_at: float | None) -> list[ServerSentEvent]:
        """Split decoded text into lines and interpret them."""
        if self._at_start:
            self._at_start = False
            if text[0] == "\ufeff":
                text = text[1:]
        if self._skip_lf and text:
            self._skip_lf = False
            if text[0] == "\n":
                text = text[1:]
        if not text:
            return []
        if "\r" in text:
            # A CR ends its line now; an LF starting the next text is its pair.
            self._skip_lf = text[-1] == "\r"
            text = text.replace("\r\n", "\n").replace("\r", "\n")

        cap = self.max_line_bytes
        if self._dropping:
            end = text.find("\n")
            if end < 0:
                self._dropped_bytes += _utf8_len(text)
                return []
            self._dropped_bytes += _utf8_len(text[:end])
            self._end_drop()
            text = text[end + 1 :]

        lines = text.split("\n")
        tail = lines.pop()  # not terminated yet
        if lines and self._pending:
            self._pending.append(lines[0])
            lines[0] = "".join(self._pending)
            self._pending = []
            self._pending_bytes = 0
        if tail:
            self._pending_bytes += _utf8_len(tail)
            if self._pending_bytes > cap:
                self._dropping = True
                self._dropped_bytes = self._pending_bytes
                self._pending = []
                self._pending_bytes = 0
            elif self._pending and len(self._pending[-1]) < 256:
                self._pending[-1] += tail  # a trickle of tiny chunks: keep few, larger pieces
            else:
                self._pending.append(tail)
        if not lines:
            return []
        if 4 * max(map(len, lines)) > cap:
            kept = []
            for line in lines:
                if _too_long(line, cap):
                    self.oversized_lines += 1
                    self.longest_dropped_line = max(self.longest_dropped_line, _utf8_len(line))
                else:
                    kept.append(line)
            lines = kept

        on_line = self.on_line
        if on_line is not None:
            now = time.monotonic() if received_at is None else received_at
            for line in lines:
                on_line(line, now)
        events = self._interpret(lines)
        if self._data:
            self._bound_event()
        return events

    def _bound_event(self) -> None:
        """Drop the unfinished event once its data passes the cap (counted in linear time)."""
        data = self._data
        sized, counted, chars = self._sized
        if sized is not data:  # a new event since the last count
            counted = chars = 0
        chars += sum(map(len, data[counted:]))
        if chars > self.max_event_chars:
            if not self._skip_event:
                self.oversized_events += 1
            self._skip_event = True
            data.clear()
            chars = 0
        self._sized = (data, len(data), chars)

    def _interpret(self, lines: list[str]) -> list[ServerSentEvent]:
        """Apply the field rules to complete lines; dispatch on blank lines."""
        events: list[ServerSentEvent] = []
        data = self._data
        event = self._event
        id_buffer = self._id_buffer
        last_event_id = self.last_event_id
        block_retry = self._block_retry
        skip = self._skip_event
        for line in lines:
            if not line:
                last_event_id = id_buffer
                if data:
                    if not skip:
                        events.append(
                            _new_event(event or "message", "\n".join(data), id_buffer, block_retry)
                        )
                    data = []
                skip = False
                event = ""
                block_retry = None
                continue
            # Fast paths for the two common lines; the general rule below agrees.
            if line[:6] == "data: ":
                data.append(line[6:])
                continue
            if line[:7] == "event: ":
                event = line[7:]
                continue
            # A comment (":...") yields the field name "", which is ignored below.
            name, _, value = line.partition(":")
            if value[:1] == " ":
                value = value[1:]
            if name == "data":
                data.append(value)
            elif name == "event":
                event = value
            elif name == "id":
                if "\0" not in value:
                    id_buffer = value
            elif name == "retry" and value.isascii() and value.isdigit():
                with suppress(ValueError):  # more digits than int() accepts: no sane delay
                    block_retry = self.retry = int(value)
        self._data = data
        self._skip_event = skip
        self._event = event
        self._id_buffer = id_buffer
        self.last_event_id = last_event_id
        self._block_retry = block_retry
        return events
