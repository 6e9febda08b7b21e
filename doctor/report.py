"""The bug-report bundle: what the guide asks to attach, with every secret redacted.

``build_bundle(record, ctx)`` collects the files (the run's outputs, the SSE transcript,
the backend's ``[SSE]`` log lines, ``docker ps``, per-container inspect, logs, health and
tasks, the environment), passes each through ``ctx.redactor`` and adds ``manifest.json``;
``ReservedFile`` writes them as one ``.tar.gz`` that is created with mode 0600. Every
collection step is bounded by the probe timeout, and a source that is down leaves a line
saying why instead of failing the bundle.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import math
import os
import platform
import re
import sys
import tarfile
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from doctor import __version__
from doctor.formats import json as json_format
from doctor.formats import markdown
from doctor.formats.text import WIDTH
from doctor.formats.text import render as render_text
from doctor.i18n import tr
from doctor.model import Result, Status
from doctor.redact import MARK, RULE_IDS, Redactor

if TYPE_CHECKING:
    import docker

    from doctor.config import Config
    from doctor.context import Context
    from doctor.session import RunRecord

MANIFEST_SCHEMA = "sse-doctor-report/1"
FILE_MODE = 0o600
LOG_TAIL_LINES = 500
"""Lines of each container's log in ``logs.txt``."""
BACKEND_TAIL_LINES = 5000
"""Lines of ``--backend-container``'s log searched for ``[SSE]`` lines."""
LOG_CONTEXT = 3
MAX_BODY_BYTES = 256 << 10
MAX_LOG_BYTES = 1 << 20
MAX_CONTAINERS = 20
"""Containers that get their own directory; ``docker-ps.txt`` lists them all."""
SUMMARY_SECTION_CHARS = 8000
"""A summary section longer than this is cut; the bundle file has all of it."""
FOLD_LINES = 15
FOLD_CHARS = 2000
"""Blocks with more lines or characters are folded in ``<details>``."""
MONGO_CONTAINER = "mongodb"
AI_PORT = 8000
AI_PATHS = ("health", "tasks")
LIBRARIES = ("click", "httpx", "docker", "pymongo", "rich")

# ctx.artifacts keys written by the checks
SSE_TRANSCRIPT = "sse_transcript"
SSE_OBSERVATION = "sse_observation"
AI_HEALTH = "ai_health"
AI_TASKS = "ai_tasks"
MONGO_VERSION = "mongodb_version"

Content = str | dict[str, Any] | list[Any]
"""A bundle file before redaction: text, or an object written as JSON."""


def default_name(now: datetime) -> str:
    """``sse-doctor-report-20261127T103045Z.tar.gz`` for a UTC time."""
    return f"sse-doctor-report-{now.astimezone(timezone.utc):%Y%m%dT%H%M%SZ}.tar.gz"


# --------------------------------------------------------------------------------------
# Bounded collection
# --------------------------------------------------------------------------------------


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


def _deadline(config: Config) -> float:
    """Time for one round of collection: a probe, or a ``wget`` inside a container.

    ``wget`` runs under ``timeout N`` with whole seconds, and its exec gets a margin.
    """
    return max(config.timeout * 1.5, math.ceil(config.timeout) + 1.5)


def _why(exc: BaseException) -> str:
    """One line saying what went wrong."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    text = text.split(", Timeout:")[0]  # pymongo appends its whole topology
    if isinstance(exc, Unavailable):
        return text
    return f"{type(exc).__name__}: {text[:300]}" if text else type(exc).__name__


def _decode(data: bytes) -> str:
    return data.decode("utf-8", "replace")


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
    containers = [c for c in client.api.containers(all=True) if wanted(_name(c))]
    return DockerView(version=version, containers=containers, client=client)


def _name(summary: Mapping[str, Any]) -> str:
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
    from doctor.ai_fetch import wget_in_container

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


def _container_steps(
    view: DockerView, config: Config, project_container: str | None
) -> dict[str, Callable[[], Any]]:
    """Steps that read each container's inspect, logs and (project containers) AI Server."""
    client = view.client
    assert client is not None
    special = {MONGO_CONTAINER, config.backend_container}

    def rank(c: Mapping[str, Any]) -> tuple[int, str]:
        name = _name(c)
        return (0 if name == project_container else 1 if name in special else 2), name

    ordered = sorted(view.containers, key=rank)
    steps: dict[str, Callable[[], Any]] = {}
    for c in ordered[:MAX_CONTAINERS]:
        name, cid = _name(c), str(c.get("Id", ""))
        base = f"containers/{_path_part(name)}"
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


