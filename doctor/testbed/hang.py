"""A TCP listener that accepts connections and never answers them."""

from __future__ import annotations

import contextlib
import selectors
import socket
import threading
from collections.abc import Iterator

from doctor.testbed.net import LOOPBACK


class HangingListener:
    """Accepts on a loopback port and holds every connection silently until stopped."""

    def __init__(self) -> None:
        self._sock = socket.create_server((LOOPBACK, 0))
        self.port: int = self._sock.getsockname()[1]
        self._wake_r, self._wake_w = socket.socketpair()
        self._held: list[socket.socket] = []
        self._thread = threading.Thread(
            target=self._serve, name="sse-doctor-testbed-hang", daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def _serve(self) -> None:
        with selectors.DefaultSelector() as selector:
            selector.register(self._sock, selectors.EVENT_READ)
            selector.register(self._wake_r, selectors.EVENT_READ)
            while True:
                ready = {key.fileobj for key, _ in selector.select()}
                if self._wake_r in ready:
                    return
                connection, _ = self._sock.accept()
                self._held.append(connection)

    def stop(self) -> None:
        if self._thread.is_alive():
            self._wake_w.send(b"x")
            self._thread.join()
        for sock in (*self._held, self._sock, self._wake_r, self._wake_w):
            sock.close()


@contextlib.contextmanager
def hanging_port() -> Iterator[int]:
    """The loopback port of a started HangingListener, stopped on exit."""
    listener = HangingListener()
    listener.start()
    try:
        yield listener.port
    finally:
        listener.stop()


@contextlib.contextmanager
def silent_url() -> Iterator[str]:
    """The URL of a HangingListener, stopped on exit: an HTTP server that never answers."""
    with hanging_port() as port:
        yield f"http://{LOOPBACK}:{port}"
