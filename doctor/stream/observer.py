"""Read one SSE response as it arrives: status, headers, every event, ping and line with its time.

``StreamObserver(client, url, headers, ...).observe()`` returns a ``StreamObservation``.
It reads raw bytes (``iter_raw``), so it sees ``Content-Encoding`` as sent and each chunk
when it arrives; gzip/deflate bodies are inflated here for parsing, one bounded piece at a
time (``doctor.clients.decoding``), so a small compressed chunk never inflates at once.
It stops at the first of: the server ending the body, ``stream_timeout`` since the
request, ``idle_timeout`` without a byte (a ``: ping`` comment is life, not silence), no
headers within the probe timeout, or a short grace after ``event: status`` if the server
keeps the connection open. A watchdog enforces the limits even while the server trickles
bytes, by shutting the socket down under the blocked read (the socket is taken as soon as
it is connected, so headers that trickle are cut too); the response is always closed.

Memory stays bounded: the transcript keeps the first and last lines (the rest go to a
temporary file), only the first ``MAX_EVENTS`` events (at most ``MAX_KEPT_CHARS`` of their
data) are kept, the rest counted, and only ``MAX_EVENT_NAMES`` names are counted apart.
An ``event: status`` or ``event: error`` is kept however late it comes: the verdict needs it.
"""

from __future__ import annotations

import json
import threading
import time
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import httpx

from doctor.clients.decoding import ACCEPTED, Decoder, UnsupportedEncoding, decoded
from doctor.clients.http import SocketGrip, strict_json
from doctor.stream.parser import ServerSentEvent, SSEParser
from doctor.stream.transcript import Transcript

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
MAX_EVENTS = 10_000
"""Events kept for the verdict; later ones are counted by name only."""
MAX_KEPT_CHARS = 16 << 20
"""The most event data kept in memory, over all kept events."""
MAX_EVENT_NAMES = 100
OTHER_NAMES = "…"
"""Where events are counted once ``MAX_EVENT_NAMES`` names have been seen."""
MAX_NAME_CHARS = 100
ENDING_EVENTS = ("status", "error")
"""Kept past the limits (``MAX_LATE_ENDINGS`` of each, ``LATE_DATA_CHARS`` of their data)."""
MAX_LATE_ENDINGS = 10
LATE_DATA_CHARS = 64 << 10
MAX_PINGS = 1000


class End(str, Enum):
    """Why the observation stopped."""

    EOF = "eof"
    """The server ended the body."""
    CUT = "cut"
    """The connection broke or the body was malformed at the HTTP level."""
    IDLE = "idle"
    """Not a byte for the idle timeout."""
    STREAM_TIMEOUT = "stream-timeout"
    """The whole observation reached the stream timeout."""
    AFTER_STATUS = "after-status"
    """The server kept the stream open past the grace after ``event: status``."""
    NO_RESPONSE = "no-response"
    """No response headers within the probe timeout."""
    CONNECT_ERROR = "connect-error"
    """The connection could not be made."""
    HTTP_STATUS = "http-status"
    """The server answered with a status other than 200."""
    UNDECODABLE = "undecodable"
    """The body's Content-Encoding could not be decoded."""
    INTERRUPTED = "interrupted"
    """The user pressed Ctrl+C."""

    @property
    def by_doctor(self) -> bool:
        """The doctor's own limit ended the observation, not the server."""
        return self in (End.IDLE, End.STREAM_TIMEOUT, End.INTERRUPTED)


@dataclass(frozen=True)
class ObservedEvent:
    """One dispatched event and when the bytes completing it arrived."""

    at: float
    event: str
    data: str
    id: str | None = None

    def payload(self) -> Any:
        """The data as JSON, or None when it is not JSON (``1e999`` and NaN are not)."""
        try:
            return strict_json(self.data)
        except ValueError:
            return None


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
    last_byte_at: float | None = None
    bytes_received: int = 0
    events: list[ObservedEvent] = field(default_factory=list)
    """The first MAX_EVENTS events."""
    event_counts: Counter[str] = field(default_factory=Counter)
    """Every event, kept or not, by name."""
    pings: list[float] = field(default_factory=list)
    """Arrival times of the first ``: ping`` comments."""
    ping_count: int = 0
    stray_lines: list[str] = field(default_factory=list)
    """The first lines that are no SSE field (a JSON error body, say)."""
    stray_count: int = 0
    end: End | None = None
    ended_at: float | None = None
    error: str | None = None
    """The exception that ended the observation, as ``Type: text``."""
    detail: str | None = None
    """The ``detail`` of a JSON error body."""
    body_excerpt: str | None = None
    """The first 200 characters of a non-200 body."""
    oversized_lines: int = 0
    oversized_events: int = 0
    """Events dropped because their data was too long to keep."""
    discarded_event: bool = False
    """The body ended in the middle of an event (no blank line after it)."""
    unterminated_line: str = ""
    transcript: Transcript = field(default_factory=Transcript)

    event_total: int = 0
    """Every event, kept or not."""
    kept_chars: int = 0
    """The data of the kept events, in characters."""

    @property
    def log_events(self) -> int:
        """How many ``event: log`` events were delivered."""
        return self.event_counts.get("log", 0)

    @property
    def status_event(self) -> ObservedEvent | None:
        return next((ev for ev in self.events if ev.event == "status"), None)

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def content_encoding(self) -> str:
        return self.headers.get("content-encoding", "").strip().lower()


