"""Serve bytes recorded from the real stack over a loopback HTTP server, as they came."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

CAPTURES = Path(__file__).resolve().parents[1] / "captures"
V1, V2 = CAPTURES / "v1-765d572", CAPTURES / "v2-225d0d9"
SPEED = 0.1
"""Recorded gaps are replayed ten times faster."""


class Capture:
    """One recorded stream: its status, headers and body chunks with their times."""

    def __init__(self, directory: Path, name: str) -> None:
        head = directory / f"{name}.headers.json"
        if not head.exists():  # the recording kept only the body: it came with 06's head
            head = directory / "06-stream.headers.json"
        recorded = json.loads(head.read_text(encoding="utf-8"))
        self.status: int = recorded["status"]
        self.headers: list[tuple[str, str]] = [tuple(pair) for pair in recorded["headers"]]
        chunks = directory / f"{name}.chunks.jsonl"
        if chunks.exists():
            rows = [json.loads(line) for line in chunks.read_text(encoding="utf-8").splitlines()]
            self.chunks = [(row["t_ms"] / 1000, row["bytes"].encode()) for row in rows]
        else:
            self.chunks = [(0.0, (directory / f"{name}.raw").read_bytes())]

    @property
    def body(self) -> bytes:
        return b"".join(data for _, data in self.chunks)


@contextmanager
def serving(capture: Capture) -> Iterator[str]:
    """A URL whose GET answers with the capture, chunked as recorded."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            self.send_response(capture.status)
            for name, value in capture.headers:
                if name.lower() not in ("date", "server", "transfer-encoding", "content-length"):
                    self.send_header(name, value)
            self.send_header("transfer-encoding", "chunked")
            self.end_headers()
            started = time.monotonic()
            for at, data in capture.chunks:
                delay = started + at * SPEED - time.monotonic()
                if delay > 0:
                    time.sleep(delay)  # the recorded pacing, not a wait for an event
                self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/stream"
    finally:
        server.shutdown()
        server.server_close()
