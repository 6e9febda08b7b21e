"""From inside a container: does a name resolve, and does its port (or ``/health``) answer?

This is the hop the guide's 連線超時 means: the backend calling
``http://refactor-project-<id>:8000`` by name. Asked with ``docker exec <container>`` in
the container's own network namespace, so its ``/etc/hosts`` and Docker's DNS answer as
they answer the process there. ``python3 -c`` is tried first (the real backend image has
it), then busybox: ``wget`` (HTTP) or ``nc`` (TCP) with the name, and ``nslookup`` for the
address. Every command is an argv list with the name and port as arguments, under
``timeout N`` inside and a read deadline outside (``doctor.clients.ai_fetch.exec_bounded``).
"""

from __future__ import annotations

import json
import re
from typing import Any, NamedTuple

import docker

from doctor.clients.ai_fetch import (
    EXEC_MARGIN_S,
    NOT_FOUND_EXIT,
    ExecOutcome,
    exec_bounded,
    in_container_seconds,
)
from doctor.i18n import tr

PYTHON_REACH = """\
import json, socket, sys, urllib.error, urllib.request
mode, name, port, path, seconds = sys.argv[1:6]
port, seconds = int(port), float(seconds)
seen = {"tool": "python3"}
def done(**facts):
    seen.update(facts)
    print(json.dumps(seen))
    sys.exit(0)
try:
    seen["address"] = socket.getaddrinfo(name, port, type=socket.SOCK_STREAM)[0][4][0]
except OSError as error:
    done(stage="resolve", error=str(error))
try:
    if mode == "tcp":
        socket.create_connection((seen["address"], port), timeout=seconds).close()
        done(stage="open")
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    answer = direct.open(f"http://{name}:{port}{path}", timeout=seconds)
except urllib.error.HTTPError as error:
    answer = error
except Exception as error:
    reason = getattr(error, "reason", error)
    late = isinstance(reason, TimeoutError) or "timed out" in str(reason)
    done(stage="connect", error=str(reason), timed_out=late)
done(stage="http", status=answer.status, body=answer.read(200).decode("utf-8", "replace"))
"""
"""Resolve, then connect (``tcp``) or GET (``http``): one JSON line of what happened."""
_ADDRESS = re.compile(r"^Address:\s*([0-9a-fA-F.:]+)\s*$", re.MULTILINE)


class Reach(NamedTuple):
    """What the container saw: the address (None: not resolved), how far it got, why not."""

    stage: str | None
    """``resolve`` (the name failed), ``connect`` (the port failed), ``http`` (an answer),
    ``open`` (a TCP connection), or None when nothing could ask."""
    address: str | None
    error: str | None
    timed_out: bool
    status: int | None
    body: str | None
    evidence: dict[str, Any]

    @property
    def resolved(self) -> bool:
        """The name resolved (busybox's nslookup may not see an /etc/hosts address)."""
        return self.stage in ("connect", "open", "http")

    @property
    def answered(self) -> bool:
        """A TCP connection was made, or ``/health`` answered 2xx."""
        return self.stage == "open" or (self.status is not None and 200 <= self.status < 300)


def reach(
    client: docker.DockerClient,
    container: str,
    name: str,
    port: int,
    timeout: float,
    path: str | None = "/health",
) -> Reach:
    """From inside ``container``: resolve ``name``, then GET ``path`` on ``port`` (or, with
    ``path=None``, only open a TCP connection to it)."""
    wait = in_container_seconds(timeout)
    mode = "tcp" if path is None else "http"
    python = ["python3", "-c", PYTHON_REACH, mode, name, str(port), path or "/", str(wait)]
    outcome = _run(client, container, ["timeout", str(2 * wait + 1), *python], wait)
    if not _missing(outcome, "python3"):
        return _from_python(outcome, name, port, wait)
    return _from_busybox(client, container, name, port, path, wait)


def _run(client: docker.DockerClient, container: str, argv: list[str], wait: int) -> ExecOutcome:
    """``argv`` under ``timeout N``, waited for N seconds and a margin; again without
    ``timeout`` where the image has none."""
    seconds = (float(argv[1]) if argv[0] == "timeout" else 2 * wait + 1) + EXEC_MARGIN_S
    outcome = exec_bounded(client, container, argv, seconds)
    if argv[0] == "timeout" and _missing(outcome, "timeout"):
        outcome = exec_bounded(client, container, argv[2:], seconds)
    return outcome


