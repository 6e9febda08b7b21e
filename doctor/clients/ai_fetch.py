"""Ask the AI Server for ``/health`` or ``/tasks``: inside its container, or over HTTP.

Inside the container the request is ``docker exec <container> wget -q -O- <url>`` (an argv
list; nothing is passed through a shell), bounded twice: inside the container by
``timeout N`` (so a hung wget does not linger; plain wget when the image has no ``timeout``)
and on this side by a read deadline on the exec's socket, because docker-py's ``exec_run``
waits without any timeout. With ``--ai-url`` the same endpoints are fetched over HTTP.
"""

from __future__ import annotations

import math
import time
from typing import Any, NamedTuple

import docker
import httpx

from doctor.clients.http_errors import describe_http_error
from doctor.context import Context
from doctor.i18n import tr
from doctor.model import Category

AI_PORT = 8000
SHOWN_BYTES = 200
EXEC_MARGIN_S = 0.5
"""How much longer this side waits than ``timeout`` inside the container."""
NOT_FOUND_EXIT = (126, 127)


class Answer(NamedTuple):
    """The body of a GET, or why there is none (a reason, a category and evidence)."""

    body: bytes | None
    reason: str | None
    category: Category | None
    evidence: dict[str, Any]


def in_container_seconds(timeout: float) -> int:
    """Whole seconds for ``timeout`` inside the container (busybox rounds fractions up)."""
    return max(1, math.ceil(timeout))


def fetch_deadline(timeout: float) -> float:
    """How long fetching from the AI Server may take: a probe, or ``wget`` in a container
    under ``timeout N`` (whole seconds) plus this side's margin on the exec."""
    return max(timeout * 1.5, in_container_seconds(timeout) + EXEC_MARGIN_S + 1.0)


class ExecOutcome(NamedTuple):
    exit_code: int | None
    stdout: bytes
    stderr: bytes
    timed_out: bool


def exec_bounded(
    client: docker.DockerClient, container: str, argv: list[str], seconds: float
) -> ExecOutcome:
    """Run ``argv`` in the container, giving up on its output after ``seconds``."""
    api = client.api
    exec_id = api.exec_create(container, argv, stdout=True, stderr=True)["Id"]
    stream = api.exec_start(exec_id, socket=True)
    sock = getattr(stream, "_sock", stream)
    received = bytearray()
    timed_out = False
    deadline = time.monotonic() + seconds
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                timed_out = True
                break
            sock.settimeout(remaining)
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                timed_out = True
                break
            if not chunk:
                break
            received += chunk
    finally:
        stream.close()
        sock.close()
    exit_code = None if timed_out else _exit_code(api, exec_id, deadline)
    stdout, stderr = demultiplex(bytes(received))
    return ExecOutcome(exit_code, stdout, stderr, timed_out)


def _exit_code(api: docker.APIClient, exec_id: str, deadline: float) -> int | None:
    """The exec's exit code; the engine may record it a moment after the output ends."""
    while True:
        state = api.exec_inspect(exec_id)
        if not state.get("Running") or time.monotonic() >= deadline:
            return state.get("ExitCode")
        time.sleep(0.01)


def demultiplex(data: bytes) -> tuple[bytes, bytes]:
    """Split Docker's multiplexed stream (8-byte frame headers) into stdout and stderr."""
    out, err = bytearray(), bytearray()
    position = 0
    while position + 8 <= len(data):
        stream, size = data[position], int.from_bytes(data[position + 4 : position + 8], "big")
        payload = data[position + 8 : position + 8 + size]
        (err if stream == 2 else out).extend(payload)
        position += 8 + size
    return bytes(out), bytes(err)


def wget_in_container(
    client: docker.DockerClient, container: str, path: str, timeout: float
) -> Answer:
    """GET ``http://localhost:8000<path>`` inside the container with its own wget."""
    url = f"http://localhost:{AI_PORT}{path}"
    seconds = in_container_seconds(timeout)
    wget = ["wget", "-q", "-O-", url]
    started = time.monotonic()
    outcome = exec_bounded(
        client, container, ["timeout", str(seconds), *wget], seconds + EXEC_MARGIN_S
    )
    if _missing(outcome, "timeout"):
        outcome = exec_bounded(client, container, wget, seconds + EXEC_MARGIN_S)
    evidence: dict[str, Any] = {
        "via": "docker exec",
        "url": url,
        "exit_code": outcome.exit_code,
        "elapsed_ms": round((time.monotonic() - started) * 1000),
    }
    if outcome.exit_code == 0:
        return Answer(outcome.stdout, None, None, evidence)
    error = _first_line(outcome.stderr or outcome.stdout)
    if error:
        evidence["error"] = error[:SHOWN_BYTES]
    if outcome.timed_out or outcome.exit_code in (124, 143):
        reason = tr("no answer within {seconds:g} s", seconds=seconds)
        return Answer(None, reason, Category.TIMEOUT, evidence)
    if _missing(outcome, "wget"):
        reason = tr("the container has no wget to ask it with")
        return Answer(None, reason, None, evidence)
    reason = error or tr("wget exited with code {code}", code=outcome.exit_code)
    return Answer(None, reason, Category.HTTP_503, evidence)


def _missing(outcome: ExecOutcome, program: str) -> bool:
    output = outcome.stdout + outcome.stderr
    return outcome.exit_code in NOT_FOUND_EXIT and program.encode() in output


def _first_line(data: bytes) -> str:
    lines = data.decode("utf-8", errors="replace").strip().splitlines()
    return lines[0].strip() if lines else ""


def http_get(ctx: Context, base_url: str, path: str) -> Answer:
    """GET ``<base_url><path>`` over HTTP (``--ai-url``)."""
    url = f"{base_url}{path}"
    try:
        response = ctx.http.get(url)
    except httpx.HTTPError as exc:
        problem = describe_http_error(exc, url, ctx.config.timeout)
        category = problem.category
        if category == Category.PREREQUISITE:  # nothing serves there: the AI Server is down
            category = Category.HTTP_503
        return Answer(None, problem.message, category, {"via": "http", **problem.evidence})
    evidence = {
        "via": "http",
        "url": url,
        "status": response.status_code,
        "elapsed_ms": round(response.elapsed.total_seconds() * 1000),
    }
    if response.is_success:
        return Answer(response.content, None, None, evidence)
    reason = f"HTTP {response.status_code}"
    evidence["body"] = response.content[:SHOWN_BYTES].decode("utf-8", errors="replace")
    return Answer(None, reason, Category.HTTP_503, evidence)
