"""``backend-log.txt``: the watched run's lines of the backend log with their context, and
``backend-log-full.txt``: the log's end, bounded.

The log is read as the ``backend.log`` check reads it (``read_backend_log``): the file
``--backend-log``, else the container ``--backend-container`` or the one the Docker checks
found running the backend. From a container, the run's lines come from its output since
the run began, and the log's end from ``docker logs --timestamps --tail``.
"""

from __future__ import annotations

import contextlib
import os
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from doctor.i18n import tr
from doctor.report.sources.common import gather, why

if TYPE_CHECKING:
    from doctor.context import Context

CONTEXT_LINES = 2
FULL_LINES = 5000
FULL_BYTES = 1 << 20
"""``backend-log-full.txt`` holds at most the log's last 5000 lines and 1 MiB."""
LOG_READ_SECONDS = 30.0
"""The longest the log may take to read (a hung network file system must not hang the report)."""
WINDOW_MARGIN = timedelta(seconds=60)
"""A container's output is read from this long before the run began."""
SCOPED, FULL = "backend-log.txt", "backend-log-full.txt"
_PEM_BEGIN = re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----")
_PEM_END = re.compile(r"-----END [A-Z0-9 ]*PRIVATE KEY-----")


@dataclass
class BackendLogState:
    """What the bundle got of the backend's log, for the summary and the terminal."""

    source: str | None = None
    """Where it was read; None when the doctor knows of no log."""
    problem: str | None = None
    """Why it could not be read."""
    run_lines: int = 0
    """Lines about the watched run."""


def how_to_add() -> str:
    return tr("pass --backend-log FILE or --backend-container NAME")


def backend_log_files(
    ctx: Context, run_id: str | None, run_created: datetime | None, docker_problem: str | None
) -> tuple[dict[str, str], BackendLogState]:
    """The two files (only ``backend-log.txt``, saying why, when there is no log)."""
    from doctor.clients.backend_logs import container_name

    config = ctx.config
    container = None if config.backend_log or config.no_docker else container_name(ctx)
    if not config.backend_log and container is None:
        line = tr("No backend log was given: {how}.", how=how_to_add()) + "\n"
        return {SCOPED: line}, BackendLogState()
    source = (
        str(config.backend_log) if config.backend_log else tr("container {name}", name=container)
    )
    state = BackendLogState(source)
    if container is not None and docker_problem:
        state.problem = docker_problem
        return {SCOPED: _cannot(source, docker_problem)}, state

    steps: dict[str, Any] = {}
    if container is None:  # a file: one read gives both
        steps["log"] = lambda: _read(ctx, None)
    else:
        steps["full"] = lambda: _container_tail(ctx, container)
        if run_id:
            since = run_created - WINDOW_MARGIN if run_created else None
            steps["run"] = lambda: _read(ctx, since)
    found = gather(steps, LOG_READ_SECONDS)
    full = found["full"] if container else found["log"]
    run = found.get("run") if container else found["log"]
    if isinstance(full, BaseException):
        state.problem = why(full)
        return {SCOPED: _cannot(source, state.problem)}, state
    source += _only_the_end(config.backend_log)
    files = {FULL: _full_text(source, full, config.backend_log)}
    if run_id is None:
        scoped = _head(source) + tr(
            "No run was watched: no line to choose. The log's end is in {file}.", file=FULL
        )
    elif isinstance(run, BaseException):
        state.problem = why(run)
        scoped = _cannot(source, state.problem)
    else:
        scoped, state.run_lines = _scoped_text(source, run, run_id, from_container=bool(container))
    files[SCOPED] = scoped.rstrip("\n") + "\n"
    return files, state


def _read(ctx: Context, since: datetime | None) -> str:
    """The log (a file's end; a container's output since ``since``, else all of it)."""
    from doctor.clients.backend_logs import read_backend_log

    log = read_backend_log(ctx, since or datetime.fromtimestamp(1, timezone.utc))
    return log.text if log is not None else ""


