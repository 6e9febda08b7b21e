"""Read one SSE response as it arrives: status, headers, and every line and event with its time.

``StreamObserver(client, url, headers, ...).observe()`` returns a ``StreamObservation``.
It reads raw bytes (``iter_raw``), so it sees ``Content-Encoding`` as sent and each chunk
when it arrives; gzip/deflate bodies are inflated here for parsing. It stops at the first
of: the server ending the body, ``stream_timeout`` since the request, ``idle_timeout``
without an event, or a short grace after ``event: status`` if the server keeps the
connection open. A watchdog thread enforces the limits even while the server trickles
bytes, by shutting the socket down under the blocked read; the response is always closed.
"""

from __future__ import annotations

import json
import socket
import threading
import time
import zlib
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any

import httpx

from doctor.stream.parser import ServerSentEvent, SSEParser

RELEVANT_HEADERS = (
    "content-type",
    "content-encoding",
    "cache-control",
    "x-accel-buffering",
    "transfer-encoding",
    "content-length",
    "connection",
)
"""Response headers worth keeping; never Authorization or cookies."""
ERROR_BODY_BYTES = 4096


class End(str, Enum):
    """Why the observation stopped."""

    EOF = "eof"
    """The server ended the body."""
    CUT = "cut"
    """The connection broke or the body was malformed at the HTTP level."""
    IDLE = "idle"
    """No event for the idle timeout."""
    STREAM_TIMEOUT = "stream-timeout"
    """The whole observation reached the stream timeout."""
    AFTER_STATUS = "after-status"
    """The server kept the stream open past the grace after ``event: status``."""
    NO_RESPONSE = "no-response"
    """No response headers within the timeouts."""
    CONNECT_ERROR = "connect-error"
    """The connection could not be made."""
    HTTP_STATUS = "http-status"
    """The server answered with a status other than 200."""
    UNDECODABLE = "undecodable"
    """The body's Content-Encoding could not be decoded."""
    INTERRUPTED = "interrupted"
    """The user pressed Ctrl+C."""


@dataclass(frozen=True)
class ObservedLine:
    """One raw SSE line and when its bytes arrived (seconds since the request started)."""

    at: float
    text: str


@dataclass(frozen=True)
class ObservedEvent:
    """One dispatched event and when the bytes completing it arrived."""

    at: float
    event: str
    data: str
    id: str | None = None


@dataclass
class StreamObservation:
    """What one stream request showed. Times are seconds since the request started."""

    url: str
    started_wall: float = 0.0
    """Wall-clock time (``time.time()``) of the request start."""
    status_code: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    headers_at: float | None = None
    first_byte_at: float | None = None
    bytes_received: int = 0
    lines: list[ObservedLine] = field(default_factory=list)
    events: list[ObservedEvent] = field(default_factory=list)
    end: End | None = None
    ended_at: float | None = None
    error: str | None = None
    """The exception that ended the observation, as ``Type: text``."""
    detail: str | None = None
    """The ``detail`` of a JSON error body."""
    body_excerpt: str | None = None
    """The first 200 characters of a non-200 body."""
    oversized_lines: int = 0
    discarded_event: bool = False
    """The body ended in the middle of an event (no blank line after it)."""
    unterminated_line: str = ""

    @property
    def log_events(self) -> int:
        """How many ``event: log`` events were delivered."""
        return sum(1 for ev in self.events if ev.event == "log")

    @property
    def status_event(self) -> ObservedEvent | None:
        return next((ev for ev in self.events if ev.event == "status"), None)

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def content_encoding(self) -> str:
        return self.headers.get("content-encoding", "").strip().lower()

    def wall(self, at: float) -> datetime:
        """The local time of an offset ``at``."""
        return datetime.fromtimestamp(self.started_wall + at).astimezone()

    def transcript(self) -> list[tuple[str, str]]:
        """Every line with its local receive time, ISO 8601 with milliseconds."""
        return [(self.wall(ln.at).isoformat(timespec="milliseconds"), ln.text) for ln in self.lines]


LineCallback = Callable[[ObservedLine], None]


