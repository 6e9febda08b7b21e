"""The AI Server of a project container, modelled on the real one, in the standard library only.

Endpoints: ``GET /health``, ``POST /run``, ``GET /tasks``, ``GET /tasks/{id}``,
``GET /tasks/{id}/stream`` and, in the v2 profile, ``POST /tasks/{id}/stop``. Tasks and
their logs live in this process's memory (``ai_agent.py``); the stream replays every log
from the start on each connection, then follows the task until it ends with one
``event: status``, with a ``: ping - <utc time>`` comment every ping interval, framed
with ``\r\n`` as sse-starlette frames it.

The same files run in the test process (:class:`AIServer`) or, mounted into a container,
as ``python3 ai_server.py --port 8000 --profile v2``; the agent reads ``ANTHROPIC_API_KEY``
and ``POSTGRES_URL`` from the environment it is given, as the real one does.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

try:
    from doctor.testbed.ai_agent import FINAL, Settings, Task, Tasks, naive_utc
except ImportError:  # run as a script in a container, beside ai_agent.py
    from ai_agent import FINAL, Settings, Task, Tasks, naive_utc  # type: ignore[no-redef]


def compact(body: Any) -> bytes:
    """JSON as FastAPI's JSONResponse renders it."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


class Killed(Exception):
    """The server was killed: the connection ends without its last chunk."""