def _path_part(name: str) -> str:
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
    observation = record.artifacts.get(SSE_OBSERVATION)
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
    transcript = record.artifacts.get(SSE_TRANSCRIPT)
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
    needles = tuple(n for n in ("[SSE]", run_id, container) if n)
    parts = []
    if config.backend_log:
        parts.append(_filtered(Path(config.backend_log), needles, str(config.backend_log)))
    if config.backend_container:
        source = tr("container {name}", name=config.backend_container)
        if isinstance(tail, BaseException):
            reason = _why(tail)
            parts.append(
                tr("Cannot read the log of {source}: {reason}", source=source, reason=reason) + "\n"
            )
        elif tail is not None:
            parts.append(_filtered_text(str(tail), needles, source))
    if not parts:
        return (
            tr("No backend log was given: pass --backend-log FILE or --backend-container NAME.")
            + "\n"
        )
    return "\n".join(parts)


def _filtered(path: Path, needles: tuple[str, ...], source: str) -> str:
    from doctor.backend_log import filter_backend_log

    try:
        found = filter_backend_log(path, needles=needles, context=LOG_CONTEXT)
    except OSError as exc:
        return tr("Cannot read {source}: {reason}", source=source, reason=_why(exc)) + "\n"
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


def _filtered_text(text: str, needles: tuple[str, ...], source: str) -> str:
    """The same filter over a container's log tail, through a private temporary file."""
    handle, name = tempfile.mkstemp(prefix="sse-doctor-backend-", suffix=".log")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        return _filtered(Path(name), needles, source)
    finally:
        os.unlink(name)


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
        if key in ("password", "token"):  # public() shows only whether they are set
            key, value = f"{key}_set", value is not None
        lines.append(f"  {key} = {json.dumps(value, ensure_ascii=False, default=str)}")
    return "\n".join(lines) + "\n"


def _dist_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "-"


def _mongo_version(value: Any) -> str:
    if isinstance(value, BaseException):
        return tr("not reachable: {reason}", reason=_why(value))
    return str(value)


def _ai_over_http(ctx: Context, path: str) -> str:
    from doctor.ai_fetch import http_get

    url = str(ctx.config.ai_url)
    return _answer_text(f"GET {url}/{path}", http_get(ctx, url, f"/{path}"))


# --------------------------------------------------------------------------------------
# summary.md
# --------------------------------------------------------------------------------------