class StreamObserver:
    """Observes one GET of an SSE endpoint; ``observe()`` may be called once."""

    def __init__(
        self,
        client: httpx.Client,
        url: str,
        headers: dict[str, str],
        *,
        probe_timeout: float,
        stream_timeout: float,
        idle_timeout: float,
        on_line: LineCallback | None = None,
    ) -> None:
        self.client = client
        self.headers = headers
        self.probe_timeout = probe_timeout
        self.stream_timeout = stream_timeout
        self.idle_timeout = idle_timeout
        self.status_grace = min(idle_timeout, probe_timeout)
        """How long the server may keep the stream open after ``event: status``."""
        self.on_line = on_line
        self.observation = StreamObservation(url=url)
        self._t0 = 0.0
        self._changed = threading.Condition()
        """Guards the end of the observation; notified when it ends or a limit moves."""
        self._done = False
        self._stopped: End | None = None
        self._socket: socket.socket | None = None
        self._last_event_at = 0.0
        self._status_at: float | None = None

    def observe(self) -> StreamObservation:
        """Read the stream until it ends or a limit stops it; never raises httpx errors."""
        obs = self.observation
        self._t0 = time.monotonic()
        obs.started_wall = time.time()
        timeout = httpx.Timeout(
            self.probe_timeout, read=min(self.idle_timeout, self.stream_timeout)
        )
        try:
            with self.client.stream("GET", obs.url, headers=self.headers, timeout=timeout) as resp:
                self._opened(resp)
                if resp.status_code != 200:
                    self._read_error_body(resp)
                    self._finish(End.HTTP_STATUS)
                else:
                    self._read_events(resp)
        except KeyboardInterrupt:
            self._finish(End.INTERRUPTED)
            raise
        except httpx.TimeoutException as exc:
            self._finish(End.NO_RESPONSE if obs.headers_at is None else End.IDLE, exc)
        except httpx.HTTPError as exc:
            self._finish(End.CONNECT_ERROR if obs.headers_at is None else End.CUT, exc)
        except zlib.error as exc:
            self._finish(End.UNDECODABLE, exc)
        finally:
            with self._changed:
                self._done = True
                self._changed.notify_all()
        return obs

    def interrupt(self) -> bool:
        """Stop reading because the user asked (Ctrl+C); safe in a signal handler.

        Returns False when no response is open yet, so there is no read to end gracefully.
        """
        if self._stopped is None:
            self._stopped = End.INTERRUPTED
        if self._socket is None:
            return False
        with suppress(OSError):  # already closed
            socket.socket.shutdown(self._socket, socket.SHUT_RDWR)
        return True

    def _now(self) -> float:
        return time.monotonic() - self._t0

    def _opened(self, response: httpx.Response) -> None:
        obs = self.observation
        obs.headers_at = self._last_event_at = self._now()
        obs.status_code = response.status_code
        obs.headers = {
            name: response.headers[name] for name in RELEVANT_HEADERS if name in response.headers
        }
        stream = response.extensions.get("network_stream")
        self._socket = stream.get_extra_info("socket") if stream is not None else None

    def _read_error_body(self, response: httpx.Response) -> None:
        body = b""
        with suppress(httpx.HTTPError):
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) >= ERROR_BODY_BYTES:
                    break
        text = body[:ERROR_BODY_BYTES].decode("utf-8", "replace")
        self.observation.body_excerpt = text[:200]
        self.observation.detail = _detail(text)

    def _read_events(self, response: httpx.Response) -> None:
        obs = self.observation
        inflate = _inflater(obs.content_encoding)
        if inflate is None:
            self._finish(End.UNDECODABLE)
            return
        parser = SSEParser(on_line=self._line)
        watchdog = threading.Thread(target=self._watch, name="sse-watchdog", daemon=True)
        watchdog.start()
        try:
            for chunk in response.iter_raw():
                at = self._now()
                if obs.first_byte_at is None:
                    obs.first_byte_at = at
                obs.bytes_received += len(chunk)
                for event in parser.feed(inflate(chunk), at):
                    self._event(event, at)
                if self._stopped:
                    break
            self._finish(End.EOF)
        finally:
            parser.close()
            obs.oversized_lines = parser.oversized_lines
            obs.discarded_event = parser.discarded_event
            obs.unterminated_line = parser.unterminated_line[:200]

    def _line(self, text: str, at: float) -> None:
        line = ObservedLine(at, text)
        self.observation.lines.append(line)
        if self.on_line is not None:
            self.on_line(line)

    def _event(self, event: ServerSentEvent, at: float) -> None:
        self.observation.events.append(ObservedEvent(at, event.event, event.data, event.id))
        self._last_event_at = at
        if event.event == "status" and self._status_at is None:
            with self._changed:
                self._status_at = at
                self._changed.notify_all()

    def _finish(self, end: End, exc: BaseException | None = None) -> None:
        """Record how the observation ended; a limit the watchdog enforced takes precedence."""
        obs = self.observation
        with self._changed:
            if obs.end is not None:
                return
            obs.end = self._stopped or end
            obs.ended_at = self._now()
            self._done = True
            self._changed.notify_all()
        if exc is not None and self._stopped is None:
            obs.error = f"{type(exc).__name__}: {exc}"[:300]

    def _next_limit(self) -> tuple[End, float]:
        limits = [(End.STREAM_TIMEOUT, self.stream_timeout)]
        if self._status_at is not None:
            limits.append((End.AFTER_STATUS, self._status_at + self.status_grace))
        else:
            limits.append((End.IDLE, self._last_event_at + self.idle_timeout))
        return min(limits, key=lambda limit: limit[1])

    def _watch(self) -> None:
        """Stop the read when a limit passes, by shutting the socket down under it."""
        with self._changed:
            while not self._done:
                reason, due = self._next_limit()
                wait = due - self._now()
                if wait > 0:
                    self._changed.wait(wait)
                    continue
                self._stopped = self._stopped or reason
                if self._socket is not None:
                    with suppress(OSError):  # already closed by the other side
                        socket.socket.shutdown(self._socket, socket.SHUT_RDWR)
                return


def _detail(body: str) -> str | None:
    """The ``detail`` field of a JSON error body, as text."""
    try:
        detail: Any = json.loads(body).get("detail")
    except (ValueError, AttributeError):
        return None
    if detail is None:
        return None
    return (detail if isinstance(detail, str) else json.dumps(detail, ensure_ascii=False))[:200]


def _inflater(encoding: str) -> Callable[[bytes], bytes] | None:
    """A function decoding the body incrementally, or None for an encoding we cannot read."""
    if encoding in ("", "identity"):
        return lambda chunk: chunk
    if encoding in ("gzip", "x-gzip", "deflate"):
        return _Inflater().feed
    return None


class _Inflater:
    """Incremental gzip/zlib decoding that also reads concatenated gzip members."""

    def __init__(self) -> None:
        self._z = zlib.decompressobj(zlib.MAX_WBITS | 32)  # accepts a gzip or zlib header

    def feed(self, chunk: bytes) -> bytes:
        out = self._z.decompress(chunk)
        while self._z.eof and self._z.unused_data:
            rest = self._z.unused_data
            self._z = zlib.decompressobj(zlib.MAX_WBITS | 32)
            out += self._z.decompress(rest)
        return out
