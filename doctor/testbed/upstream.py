"""How the backend reaches an AI Server, and the log lines it writes about it.

The real backend calls ``http://refactor-project-<id>:8000`` by container name, which only
Docker's DNS on ``refactor-network`` resolves. :class:`ContainerNames` is that resolver for
a backend on this host: a name it knows goes to the AI Server's loopback address (the
request keeps its URL and Host header), any other name fails as the host's resolver does
(``[Errno -2] Name or service not known``). Everything after the name lookup is httpx's
own: refused connections, cut bodies and timeouts raise its real errors.
"""

from __future__ import annotations

import functools
import ssl
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import httpx

UNRESOLVABLE = "[Errno -2] Name or service not known"


class ContainerNames(httpx.AsyncBaseTransport):
    """Resolve container names from a table; unknown names fail like getaddrinfo."""

    def __init__(self, lookup: Callable[[str], tuple[str, int] | None]) -> None:
        self._lookup = lookup
        self._inner = httpx.AsyncHTTPTransport(verify=_tls())

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        address = self._lookup(request.url.host)
        if address is None:
            raise httpx.ConnectError(UNRESOLVABLE, request=request)
        host, port = address
        routed = httpx.Request(
            request.method,
            request.url.copy_with(host=host, port=port),
            headers=request.headers,
            stream=request.stream,
            extensions=request.extensions,
        )
        return await self._inner.handle_async_request(routed)

    async def aclose(self) -> None:
        await self._inner.aclose()


@functools.lru_cache(maxsize=1)
def _tls() -> ssl.SSLContext:
    """One TLS context for every request: loading the CA certificates costs 30 ms of the
    event loop each time, which a team of projects asking at once would queue behind."""
    return httpx.create_ssl_context()


class BackendLog:
    """The backend's console output, as its log file shows it.

    ``info``/``error`` are ``logging`` lines (``%(asctime)s - %(name)s - %(levelname)s -
    %(message)s``), ``print`` a bare line (V1's debug prints), ``access`` uvicorn's
    access line.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._file = path.open("a", encoding="utf-8")

    def _write(self, line: str) -> None:
        with self._lock:
            if not self._file.closed:
                self._file.write(line + "\n")
                self._file.flush()

    def _record(self, name: str, level: str, message: str) -> None:
        stamp = datetime.now().strftime("%Y-%m-%d %H:%M:%S,%f")[:-3]
        self._write(f"{stamp} - {name} - {level} - {message}")

    def info(self, message: str, name: str = "app.routers.agent") -> None:
        self._record(name, "INFO", message)

    def error(self, message: str, name: str = "app.routers.agent") -> None:
        self._record(name, "ERROR", message)

    def print(self, line: str) -> None:
        self._write(line)

    def access(self, client: str, method: str, path: str, status: int, phrase: str) -> None:
        self._write(f'INFO:     {client} - "{method} {path} HTTP/1.1" {status} {phrase}')

    async def httpx_response(self, response: httpx.Response) -> None:
        """An httpx event hook: the line httpx's own INFO logging writes."""
        request = response.request
        status = f"{response.http_version} {response.status_code} {response.reason_phrase}"
        self.info(f'HTTP Request: {request.method} {request.url} "{status}"', name="httpx")

    def close(self) -> None:
        with self._lock:
            self._file.close()
