"""How a stream ended, when that is a problem: cut, no status, a stall, or the doctor's cut.

A stream the doctor stopped watching (``--stream-timeout``, ``--idle-timeout``) is not
blamed for it: that is the inconclusive ``sse.observation-cut``, unless the keepalive
pings that should have kept coming stopped (``sse.stalled``: something holds the
connection, F23 in the real stack's failure list).
"""

from __future__ import annotations

import itertools

from doctor.i18n import tr
from doctor.model import Status
from doctor.stream.observer import End, ObservedEvent, StreamObservation
from doctor.stream.problems import StreamProblem, fail

REAL_PING_INTERVAL_S = 15.0
"""The AI Server's keepalive interval (sse-starlette's default)."""
STALL_FACTOR = 2.0


def ending(
    obs: StreamObservation,
    events: list[ObservedEvent],
    errors: list[ObservedEvent],
    pings: int,
    idle: float,
    limit: float,
) -> list[StreamProblem]:
    """How the stream ended, when that is a problem (or the doctor's own cut)."""
    if errors or any(ev.event == "status" for ev in events):
        return []
    if obs.end is End.CUT:
        return [
            fail(
                "sse.cut",
                tr(
                    "The connection to the backend broke after {count} events: {error}.",
                    count=len(events),
                    error=obs.error or "?",
                ),
            )
        ]
    if obs.end is End.EOF and events:
        return [
            fail(
                "sse.no-status",
                tr(
                    "The stream ended after {count} events without `event: status`.",
                    count=len(events),
                ),
            )
        ]
    if obs.end is End.EOF:
        return [] if obs.stray_count else [fail("sse.no-events", tr("The stream was empty."))]
    if obs.end not in (End.IDLE, End.STREAM_TIMEOUT) or (not events and pings):
        return []
    stall = _stall(obs, pings, idle)
    if stall:
        return [stall]
    last = events[-1].at if events else 0.0
    return [
        StreamProblem(
            "sse.observation-cut",
            Status.WARN,
            tr(
                "The doctor stopped watching after {seconds:.1f} s ({why}); {count} events so "
                "far, the last at {last:.1f} s, pings {pings}. The run has not ended yet.",
                seconds=obs.ended_at or 0.0,
                why=tr("--stream-timeout {limit:g} s", limit=limit)
                if obs.end is End.STREAM_TIMEOUT
                else tr("--idle-timeout {idle:g} s", idle=idle),
                count=len(events),
                last=last,
                pings=pings,
            ),
            tr("Run again with a longer --stream-timeout (and --idle-timeout)."),
        )
    ]


def _stall(obs: StreamObservation, pings: int, idle: float) -> StreamProblem | None:
    """Keepalives stopped coming: something holds the connection (F23)."""
    interval = _ping_interval(obs.pings)
    expected = interval or REAL_PING_INTERVAL_S
    silence = (obs.ended_at or 0.0) - (obs.last_byte_at or obs.headers_at or 0.0)
    if obs.end is not End.IDLE or silence < STALL_FACTOR * expected:
        return None
    return fail(
        "sse.stalled",
        tr(
            "The stream stalled: not a byte for {silence:.1f} s, though keepalive pings {every}.",
            silence=silence,
            every=tr("came every {interval:.1f} s before", interval=interval)
            if interval
            else tr("are due every {interval:g} s", interval=REAL_PING_INTERVAL_S),
        ),
    )


def _ping_interval(pings: list[float]) -> float | None:
    gaps = [b - a for a, b in itertools.pairwise(pings)]
    return sorted(gaps)[len(gaps) // 2] if len(gaps) >= 2 else None
