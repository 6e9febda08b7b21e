"""A misconfigured proxy in front of the backend, for the faults real deployments add.

``gzip`` compresses the stream and, like a compressing proxy, sends it only when it has
it all; ``buffered`` holds the whole stream back and releases it at the end;
``wrong-content-type`` serves it as ``text/plain``; ``flood`` drops the stream's body and,
once the backend is done with it, sends ``event: log`` events as fast as the client takes
them, until it goes away. Only ``text/event-stream`` answers are touched.
"""

from __future__ import annotations

import asyncio
import gzip
from datetime import datetime, timezone

from starlette.types import ASGIApp, Message, Receive, Scope, Send

PROXY_FAULTS = frozenset({"gzip", "buffered", "wrong-content-type", "flood"})
FLOOD_EVENTS_PER_WRITE = 500


class Proxy:
    """ASGI middleware applying ``faults`` (a subset of PROXY_FAULTS) to SSE answers."""

    def __init__(self, app: ASGIApp, faults: frozenset[str]) -> None:
        self.app = app
        self.faults = faults & PROXY_FAULTS

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.faults:
            await self.app(scope, receive, send)
            return
        held: list[bytes] = []
        is_stream = False

        async def proxied(message: Message) -> None:
            nonlocal is_stream
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                is_stream = any(
                    name == b"content-type" and value.startswith(b"text/event-stream")
                    for name, value in headers
                )
                if is_stream:
                    message = {**message, "headers": self._headers(headers)}
                await send(message)
                return
            if not is_stream or message["type"] != "http.response.body":
                await send(message)
                return
            if "flood" in self.faults:  # the backend's own body is not forwarded
                return
            if not self.faults & {"gzip", "buffered"}:
                await send(message)
                return
            held.append(message.get("body", b""))
            if not message.get("more_body", False):
                body = b"".join(held)
                if "gzip" in self.faults:
                    body = gzip.compress(body)
                await send({"type": "http.response.body", "body": body, "more_body": False})

        await self.app(scope, receive, proxied)
        if is_stream and "flood" in self.faults:
            await _flood(send, receive)

    def _headers(self, headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
        if "wrong-content-type" in self.faults:
            headers = [
                (name, b"text/plain; charset=utf-8" if name == b"content-type" else value)
                for name, value in headers
            ]
        if "gzip" in self.faults:
            headers = [(n, v) for n, v in headers if n != b"content-length"]
            headers.append((b"content-encoding", b"gzip"))
        return headers


async def _flood(send: Send, receive: Receive) -> None:
    """Send log events as fast as the connection takes them, until the client disconnects."""
    gone = asyncio.Event()

    async def watch() -> None:
        while (await receive())["type"] != "http.disconnect":
            pass
        gone.set()

    watcher = asyncio.ensure_future(watch())
    try:
        number = 0
        while not gone.is_set():
            stamp = datetime.now(timezone.utc).replace(tzinfo=None).isoformat()
            body = "".join(
                f'event: log\ndata: {{"timestamp": "{stamp}", "message": "flood {n}"}}\n\n'
                for n in range(number, number + FLOOD_EVENTS_PER_WRITE)
            )
            number += FLOOD_EVENTS_PER_WRITE
            await send({"type": "http.response.body", "body": body.encode(), "more_body": True})
            await asyncio.sleep(0)  # a send to a closed connection returns at once: let watch run
    finally:
        watcher.cancel()