def sse_event(message: Mapping[str, str]) -> bytes:
    """A stored log as the stream sends it: ``[name] {json}`` becomes ``event: name``."""
    text = message["message"]
    name, data = "log", json.dumps(message, ensure_ascii=False)
    if text.startswith("["):
        head, _, rest = text.partition("] ")
        try:
            parsed = json.loads(rest)
        except ValueError:
            pass
        else:
            name, data = head[1:], json.dumps(parsed, ensure_ascii=False)
    return f"event: {name}\r\ndata: {data}\r\n\r\n".encode()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the task log lines are what the server prints."""

    def _json(self, status: int, body: Any) -> None:
        data = compact(body)
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _task(self, task_id: str) -> Task | None:
        task = self.server.tasks.tasks.get(task_id)
        if task is None:
            self._json(404, {"detail": "Task not found"})
        return task

    def do_GET(self) -> None:
        parts = urlsplit(self.path).path.strip("/").split("/")
        tasks = self.server.tasks
        if parts == ["health"]:
            self._json(200, {"status": "healthy"})
        elif parts == ["tasks"]:
            with tasks.changed:
                listed = [t.public(tasks.settings.profile) for t in tasks.tasks.values()]
            self._json(200, {"total": len(listed), "tasks": listed})
        elif len(parts) == 2 and parts[0] == "tasks":
            task = self._task(parts[1])
            if task is not None:
                self._json(200, task.detail())
        elif len(parts) == 3 and parts[0] == "tasks" and parts[2] == "stream":
            task = self._task(parts[1])
            if task is not None:
                self._stream(task)
        else:
            self._json(404, {"detail": "Not Found"})

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            body = None
        parts = urlsplit(self.path).path.strip("/").split("/")
        tasks = self.server.tasks
        v1 = tasks.settings.profile == "v1"
        if parts == ["run"]:
            prompt = body.get("init_prompt" if v1 else "spec") if isinstance(body, dict) else None
            if not isinstance(prompt, str):
                self._json(422, {"detail": [{"type": "missing", "msg": "Field required"}]})
                return
            thread = None if v1 else body.get("thread_id")
            task = tasks.start(prompt, None if v1 else thread, default_thread=not v1)
            message = "Agent 任務已啟動，正在背景執行"
            self._json(200, {"task_id": task.task_id, "status": "pending", "message": message})
        elif not v1 and len(parts) == 3 and parts[0] == "tasks" and parts[2] == "stop":
            task = self._task(parts[1])
            if task is None:
                return
            if task.status not in ("pending", "running"):
                self._json(400, {"detail": f"Cannot stop task with status: {task.status}"})
                return
            with tasks.changed:
                task.stop = True
                tasks.changed.notify_all()
            message = "Stop signal sent, task will be interrupted"
            self._json(200, {"task_id": task.task_id, "status": "stopping", "message": message})
        else:
            self._json(405 if parts and parts[0] == "tasks" else 404, {"detail": "Not Found"})

    def _stream(self, task: Task) -> None:
        self.send_response(200)
        for name, value in (
            ("cache-control", "no-cache"),
            ("connection", "keep-alive"),
            ("x-accel-buffering", "no"),
            ("content-type", "text/event-stream; charset=utf-8"),
            ("transfer-encoding", "chunked"),
        ):
            self.send_header(name, value)
        self.end_headers()
        try:
            self._follow(task)
            self.wfile.write(b"0\r\n\r\n")
        except Killed:
            self.close_connection = True
        except OSError:  # the client went away
            self.close_connection = True

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _follow(self, task: Task) -> None:
        """Replay every log from the start, then follow the task until it ends.

        A ping goes out every ping interval from the start, events or not, as
        sse-starlette sends them.
        """
        tasks = self.server.tasks
        settings = tasks.settings
        sent = 0
        next_ping = time.monotonic() + settings.ping_interval
        while True:
            with tasks.changed:
                if not task.logs[sent:] and task.status not in FINAL and not tasks.killed:
                    left = next_ping - time.monotonic()
                    tasks.changed.wait(max(0.0, min(settings.poll_interval, left)))
                if tasks.killed:
                    raise Killed
                new, status = task.logs[sent:], task.status
            for message in new:
                self._chunk(sse_event(message))
                sent += 1
                if self.server.count_event():
                    raise Killed
            if status in FINAL and sent == len(task.logs):
                final = {
                    "status": status,
                    "finished_at": task.finished_at,
                    "error_message": task.error_message,
                }
                data = json.dumps(final, ensure_ascii=False)
                self._chunk(f"event: status\r\ndata: {data}\r\n\r\n".encode())
                return
            if time.monotonic() >= next_ping:
                self._chunk(f": ping - {naive_utc()}\r\n\r\n".encode())
                next_ping += settings.ping_interval


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self, address: tuple[str, int], tasks: Tasks, on_kill: Callable[[], None] | None = None
    ) -> None:
        super().__init__(address, _Handler)
        self.tasks = tasks
        self.on_kill = on_kill
        """What dying means beyond closing the sockets (in a container: exit 137)."""
        self._events = 0

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away (the doctor stops reading once it has enough) is no error."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)

    def count_event(self) -> bool:
        """Count a sent event; past ``kill_after_events`` the server dies (True)."""
        limit = self.tasks.settings.kill_after_events
        with self.tasks.changed:
            self._events += 1
            due = limit is not None and self._events >= limit and not self.tasks.killed
        if due:
            self.kill()
        return self.tasks.killed

    def kill(self) -> None:
        """Die like a SIGKILLed process: stop listening, cut every open stream."""
        with self.tasks.changed:
            self.tasks.killed = True
            self.tasks.changed.notify_all()
        if self.on_kill is not None:
            self.on_kill()
        with contextlib.suppress(OSError):
            self.socket.shutdown(socket.SHUT_RDWR)
        self.socket.close()


class AIServer:
    """The AI Server on a loopback port of this process."""

    def __init__(self, settings: Settings, host: str = "127.0.0.1", port: int = 0) -> None:
        self.tasks = Tasks(settings)
        self._server = _Server((host, port), self.tasks)
        self.port: int = self._server.server_address[1]
        self.url = f"http://{host}:{self.port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="sse-doctor-testbed-ai",
            daemon=True,
        )

    def start(self) -> AIServer:
        self._thread.start()
        return self

    def seed(self, prompt: str, thread_id: str | None = None) -> Task:
        """Start a run as ``POST /run`` would, and return its task."""
        return self.tasks.start(prompt, thread_id)

    def forget(self) -> None:
        """Lose every task, as a restarted AI Server does."""
        with self.tasks.changed:
            self.tasks.tasks.clear()

    def stop(self) -> None:
        with self.tasks.changed:
            self.tasks.killed = True
            self.tasks.changed.notify_all()
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join()
        self._server.server_close()


def _accept_tcp(where: str) -> None:
    """Take TCP connections at ``HOST:PORT`` and close them: PostgreSQL as far as a TCP
    connect can tell (the agent never speaks its protocol)."""
    host, _, port = where.rpartition(":")
    listener = socket.create_server((host, int(port)))

    def serve() -> None:
        while True:
            listener.accept()[0].close()

    threading.Thread(target=serve, name="postgres", daemon=True).start()


def main(argv: list[str] | None = None) -> None:
    """Serve until killed: ``python3 ai_server.py --port 8000 --profile v2``.

    SIGUSR1 makes the server stop listening while the process stays up.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--profile", choices=("v1", "v2"), default="v2")
    parser.add_argument("--step-gap", type=float, default=0.02)
    parser.add_argument("--ping-interval", type=float, default=15.0)
    parser.add_argument("--poll-interval", type=float, default=0.5)
    parser.add_argument("--stall", action="store_true")
    parser.add_argument("--hold", action="store_true", help="leave every task pending")
    parser.add_argument("--kill-after-events", type=int)
    parser.add_argument("--answer-dns", action="store_true", help="NXDOMAIN on 127.0.0.1:53")
    parser.add_argument("--postgres", help="HOST:PORT where a stand-in PostgreSQL takes TCP")
    args = parser.parse_args(argv)
    if args.postgres:
        _accept_tcp(args.postgres)
    if args.answer_dns:
        try:
            from doctor.testbed.nxdomain import answer_dns
        except ImportError:  # in the container, beside this file
            from nxdomain import answer_dns  # type: ignore[no-redef]
        answer_dns()
    settings = Settings(
        profile=args.profile,
        step_gap=args.step_gap,
        ping_interval=args.ping_interval,
        poll_interval=args.poll_interval,
        stall=args.stall,
        start_agents=not args.hold,
        kill_after_events=args.kill_after_events,
        env=dict(os.environ),
        console=True,
    )
    server = _Server(("0.0.0.0", args.port), Tasks(settings), on_kill=lambda: os._exit(137))
    quiet = threading.Event()
    signal.signal(signal.SIGUSR1, lambda signum, frame: quiet.set())
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    print(
        f"INFO:     Uvicorn running on http://0.0.0.0:{args.port} (Press CTRL+C to quit)",
        flush=True,
    )
    quiet.wait()  # SIGUSR1: stop listening, keep the process (and its container) alive
    server.shutdown()
    server.server_close()
    print("INFO:     stopped listening; the process stays up", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
