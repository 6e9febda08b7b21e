"""What the bug-report bundle collects, and how each collection is bounded in time.

``gather`` runs collection steps at once for at most ``deadline(config)``, which follows
the probe timeout; a source that is down gives ``Unavailable`` or the exception it raised,
and the bundle shows a line saying why instead of failing. The sources: the Docker view
(``docker ps``, and per container inspect, logs, ``/health`` and ``/tasks``), the
backend's ``[SSE]`` log lines, the environment, the SSE transcript, the MongoDB version
and the AI Server over HTTP.
"""

from __future__ import annotations

import io
import json
import platform
import re
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from doctor import __version__
from doctor.context import Artifact
from doctor.i18n import tr
from doctor.model import Result, Status

if TYPE_CHECKING:
    import docker

    from doctor.config import Config
    from doctor.context import Context
    from doctor.session import RunRecord

LOG_TAIL_LINES = 500
"""Lines of each container's log in ``logs.txt``."""
BACKEND_TAIL_LINES = 5000
"""Lines of ``--backend-container``'s log searched for ``[SSE]`` lines."""
LOG_CONTEXT = 3
MAX_BODY_BYTES = 256 << 10
MAX_LOG_BYTES = 1 << 20
MAX_CONTAINERS = 20
"""Containers that get their own directory; ``docker-ps.txt`` lists them all."""
MONGO_CONTAINER = "mongodb"
AI_PATHS = ("health", "tasks")
LIBRARIES = ("click", "httpx", "docker", "pymongo", "rich")

# ctx.artifacts keys written by the checks

Content = str | dict[str, Any] | list[Any]
"""A bundle file before redaction: text, or an object written as JSON."""


class Unavailable(Exception):
    """A source that gave nothing; the message says why (no answer in time, no engine)."""


