"""The bug-report bundle: what the guide asks to attach, with every secret redacted.

``build_bundle(record, ctx)`` assembles the files (the run's outputs, ``summary.md`` and
what ``doctor.report.sources`` collects, scoped to the watched run with the full files
beside), passes each through ``ctx.redactor`` and adds ``manifest.json``;
``doctor.report.archive`` writes them as one ``.tar.gz`` under one top-level directory.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from doctor.context import Artifact
from doctor.formats import json as json_format
from doctor.formats.text import WIDTH
from doctor.formats.text import render as render_text
from doctor.i18n import tr
from doctor.report.archive import DEFAULT_ROOT, manifest, redaction_totals
from doctor.report.attached import Gaps, missing_items
from doctor.report.redact import MARK, Redactor
from doctor.report.sources.ai_server import tasks_files
from doctor.report.sources.backend import BackendLogState, backend_log_files
from doctor.report.sources.collect import first_phase
from doctor.report.sources.common import Content, deadline, gather, why
from doctor.report.sources.docker import (
    TASKS_STEP,
    container_name,
    container_steps,
    docker_ps_text,
    path_part,
)
from doctor.report.sources.environment import engine_text, environment_text
from doctor.report.sources.transcript import transcript_text
from doctor.report.summary import SummaryFacts, summary_markdown

if TYPE_CHECKING:
    from doctor.context import Context
    from doctor.session import RunRecord


def default_name(now: datetime) -> str:
    """``sse-doctor-report-20261127T103045Z.tar.gz`` for a UTC time."""
    return f"sse-doctor-report-{now.astimezone(timezone.utc):%Y%m%dT%H%M%SZ}.tar.gz"


@dataclass
class Bundle:
    """The bundle's files, in archive order, and what the terminal says of them."""

    files: list[tuple[str, bytes]]
    missing: list[str] = field(default_factory=list)
    """The guide's items it lacks, each with how to add it."""
    redactions: dict[str, int] = field(default_factory=dict)
    """Redactions per rule over every file (the rules that redacted something)."""


@dataclass
class Request:
    """How the report was asked for: what the summary repeats."""

    root: str = DEFAULT_ROOT
    command: str = ""
    sources: str = ""
    no_stream: bool = False
    repairs: str = ""
    """What ``--fix`` did, for ``repairs.txt`` (nothing when it was not asked for)."""


def redact_file(redactor: Redactor, name: str, content: Content) -> bytes:
    """The file's bytes: text redacted as a whole; objects redacted deeply (every string in
    them) and written as JSON, with no text pass that could hit JSON's own ``null`` or keys.

    A lone surrogate (from a backend's ``"\\ud800"``) is written as ``\\ud800``, so every
    file is valid UTF-8 and a JSON file stays valid JSON.
    """
    if isinstance(content, str):
        text = redactor.redact(content, file=name)
    else:
        redacted = redactor.redact_obj(json_format.plain(content), file=name)
        text = json.dumps(redacted, ensure_ascii=False, indent=2) + "\n"
    return text.encode("utf-8", "backslashreplace")


def build_bundle(record: RunRecord, ctx: Context, request: Request | None = None) -> Bundle:
    """Every bundle file, redacted, in archive order, ending with ``manifest.json``."""
    from doctor.clients.backend_logs import container_name as backend_container
    from doctor.clients.backend_logs import run_started

    request = request or Request()
    config = ctx.config
    redactor = ctx.redactor
    project_id = record.target.get("project_id")
    project_container = config.container_name(project_id) if project_id else None
    run_id = record.target.get("run_id")

    view, mongo, ai_http = first_phase(record, ctx, project_container)
    later: dict[str, Any] = {}
    if view.client is not None:
        steps = container_steps(view, config, project_container, backend_container(ctx))
        later = gather(steps, deadline(config))
    inspected = {
        container_name(c): later.get(f"containers/{path_part(container_name(c))}/inspect.json")
        for c in view.containers
    }
    run = record.target.get("run") or {}

    def backend() -> tuple[dict[str, str], BackendLogState]:
        created = run_started(run.get("created_at"))
        return backend_log_files(ctx, run_id, created, view.problem)

    try:
        backend_files, backend_state = backend()
    except Exception as exc:  # one source that fails must not cost the bundle
        backend_state = BackendLogState(tr("the backend log"), why(exc))
        backend_files = {"backend-log.txt": tr("Could not read it: {reason}", reason=why(exc))}

    makers: dict[str, Callable[[], Content]] = {
        "results.json": lambda: json_format.document(record.redacted(redactor, "results.json")),
        "run.txt": lambda: render_text(
            record.redacted(redactor, "run.txt"), max(1, config.verbose), False, WIDTH
        ),
        "sse-transcript.txt": lambda: transcript_text(record, request.no_stream),
        **{name: lambda text=text: text for name, text in _scoped_first(backend_files)},
        "docker-ps.txt": lambda: docker_ps_text(view, config, _mappings(inspected)),
        "environment.txt": lambda: environment_text(config, view, mongo),
    }
    raw = {name: _content(make) for name, make in makers.items()}
    if request.repairs:
        raw["repairs.txt"] = request.repairs
    fallback = record.artifacts.get(Artifact.AI_TASKS)
    fallback = fallback if isinstance(fallback, str) else None
    for name, value in later.items():
        base, file = name.rsplit("/", 1)
        if file == TASKS_STEP:
            mine = base == f"containers/{path_part(project_container or '')}"
            for path, text in tasks_files(base, value, run_id, fallback if mine else None).items():
                raw[_redacted_path(redactor, path)] = text
        else:
            raw[_redacted_path(redactor, name)] = _content(lambda value=value: value)
    if "health" in ai_http:
        raw["ai-server/health.txt"] = ai_http["health"]
    if "tasks" in ai_http:
        raw.update(tasks_files("ai-server", ai_http["tasks"], run_id, fallback))

    names = ["summary.md", *raw, "manifest.json"]
    gaps = Gaps(backend_state, view.problem, run_id, config.container_prefix)
    missing = missing_items(names, gaps, config)
    facts = SummaryFacts(
        command=request.command,
        sources=request.sources,
        docker=engine_text(config, view),
        mongo=mongo,
        no_stream=request.no_stream,
        names=names,
        missing=missing,
    )
    summary = summary_markdown(record.redacted(redactor, "summary.md"), facts)
    files = [("summary.md", redact_file(redactor, "summary.md", summary))]
    files += [(name, redact_file(redactor, name, content)) for name, content in raw.items()]
    created_at = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    totals = redaction_totals(redactor, [name for name, _ in files])
    files.append(("manifest.json", manifest(files, redactor, created_at, request.root)))
    return Bundle(files, missing, {rule: n for rule, n in totals.items() if n})


def _scoped_first(files: Mapping[str, str]) -> list[tuple[str, str]]:
    return sorted(files.items(), key=lambda item: item[0] != "backend-log.txt")


def _mappings(found: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {name: value for name, value in found.items() if isinstance(value, Mapping)}


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
