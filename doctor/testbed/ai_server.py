"""The AI Server as a local HTTP server: /health and /tasks on a loopback port."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from doctor.testbed.model import State
from doctor.testbed.net import LOOPBACK, HealthProbe, closed_port


class _Handler(BaseHTTPRequestHandler):
    server: _AIHTTPServer

    def do_GET(self) -> None:
        if self.path == "/health":
            self._json(200, {"status": "healthy"})
        elif self.path == "/tasks":
            self._json(200, self.server.state.tasks())
        else:
            self._json(404, {"detail": "Not Found"})

    def _json(self, status: int, body: object) -> None:
        data = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        """Stay quiet: the testbed must not write to the console."""


class _AIHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, state: State) -> None:
        super().__init__((LOOPBACK, 0), _Handler)
        self.state = state


class LocalAIServer:
    """Serves the AI Server API from the shared state; with `running=False`, a closed port."""

    def __init__(self, state: State, *, running: bool = True) -> None:
        self._server = _AIHTTPServer(state) if running else None
        port = self._server.server_address[1] if self._server else closed_port()
        self.url = f"http://{LOOPBACK}:{port}"
        self._thread: threading.Thread | None = None
        self._probe = HealthProbe()

    def start(self) -> None:
        if self._server is not None:
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name="sse-doctor-testbed-ai",
                daemon=True,
            )
            self._thread.start()

    def stop(self) -> None:
        self._probe.close()
        if self._server is not None:
            if self._thread is not None:
                self._server.shutdown()
                self._thread.join()
            self._server.server_close()

    def healthy(self) -> bool:
        return self._probe(f"{self.url}/health")

    def publish(self, tasks: list[dict]) -> None:
        """Nothing to do: /tasks reads the shared state on every request."""
