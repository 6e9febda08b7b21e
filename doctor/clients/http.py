"""Bounded HTTP requests: every answer read whole, but never past a size or a total deadline.

httpx's timeouts are per read, so a server that trickles a byte a second keeps a request
alive for ever, and an endless or gzip-bomb body fills memory. :func:`fetch` reads at most
``limit`` bytes of body (counted after decompression) and ends the request when ``total``
seconds have passed, whatever the server sends: a trace hook hands over the socket as
soon as it is connected, and a timer shuts it down under the blocked read.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

import httpx

MAX_BODY_BYTES = 1 << 20
"""The most of a body any answer may hold (after decompression)."""


class BodyTooLarge(httpx.DecodingError):
    """The answer's body is longer than the limit."""


@dataclass
class Answer:
    """A read answer: status, headers and a bounded body."""

    url: str
    status_code: int
    headers: httpx.Headers
    content: bytes
    elapsed_ms: int
    reason_phrase: str = ""

    @property
    def is_success(self) -> bool:
        return 200 <= self.status_code < 300

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")

    def json(self) -> Any:
        """The body as JSON; ValueError when it is not (``1e999`` and NaN are refused too)."""
        return json.loads(self.content, parse_constant=_no_constant, parse_float=_finite)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _finite(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError(f"{text} does not fit a float")
    return value


@dataclass
class SocketGrip:
    """The request's socket, taken from httpcore's trace as soon as it is connected."""

    sock: socket.socket | None = None
    fired: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def trace(self, name: str, info: Mapping[str, Any]) -> None:
        if name == "connection.connect_tcp.complete":
            stream = info.get("return_value")
            sock = stream.get_extra_info("socket") if stream is not None else None
            with self._lock:
                self.sock = sock
                if self.fired:
                    self._shut()

    def cut(self) -> None:
        """Shut the socket down under whatever read or write is blocked on it."""
        with self._lock:
            self.fired = True
            self._shut()

    def _shut(self) -> None:
        if self.sock is not None:
            with suppress(OSError):  # already closed
                socket.socket.shutdown(self.sock, socket.SHUT_RDWR)


def watch(seconds: float, grip: SocketGrip) -> threading.Timer:
    """A started timer that cuts ``grip``'s socket after ``seconds``."""
    timer = threading.Timer(seconds, grip.cut)
    timer.daemon = True
    timer.start()
    return timer


def fetch(
    client: httpx.Client,
    method: str,
    url: str,
    *,
    total: float,
    limit: int = MAX_BODY_BYTES,
    **kwargs: Any,
) -> Answer:
    """``method url`` with the whole answer read within ``total`` seconds and ``limit`` bytes.

    Raises httpx's errors; ``httpx.ReadTimeout`` when the deadline ended the request and
    :class:`BodyTooLarge` when the body is longer than ``limit``.
    """
    grip = SocketGrip()
    started = time.monotonic()
    timer = watch(total, grip)
    extensions = {"trace": grip.trace}
    try:
        with client.stream(method, url, extensions=extensions, **kwargs) as response:
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > limit:
                    raise BodyTooLarge(
                        f"the answer is longer than {limit} bytes", request=response.request
                    )
    except httpx.TransportError as exc:
        if grip.fired:
            raise httpx.ReadTimeout(
                f"no complete answer within {total:g} s", request=exc.request
            ) from None
        raise
    finally:
        timer.cancel()
    headers = httpx.Headers(
        [(k, v) for k, v in response.headers.multi_items() if k != "content-encoding"]
    )
    return Answer(
        url=url,
        status_code=response.status_code,
        headers=headers,
        content=bytes(body),
        elapsed_ms=round((time.monotonic() - started) * 1000),
        reason_phrase=response.reason_phrase,
    )
