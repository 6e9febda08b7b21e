"""What the events mean: the stream inside a double-framed one, and the events' own times.

The 765d572 backend yields every upstream line into an EventSourceResponse, so each
line arrives as the data of an unnamed event (``data: event: log``, ``data: data: {…}``)
and blank lines are dropped. :func:`unwrap` reads the AI Server's events back out of
that. :func:`timing` compares the AI Server's ``timestamp`` in each ``log`` payload with
when the event arrived: events made before the stream opened are a replay (the AI Server
replays every log on each connection), and live events that all arrive together long
after they were made were held back on the way (buffering).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from doctor.stream.observer import ObservedEvent

INNER_FIELDS = ("event:", "data:", ":")
REPLAY_SLACK_S = 1.0
"""An event made this long before the stream opened is a replay (allows for clock skew)."""
BUFFER_MIN_SPAN_S = 0.5
BUFFER_SHARE = 0.8


@dataclass(frozen=True)
class Unwrapped:
    """The AI Server's stream as read back out of a double-framed one."""

    events: list[ObservedEvent]
    strays: list[str]
    pings: int


def is_double_framed(events: list[ObservedEvent]) -> bool:
    """Unnamed events whose data are SSE lines: the backend framed framed lines again."""
    unnamed = [ev for ev in events if ev.event == "message"]
    return (
        bool(unnamed)
        and len(unnamed) == len(events)
        and any(ev.data.startswith(INNER_FIELDS) for ev in unnamed)
    )


def unwrap(events: list[ObservedEvent]) -> Unwrapped:
    """The inner events of a double-framed stream, its stray lines and its pings.

    V1 forwards only non-empty lines, each with a line end of its own, so the blank lines
    inside the data are wrapping, not event ends: an inner event ends where the next
    ``event:`` line begins, or with the stream.
    """
    inner: list[ObservedEvent] = []
    strays: list[str] = []
    pings = 0
    name, data, at = "", [], 0.0

    def dispatch() -> None:
        nonlocal name, data
        if data:
            inner.append(ObservedEvent(at, name or "message", "\n".join(data)))
        name, data = "", []

    for event in events:
        for line in event.data.split("\n"):
            if line.startswith("event:"):
                dispatch()
                name, at = line[6:].strip(), event.at
            elif line.startswith("data:"):
                data.append(line[5:].removeprefix(" "))
                at = event.at
            elif line.startswith(":"):
                pings += 1
            elif line:
                strays.append(line[:300])
    dispatch()
    return Unwrapped(inner, strays, pings)


def ai_time(event: ObservedEvent) -> float | None:
    """The AI Server's ``timestamp`` of a ``log`` event (naive UTC), as an epoch."""
    payload = event.payload()
    stamp = payload.get("timestamp") if isinstance(payload, dict) else None
    if event.event != "log" or not isinstance(stamp, str):
        return None
    try:
        moment = datetime.fromisoformat(stamp.removesuffix("Z"))
    except ValueError:
        return None
    return moment.replace(tzinfo=moment.tzinfo or timezone.utc).timestamp()


@dataclass(frozen=True)
class Timing:
    """The events' own times against their arrival."""

    replayed: int
    """``log`` events made before the stream opened."""
    live: int
    span_s: float
    """How long the AI Server took to make the live events."""
    arrival_span_s: float
    """How long their arrival took."""
    held_s: float
    """How much longer the first live event took to arrive than the last (buffering)."""

    @property
    def buffered(self) -> bool:
        return (
            self.live >= 3
            and self.span_s >= BUFFER_MIN_SPAN_S
            and self.held_s >= BUFFER_SHARE * self.span_s
        )


def timing(events: list[ObservedEvent], started_wall: float, opened_at: float) -> Timing:
    """Replay and buffering, from the ``log`` events' timestamps and arrival times."""
    opened = started_wall + opened_at
    stamped = [(stamp, started_wall + ev.at) for ev in events if (stamp := ai_time(ev))]
    replayed = sum(1 for stamp, _ in stamped if stamp < opened - REPLAY_SLACK_S)
    live = [(stamp, arrived) for stamp, arrived in stamped if stamp >= opened - REPLAY_SLACK_S]
    if len(live) < 2:
        return Timing(replayed, len(live), 0.0, 0.0, 0.0)
    delays = [arrived - stamp for stamp, arrived in live]
    return Timing(
        replayed=replayed,
        live=len(live),
        span_s=live[-1][0] - live[0][0],
        arrival_span_s=live[-1][1] - live[0][1],
        held_s=delays[0] - delays[-1],
    )
