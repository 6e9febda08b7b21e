"""Judge a stream observation: the guide's five stream criteria and the problems seen.

Rules (times are receive times of the bytes completing each event):

- Failures (status ``fail``): no response (``timeout``); 401/403/404 (``http-403-404``);
  502/503/504 (``http-503``, with the body's ``detail``); other statuses, a content type
  other than ``text/event-stream``, an undecodable body, malformed framing, a cut
  connection, an end without ``event: status``, a stop on the stream timeout, and a
  stream that went silent for the idle timeout after some log events (``stream-error``);
  no ``event: log`` at all (``no-events``).
- Warnings (status ``warn``, category ``stream-error``): compressed body, buffering (at
  least 80 % of the events, and 3 or more, arrive within 50 ms of each other after a
  silence of at least 1 s that is also 80 % of the time to the last event), double-framed
  data (an event's data starting with ``data:`` or ``event:``), no ``Cache-Control:
  no-cache``, slow events (a gap between two events above half the idle timeout), and a
  server that keeps the stream open after ``event: status``.
Problems are ordered failures first (by category, most fundamental first), then warnings.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any

from doctor.clients.http_errors import category_for_status
from doctor.i18n import tr
from doctor.model import Category, Status
from doctor.stream.observer import End, StreamObservation

BURST_WINDOW_S = 0.05
BURST_SHARE = 0.8
BURST_MIN_EVENTS = 3
BURST_MIN_SILENCE_S = 1.0
SLOW_SHARE_OF_IDLE = 0.5
SSE_FIELDS = ("", "data", "event", "id", "retry")
STREAM_CRITERIA = (
    "sse.connect",
    "sse.log_event",
    "sse.log_data",
    "sse.status_event",
    "sse.clean_end",
)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the stream; ``kind`` is a stable short name."""

    kind: str
    status: Status
    category: Category
    message: str
    hint: str | None = None

    def as_evidence(self) -> dict[str, str]:
        return {
            "kind": self.kind,
            "status": self.status.value,
            "category": self.category.value,
            "message": self.message,
        }


@dataclass
class Verdict:
    """The stream criteria (met, not met, or None: not reached), problems and facts."""

    criteria: dict[str, bool | None]
    problems: list[Problem] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)


def judge(obs: StreamObservation, idle_timeout: float, stream_timeout: float) -> Verdict:
    """The criteria met and the problems seen, most severe first."""
    facts = _facts(obs)
    if obs.end is End.INTERRUPTED and obs.status_code is None:
        return Verdict(dict.fromkeys(STREAM_CRITERIA), [], facts)
    if obs.status_code != 200:
        return Verdict(dict.fromkeys(STREAM_CRITERIA, False), [_not_opened(obs)], facts)
    log_events = [ev for ev in obs.events if ev.event == "log"]
    status = obs.status_event
    ended_well = status is not None and obs.end in (End.EOF, End.AFTER_STATUS)
    criteria: dict[str, bool | None] = {
        "sse.connect": obs.content_type == "text/event-stream",
        "sse.log_event": bool(log_events),
        "sse.log_data": any(ev.data.strip() for ev in log_events),
        "sse.status_event": status is not None,
        "sse.clean_end": ended_well,
    }
    if obs.end is End.INTERRUPTED:
        criteria = {cid: met if met else None for cid, met in criteria.items()}
        criteria["sse.connect"] = obs.content_type == "text/event-stream"
    problems = _failures(obs, idle_timeout, stream_timeout) + _warnings(obs, idle_timeout)
    problems.sort(key=lambda p: (p.status is not Status.FAIL, list(Category).index(p.category)))
    gaps = _gaps(obs)
    if gaps:
        facts["largest_gap_ms"] = round(max(gaps) * 1000)
    return Verdict(criteria, problems, facts)


def _facts(obs: StreamObservation) -> dict[str, Any]:
    facts: dict[str, Any] = {
        "status_code": obs.status_code,
        "headers": dict(obs.headers),
        "end": obs.end.value if obs.end else None,
        "lines": len(obs.lines),
        "events": len(obs.events),
        "log_events": obs.log_events,
        "bytes": obs.bytes_received,
    }
    for name, at in (
        ("headers_ms", obs.headers_at),
        ("first_byte_ms", obs.first_byte_at),
        ("duration_ms", obs.ended_at),
    ):
        if at is not None:
            facts[name] = round(at * 1000)
    for name in ("detail", "error"):
        if getattr(obs, name):
            facts[name] = getattr(obs, name)
    if obs.status_code not in (None, 200) and obs.body_excerpt:
        facts["body"] = obs.body_excerpt
    return facts