def _fenced(text: str) -> str:
    """A code block whose fence is longer than any backtick run inside."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text.rstrip()}\n{fence}\n"


def _clip(text: str, file: str) -> str:
    if len(text) <= SUMMARY_SECTION_CHARS:
        return text
    kept = text[:SUMMARY_SECTION_CHARS].rsplit("\n", 1)[0]
    omitted = text.count("\n") - kept.count("\n")
    return kept + "\n" + tr("… {lines} more lines in {file}", lines=omitted, file=file) + "\n"


def _block(label: str, text: str, file: str) -> str:
    """A code block, folded in ``<details>`` when long."""
    body = _fenced(_clip(text, file))
    if text.count("\n") <= FOLD_LINES and len(text) <= FOLD_CHARS:
        return body
    return f"<details><summary>{html.escape(label)}</summary>\n\n{body}\n</details>\n"


@dataclass
class SummaryParts:
    """The redacted texts the summary quotes."""

    run: str
    transcript: str
    backend_log: str
    docker_ps: str
    ai_label: str
    health: str
    tasks: str


def summary_markdown(record: RunRecord, parts: SummaryParts) -> str:
    """Issue text: the diagnosis, the six criteria and the guide's four requests."""
    target = record.target
    facts = [
        f"sse-doctor {__version__}",
        tr("backend {url}", url=f"`{target.get('backend_url')}`"),
        tr("project {id}", id=f"`{target.get('project_id') or '-'}`"),
        tr("run {id}", id=f"`{target.get('run_id') or '-'}`"),
        tr("started {time}", time=record.started_at),
        tr("exit status {code}", code=record.exit_code),
    ]
    counts = " · ".join(f"{name}: {n}" for name, n in record.summary.items())
    sections = [
        f"# {tr('sse-doctor report')}\n",
        " · ".join(facts) + "\n",
        f"## {tr('Diagnosis')}\n",
        markdown.diagnosis(record),
        f"## {tr('Success criteria')}\n",
        markdown.criteria(record),
        f"## {tr('1. Tool output (complete test script output)')}\n",
        markdown.results_table(record),
        counts + "\n",
        _block(tr("Full output of sse-doctor run (run.txt)"), parts.run, "run.txt"),
        _block(tr("SSE transcript (sse-transcript.txt)"), parts.transcript, "sse-transcript.txt"),
        f"## {tr('2. Backend log: lines with [SSE]')}\n",
        _block(tr("Backend log lines (backend-log.txt)"), parts.backend_log, "backend-log.txt"),
        f"## {tr('3. Container status')}\n",
        tr("As `docker ps -a | grep {prefix}` shows it:", prefix=record.config.container_prefix)
        + "\n",
        _block("docker-ps.txt", parts.docker_ps, "docker-ps.txt"),
        f"## {tr('4. AI Server health')}\n",
        parts.ai_label + "\n",
        *(
            [
                _block("/health", parts.health, "health.txt"),
                _block(tr("Task list (/tasks)"), parts.tasks, "tasks.txt"),
            ]
            if parts.health
            else []
        ),
        "---\n",
        tr(
            "Attached: the sse-doctor report bundle (summary.md, results.json, run.txt, "
            "sse-transcript.txt, backend-log.txt, docker-ps.txt, containers/, "
            "environment.txt, manifest.json). Secrets were replaced by {mark}.",
            mark=f"`{MARK}`",
        )
        + "\n",
    ]
    return "\n".join(sections)


# --------------------------------------------------------------------------------------
# The bundle
# --------------------------------------------------------------------------------------


def redact_file(redactor: Redactor, name: str, content: Content) -> bytes:
    """The file's bytes: objects redacted deeply and written as JSON, then the text pass."""
    if isinstance(content, str):
        text = content
    else:
        redacted = redactor.redact_obj(content, file=name)
        text = json.dumps(redacted, ensure_ascii=False, indent=2, default=str) + "\n"
    return redactor.redact(text, file=name).encode("utf-8")


def manifest(files: Iterable[tuple[str, bytes]], redactor: Redactor, created_at: str) -> bytes:
    """Name, size, sha256 and redactions per rule of each file, and the totals per rule.

    It holds only names, sizes, digests and counts, so it is not passed through the
    redactor (its rule ids, like ``known-secret``, would look like secret names to it).
    """
    totals = dict.fromkeys(RULE_IDS, 0)
    entries = []
    for name, data in files:
        counts = {rule: n for rule, n in redactor.counts.get(name, {}).items() if n}
        for rule, n in counts.items():
            totals[rule] = totals.get(rule, 0) + n
        entries.append(
            {
                "name": name,
                "size": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
                "redactions": counts,
            }
        )
    document = {
        "schema": MANIFEST_SCHEMA,
        "tool_version": __version__,
        "created_at": created_at,
        "files": entries,
        "redactions": totals,
    }
    return (json.dumps(document, indent=2) + "\n").encode("utf-8")