def _only_the_end(path: Any) -> str:
    """`` (only its last 16 MiB were read)`` for a longer file."""
    from doctor.clients.backend_logs import MAX_BYTES

    size = 0
    if path:
        with contextlib.suppress(OSError):
            size = os.stat(path).st_size
    if size <= MAX_BYTES:
        return ""
    return " " + tr("(only its last {mib} MiB were read)", mib=MAX_BYTES >> 20)


def _container_tail(ctx: Context, name: str) -> str:
    data = ctx.docker.api.logs(name, stdout=True, stderr=True, timestamps=True, tail=FULL_LINES)
    return data[-FULL_BYTES:].decode("utf-8", "replace")


def _head(source: str) -> str:
    return tr("Source: {source}", source=source) + "\n"


def _cannot(source: str, reason: str) -> str:
    return tr("Cannot read {source}: {reason}", source=source, reason=reason) + "\n"


def _scoped_text(source: str, text: str, run_id: str, from_container: bool) -> tuple[str, int]:
    from doctor.report.run_log import run_lines

    chosen = run_lines(text.splitlines(), run_id, CONTEXT_LINES)
    found = chosen.found
    head = _head(source) + tr(
        "The lines about run {run} ({lines} of the {total} lines read), with up to {context} "
        "lines of context that belong to no other run; the log's end is in {file}.",
        run=run_id,
        lines=chosen.selected,
        total=chosen.total,
        context=CONTEXT_LINES,
        file=FULL,
    )
    if from_container:
        head += "\n" + tr("(the container's output since the run began)")
    if chosen.omitted:
        head += "\n" + tr("(the {lines} oldest of them were left out)", lines=chosen.omitted)
    if not found.lines:
        body = tr(
            "No line is about run {run}: is this the backend's log, and did a stream of the "
            "run pass through it?",
            run=run_id,
        )
        return f"{head}\n\n{body}", 0
    facts = tr(
        "Streams of the run: {streams}; the AI Server answered {codes}; ended normally with "
        "{lines} lines; errors: {errors}.",
        streams=found.streams,
        codes=", ".join(map(str, found.connected)) or "-",
        lines=", ".join(map(str, found.ended)) or "-",
        errors="; ".join(found.errors) or "-",
    )
    return f"{head}\n{facts}\n\n" + "\n".join(chosen.lines), len(found.lines) + found.omitted


def _full_text(source: str, text: str, path: Any) -> str:
    """The log's last ``FULL_LINES`` lines within ``FULL_BYTES``, under a head line."""
    kept = text.encode("utf-8", "replace")[-FULL_BYTES:].decode("utf-8", "ignore")
    if len(kept) < len(text) and "\n" in kept:
        kept = kept.split("\n", 1)[1]  # a whole first line
    every = kept.splitlines()
    lines = every[-FULL_LINES:]
    before = text[: len(text) - len(kept)] + "\n".join(every[: len(every) - len(lines)])
    lines = _without_a_cut_key(lines, before)
    size = ""
    if path:
        with contextlib.suppress(OSError):
            size = " " + tr("of its {bytes} bytes", bytes=os.stat(path).st_size)
    head = _head(source) + tr(
        "Its last {lines} lines ({bytes} bytes){size}, at most {max_lines} lines and {mib} MiB.",
        lines=len(lines),
        bytes=len("\n".join(lines).encode("utf-8", "replace")),
        size=size,
        max_lines=FULL_LINES,
        mib=FULL_BYTES >> 20,
    )
    return f"{head}\n\n" + "\n".join(lines) + "\n"


def _without_a_cut_key(lines: list[str], before: str) -> list[str]:
    """Drop the first lines when the cut fell inside a private key: without its BEGIN line
    the redactor could not tell its body from text."""
    begins = list(_PEM_BEGIN.finditer(before))
    if not begins or _PEM_END.search(before, begins[-1].end()):
        return lines
    left_out = tr("[lines of a private key left out]")
    for index, line in enumerate(lines):
        if _PEM_BEGIN.search(line):  # another key begins: it is whole
            return [left_out, *lines[index:]]
        if _PEM_END.search(line):
            return [left_out, *lines[index + 1 :]]
    return [left_out]
