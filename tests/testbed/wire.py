"""Plain-wire helpers for the testbed's tests: paths, timed stream reads, raw sockets, SSE lines.

Nothing here calls sse-doctor: streams are read with httpx or a bare socket, and parsed
with a few lines of code that follow the SSE framing the captures show.
"""

from __future__ import annotations

import json
import re
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import urlsplit

import httpx

from doctor.testbed import Stack

UUID4 = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
NAIVE_ISO = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?"
PING = re.compile(r": ping - (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{6})?)")
UNKNOWN_RUN = "00000000-0000-0000-0000-000000000000"
MISSING_PROJECT = "0123456789abcdef01234567"
"""The ids the captures used for a run and a project that do not exist."""


def naive_utc() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def project_path(stack: Stack, project_id: str | None = None) -> str:
    return f"{stack.api_prefix}/projects/{project_id or stack.project_id}"


def run_path(stack: Stack, run_id: str | None = None, project_id: str | None = None) -> str:
    return f"{project_path(stack, project_id)}/agent/runs/{run_id or stack.run_id}"


def stream_path(stack: Stack, run_id: str | None = None, project_id: str | None = None) -> str:
    return run_path(stack, run_id, project_id) + "/stream"


def wait_for(condition: Callable[[], bool], seconds: float, what: str) -> None:
    """Poll ``condition`` until it holds; fail the test after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"{what} did not happen within {seconds} s"
        time.sleep(0.02)


@dataclass
class Timed:
    """A stream read with httpx: status, headers and the raw chunks with their arrival."""

    status: int
    headers: list[tuple[str, str]]
    chunks: list[tuple[float, bytes]] = field(default_factory=list)
    """(seconds since the request was sent, bytes as they came off the wire)"""
    sent_at: datetime = field(default_factory=naive_utc)
    """The naive UTC wall clock when the request was sent."""

    @property
    def body(self) -> bytes:
        return b"".join(data for _, data in self.chunks)

    def arrival_of(self, needle: bytes) -> float:
        """When the chunk that completed ``needle`` arrived."""
        end = self.body.index(needle) + len(needle)
        seen = 0
        for at, data in self.chunks:
            seen += len(data)
            if seen >= end:
                return at
        raise AssertionError("unreachable")


def read_stream(
    client: httpx.Client, path: str, seconds: float, until: bytes | None = None
) -> Timed:
    """GET ``path`` and collect its raw bytes until EOF, ``until`` shows up, or ``seconds``."""
    started, sent_at = time.monotonic(), naive_utc()
    with client.stream("GET", path) as response:
        headers = [(k.decode(), v.decode()) for k, v in response.headers.raw]
        timed = Timed(response.status_code, headers, sent_at=sent_at)
        for chunk in response.iter_raw():
            timed.chunks.append((time.monotonic() - started, chunk))
            if until is not None and until in timed.body:
                break
            if time.monotonic() - started > seconds:
                break
    return timed


@dataclass
class RawAnswer:
    """An HTTP/1.1 answer read off a bare socket, with the UTC time each recv() returned."""

    raw: bytes
    arrivals: list[tuple[datetime, int]]
    """(naive UTC wall clock, offset in ``raw`` where that recv's bytes end)"""

    @property
    def header_end(self) -> int:
        return self.raw.index(b"\r\n\r\n") + 4

    @property
    def status(self) -> int:
        return int(self.raw.split(b" ", 2)[1])

    @property
    def headers(self) -> list[tuple[str, str]]:
        lines = self.raw[: self.header_end].decode("latin-1").split("\r\n")[1:]
        return [tuple(part.strip() for part in line.split(":", 1)) for line in lines if line]

    @property
    def body(self) -> bytes:
        """The body, de-chunked."""
        data, body = self.raw[self.header_end :], b""
        while data:
            size_line, _, data = data.partition(b"\r\n")
            size = int(size_line.split(b";")[0], 16)
            if size == 0:
                break
            body, data = body + data[:size], data[size + 2 :]
        return body

    def received_at(self, offset: int) -> datetime:
        """When the byte at ``offset`` of the raw answer arrived."""
        return next(at for at, end in self.arrivals if end > offset)

    def arrival_of(self, needle: bytes) -> datetime:
        """When the last byte of ``needle`` arrived (it sits inside one chunk)."""
        return self.received_at(self.raw.index(needle) + len(needle) - 1)


def raw_get(url: str, path: str, token: str | None, seconds: float = 3.0) -> RawAnswer:
    """GET over a bare socket with ``Connection: close``; read until EOF or ``seconds``."""
    address = urlsplit(url)
    assert address.hostname == "127.0.0.1", "the tests only talk to loopback"
    request = f"GET {path} HTTP/1.1\r\nHost: {address.netloc}\r\nConnection: close\r\n"
    if token:
        request += f"Authorization: Bearer {token}\r\n"
    deadline = time.monotonic() + seconds
    raw, arrivals = b"", []
    with socket.create_connection((address.hostname, address.port), timeout=seconds) as sock:
        sock.sendall((request + "\r\n").encode())
        while time.monotonic() < deadline:
            sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                data = sock.recv(65536)
            except TimeoutError:
                break
            if not data:
                break
            raw += data
            arrivals.append((naive_utc(), len(raw)))
    return RawAnswer(raw, arrivals)


def lines_of(body: bytes, end: str) -> list[str]:
    """The body's lines, split at ``end`` (``\\n`` or ``\\r\\n``), without the last empty one."""
    text = body.decode()
    assert text.endswith(end), f"the body does not end with {end!r}"
    return text[: -len(end)].split(end)


def events_of(lines: list[str]) -> list[tuple[str, str]]:
    """``(event name, data)`` pairs from SSE lines whose data is one line each."""
    events, name = [], "message"
    for line in lines:
        if line.startswith("event: "):
            name = line[len("event: ") :]
        elif line.startswith("data: "):
            events.append((name, line[len("data: ") :]))
            name = "message"
    return events


def unwrap_v1(body: bytes) -> tuple[list[str], list[str]]:
    """V1's double framing undone: the data of each event, and the comments (pings).

    Each event is ``data: <piece>`` lines and a blank line, all ended with ``\\r\\n``; its
    data is the pieces joined with ``\\n``, i.e. the string the backend yielded.
    """
    datas, comments = [], []
    for frame in lines_of(body, "\r\n\r\n") if body else []:
        lines = frame.split("\r\n")
        if all(line.startswith(":") for line in lines):
            comments.extend(lines)
            continue
        assert all(line.startswith("data: ") for line in lines), frame
        datas.append("\n".join(line[len("data: ") :] for line in lines))
    return datas, comments


def inner_lines(datas: list[str]) -> list[str]:
    """The upstream lines the V1 backend forwarded (each yielded as ``line + "\\n"``)."""
    assert all(data.endswith("\n") for data in datas)
    return [data[:-1] for data in datas]


def backend_events(profile: str, body: bytes) -> list[tuple[str, str]]:
    """The events a stream through the backend carries, its framing undone."""
    if profile == "v1":
        return events_of(inner_lines(unwrap_v1(body)[0]))
    return events_of(lines_of(body, "\n"))


def ai_stream(stack: Stack, run_id: str | None = None) -> httpx.Response:
    url = f"{stack.ai_url}/tasks/{run_id or stack.run_id}/stream"
    return httpx.get(url, timeout=2, trust_env=False)


def names(events: list[tuple[str, str]]) -> list[str]:
    return [name for name, _ in events]


def log_messages(events: list[tuple[str, str]]) -> list[str]:
    messages = [json.loads(data)["message"] for name, data in events if name == "log"]
    thread = re.compile(f"refactor-[0-9a-f]{{24}}-{UUID4}")
    prompt = re.compile(r"(init_prompt|spec): .*\.\.\.$")
    return [prompt.sub(r"\1: <prompt>...", thread.sub("<thread>", m)) for m in messages]
