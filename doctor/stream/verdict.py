"""Judge a stream observation: the guide's five stream criteria and the problems it shows.

Every problem is a catalogue id (``doctor.catalogue``) with the evidence that names it:

- not opened: no headers in time (``sse.no-response``), the backend's own errors (401
  ``Invalid token``, 403/404 for the project, 5xx);
- opened: the content type and encoding, a double-framed stream (765d572), the backend's
  in-band ``event: error`` classified by its text (``doctor.stream.signatures``), an
  unknown run's ``{"detail":"Task not found"}`` body, a stream of pings only, an end
  without ``event: status``, a stall;
- warnings: buffering judged from the events' own times, slow events, no
  ``Cache-Control: no-cache``, a stream held open after its status;
- and, when the doctor's own limit ended a stream that looked healthy, the inconclusive
  ``sse.observation-cut`` rather than a fault of the stack.

The event criteria count named events only, so a double-framed stream meets none of them.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from doctor.i18n import tr
from doctor.model import Status
from doctor.stream import frames
from doctor.stream.ending import ending, flood
from doctor.stream.observer import End, ObservedEvent, StreamObservation
from doctor.stream.problems import StreamProblem, fail, warn
from doctor.stream.signatures import TASK_NOT_FOUND, upstream_problem

SLOW_SHARE_OF_IDLE = 0.5
STREAM_CRITERIA = (
    "sse.connect",
    "sse.log_event",
    "sse.log_data",
    "sse.status_event",
    "sse.clean_end",
)


@dataclass
class Verdict:
    """The stream criteria (met, not met, or None: not reached), problems and facts."""

    criteria: dict[str, bool | None]
    problems: list[StreamProblem] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    events: list[ObservedEvent] = field(default_factory=list)
    """The AI Server's events as the stream carried them (unwrapped when double-framed)."""


def judge(
    obs: StreamObservation, idle_timeout: float, stream_timeout: float, run_status: str | None
) -> Verdict:
    """The criteria met and the problems seen, most severe first."""
    facts = _facts(obs)
    if obs.end is End.INTERRUPTED and obs.status_code is None:
        return Verdict(dict.fromkeys(STREAM_CRITERIA), [], facts)
    if obs.status_code != 200:
        return Verdict(dict.fromkeys(STREAM_CRITERIA, False), [_not_opened(obs)], facts)
    double = frames.is_double_framed(obs.events)
    inner = frames.unwrap(obs.events) if double else None
    events = inner.events if inner else obs.events
    strays = (inner.strays if inner else []) + obs.stray_lines
    pings = obs.ping_count + (inner.pings if inner else 0)
    facts.update(pings=pings, double_framed=double)
    if double:
        facts["inner_events"] = len(events)
    cut_by_doctor = obs.end is not None and obs.end.by_doctor
    status_event = next((ev for ev in obs.events if ev.event == "status"), None)
    errors = [ev for ev in events if ev.event == "error"]
    log_events = [ev for ev in obs.events if ev.event == "log"]
    criteria: dict[str, bool | None] = {
        "sse.connect": obs.content_type == "text/event-stream",
        "sse.log_event": bool(log_events),
        "sse.log_data": any(_log_message(ev) for ev in log_events),
        "sse.status_event": status_event is not None,
        "sse.clean_end": status_event is not None
        and not errors
        and obs.end in (End.EOF, End.AFTER_STATUS),
    }
    if cut_by_doctor:  # what the doctor did not wait for is not evaluated
        criteria = {cid: met if met else None for cid, met in criteria.items()}
        criteria["sse.connect"] = obs.content_type == "text/event-stream"
    if status_event is not None:
        payload = status_event.payload()
        if isinstance(payload, dict):
            facts["final_event_status"] = payload.get("status")
    problems = _opened_problems(obs, events, strays, errors, double, pings, run_status)
    if obs.end is not End.INTERRUPTED:
        problems += ending(obs, events, errors, pings, idle_timeout, stream_timeout)
    problems += _warnings(obs, events, idle_timeout, run_status)
    timing = frames.timing(events, obs.started_wall, obs.headers_at or 0.0)
    facts.update(replayed_log_events=timing.replayed, live_log_events=timing.live)
    problems.sort(key=_rank)
    return Verdict(criteria, problems, facts, events)


