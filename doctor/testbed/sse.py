"""V1's stream response: an EventSourceResponse around strings, as sse-starlette 1.8.2 sends it.

Every string the generator yields becomes the ``data`` of an event of its own: it is split
at line ends and each piece is written as ``data: <piece>``, then a blank line, all with
``\\r\\n``. So a forwarded ``event: log\\n`` arrives as ``data: event: log`` and ``data: ``,
the double framing the V1 backend is known for. A ``: ping - <utc time>`` comment goes
out every ping interval, and the response ends when the client disconnects.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncGenerator
from datetime import datetime, timezone

import anyio
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

LINE_SEP = re.compile(r"\r\n|\r|\n")
HEADERS = [
    (b"cache-control", b"no-cache"),
    (b"connection", b"keep-alive"),
    (b"x-accel-buffering", b"no"),
    (b"content-type", b"text/event-stream; charset=utf-8"),
]


def encode_data(text: str) -> bytes:
    """``text`` as the data of one event."""
    lines = "".join(f"data: {piece}\r\n" for piece in LINE_SEP.split(text))
    return f"{lines}\r\n".encode()


def ping() -> bytes:
    naive = datetime.now(timezone.utc).replace(tzinfo=None)
    return f": ping - {naive}\r\n\r\n".encode()


class EventSourceResponse(Response):
    """Streams strings from ``items`` as events, with pings every ``ping_interval`` s."""

    def __init__(self, items: AsyncGenerator[str, None], ping_interval: float) -> None:
        super().__init__()
        self.items = items
        self.ping_interval = ping_interval

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
        lock = anyio.Lock()

        async def body(data: bytes) -> None:
            async with lock:
                await send({"type": "http.response.body", "body": data, "more_body": True})

        async with anyio.create_task_group() as group:

            async def pings() -> None:
                while True:
                    await anyio.sleep(self.ping_interval)
                    await body(ping())

            async def disconnect() -> None:
                while (await receive())["type"] != "http.disconnect":
                    pass
                group.cancel_scope.cancel()

            async def events() -> None:
                async for item in self.items:
                    await body(encode_data(item))
                group.cancel_scope.cancel()

            group.start_soon(pings)
            group.start_soon(disconnect)
            group.start_soon(events)
        await self.items.aclose()  # closes the upstream request
        with contextlib.suppress(OSError):  # the client may be gone
            await send({"type": "http.response.body", "body": b"", "more_body": False})
