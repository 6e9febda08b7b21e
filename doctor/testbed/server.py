"""Run an ASGI app with uvicorn in a background thread on a loopback port."""

from __future__ import annotations

import logging
import socket
import threading

import uvicorn
from starlette.types import ASGIApp

from doctor.testbed.net import LOOPBACK, wait_until

THREAD_PREFIX = "sse-doctor-testbed-backend"
CUT_MESSAGE = "ASGI callable returned without completing response."


class _QuietIntentionalCuts(logging.Filter):
    """Drop uvicorn's complaint about the streams the testbed cuts on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.threadName or "").startswith(THREAD_PREFIX) or record.msg != CUT_MESSAGE


_quiet_cuts = _QuietIntentionalCuts()


class BackendServer:
    """uvicorn on a pre-bound loopback socket, started and stopped from the calling thread."""

    def __init__(self, app: ASGIApp) -> None:
        # An explicit IPPROTO_TCP makes asyncio set TCP_NODELAY on accepted connections;
        # without it small writes wait for delayed ACKs (~40 ms per response).
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self._sock.bind((LOOPBACK, 0))
        self._sock.listen(128)
        self.port: int = self._sock.getsockname()[1]
        config = uvicorn.Config(
            app,
            log_config=None,
            access_log=False,
            http="h11",
            ws="none",
            lifespan="on",
            timeout_graceful_shutdown=1,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [self._sock]},
            name=f"{THREAD_PREFIX}-{self.port}",
            daemon=True,
        )

    def start(self, deadline_s: float = 5.0) -> None:
        logging.getLogger("uvicorn.error").addFilter(_quiet_cuts)
        self._thread.start()

        def started() -> bool:
            if not self._thread.is_alive():
                raise RuntimeError("testbed backend exited during startup")
            return self._server.started

        wait_until(started, "backend", deadline_s, interval=0.005)

    def stop(self) -> None:
        """Shut uvicorn down (open streams get a second to end) and join its thread."""
        if self._thread.is_alive():
            self._server.should_exit = True
            self._thread.join(timeout=5)
            if self._thread.is_alive():
                self._server.force_exit = True
                self._thread.join()
        self._sock.close()
