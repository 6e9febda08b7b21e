"""The Docker view: ``docker ps`` of the stack's containers, and per container its inspect,
logs, ``/health`` and ``/tasks``."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len

from doctor.i18n import tr
from doctor.report.sources.ai_server import answer_text
from doctor.report.sources.common import decode, utc_iso

if TYPE_CHECKING:
    import docker

    from doctor.config import Config
    from doctor.context import Context

LOG_TAIL_LINES = 500
"""Lines of each container's log in ``logs.txt``."""
MAX_BODY_BYTES = 256 << 10
MAX_LOG_BYTES = 1 << 20
MAX_CONTAINERS = 20
"""Containers that get their own directory; ``docker-ps.txt`` lists them all."""
MONGO_CONTAINER = "mongodb"


@dataclass
class DockerView:
    """What the engine showed: its version and the relevant containers, or why nothing."""

    problem: str | None = None
    version: dict[str, Any] = field(default_factory=dict)
    containers: list[dict[str, Any]] = field(default_factory=list)
    """``docker ps -a`` entries of the project containers, ``mongodb`` and the backend's."""
    client: docker.DockerClient | None = None


def engine_view(ctx: Context, wanted: Callable[[str], bool]) -> DockerView:
    client = ctx.docker
    version = client.version()
    containers = [c for c in client.api.containers(all=True) if wanted(container_name(c))]
    return DockerView(version=version, containers=containers, client=client)


def container_name(summary: Mapping[str, Any]) -> str:
    names = [str(n).lstrip("/") for n in summary.get("Names") or ()]
    return names[0] if names else str(summary.get("Id", ""))[:12]


def wanted_containers(
    config: Config, project_container: str | None, backend: str | None = None
) -> Callable[[str], bool]:
    named = {MONGO_CONTAINER, config.backend_container, backend, project_container} - {None}
    return lambda name: name.startswith(config.container_prefix) or name in named