def _not_opened(obs: StreamObservation) -> Problem:
    code = obs.status_code
    if obs.end is End.NO_RESPONSE:
        return _fail(
            "no-response",
            Category.TIMEOUT,
            tr(
                "The stream endpoint sent no response within {seconds:.1f} s ({error}).",
                seconds=obs.ended_at or 0.0,
                error=obs.error or tr("timeout"),
            ),
        )
    if code is None:
        return _fail(
            "connect-error",
            Category.PREREQUISITE,
            tr("Cannot connect to the stream endpoint: {error}.", error=obs.error or "?"),
        )
    detail = obs.detail or obs.body_excerpt or ""
    category = category_for_status(code) or Category.STREAM_ERROR
    return _fail(
        "http-status",
        category,
        tr("The stream answered HTTP {code}: {detail}", code=code, detail=detail or "-"),
    )


def _failures(obs: StreamObservation, idle: float, limit: float) -> list[Problem]:
    problems: list[Problem] = []
    if obs.content_type != "text/event-stream":
        problems.append(
            _fail(
                "content-type",
                Category.STREAM_ERROR,
                tr(
                    "The stream is served as {type}, not text/event-stream.",
                    type=obs.content_type or tr("(no content type)"),
                ),
                tr("Return the stream with media type text/event-stream (StreamingResponse)."),
            )
        )
    if obs.end is End.UNDECODABLE:
        problems.append(
            _fail(
                "undecodable",
                Category.STREAM_ERROR,
                tr(
                    "The stream's Content-Encoding {encoding} cannot be decoded.",
                    encoding=obs.content_encoding,
                ),
                tr("Send the stream uncompressed."),
            )
        )
    framing = _framing(obs)
    if framing:
        problems.append(framing)
    log_events = obs.log_events
    seconds = round(obs.ended_at or 0.0, 1)
    if obs.end is End.INTERRUPTED:
        return problems
    if log_events == 0 and obs.end in (End.EOF, End.IDLE, End.STREAM_TIMEOUT, End.AFTER_STATUS):
        problems.append(_no_events(obs, idle, seconds))
    if obs.end is End.CUT:
        problems.append(
            _fail(
                "cut",
                Category.STREAM_ERROR,
                tr(
                    "The stream was cut after {count} events: {error}.",
                    count=len(obs.events),
                    error=obs.error or "?",
                ),
            )
        )
    elif obs.status_event is None and log_events:
        problems.append(_no_status(obs, idle, limit, log_events))
    return problems


def _no_events(obs: StreamObservation, idle: float, seconds: float) -> Problem:
    if obs.end is End.IDLE:
        message = tr(
            "The stream opened but sent no `event: log` within the idle limit of {idle:g} s.",
            idle=idle,
        )
    else:
        message = tr(
            "The stream sent no `event: log` in {seconds:g} s ({count} other events).",
            seconds=seconds,
            count=len(obs.events),
        )
    return _fail("no-events", Category.NO_EVENTS, message)


def _no_status(obs: StreamObservation, idle: float, limit: float, log_events: int) -> Problem:
    if obs.end is End.IDLE:
        last = obs.events[-1].at if obs.events else 0.0
        return _fail(
            "silent",
            Category.STREAM_ERROR,
            tr(
                "The stream went silent for {idle:g} s after {count} log events, "
                "without `event: status` (last event at {last:.1f} s).",
                idle=idle,
                count=log_events,
                last=last,
            ),
            tr(
                "The AI Server or the backend stopped sending: look at the [SSE] lines of the "
                "backend log after the last event. If the Agent pauses longer on purpose, "
                "raise --idle-timeout."
            ),
        )
    if obs.end is End.STREAM_TIMEOUT:
        return _fail(
            "stream-timeout",
            Category.STREAM_ERROR,
            tr(
                "No `event: status` within the stream timeout of {limit:g} s "
                "({count} log events so far).",
                limit=limit,
                count=log_events,
            ),
            tr("If the Agent runs longer than that, raise --stream-timeout."),
        )
    return _fail(
        "no-status",
        Category.STREAM_ERROR,
        tr(
            "The stream ended after {count} log events without `event: status`.",
            count=log_events,
        ),
    )