def _missing(outcome: ExecOutcome, program: str) -> bool:
    output = outcome.stdout + outcome.stderr
    return outcome.exit_code in NOT_FOUND_EXIT and program.encode() in output


def _from_python(outcome: ExecOutcome, name: str, port: int, wait: int) -> Reach:
    evidence: dict[str, Any] = {"via": "docker exec python3", "name": name, "port": port}
    lines = outcome.stdout.decode("utf-8", "replace").strip().splitlines()
    try:
        seen = json.loads(lines[-1]) if lines else None
    except ValueError:
        seen = None
    if not isinstance(seen, dict):
        late = outcome.timed_out or outcome.exit_code in (124, 143)
        why = (
            tr("no answer within {seconds:g} s", seconds=2 * wait + 1)
            if late
            else outcome.stderr.decode("utf-8", "replace").strip()[-200:]
            or tr("python3 exited with code {code}", code=outcome.exit_code)
        )
        evidence.update(exit_code=outcome.exit_code, timed_out=late)
        stage = "resolve" if late else None
        return Reach(stage, None, why, late, None, None, evidence)
    evidence.update({key: seen[key] for key in ("address", "stage", "status") if key in seen})
    return Reach(
        seen.get("stage"),
        seen.get("address"),
        seen.get("error"),
        bool(seen.get("timed_out")),
        seen.get("status"),
        seen.get("body"),
        evidence,
    )


def _from_busybox(
    client: docker.DockerClient,
    container: str,
    name: str,
    port: int,
    path: str | None,
    wait: int,
) -> Reach:
    """busybox ``wget`` (HTTP) or ``nc`` (TCP) with the name, as the program resolves it
    (``/etc/hosts``, then DNS); then ``nslookup`` for the address, when it resolved."""
    if path is None:
        tool, argv = "nc", ["timeout", str(wait), "nc", "-w", str(wait), name, str(port)]
    else:
        url = f"http://{name}:{port}{path}"
        tool, argv = "wget", ["timeout", str(wait), "wget", "-q", "-O-", url]
    evidence: dict[str, Any] = {"via": f"docker exec {tool}", "name": name, "port": port}
    evidence["tried"] = ["python3"]
    outcome = _run(client, container, argv, wait)
    if _missing(outcome, tool):
        evidence["tried"] = ["python3", tool]
        why = tr("the container has neither python3 nor busybox {tool} to ask with", tool=tool)
        return Reach(None, None, why, False, None, None, evidence)
    said = outcome.stderr.decode("utf-8", "replace").strip().splitlines()
    error = said[-1] if said else None
    if error and "bad address" in error:
        return Reach("resolve", None, error, False, None, None, evidence)
    address = _address(client, container, name, wait) or None
    if address:
        evidence["address"] = address
    if outcome.exit_code == 0:
        if path is None:
            return Reach("open", address, None, False, None, None, evidence)
        body = outcome.stdout[:200].decode("utf-8", "replace")
        return Reach("http", address, None, False, 200, body, evidence)
    late = outcome.timed_out or outcome.exit_code in (124, 143)
    if late and address is None:  # the name may never have resolved
        why = tr("no answer within {seconds:g} s", seconds=wait)
        return Reach("resolve", None, why, True, None, None, evidence)
    error = error or tr("{tool} exited with code {code}", tool=tool, code=outcome.exit_code)
    return Reach("connect", address, error, late or "timed out" in error, None, None, evidence)


def _address(client: docker.DockerClient, container: str, name: str, wait: int) -> str:
    """The address busybox ``nslookup`` finds for ``name`` ("" when none: the name may be
    in ``/etc/hosts`` only, which nslookup does not read)."""
    lookup = _run(client, container, ["timeout", str(wait), "nslookup", name], wait)
    text = lookup.stdout.decode("utf-8", "replace")
    answer = text.split("answer:", 1)[1] if "answer:" in text else ""
    return next((a for a in _ADDRESS.findall(answer) if ":" not in a), "")
