"""Ask the AI Server for a path: inside its container with ``docker exec``, or over HTTP.

Inside the container the request is made by whatever the image has, tried in this order:
``python3 -c`` (both real images have Python), ``curl`` (the V2 image) and busybox
``wget`` (the V1 image). Every command is an argv list (nothing goes through a shell),
bounded twice: by its own timeout inside the container and by a read deadline on the
exec's socket here, because docker-py's ``exec_run`` waits without any timeout. With
``--ai-url`` the same paths are fetched over HTTP. Bodies are cut at ``limit`` bytes
(decoded, over HTTP; of the exec's output, whatever the tool in the container does), and a
stream is read for at most the given seconds, each chunk with its arrival time.
"""

from __future__ import annotations

import math
import re
import time
import zlib
from collections.abc import Iterator
from typing import Any, NamedTuple

import docker
import httpx

from doctor.clients.decoding import ACCEPTED, Decoder, UnsupportedEncoding
from doctor.clients.http import MAX_BODY_BYTES, SocketGrip, fetch, watch
from doctor.clients.http_errors import describe_http_error
from doctor.i18n import tr
from doctor.model import Category

AI_PORT = 8000
SHOWN_BYTES = 200
EXEC_MARGIN_S = 0.5
"""How much longer this side waits than the timeout inside the container."""
NOT_FOUND_EXIT = (126, 127)
HEADER_SLACK = 64 << 10
"""Output an exec may send beyond the body's limit: the headers curl and wget write."""
PYTHON_GET = """\
import sys, time, urllib.request, urllib.error
url, seconds, limit = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
deadline = time.monotonic() + seconds
try:
    answer = urllib.request.urlopen(url, timeout=seconds)
except urllib.error.HTTPError as error:
    answer = error
except Exception as error:
    sys.stderr.write(f"error: {error}\\n")
    sys.exit(2)
sys.stderr.write(f"HTTP {answer.status}\\n")
sys.stderr.flush()
sent = 0
while sent < limit and time.monotonic() < deadline:
    chunk = answer.read1(65536)
    if not chunk:
        break
    sys.stdout.buffer.write(chunk)
    sys.stdout.buffer.flush()
    sent += len(chunk)
"""
"""The request ``python3 -c`` runs: URL, seconds and byte limit come as arguments."""
_STATUS = re.compile(rb"HTTP/?[0-9.]* (\d{3})")


class Answer(NamedTuple):
    """What came back: the body (None if none), or why not; how it was asked."""

    body: bytes | None
    reason: str | None
    status: int | None
    evidence: dict[str, Any]
    chunks: tuple[tuple[float, bytes], ...] = ()
    """The body's pieces with their arrival times (seconds since the request), for streams."""

    @property
    def timed_out(self) -> bool:
        """Nothing came back in time (as opposed to a refusal)."""
        return bool(self.evidence.get("timed_out"))


def in_container_seconds(timeout: float) -> int:
    """Whole seconds for ``timeout`` inside the container (busybox rounds fractions up)."""
    return max(1, math.ceil(timeout))


def fetch_deadline(timeout: float) -> float:
    """How long one fetch from the AI Server may take: a probe over HTTP, or a command in a
    container under ``timeout N`` (whole seconds) plus this side's margin on the exec."""
    return max(timeout * 1.5, in_container_seconds(timeout) + EXEC_MARGIN_S + 1.0)


class ExecOutcome(NamedTuple):
    exit_code: int | None
    stdout: bytes
    stderr: bytes
    timed_out: bool
    chunks: tuple[tuple[float, bytes], ...]
    cut: bool = False
    """The output passed the limit: the rest was not read."""


