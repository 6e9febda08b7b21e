"""The SSE body the backend sends for a run, shaped by the stream faults, as an ASGI response."""

from __future__ import annotations

import asyncio
import dataclasses
import gzip
from collections.abc import Callable

import anyio
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

NO_EVENTS_HOLD_S = 60.0
BUFFER_HOLD_S = 1.5
"""A buffering proxy holds a short run's events at least this long before the burst."""


@dataclasses.dataclass(frozen=True)
class StreamPlan:
    """What to send and how: frames, pacing, delivery, encoding and ending."""

    frames: tuple[bytes, ...]
    gap: float
    burst: bool
    burst_hold: float
    gzip: bool
    cut: bool
    hold: float
    media_type: str
    sends_status: bool


def frame(event: str, data: str, *, double: bool = False) -> bytes:
    """One SSE event; `double` wraps the framed lines again, like a misbehaving proxy."""
    if double:
        return f"event: {event}\ndata: event: {event}\ndata: data: {data}\n\n".encode()
    return f"event: {event}\ndata: {data}\n\n".encode()


def plan_stream(
    log_data: list[str], status_data: str, faults: frozenset[str], event_gap: float, slow_gap: float
) -> StreamPlan:
    """Turn a run's log lines and final status into the frames the faults call for."""
    double = "double-framed" in faults
    logs = [frame("log", data, double=double) for data in log_data]
    cut = "cut-stream" in faults
    if "no-events" in faults:
        logs = []
    elif cut:
        logs = logs[: max(1, len(logs) // 2)]
    sends_status = not (cut or faults & {"no-events", "no-status"})
    status = [frame("status", status_data, double=double)] if sends_status else []
    return StreamPlan(
        frames=(*logs, *status),
        gap=slow_gap if "slow-events" in faults else event_gap,
        burst=bool(faults & {"buffered", "gzip"}),
        burst_hold=BUFFER_HOLD_S if "buffered" in faults else 0.0,
        gzip="gzip" in faults,
        cut=cut,
        hold=NO_EVENTS_HOLD_S if "no-events" in faults else 0.0,
        media_type="text/plain" if "wrong-content-type" in faults else "text/event-stream",
        sends_status=sends_status,
    )


class SSEResponse(Response):
    """Streams a StreamPlan; stops early on client disconnect or when `closing` is set.

    `on_frame` sees each frame as it is written; `on_end(complete)` runs once, just
    before the body ends, `complete` being True if it ends cleanly with every planned
    frame. A cut plan returns without the final chunk, so the server drops the
    connection mid-body.
    """

    def __init__(
        self,
        plan: StreamPlan,
        closing: asyncio.Event,
        on_frame: Callable[[bytes], None],
        on_end: Callable[[bool], None],
    ) -> None:
        super().__init__(media_type=plan.media_type)
        self.plan = plan
        self.closing = closing
        self.on_frame = on_frame
        self.on_end = on_end

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = [
            (b"content-type", f"{self.plan.media_type}; charset=utf-8".encode()),
            (b"cache-control", b"no-cache"),
            (b"x-accel-buffering", b"no"),
        ]
        if self.plan.gzip:
            headers.append((b"content-encoding", b"gzip"))
        ended = False
        try:
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            async with anyio.create_task_group() as group:

                async def watch_disconnect() -> None:
                    while (await receive())["type"] != "http.disconnect":
                        pass
                    group.cancel_scope.cancel()

                group.start_soon(watch_disconnect)
                produced_all = await self._deliver(send)
                ended = True
                self.on_end(produced_all and not self.plan.cut)
                if not self.plan.cut:
                    await send({"type": "http.response.body", "body": b"", "more_body": False})
                group.cancel_scope.cancel()
        finally:
            if not ended:
                self.on_end(False)

    async def _pause(self, seconds: float) -> bool:
        """Wait `seconds`; False if the server started shutting down meanwhile."""
        with anyio.move_on_after(seconds):
            await self.closing.wait()
            return False
        return True

    async def _write(self, send: Send, frames: list[bytes]) -> None:
        body = b"".join(frames)
        await send(
            {
                "type": "http.response.body",
                "body": gzip.compress(body) if self.plan.gzip else body,
                "more_body": True,
            }
        )
        for item in frames:
            self.on_frame(item)

    async def _deliver(self, send: Send) -> bool:
        """Send the frames with their gaps; True if all of them were produced."""
        produced: list[bytes] = []
        for index, item in enumerate(self.plan.frames):
            if index and not await self._pause(self.plan.gap):
                break
            produced.append(item)
            if not self.plan.burst:
                await self._write(send, [item])
        if self.plan.burst and produced:
            held = self.plan.gap * (len(produced) - 1)
            if held < self.plan.burst_hold and not await self._pause(self.plan.burst_hold - held):
                return False
            await self._write(send, produced)
        if self.plan.hold and not await self._pause(self.plan.hold):
            return False
        return len(produced) == len(self.plan.frames)
