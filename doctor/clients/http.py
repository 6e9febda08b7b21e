"""Bounded HTTP requests: every answer read whole, but never past a size or a total deadline.

httpx's timeouts are per read, so a server that trickles a byte a second keeps a request
alive for ever, and an endless or gzip-bomb body fills memory. :func:`fetch` reads at most
``limit`` bytes of body, counted as it is decompressed (``doctor.clients.decoding``: one
bounded piece at a time, never a whole inflated chunk), and ends the request when
``total`` seconds have passed, whatever the server sends: a trace hook hands over the
socket as soon as it is connected, and a timer shuts it down under the blocked read.
"""

from __future__ import annotations

import json
import socket
import threading
import time
import zlib
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

import httpx

from doctor.clients.decoding import ACCEPTED, UnsupportedEncoding, decoded

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
        return strict_json(self.content)


def strict_json(data: str | bytes) -> Any:
    """``data`` as JSON; ValueError when it is not, or holds a number no float holds
    (``1e999``) or ``NaN``/``Infinity``, which no JSON document may carry on."""
    try:
        return json.loads(data, parse_constant=_no_constant, parse_float=_finite)
    except RecursionError:
        raise ValueError("the JSON is nested too deeply") from None


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

    Raises httpx's errors; ``httpx.ReadTimeout`` when the deadline ended the request,
    :class:`BodyTooLarge` when the decoded body is longer than ``limit``, and
    ``httpx.DecodingError`` for a body that its Content-Encoding does not describe or
    that is encoded in a way the doctor does not read.
    """
    grip = SocketGrip()
    started = time.monotonic()
    timer = watch(total, grip)
    extensions = {"trace": grip.trace}
    asked = {"Accept-Encoding": ACCEPTED, **(kwargs.pop("headers", None) or {})}
    try:
        with client.stream(method, url, extensions=extensions, headers=asked, **kwargs) as response:
            body = _read_body(response, limit)
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
        content=body,
        elapsed_ms=round((time.monotonic() - started) * 1000),
        reason_phrase=response.reason_phrase,
    )


def _read_body(response: httpx.Response, limit: int) -> bytes:
    """The response's body decoded, or BodyTooLarge as soon as it passes ``limit`` bytes."""
    encoding = response.headers.get("content-encoding", "")
    body = bytearray()
    try:
        for piece in decoded(encoding, response.iter_raw()):
            body += piece
            if len(body) > limit:
                raise BodyTooLarge(f"longer than {limit} bytes decoded", request=response.request)
    except (UnsupportedEncoding, zlib.error) as exc:
        raise httpx.DecodingError(
            f"cannot decode the body ({encoding}): {exc}", request=response.request
        ) from None
    return bytes(body)
