"""A loopback HTTP server that sends what a hostile or broken peer sends: endless bodies,
gzip bombs, encodings the doctor does not read."""

from __future__ import annotations

import contextlib
import threading
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from doctor.testbed.net import LOOPBACK

BOMB_MIB = 256


def gzip_bomb(mib: int = BOMB_MIB) -> bytes:
    """``mib`` MiB of zeros, gzip-compressed (about 1 KiB per MiB), made without holding them."""
    z = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(1 << 20)
    return b"".join(z.compress(zeros) for _ in range(mib)) + z.flush()


class HostileHandler(BaseHTTPRequestHandler):
    """By the path's first segment, whatever follows it: ``/endless``, a body without end;
    ``/bomb``, a gzip bomb as JSON; ``/sse-bomb``, a gzip bomb as text/event-stream; ``/br``,
    a body in an encoding the doctor does not read. Every other path answers FastAPI's 404."""

    bomb = b""

    def do_GET(self) -> None:
        kind = self.path.split("/")[1]
        if kind == "endless":
            self._head("application/json")
            with contextlib.suppress(OSError):
                while True:
                    self.wfile.write(b"[" * 65536)
        elif kind in ("bomb", "sse-bomb"):
            shown = "text/event-stream" if kind == "sse-bomb" else "application/json"
            self._head(shown, ("Content-Encoding", "gzip"), ("Content-Length", len(self.bomb)))
            with contextlib.suppress(OSError):
                self.wfile.write(self.bomb)
        elif kind == "br":
            self._head("application/json", ("Content-Encoding", "br"), ("Content-Length", 4))
            self.wfile.write(b"\x8b\x00\x80\x00")
        else:
            body = b'{"detail":"Not Found"}'
            self.send_response(404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    do_POST = do_GET

    def _head(self, content_type: str, *headers: tuple[str, object]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        for name, value in headers:
            self.send_header(name, str(value))
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@contextlib.contextmanager
def hostile_server() -> Iterator[str]:
    """The server's base URL, for as long as the context lasts."""
    HostileHandler.bomb = HostileHandler.bomb or gzip_bomb()
    server = ThreadingHTTPServer((LOOPBACK, 0), HostileHandler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        yield f"http://{LOOPBACK}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
