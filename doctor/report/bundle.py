"""The bug-report bundle: what the guide asks to attach, with every secret redacted.

``build_bundle(record, ctx)`` assembles the files (the run's outputs, ``summary.md`` and
what ``doctor.report.sources`` collects), passes each through ``ctx.redactor`` and adds
``manifest.json``; ``doctor.report.archive`` writes them as one ``.tar.gz`` under one
top-level directory.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from doctor.formats import json as json_format
from doctor.formats.text import WIDTH
from doctor.formats.text import render as render_text
from doctor.i18n import tr
from doctor.report.archive import manifest
from doctor.report.redact import MARK, Redactor
from doctor.report.sources.backend import backend_log_text
from doctor.report.sources.collect import first_phase
from doctor.report.sources.common import Content, Unavailable, deadline, gather, why
from doctor.report.sources.docker import BACKEND_TAIL, container_steps, docker_ps_text
from doctor.report.sources.environment import environment_text
from doctor.report.sources.transcript import transcript_text
from doctor.report.summary import SummaryParts, ai_for_summary, as_text, summary_markdown

if TYPE_CHECKING:
    from doctor.context import Context
    from doctor.session import RunRecord


def default_name(now: datetime) -> str:
    """``sse-doctor-report-20261127T103045Z.tar.gz`` for a UTC time."""
    return f"sse-doctor-report-{now.astimezone(timezone.utc):%Y%m%dT%H%M%SZ}.tar.gz"


def redact_file(redactor: Redactor, name: str, content: Content) -> bytes:
    """The file's bytes: objects redacted deeply and written as JSON, then the text pass.

    A lone surrogate (from a backend's ``"\\ud800"``) is written as ``\\ud800``, so every
    file is valid UTF-8 and a JSON file stays valid JSON.
    """
    if isinstance(content, str):
        text = content
    else:
        redacted = redactor.redact_obj(content, file=name)
        text = json.dumps(redacted, ensure_ascii=False, indent=2, default=str) + "\n"
    return redactor.redact(text, file=name).encode("utf-8", "backslashreplace")


def build_bundle(record: RunRecord, ctx: Context) -> list[tuple[str, bytes]]:
    """Every bundle file, redacted, in archive order, ending with ``manifest.json``."""
    config = ctx.config
    redactor = ctx.redactor
    project_id = record.target.get("project_id")
    project_container = config.container_name(project_id) if project_id else None

    view, mongo, ai_http = first_phase(record, ctx, project_container)
    later: dict[str, Any] = {}
    if view.client is not None:
        later = gather(container_steps(view, config, project_container), deadline(config))
    tail = later.pop(BACKEND_TAIL, None)
    if config.backend_container and view.problem:
        tail = Unavailable(view.problem)

    makers: dict[str, Callable[[], Content]] = {
        "results.json": lambda: json_format.document(record.redacted(redactor, "results.json")),
        "run.txt": lambda: render_text(
            record.redacted(redactor, "run.txt"), max(1, config.verbose), False, WIDTH
        ),
        "sse-transcript.txt": lambda: transcript_text(record),
        "backend-log.txt": lambda: backend_log_text(
            config, record.target.get("run_id"), project_container, tail
        ),
        "docker-ps.txt": lambda: docker_ps_text(view, config),
        "environment.txt": lambda: environment_text(config, view, mongo),
    }
    raw = {name: _content(make) for name, make in makers.items()}
    for name, value in later.items():
        raw[_redacted_path(redactor, name)] = _content(lambda value=value: value)
    for path, value in ai_http.items():
        raw[f"ai-server/{path}.txt"] = value

    def quoted(name: str) -> str:
        return redactor.redact(as_text(raw.get(name, "")), file="summary.md")

    label, health, tasks = ai_for_summary(record, raw, view, project_container)
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


def _content(make: Callable[[], Any]) -> Content:
    """A file's content, or the sentence saying why there is none: a bundle is never lost."""
    try:
        value = make()
    except Exception as exc:  # one file that cannot be made must not cost the others
        value = exc
    if isinstance(value, BaseException):
        return tr("Could not read it: {reason}", reason=why(value)) + "\n"
    return value


def _redacted_path(redactor: Redactor, path: str) -> str:
    """An archive path whose container name cannot carry a secret into the tar headers."""
    redacted = redactor.redact(path, file="manifest.json")
    return redacted.replace(MARK, "REDACTED")
