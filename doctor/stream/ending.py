"""How a stream ended, when that is a problem: cut, no status, a stall, a flood, or the
doctor's cut.

A stream the doctor stopped watching (``--stream-timeout``, ``--idle-timeout``) is not
blamed for it: that is the inconclusive ``sse.observation-cut``, unless the keepalive
pings that should have kept coming stopped (``sse.stalled``: something holds the
connection, F23 in the real stack's failure list), or the stream was still pouring out
more than the doctor keeps when ``--stream-timeout`` came (``sse.flood``).
"""

from __future__ import annotations

import itertools
from typing import Any

from doctor.i18n import tr
from doctor.model import Status
from doctor.stream.observer import End, ObservedEvent, StreamObservation
from doctor.stream.problems import StreamProblem, fail

REAL_PING_INTERVAL_S = 15.0
"""The AI Server's keepalive interval (sse-starlette's default)."""
STALL_FACTOR = 2.0
FLOOD_LINES_PER_S = 1000.0
"""A pace no agent writes at: an agent's logs come a few a second, a replay ends."""


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
    flooded = flood(obs)
    if flooded:
        return [_flood_problem(flooded, limit)]
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


def flood(obs: StreamObservation) -> dict[str, Any] | None:
    """The stream's pace, when it outran what the doctor keeps; None when it did not.

    A flood is a stream still sending when ``--stream-timeout`` ended it, at
    ``FLOOD_LINES_PER_S`` lines a second or more on average since its headers, with more
    lines than the transcript keeps in memory (the rest spilled to disk or not kept).
    """
    transcript = obs.transcript
    seconds = (obs.ended_at or 0.0) - (obs.headers_at or 0.0)
    overflowed = transcript.spilled or transcript.dropped
    if obs.end is not End.STREAM_TIMEOUT or seconds <= 0 or not overflowed:
        return None
    rate = transcript.count / seconds
    if rate < FLOOD_LINES_PER_S:
        return None
    return {
        "lines": transcript.count,
        "bytes": obs.bytes_received,
        "events": obs.event_total,
        "seconds": round(seconds, 2),
        "lines_per_s": round(rate),
        "bytes_per_s": round(obs.bytes_received / seconds),
        "lines_in_memory": transcript.in_memory,
        "lines_spilled": transcript.spilled,
        "lines_not_kept": transcript.dropped,
    }


def _flood_problem(facts: dict[str, Any], limit: float) -> StreamProblem:
    return fail(
        "sse.flood",
        tr(
            "The stream floods: {lines} lines ({mib:.1f} MiB) in {seconds:.1f} s, {rate} lines "
            "a second, still coming when --stream-timeout {limit:g} s ended the watch; "
            "{spilled} lines were spilled to disk for the report and {dropped} not kept. "
            "The criteria are judged from what was seen.",
            lines=facts["lines"],
            mib=facts["bytes"] / (1 << 20),
            seconds=facts["seconds"],
            rate=facts["lines_per_s"],
            limit=limit,
            spilled=facts["lines_spilled"],
            dropped=facts["lines_not_kept"],
        ),
        tr(
            "No agent logs that fast: find what loops or repeats the stream (the AI Server's "
            "log, a proxy between it and the doctor), then watch it again."
        ),
    )