def _framing(obs: StreamObservation) -> Problem | None:
    """Lines that are no SSE field, lines too long to keep, or an unterminated last event."""
    strange = [ln.text for ln in obs.lines if ln.text.partition(":")[0] not in SSE_FIELDS]
    findings: list[str] = []
    if strange:
        findings.append(
            tr(
                "{count} lines are no SSE field (first: {line!r})",
                count=len(strange),
                line=strange[0][:80],
            )
        )
    if obs.oversized_lines:
        findings.append(tr("{count} lines were too long to keep", count=obs.oversized_lines))
    if obs.end is End.EOF and obs.discarded_event:
        findings.append(tr("the last event is not ended by a blank line"))
    if not findings:
        return None
    return _fail(
        "framing",
        Category.STREAM_ERROR,
        tr("Malformed SSE framing: {findings}.", findings="; ".join(findings)),
        tr("Frame each event as `event: …`, `data: …` lines followed by a blank line."),
    )


def _warnings(obs: StreamObservation, idle: float) -> list[Problem]:
    problems: list[Problem] = []
    if obs.content_encoding not in ("", "identity"):
        problems.append(
            _warn(
                "compressed",
                tr(
                    "The stream is compressed (Content-Encoding: {encoding}); compressed streams "
                    "are buffered by proxies and clients.",
                    encoding=obs.content_encoding,
                ),
                tr("Leave text/event-stream out of the backend's or the proxy's compression."),
            )
        )
    burst = _burst(obs)
    if burst:
        problems.append(burst)
    doubled = [
        ev.data
        for ev in obs.events
        if any(line.startswith(("data:", "event:")) for line in ev.data.split("\n"))
    ]
    if doubled:
        problems.append(
            _warn(
                "double-framed",
                tr(
                    "Double-framed events: {count} events carry SSE lines in their data "
                    "(first: {data!r}).",
                    count=len(doubled),
                    data=doubled[0][:80],
                ),
                tr(
                    "The backend wraps lines that are already framed: forward the AI Server's "
                    "lines as they are, or strip their `data: ` before framing them again."
                ),
            )
        )
    cache = obs.headers.get("cache-control", "").lower()
    if obs.content_type == "text/event-stream" and "no-cache" not in cache:
        problems.append(
            _warn(
                "no-cache",
                tr("The stream has no `Cache-Control: no-cache` header."),
                tr("Send Cache-Control: no-cache so that caches and proxies pass events on."),
            )
        )
    gaps = _gaps(obs)
    if gaps and max(gaps) > idle * SLOW_SHARE_OF_IDLE:
        problems.append(
            _warn(
                "slow",
                tr(
                    "Slow events: up to {gap:.1f} s between two events, more than half the "
                    "idle limit of {idle:g} s.",
                    gap=max(gaps),
                    idle=idle,
                ),
                tr(
                    "A longer pause makes clients give up: check what holds events back, or "
                    "raise --idle-timeout."
                ),
            )
        )
    if obs.end is End.AFTER_STATUS:
        problems.append(
            _warn(
                "open-after-status",
                tr("The server kept the stream open after `event: status`; it was closed here."),
                tr("End the response after the status event; clients otherwise wait forever."),
            )
        )
    return problems


def _burst(obs: StreamObservation) -> Problem | None:
    """Buffering: most events arriving together at the end after a long silence."""
    times = [ev.at for ev in obs.events]
    n = len(times)
    if n < BURST_MIN_EVENTS or obs.headers_at is None:
        return None
    start, size = 0, 0
    low = 0
    for high in range(n):
        while times[high] - times[low] > BURST_WINDOW_S:
            low += 1
        if high - low + 1 >= size:
            start, size = low, high - low + 1
    before = times[start - 1] if start else obs.headers_at
    silence = times[start] - before
    span_to_last = times[-1] - obs.headers_at
    if size < max(BURST_MIN_EVENTS, math.ceil(BURST_SHARE * n)):
        return None
    if silence < BURST_MIN_SILENCE_S or silence < BURST_SHARE * span_to_last:
        return None
    return _warn(
        "buffered",
        tr(
            "Buffered stream: {size} of {count} events arrived within {window} ms after "
            "{silence:.1f} s of silence.",
            size=size,
            count=n,
            window=round((times[start + size - 1] - times[start]) * 1000),
            silence=silence,
        ),
        tr(
            "Something between the AI Server and the client holds events back: turn proxy "
            "buffering off (X-Accel-Buffering: no) and flush after each event. A run that had "
            "already finished also replays its logs at once."
        ),
    )


def _gaps(obs: StreamObservation) -> list[float]:
    times = [ev.at for ev in obs.events]
    return [b - a for a, b in itertools.pairwise(times)]


def _fail(kind: str, category: Category, message: str, hint: str | None = None) -> Problem:
    return Problem(kind, Status.FAIL, category, message, hint or category.hint)


def _warn(kind: str, message: str, hint: str) -> Problem:
    return Problem(kind, Status.WARN, Category.STREAM_ERROR, message, hint)