def docker_ps_text(
    view: DockerView, config: Config, inspected: Mapping[str, Mapping[str, Any]] | None = None
) -> str:
    """Like ``docker ps -a`` limited to the stack's containers, or why it could not be run.

    Times are absolute UTC (``2026-12-01T18:48:38Z``): CREATED from the list, STATUS from
    each container's inspect (``StartedAt``, ``FinishedAt``), never Docker's relative
    "Up Less than a second".
    """
    head = "$ docker ps -a  # " + tr(
        "containers named {prefix}* and {mongo}; times in UTC",
        prefix=config.container_prefix,
        mongo=MONGO_CONTAINER,
    )
    if view.problem:
        return f"{head}\n{view.problem}\n"
    if not view.containers:
        none = tr(
            "No container named {prefix}* or {mongo} exists.",
            prefix=config.container_prefix,
            mongo=MONGO_CONTAINER,
        )
        return f"{head}\n{none}\n"
    rows = [("CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES")]
    for c in view.containers:
        command = str(c.get("Command") or "")
        state = (inspected or {}).get(container_name(c))
        rows.append(
            (
                str(c.get("Id", ""))[:12],
                str(c.get("Image", "")),
                '"' + (command[:19] + "…" if len(command) > 20 else command) + '"',
                utc_iso(c.get("Created")) or "-",
                container_status(c, state),
                ", ".join(_port(p) for p in c.get("Ports") or ()),
                ",".join(str(n).lstrip("/") for n in c.get("Names") or ()),
            )
        )
    widths = [max(cell_len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "   ".join(v + " " * (w - cell_len(v)) for v, w in zip(row, widths)).rstrip()
        for row in rows
    ]
    return head + "\n" + "\n".join(lines) + "\n"


def container_status(summary: Mapping[str, Any], inspect: Any) -> str:
    """``running since 2026-12-01T18:48:38Z``, ``exited (137, OOMKilled) at …``: the state
    with absolute times from the container's inspect; only the state when there is none."""
    state = inspect.get("State") if isinstance(inspect, Mapping) else None
    if not isinstance(state, Mapping):
        return str(summary.get("State") or "-")
    status = str(state.get("Status") or summary.get("State") or "-")
    started, finished = utc_iso(state.get("StartedAt")), utc_iso(state.get("FinishedAt"))
    if status in ("running", "paused", "restarting"):
        text = tr("{status} since {time}", status=status, time=started) if started else status
    elif status in ("exited", "dead"):
        code = [str(state.get("ExitCode", "?"))] + (["OOMKilled"] if state.get("OOMKilled") else [])
        text = f"{status} ({', '.join(code)})"
        if finished:
            text += " " + tr("at {time}", time=finished)
    else:
        text = status
    restarts = inspect.get("RestartCount")
    if isinstance(restarts, int) and restarts > 0:
        text += ", " + tr("{count} restarts", count=restarts)
    return text


def _port(port: Mapping[str, Any]) -> str:
    inside = f"{port.get('PrivatePort')}/{port.get('Type', 'tcp')}"
    if port.get("PublicPort"):
        return f"{port.get('IP', '')}:{port['PublicPort']}->{inside}"
    return inside


def _logs(client: docker.DockerClient, container_id: str, name: str, lines: int) -> str:
    data = client.api.logs(container_id, stdout=True, stderr=True, timestamps=True, tail=lines)
    text = decode(data[-MAX_LOG_BYTES:])
    return f"$ docker logs --timestamps --tail {lines} {name}\n{text}"


def _wget(client: docker.DockerClient, name: str, path: str, timeout: float) -> tuple[str, Any]:
    """``/health`` or ``/tasks`` from inside the container, as the ai_server checks ask it:
    the command as shown, and the answer."""
    from doctor.clients.ai_fetch import AI_PORT, get_in_container

    answer = get_in_container(client, name, f"/{path}", timeout)
    via = str(answer.evidence.get("via", "docker exec")).removeprefix("docker exec ")
    return f"docker exec {name} {via} http://localhost:{AI_PORT}/{path}", answer


TASKS_STEP = "(tasks)"
"""Step name of a container's whole ``/tasks`` answer, which the bundle scopes to the run."""


def container_steps(
    view: DockerView, config: Config, project_container: str | None, backend: str | None = None
) -> dict[str, Callable[[], Any]]:
    """Steps that read each container's inspect, logs and (project containers) AI Server."""
    client = view.client
    assert client is not None
    special = {MONGO_CONTAINER, config.backend_container, backend}

    def rank(c: Mapping[str, Any]) -> tuple[int, str]:
        name = container_name(c)
        return (0 if name == project_container else 1 if name in special else 2), name

    ordered = sorted(view.containers, key=rank)
    steps: dict[str, Callable[[], Any]] = {}
    for c in ordered[:MAX_CONTAINERS]:
        name, cid = container_name(c), str(c.get("Id", ""))
        base = f"containers/{path_part(name)}"
        steps[f"{base}/inspect.json"] = lambda cid=cid: client.api.inspect_container(cid)
        steps[f"{base}/logs.txt"] = lambda cid=cid, name=name: _logs(
            client, cid, name, LOG_TAIL_LINES
        )
        if not name.startswith(config.container_prefix):
            continue
        health, tasks = f"{base}/health.txt", f"{base}/{TASKS_STEP}"
        if c.get("State") == "running":
            steps[health] = lambda name=name: answer_text(
                *_wget(client, name, "health", config.timeout)
            )
            steps[tasks] = lambda name=name: _wget(client, name, "tasks", config.timeout)
        else:
            text = tr(
                "Container {name} is not running ({status}): its AI Server cannot answer.",
                name=name,
                status=c.get("State") or "-",
            )
            steps[health] = steps[tasks] = lambda text=text: text + "\n"
    return steps


_UNSAFE_PATH = re.compile(r"[^A-Za-z0-9_.-]")


def path_part(name: str) -> str:
    """A container name as one archive path component."""
    return _UNSAFE_PATH.sub("_", name).lstrip(".") or "_"
