"""Loopback helpers: closed ports, HTTP health probes and readiness polling."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable

import httpx

LOOPBACK = "127.0.0.1"


def closed_port() -> int:
    """A loopback port that was free a moment ago and on which nothing listens."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


class HealthProbe:
    """GETs health URLs with one reused client (no proxies from the environment)."""

    def __init__(self, timeout: float = 1.0) -> None:
        no_reuse = httpx.Limits(max_keepalive_connections=0)  # each probe a new connection
        self._client = httpx.Client(timeout=timeout, trust_env=False, limits=no_reuse)

    def __call__(self, url: str) -> bool:
        """True if GET `url` answers 2xx in time."""
        try:
            return self._client.get(url).is_success
        except httpx.HTTPError:
            return False

    def close(self) -> None:
        self._client.close()


def wait_until(
    ready: Callable[[], bool], what: str, deadline_s: float, interval: float = 0.01
) -> None:
    """Poll `ready` until it is true; raise TimeoutError naming `what` after `deadline_s`."""
    deadline = time.monotonic() + deadline_s
    while not ready():
        if time.monotonic() > deadline:
            raise TimeoutError(f"testbed: {what} not ready within {deadline_s:g} s")
        time.sleep(interval)