PRIORITY = (
    "run.not-found",
    "network.container-unresolvable",
    "sse.upstream-unreachable",
    "sse.upstream-cut",
    "sse.flood",
    "sse.keepalive-only",
    "sse.error-event",
    "sse.wrong-content-type",
    "sse.gzip",
    "sse.double-framed",
)
"""Which failure names the stream's cause first: where the AI Server went, then the form."""


def _rank(problem: StreamProblem) -> tuple[bool, int]:
    place = PRIORITY.index(problem.id) if problem.id in PRIORITY else len(PRIORITY)
    return problem.status is not Status.FAIL, place


def _log_message(event: ObservedEvent) -> bool:
    payload = event.payload()
    return isinstance(payload, dict) and bool(str(payload.get("message", "")).strip())


def _facts(obs: StreamObservation) -> dict[str, Any]:
    facts: dict[str, Any] = {
        "status_code": obs.status_code,
        "headers": dict(obs.headers),
        "end": obs.end.value if obs.end else None,
        "lines": obs.transcript.count,
        "events": obs.event_total,
        "event_names": dict(obs.event_counts),
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
    for name in ("detail", "error", "oversized_events"):
        if getattr(obs, name):
            facts[name] = getattr(obs, name)
    flooded = flood(obs)
    if flooded:
        facts["flood"] = flooded
    if obs.status_code not in (None, 200) and obs.body_excerpt:
        facts["body"] = obs.body_excerpt
    return facts


def _not_opened(obs: StreamObservation) -> StreamProblem:
    code, detail = obs.status_code, obs.detail or obs.body_excerpt or ""
    if obs.end is End.NO_RESPONSE:
        return fail(
            "sse.no-response",
            tr(
                "The stream endpoint sent no response headers within {seconds:.1f} s.",
                seconds=obs.ended_at or 0.0,
            ),
        )
    if code is None:
        return fail(
            "sse.cut",
            tr("Cannot connect to the stream endpoint: {error}.", error=obs.error or "?"),
        )
    said = tr("The stream answered HTTP {code}: {detail}", code=code, detail=detail or "-")
    if code == 401:
        return fail("auth.token-invalid", said)
    if code == 403 and "無權限" in detail:
        return fail("project.forbidden", said)
    if code == 404 and "專案" in detail:
        return fail("project.not-found", said)
    if code in (404, 405):
        return fail("backend.not-api", said, tr("Check --backend-url and --api-prefix."))
    if code == 403:
        return fail("auth.token-invalid", said)
    return fail("backend.error", said)


def _opened_problems(
    obs: StreamObservation,
    events: list[ObservedEvent],
    strays: list[str],
    errors: list[ObservedEvent],
    double: bool,
    pings: int,
    run_status: str | None,
) -> list[StreamProblem]:
    problems: list[StreamProblem] = []
    if obs.content_type != "text/event-stream":
        problems.append(
            fail(
                "sse.wrong-content-type",
                tr(
                    "The stream is served as {type}, not text/event-stream.",
                    type=obs.content_type or tr("(no content type)"),
                ),
            )
        )
    if obs.end is End.UNDECODABLE:
        problems.append(
            fail(
                "sse.gzip",
                tr(
                    "The stream's Content-Encoding {encoding} cannot be decoded here: {error}",
                    encoding=obs.content_encoding,
                    error=obs.error or "-",
                ),
            )
        )
    elif obs.content_encoding not in ("", "identity"):
        problems.append(
            warn(
                "sse.gzip",
                tr(
                    "The stream is compressed (Content-Encoding: {encoding}): proxies and "
                    "clients hold compressed events back.",
                    encoding=obs.content_encoding,
                ),
            )
        )
    if double:
        first = next((ev.data for ev in obs.events), "")
        problems.append(
            fail(
                "sse.double-framed",
                tr(
                    "The backend wraps the stream twice: {count} events arrived as unnamed "
                    "events whose data are SSE lines (first: {data!r}), so no client sees "
                    "`event: log` or `event: status`.",
                    count=obs.event_total,
                    data=first.strip()[:60],
                ),
            )
        )
    for event in errors[:1]:
        problems.append(_error_event(event, events))
    unknown_run = [ev for ev in events if ev.event == "message" and TASK_NOT_FOUND in ev.data]
    if unknown_run or any(TASK_NOT_FOUND in line for line in strays):
        problems.append(
            fail(
                "run.not-found",
                tr(
                    "The stream answered 200 with the body {body}: the AI Server does not "
                    "know the run (it restarted, or the project was provisioned again).",
                    body='{"detail":"Task not found"}',
                ),
                tr("Choose a current run: `sse-doctor runs`, then --run ID; or --new-run."),
            )
        )
    else:
        unexplained = [line for line in strays if line.strip()]
        if unexplained or obs.oversized_lines:
            problems.append(
                fail(
                    "sse.malformed",
                    tr(
                        "{count} lines are no SSE field (first: {line!r}).",
                        count=len(unexplained) + obs.oversized_lines,
                        line=(unexplained or ["…"])[0][:80],
                    ),
                )
            )
    if not events and pings and obs.end is not None and obs.end.by_doctor:
        problems.append(
            fail(
                "sse.keepalive-only",
                tr(
                    "Only keepalive pings for {seconds:.1f} s ({pings} `: ping` comments), "
                    "no event at all, while the run is {status}.",
                    seconds=obs.ended_at or 0.0,
                    pings=pings,
                    status=run_status or tr("unknown"),
                ),
                tr(
                    "The AI Server is alive but its agent sends nothing: the task may never "
                    "have started; read the AI Server's log."
                ),
            )
        )
    return problems


def _error_event(event: ObservedEvent, events: list[ObservedEvent]) -> StreamProblem:
    """An ``event: error`` from the backend, named by its text."""
    text = event.data.strip()
    before = [ev for ev in events if ev is not event and ev.at <= event.at]
    problem = upstream_problem(text) or "sse.error-event"
    if problem == "sse.upstream-unreachable":
        message = tr(
            "The backend cannot reach the AI Server: `{text}` (the container's name "
            "resolves, but nothing listens on port 8000).",
            text=text,
        )
    elif problem == "network.container-unresolvable":
        message = tr(
            "The backend cannot resolve the project's container: `{text}`. It runs where "
            "refactor-project-<id> is not a known name (outside refactor-network, e.g. on "
            "the host), or the container is gone.",
            text=text,
        )
    elif problem == "sse.upstream-cut":
        message = tr(
            "The AI Server's connection broke after {count} events (the last `{last}`): "
            "`{text}` (it died mid-stream).",
            count=len(before),
            last=before[-1].event if before else "-",
            text=text,
        )
    else:
        message = tr("The backend sent an error event: `{text}`", text=text)
    return fail(problem, message)


def _warnings(
    obs: StreamObservation, events: list[ObservedEvent], idle: float, run_status: str | None
) -> list[StreamProblem]:
    problems: list[StreamProblem] = []
    timing = frames.timing(events, obs.started_wall, obs.headers_at or 0.0)
    if timing.buffered:
        problems.append(_buffered(obs, timing))
    cache = obs.headers.get("cache-control", "").lower()
    if obs.content_type == "text/event-stream" and "no-cache" not in cache:
        problems.append(
            warn("sse.no-cache", tr("The stream has no `Cache-Control: no-cache` header."))
        )
    gaps = [b.at - a.at for a, b in itertools.pairwise(events)]
    if gaps and max(gaps) > idle * SLOW_SHARE_OF_IDLE:
        problems.append(
            warn(
                "sse.slow",
                tr(
                    "Slow events: up to {gap:.1f} s between two events, more than half the "
                    "idle limit of {idle:g} s.",
                    gap=max(gaps),
                    idle=idle,
                ),
            )
        )
    if obs.end is End.AFTER_STATUS:
        problems.append(
            warn(
                "sse.open-after-status",
                tr("The server kept the stream open after `event: status`; it was closed here."),
            )
        )
    return problems


def _buffered(obs: StreamObservation, timing: frames.Timing) -> StreamProblem:
    header = obs.headers.get("x-accel-buffering")
    if header is not None and header.lower() == "no":
        hint = tr(
            "The answer already says X-Accel-Buffering: no, so something ignores it: a proxy "
            "with buffering on (nginx proxy_buffering), compression, or a middleware."
        )
    else:
        hint = tr(
            "Turn buffering off where the stream passes a proxy (nginx: proxy_buffering off, "
            "or send X-Accel-Buffering: no from the backend)."
        )
    return warn(
        "sse.buffered",
        tr(
            "Buffered stream: the AI Server made {count} log events over {span:.1f} s, but "
            "they arrived within {arrival:.2f} s, the first held back {held:.1f} s.",
            count=timing.live,
            span=timing.span_s,
            arrival=timing.arrival_span_s,
            held=timing.held_s,
        ),
        hint,
    )