def gather(steps: Mapping[str, Callable[[], Any]], seconds: float) -> dict[str, Any]:
    """Run the steps at once in daemon threads, for at most ``seconds`` in all.

    Each name maps to its step's value, the exception it raised, or ``Unavailable``.
    """
    done: dict[str, Any] = {}

    def work(name: str, step: Callable[[], Any]) -> None:
        try:
            done[name] = step()
        except Exception as exc:
            done[name] = exc

    threads = [
        threading.Thread(target=work, args=item, name=f"report:{item[0]}", daemon=True)
        for item in steps.items()
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + seconds
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    late = Unavailable(tr("no answer within {seconds:g} s", seconds=seconds))
    return {name: done.get(name, late) for name in steps}


def deadline(config: Config) -> float:
    """Time for one round of collection: a probe, or a ``wget`` inside a container."""
    from doctor.ai_fetch import fetch_deadline

    return fetch_deadline(config.timeout)


def why(exc: BaseException) -> str:
    """One line saying what went wrong."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    text = text.split(", Timeout:")[0]  # pymongo appends its whole topology
    if isinstance(exc, Unavailable):
        return text
    return f"{type(exc).__name__}: {text[:300]}" if text else type(exc).__name__


def _decode(data: bytes) -> str:
    return data.decode("utf-8", "replace")


def first_phase(
    record: RunRecord, ctx: Context, project_container: str | None
) -> tuple[DockerView, str, dict[str, str]]:
    """The Docker engine and its containers, the MongoDB version, the AI Server over HTTP."""
    config = ctx.config
    steps: dict[str, Callable[[], Any]] = {}
    view = DockerView()
    if config.no_docker:
        view.problem = tr("Docker was not examined (--no-docker).")
    elif reason := _failed(record, "docker.engine"):
        view.problem = tr("Docker engine not reachable: {reason}", reason=reason)
    else:
        wanted = _wanted_containers(config, project_container)
        steps["docker"] = lambda: _engine(ctx, wanted)

    mongo = record.artifacts.get(Artifact.MONGO_VERSION)
    if mongo is None:
        if reason := _failed(record, "mongodb.ping"):
            mongo = tr("not reachable: {reason}", reason=reason)
        else:
            steps["mongo"] = lambda: ctx.mongo.admin.command("buildInfo").get("version")

    ai_http: dict[str, str] = {}
    if config.ai_url:
        for path, key in zip(AI_PATHS, (Artifact.AI_HEALTH, Artifact.AI_TASKS)):
            if isinstance(record.artifacts.get(key), str):
                ai_http[path] = record.artifacts[key]
            else:
                steps[f"ai:{path}"] = lambda path=path: _ai_over_http(ctx, path)

    found = gather(steps, deadline(config)) if steps else {}
    if "docker" in found:
        engine = found["docker"]
        if isinstance(engine, BaseException):
            view.problem = tr("Docker engine not reachable: {reason}", reason=why(engine))
        else:
            view = engine
    if "mongo" in found:
        mongo = _mongo_version(found["mongo"])
    for path in AI_PATHS:
        if f"ai:{path}" in found:
            value = found[f"ai:{path}"]
            ai_http[path] = (
                tr("Could not read it: {reason}", reason=why(value)) + "\n"
                if isinstance(value, BaseException)
                else value
            )
    return view, str(mongo), ai_http


# --------------------------------------------------------------------------------------
# Docker: docker ps, and per container inspect, logs, /health and /tasks
# --------------------------------------------------------------------------------------


@dataclass
class DockerView:
    """What the engine showed: its version and the relevant containers, or why nothing."""

    problem: str | None = None
    version: dict[str, Any] = field(default_factory=dict)
    containers: list[dict[str, Any]] = field(default_factory=list)
    """``docker ps -a`` entries of the project containers, ``mongodb`` and the backend's."""
    client: docker.DockerClient | None = None


def _engine(ctx: Context, wanted: Callable[[str], bool]) -> DockerView:
    client = ctx.docker
    version = client.version()
    containers = [c for c in client.api.containers(all=True) if wanted(container_name(c))]
    return DockerView(version=version, containers=containers, client=client)


def container_name(summary: Mapping[str, Any]) -> str:
    names = [str(n).lstrip("/") for n in summary.get("Names") or ()]
    return names[0] if names else str(summary.get("Id", ""))[:12]


def _wanted_containers(config: Config, project_container: str | None) -> Callable[[str], bool]:
    named = {MONGO_CONTAINER, config.backend_container, project_container} - {None}
    return lambda name: name.startswith(config.container_prefix) or name in named


def docker_ps_text(view: DockerView, config: Config) -> str:
    """Like ``docker ps -a`` limited to the stack's containers, or why it could not be run."""
    head = "$ docker ps -a  # " + tr(
        "containers named {prefix}* and {mongo}",
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
        rows.append(
            (
                str(c.get("Id", ""))[:12],
                str(c.get("Image", "")),
                '"' + (command[:19] + "…" if len(command) > 20 else command) + '"',
                _created(c.get("Created")),
                str(c.get("Status", "")),
                ", ".join(_port(p) for p in c.get("Ports") or ()),
                ",".join(str(n).lstrip("/") for n in c.get("Names") or ()),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["   ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip() for row in rows]
    return head + "\n" + "\n".join(lines) + "\n"


def _created(epoch: Any) -> str:
    if not isinstance(epoch, (int, float)):
        return ""
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def _port(port: Mapping[str, Any]) -> str:
    inside = f"{port.get('PrivatePort')}/{port.get('Type', 'tcp')}"
    if port.get("PublicPort"):
        return f"{port.get('IP', '')}:{port['PublicPort']}->{inside}"
    return inside


def _logs(client: docker.DockerClient, container_id: str, name: str, lines: int) -> str:
    data = client.api.logs(container_id, stdout=True, stderr=True, timestamps=True, tail=lines)
    text = _decode(data[-MAX_LOG_BYTES:])
    return f"$ docker logs --timestamps --tail {lines} {name}\n{text}"


def _wget(client: docker.DockerClient, name: str, path: str, timeout: float) -> str:
    """``/health`` or ``/tasks`` from inside the container, as the ai_server checks ask it."""
    from doctor.ai_fetch import AI_PORT, wget_in_container

    answer = wget_in_container(client, name, f"/{path}", timeout)
    return _answer_text(f"docker exec {name} wget -q -O- http://localhost:{AI_PORT}/{path}", answer)


def _answer_text(command: str, answer: Any) -> str:
    """A ``checks.ai_server.Answer``: the command, facts, then the body or why there is none."""
    facts = " ".join(
        f"{key}={answer.evidence[key]}"
        for key in ("exit_code", "status", "elapsed_ms")
        if key in answer.evidence
    )
    head = f"$ {command}\n{facts}\n"
    if answer.body is None:
        return f"{head}{answer.reason}\n"
    return f"{head}\n{_decode(answer.body[:MAX_BODY_BYTES])}\n"


BACKEND_TAIL = "(backend container log)"
"""Step name of the ``--backend-container`` log tail; not a bundle file."""


def container_steps(
    view: DockerView, config: Config, project_container: str | None
) -> dict[str, Callable[[], Any]]:
    """Steps that read each container's inspect, logs and (project containers) AI Server."""
    client = view.client
    assert client is not None
    special = {MONGO_CONTAINER, config.backend_container}

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
        for path in AI_PATHS:
            if c.get("State") == "running":
                steps[f"{base}/{path}.txt"] = lambda name=name, path=path: _wget(
                    client, name, path, config.timeout
                )
            else:
                text = tr(
                    "Container {name} is not running ({status}): its AI Server cannot answer.",
                    name=name,
                    status=c.get("Status") or c.get("State"),
                )
                steps[f"{base}/{path}.txt"] = lambda text=text: text + "\n"
    if config.backend_container:
        steps[BACKEND_TAIL] = lambda: _backend_tail(client, config.backend_container)
    return steps


def _backend_tail(client: docker.DockerClient, name: str) -> str:
    data = client.api.logs(name, stdout=True, stderr=True, tail=BACKEND_TAIL_LINES)
    return _decode(data)


_UNSAFE_PATH = re.compile(r"[^A-Za-z0-9_.-]")


def path_part(name: str) -> str:
    """A container name as one archive path component."""
    return _UNSAFE_PATH.sub("_", name).lstrip(".") or "_"


# --------------------------------------------------------------------------------------
# Text files
# --------------------------------------------------------------------------------------


def _field(obj: Any, name: str) -> Any:
    """An attribute or a key: artifacts may be objects or plain dicts."""
    if isinstance(obj, Mapping):
        return obj.get(name)
    return getattr(obj, name, None)


def _clock(when: Any) -> str:
    """``HH:MM:SS.mmm`` of an ISO time, a datetime or an epoch, like the guide's script."""
    try:
        if isinstance(when, datetime):
            moment = when
        elif isinstance(when, (int, float)):
            moment = datetime.fromtimestamp(when)
        else:
            moment = datetime.fromisoformat(str(when).replace("Z", "+00:00"))
    except (ValueError, OverflowError, OSError):
        return str(when)
    return f"{moment:%H:%M:%S}.{moment.microsecond // 1000:03d}"


def transcript_text(record: RunRecord) -> str:
    """Every SSE line with its receive time, ``[HH:MM:SS.mmm] line``, after the response head."""
    lines: list[str] = []
    observation = record.artifacts.get(Artifact.SSE_OBSERVATION)
    if observation is not None:
        url = _field(observation, "url")
        if url:
            lines.append(f"GET {url}")
        status = _field(observation, "status_code")
        lines.append(f"HTTP {status if status is not None else '-'}")
        for name, value in (_field(observation, "headers") or {}).items():
            lines.append(f"{name}: {value}")
        end = _field(observation, "end")
        if end is not None:
            lines.append(tr("Ended: {end}", end=getattr(end, "value", end)))
        error = _field(observation, "error")
        if error:
            lines.append(tr("Error: {error}", error=error))
        lines.append("")
    transcript = record.artifacts.get(Artifact.SSE_TRANSCRIPT)
    if transcript:
        lines += [f"[{_clock(at)}] {text}" for at, text in transcript]
        lines.append(tr("Stream ended: {count} lines received.", count=len(transcript)))
    else:
        lines.append(_no_transcript(record))
    return "\n".join(lines) + "\n"


def _no_transcript(record: RunRecord) -> str:
    result = _result(record, "sse.stream")
    if result is None:
        return tr("The SSE stream was not observed: the sse.stream check did not run.")
    if result.status == Status.SKIP:
        return tr("The SSE stream was not observed: {reason}", reason=result.message)
    return tr("No SSE line was received. sse.stream: {message}", message=result.message)


def _result(record: RunRecord, check_id: str) -> Result | None:
    return next((r for c, r in record.pairs() if c.id == check_id), None)


def _failed(record: RunRecord, check_id: str) -> str | None:
    """The message of a check that ran and did not pass, else None."""
    result = _result(record, check_id)
    if result is not None and result.status in (Status.FAIL, Status.ERROR):
        return str(result.message)
    return None


def backend_log_text(config: Config, run_id: str | None, container: str | None, tail: Any) -> str:
    """The ``[SSE]`` lines (and the run's and container's) with context, from each source."""
    # An id from the backend could hold a line end; such a needle can match no line anyway.
    needles = tuple(n for n in ("[SSE]", run_id, container) if n and n.isprintable())
    parts = []
    if config.backend_log:
        parts.append(_filtered(Path(config.backend_log), needles, str(config.backend_log)))
    if config.backend_container:
        source = tr("container {name}", name=config.backend_container)
        if isinstance(tail, BaseException):
            reason = why(tail)
            parts.append(
                tr("Cannot read the log of {source}: {reason}", source=source, reason=reason) + "\n"
            )
        elif tail is not None:
            parts.append(_filtered(io.BytesIO(str(tail).encode("utf-8")), needles, source))
    if not parts:
        return (
            tr("No backend log was given: pass --backend-log FILE or --backend-container NAME.")
            + "\n"
        )
    return "\n".join(parts)


def _filtered(log: Path | BinaryIO, needles: tuple[str, ...], source: str) -> str:
    from doctor.backend_log import filter_backend_log

    try:
        found = filter_backend_log(log, needles=needles, context=LOG_CONTEXT)
    except (OSError, ValueError) as exc:
        return tr("Cannot read {source}: {reason}", source=source, reason=why(exc)) + "\n"
    head = tr(
        "Source: {source}; {matched} matching lines in {size} bytes; looking for: {needles}",
        source=source,
        matched=found.matched_lines,
        size=found.bytes_scanned,
        needles=", ".join(needles),
    )
    if found.truncated:
        head += "\n" + tr(
            "(the {lines} oldest selected lines were left out at the size limit)",
            lines=found.omitted_lines,
        )
    body = found.text if found.matched_lines else tr("No line matches.") + "\n"
    return f"{head}\n\n{body}"


def environment_text(config: Config, view: DockerView, mongo: str) -> str:
    """Versions of the tool, Python, OS, libraries, Docker and MongoDB, and the config."""
    from doctor.docker_host import locate_docker_host

    libraries = ", ".join(f"{name} {_dist_version(name)}" for name in LIBRARIES)
    if view.problem:
        engine_line = view.problem
    else:
        v = view.version
        engine = tr(
            "{version} (API {api}, {os}/{arch}) at {host}",
            version=v.get("Version"),
            api=v.get("ApiVersion"),
            os=v.get("Os"),
            arch=v.get("Arch"),
            host=locate_docker_host(config.docker_host).shown,
        )
        engine_line = tr("Docker engine: {engine}", engine=engine)
    lines = [
        f"sse-doctor: {__version__}",
        f"Python: {platform.python_version()} ({platform.python_implementation()}, "
        f"{sys.executable})",
        tr("OS: {os}", os=platform.platform()),
        tr("Libraries: {libraries}", libraries=libraries),
        engine_line,
        tr("MongoDB server: {mongo}", mongo=mongo),
        "",
        tr("Effective configuration:"),
    ]
    for key, value in config.public().items():
        lines.append(f"  {key} = {json.dumps(value, ensure_ascii=False, default=str)}")
    return "\n".join(lines) + "\n"


def _dist_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "-"


def _mongo_version(value: Any) -> str:
    if isinstance(value, BaseException):
        return tr("not reachable: {reason}", reason=why(value))
    return str(value)


def _ai_over_http(ctx: Context, path: str) -> str:
    from doctor.ai_fetch import http_get

    url = str(ctx.config.ai_url)
    return _answer_text(f"GET {url}/{path}", http_get(ctx, url, f"/{path}"))