def exec_bounded(
    client: docker.DockerClient,
    container: str,
    argv: list[str],
    seconds: float,
    limit: int = MAX_BODY_BYTES,
) -> ExecOutcome:
    """Run ``argv`` in the container, giving up on its output after ``seconds`` or once it
    passes ``limit`` bytes (and some room for headers)."""
    api = client.api
    exec_id = api.exec_create(container, argv, stdout=True, stderr=True)["Id"]
    started = time.monotonic()
    stream = api.exec_start(exec_id, socket=True)
    sock = getattr(stream, "_sock", stream)
    frames = _Frames()
    timed_out = cut = False
    deadline = started + seconds
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                timed_out = True
                break
            sock.settimeout(remaining)
            try:
                data = sock.recv(65536)
            except TimeoutError:
                timed_out = True
                break
            if not data:
                break
            frames.feed(data, time.monotonic() - started)
            if frames.received > limit + HEADER_SLACK:
                cut = True
                break
    finally:
        stream.close()
        sock.close()
    exit_code = None if timed_out or cut else _exit_code(api, exec_id, deadline)
    out, err = bytes(frames.out[:limit]), bytes(frames.err[:HEADER_SLACK])
    return ExecOutcome(exit_code, out, err, timed_out, tuple(frames.chunks), cut)


class _Frames:
    """Docker's multiplexed exec stream (8-byte frame headers), split as it arrives."""

    def __init__(self) -> None:
        self.out = bytearray()
        self.err = bytearray()
        self._pending = bytearray()
        self.chunks: list[tuple[float, bytes]] = []
        self.received = 0

    def feed(self, data: bytes, at: float) -> None:
        self.received += len(data)
        self._pending += data
        while len(self._pending) >= 8:
            size = int.from_bytes(self._pending[4:8], "big")
            if len(self._pending) < 8 + size:
                return
            kind, payload = self._pending[0], bytes(self._pending[8 : 8 + size])
            del self._pending[: 8 + size]
            if kind == 2:
                self.err += payload
            else:
                self.out += payload
                self.chunks.append((at, payload))


def _exit_code(api: docker.APIClient, exec_id: str, deadline: float) -> int | None:
    """The exec's exit code; the engine may record it a moment after the output ends."""
    while True:
        state = api.exec_inspect(exec_id)
        if not state.get("Running") or time.monotonic() >= deadline:
            return state.get("ExitCode")
        time.sleep(0.01)


def _commands(url: str, seconds: int, limit: int) -> list[tuple[str, list[str]]]:
    """The ways to GET ``url`` inside a container, in the order they are tried."""
    wait = str(seconds)
    return [
        ("python3", ["python3", "-c", PYTHON_GET, url, wait, str(limit)]),
        ("curl", ["curl", "-sS", "-N", "-m", wait, "-D", "/dev/stderr", url]),
        ("wget", ["timeout", wait, "wget", "-S", "-q", "-O-", url]),
    ]


def get_in_container(
    client: docker.DockerClient,
    container: str,
    path: str,
    timeout: float,
    *,
    seconds: float | None = None,
    limit: int = MAX_BODY_BYTES,
) -> Answer:
    """GET ``http://localhost:8000<path>`` inside the container with its own tools.

    ``seconds`` (default: the probe timeout) bounds a stream's read.
    """
    url = f"http://localhost:{AI_PORT}{path}"
    wait = in_container_seconds(seconds if seconds is not None else timeout)
    started = time.monotonic()
    tried = []
    for tool, argv in _commands(url, wait, limit):
        outcome = exec_bounded(client, container, argv, wait + EXEC_MARGIN_S, limit)
        if argv[0] == "timeout" and _missing(outcome, "timeout"):  # no timeout program
            outcome = exec_bounded(client, container, argv[2:], wait + EXEC_MARGIN_S, limit)
        if _missing(outcome, tool):
            tried.append(tool)
            continue
        return _answer(tool, url, outcome, started, wait)
    evidence = {"via": "docker exec", "url": url, "tried": tried}
    reason = tr("the container has none of python3, curl and wget to ask it with")
    return Answer(None, reason, None, evidence)