def build_bundle(record: RunRecord, ctx: Context) -> list[tuple[str, bytes]]:
    """Every bundle file, redacted, in archive order, ending with ``manifest.json``."""
    config = ctx.config
    redactor = ctx.redactor
    project_id = record.target.get("project_id")
    project_container = config.container_name(project_id) if project_id else None

    view, mongo, ai_http = _first_phase(record, ctx, project_container)
    later: dict[str, Any] = {}
    if view.client is not None:
        later = gather(_container_steps(view, config, project_container), _deadline(config))
    tail = later.pop(BACKEND_TAIL, None)
    if config.backend_container and view.problem:
        tail = Unavailable(view.problem)

    raw: dict[str, Content] = {
        "results.json": json_format.document(record.redacted(redactor, "results.json")),
        "run.txt": render_text(
            record.redacted(redactor, "run.txt"), max(1, config.verbose), False, WIDTH
        ),
        "sse-transcript.txt": transcript_text(record),
        "backend-log.txt": backend_log_text(
            config, record.target.get("run_id"), project_container, tail
        ),
        "docker-ps.txt": docker_ps_text(view, config),
        "environment.txt": environment_text(config, view, mongo),
    }
    for name, value in later.items():
        raw[_redacted_path(redactor, name)] = (
            tr("Could not read it: {reason}", reason=_why(value)) + "\n"
            if isinstance(value, BaseException)
            else value
        )
    for path, value in ai_http.items():
        raw[f"ai-server/{path}.txt"] = value

    def quoted(name: str) -> str:
        return redactor.redact(_as_text(raw.get(name, "")), file="summary.md")

    label, health, tasks = _ai_for_summary(record, raw, view, project_container)
    parts = SummaryParts(
        run=quoted("run.txt"),
        transcript=quoted("sse-transcript.txt"),
        backend_log=quoted("backend-log.txt"),
        docker_ps=quoted("docker-ps.txt"),
        ai_label=redactor.redact(label, file="summary.md"),
        health=redactor.redact(health, file="summary.md"),
        tasks=redactor.redact(tasks, file="summary.md"),
    )
    summary = summary_markdown(record.redacted(redactor, "summary.md"), parts)
    files = [("summary.md", redact_file(redactor, "summary.md", summary))]
    files += [(name, redact_file(redactor, name, content)) for name, content in raw.items()]
    created_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    files.append(("manifest.json", manifest(files, redactor, created_at)))
    return files