LineCallback = Callable[[float, str], None]
"""Sees every line as it arrives: (seconds since the request, text)."""

SSE_FIELDS = ("", "data", "event", "id", "retry")


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
        self._grip = SocketGrip()
        self._last_byte_at = 0.0
        self._status_at: float | None = None

    def observe(self) -> StreamObservation:
        """Read the stream until it ends or a limit stops it; never raises httpx errors."""
        obs = self.observation
        self._t0 = time.monotonic()
        obs.started_wall = obs.transcript.started_wall = time.time()
        timeout = httpx.Timeout(
            self.probe_timeout, read=min(self.idle_timeout, self.stream_timeout)
        )
        watchdog = threading.Thread(target=self._watch, name="sse-watchdog", daemon=True)
        watchdog.start()
        try:
            with self.client.stream(
                "GET",
                obs.url,
                headers={"Accept-Encoding": ACCEPTED, **self.headers},
                timeout=timeout,
                extensions={"trace": self._grip.trace},
            ) as resp:
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

        Returns False when no connection is open yet, so there is no read to end gracefully.
        """
        if self._stopped is None:
            self._stopped = End.INTERRUPTED
        if self._grip.sock is None:
            return False
        self._grip.cut()
        return True

    def _now(self) -> float:
        return time.monotonic() - self._t0

    def _opened(self, response: httpx.Response) -> None:
        obs = self.observation
        with self._changed:
            obs.headers_at = self._last_byte_at = self._now()
            self._changed.notify_all()
        obs.status_code = response.status_code
        obs.headers = {
            name: response.headers[name] for name in RELEVANT_HEADERS if name in response.headers
        }

    def _read_error_body(self, response: httpx.Response) -> None:
        body = b""
        try:
            encoding = self.observation.content_encoding
            for piece in decoded(encoding, response.iter_raw(), ERROR_BODY_BYTES):
                body += piece
                if len(body) >= ERROR_BODY_BYTES:
                    break
        except (httpx.HTTPError, UnsupportedEncoding, zlib.error):
            pass
        text = body[:ERROR_BODY_BYTES].decode("utf-8", "replace")
        self.observation.body_excerpt = text[:200]
        self.observation.detail = _detail(text)

    def _read_events(self, response: httpx.Response) -> None:
        obs = self.observation
        try:
            decoder = Decoder(obs.content_encoding)
        except UnsupportedEncoding as exc:
            self._finish(End.UNDECODABLE, exc)
            return
        parser = SSEParser(on_line=self._line)
        try:
            for chunk in response.iter_raw():
                at = self._now()
                if obs.first_byte_at is None:
                    obs.first_byte_at = at
                obs.last_byte_at = self._last_byte_at = at
                obs.bytes_received += len(chunk)
                for piece in decoder.feed(chunk):
                    for event in parser.feed(piece, at):
                        self._event(event, at)
                if self._stopped:
                    break
            self._finish(End.EOF)
        finally:
            parser.close()
            obs.oversized_lines = parser.oversized_lines
            obs.oversized_events = parser.oversized_events
            obs.discarded_event = parser.discarded_event
            obs.unterminated_line = parser.unterminated_line[:200]

    def _line(self, text: str, at: float) -> None:
        obs = self.observation
        obs.transcript.add(at, text)
        if text.startswith(":"):
            obs.ping_count += 1
            if len(obs.pings) < MAX_PINGS:
                obs.pings.append(at)
        elif text.partition(":")[0] not in SSE_FIELDS:
            obs.stray_count += 1
            if len(obs.stray_lines) < 10:
                obs.stray_lines.append(text[:300])
        if self.on_line is not None:
            self.on_line(at, text)

    def _event(self, event: ServerSentEvent, at: float) -> None:
        obs = self.observation
        obs.event_total += 1
        name = event.event if len(event.event) <= MAX_NAME_CHARS else event.event[:MAX_NAME_CHARS]
        counts = obs.event_counts
        counts[name if name in counts or len(counts) < MAX_EVENT_NAMES else OTHER_NAMES] += 1
        data = event.data
        if len(obs.events) >= MAX_EVENTS or obs.kept_chars + len(data) > MAX_KEPT_CHARS:
            if name not in ENDING_EVENTS or counts[name] > MAX_LATE_ENDINGS:
                return
            data = data[:LATE_DATA_CHARS]
        obs.events.append(ObservedEvent(at, name, data, event.id))
        obs.kept_chars += len(data)
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
        if self.observation.headers_at is None:
            limits.append((End.NO_RESPONSE, self.probe_timeout))
        elif self._status_at is not None:
            limits.append((End.AFTER_STATUS, self._status_at + self.status_grace))
        else:
            limits.append((End.IDLE, self._last_byte_at + self.idle_timeout))
        return min(limits, key=lambda limit: limit[1])

    def _watch(self) -> None:
        """Stop the read when a limit passes, by shutting the socket down under it."""
        with self._changed:
            while not self._done:
                reason, due = self._next_limit()
                wait = due - self._now()
                if wait > 0:
                    self._changed.wait(wait)  # bytes that came meanwhile move the limit
                    continue
                self._stopped = self._stopped or reason
                self._grip.cut()
                return


def _detail(body: str) -> str | None:
    """The ``detail`` field of a JSON error body, as text."""
    try:
        detail: Any = strict_json(body).get("detail")
    except (ValueError, AttributeError):
        return None
    if detail is None:
        return None
    return (detail if isinstance(detail, str) else json.dumps(detail, ensure_ascii=False))[:200]