def _answer(tool: str, url: str, outcome: ExecOutcome, started: float, wait: int) -> Answer:
    status_match = _STATUS.search(outcome.stderr)
    status = int(status_match.group(1)) if status_match else None
    evidence: dict[str, Any] = {
        "via": f"docker exec {tool}",
        "url": url,
        "exit_code": outcome.exit_code,
        "elapsed_ms": round((time.monotonic() - started) * 1000),
    }
    if status is not None:
        evidence["status"] = status
    if outcome.cut:
        evidence["cut_at_bytes"] = len(outcome.stdout)
    error = _error_line(outcome.stderr)
    if error:
        evidence["error"] = error[:SHOWN_BYTES]
    if status is not None and 200 <= status < 300:
        return Answer(outcome.stdout, None, status, evidence, outcome.chunks)
    if status is not None:
        reason = tr("it answered HTTP {status}", status=status)
        return Answer(outcome.stdout or None, reason, status, evidence, outcome.chunks)
    if outcome.timed_out or outcome.exit_code in (124, 143) or "timed out" in error.lower():
        evidence["timed_out"] = True
        return Answer(None, tr("no answer within {seconds:g} s", seconds=wait), None, evidence)
    reason = error or tr("{tool} exited with code {code}", tool=tool, code=outcome.exit_code)
    return Answer(None, reason, None, evidence)


def _missing(outcome: ExecOutcome, program: str) -> bool:
    output = outcome.stdout + outcome.stderr
    return outcome.exit_code in NOT_FOUND_EXIT and program.encode() in output


def _error_line(stderr: bytes) -> str:
    """The line of stderr that says what went wrong, as python3, curl or wget wrote it."""
    for line in stderr.decode("utf-8", "replace").splitlines():
        if line.startswith(("error:", "wget:", "curl:")):
            return line.strip()
    return ""


def http_get(
    client: httpx.Client, base_url: str, path: str, timeout: float, limit: int = MAX_BODY_BYTES
) -> Answer:
    """GET ``<base_url><path>`` over HTTP (``--ai-url``)."""
    url = f"{base_url}{path}"
    try:
        answer = fetch(client, "GET", url, total=timeout * 2, limit=limit)
    except httpx.HTTPError as exc:
        problem = describe_http_error(exc, url, timeout)
        evidence = {"via": "http", **problem.evidence}
        evidence["timed_out"] = problem.category is Category.TIMEOUT
        return Answer(None, problem.message, None, evidence)
    evidence = {"via": "http", "url": url, "status": answer.status_code}
    evidence["elapsed_ms"] = answer.elapsed_ms
    if answer.is_success:
        return Answer(answer.content, None, answer.status_code, evidence)
    reason = tr("it answered HTTP {status}", status=answer.status_code)
    return Answer(answer.content, reason, answer.status_code, evidence)


def http_stream(
    client: httpx.Client, url: str, seconds: float, limit: int = MAX_BODY_BYTES
) -> Answer:
    """Read a stream over HTTP for at most ``seconds``, each chunk with its arrival time."""
    grip = SocketGrip()
    timer = watch(seconds, grip)
    started = time.monotonic()
    chunks: list[tuple[float, bytes]] = []
    size = 0
    evidence: dict[str, Any] = {"via": "http", "url": url}
    status = None
    try:
        with client.stream(
            "GET", url, headers={"Accept-Encoding": ACCEPTED}, extensions={"trace": grip.trace}
        ) as response:
            status = evidence["status"] = response.status_code
            for at, piece in _decoded(response, started):
                chunks.append((at, piece))
                size += len(piece)
                if size > limit:
                    evidence["cut_at_bytes"] = limit
                    break
    except httpx.HTTPError as exc:
        if not grip.fired and status is None:
            problem = describe_http_error(exc, url, seconds)
            return Answer(None, problem.message, None, {**evidence, **problem.evidence})
    except (UnsupportedEncoding, zlib.error) as exc:
        return Answer(None, tr("its body cannot be decoded: {error}", error=exc), status, evidence)
    finally:
        timer.cancel()
    body = b"".join(chunk for _, chunk in chunks)[:limit]
    evidence["elapsed_ms"] = round((time.monotonic() - started) * 1000)
    reason = (
        None if status and 200 <= status < 300 else tr("it answered HTTP {status}", status=status)
    )
    return Answer(body, reason, status, evidence, tuple(chunks))


def _decoded(response: httpx.Response, started: float) -> Iterator[tuple[float, bytes]]:
    """The body's decoded pieces, each with its chunk's arrival (seconds since ``started``)."""
    decoder = Decoder(response.headers.get("content-encoding", ""))
    for raw in response.iter_raw():
        at = time.monotonic() - started
        for piece in decoder.feed(raw):
            yield at, piece