def _first_phase(
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

    mongo = record.artifacts.get(MONGO_VERSION)
    if mongo is None:
        if reason := _failed(record, "mongodb.ping"):
            mongo = tr("not reachable: {reason}", reason=reason)
        else:
            steps["mongo"] = lambda: ctx.mongo.admin.command("buildInfo").get("version")

    ai_http: dict[str, str] = {}
    if config.ai_url:
        for path, key in zip(AI_PATHS, (AI_HEALTH, AI_TASKS)):
            if isinstance(record.artifacts.get(key), str):
                ai_http[path] = record.artifacts[key]
            else:
                steps[f"ai:{path}"] = lambda path=path: _ai_over_http(ctx, path)

    found = gather(steps, _deadline(config)) if steps else {}
    if "docker" in found:
        engine = found["docker"]
        if isinstance(engine, BaseException):
            view.problem = tr("Docker engine not reachable: {reason}", reason=_why(engine))
        else:
            view = engine
    if "mongo" in found:
        mongo = _mongo_version(found["mongo"])
    for path in AI_PATHS:
        if f"ai:{path}" in found:
            value = found[f"ai:{path}"]
            ai_http[path] = (
                tr("Could not read it: {reason}", reason=_why(value)) + "\n"
                if isinstance(value, BaseException)
                else value
            )
    return view, str(mongo), ai_http


def _redacted_path(redactor: Redactor, path: str) -> str:
    """An archive path whose container name cannot carry a secret into the tar headers."""
    redacted = redactor.redact(path, file="manifest.json")
    return redacted.replace(MARK, "REDACTED")


def _as_text(content: Content) -> str:
    if isinstance(content, str):
        return content
    return json.dumps(content, ensure_ascii=False, indent=2, default=str)


def _ai_for_summary(
    record: RunRecord, raw: Mapping[str, Content], view: DockerView, project_container: str | None
) -> tuple[str, str, str]:
    """Which AI Server the summary shows, and its /health and /tasks texts."""
    prefix = record.config.container_prefix
    shown = project_container
    if shown is None or f"containers/{_path_part(shown)}/health.txt" not in raw:
        names = [_name(c) for c in view.containers if _name(c).startswith(prefix)]
        with_health = [n for n in names if f"containers/{_path_part(n)}/health.txt" in raw]
        shown = with_health[0] if with_health else shown
    if shown is not None and f"containers/{_path_part(shown)}/health.txt" in raw:
        base = f"containers/{_path_part(shown)}"
        label = tr(
            "From `docker exec {name} wget -O- http://localhost:{port}/health` "
            "(and `/tasks`), in {base}/:",
            name=shown,
            port=AI_PORT,
            base=base,
        )
        return label, _as_text(raw[f"{base}/health.txt"]), _as_text(raw[f"{base}/tasks.txt"])
    if "ai-server/health.txt" in raw:
        label = tr("From the AI Server at {url} (in ai-server/):", url=record.config.ai_url)
        return label, _as_text(raw["ai-server/health.txt"]), _as_text(raw["ai-server/tasks.txt"])
    reason = view.problem or tr(
        "no {name} container is running.", name=shown or f"{prefix}<project_id>"
    )
    return tr("The AI Server was not reached: {reason}", reason=reason), "", ""


class ReservedFile:
    """The bundle's path, reserved before the run by a private temporary file beside it.

    The temporary file is created with mode 0600 and renamed over the path once written,
    so the bundle is never readable by others, not even while it is being written.
    """

    def __init__(self, path: Path) -> None:
        if path.is_dir():
            raise IsADirectoryError(f"{path} is a directory")
        self.path = path
        self._temp = path.with_name(f".{path.name}.{os.getpid()}.part")
        self._fd: int | None = os.open(self._temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)

    def commit(self, files: Iterable[tuple[str, bytes]]) -> int:
        """Write the archive and move it into place; its size in bytes."""
        assert self._fd is not None
        fd, self._fd = self._fd, None
        try:
            with os.fdopen(fd, "wb") as raw:
                write_archive(raw, files)
            os.replace(self._temp, self.path)
        except BaseException:
            self._temp.unlink(missing_ok=True)
            raise
        return self.path.stat().st_size

    def discard(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
            self._temp.unlink(missing_ok=True)


def write_archive(out: io.BufferedIOBase, files: Iterable[tuple[str, bytes]]) -> None:
    """A gzip tar of the files, readable only by their owner once extracted."""
    now = int(time.time())
    seen: set[str] = set()
    with tarfile.open(fileobj=out, mode="w:gz") as archive:
        for name, data in files:
            parts = name.split("/")[:-1]
            for depth in range(1, len(parts) + 1):
                directory = "/".join(parts[:depth])
                if directory not in seen:
                    seen.add(directory)
                    archive.addfile(_info(directory, 0, 0o700, now, tarfile.DIRTYPE))
            archive.addfile(_info(name, len(data), FILE_MODE, now), io.BytesIO(data))


def _info(name: str, size: int, mode: int, mtime: int, kind: bytes = tarfile.REGTYPE) -> Any:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime, info.type = size, mode, mtime, kind
    return info
