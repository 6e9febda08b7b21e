"""The bundle of ``report --all-projects``: each READY project's own bundle under
``projects/<id>/``, a ``summary.md`` with a line per project, and one manifest over all."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from doctor.i18n import tr
from doctor.report.archive import manifest, redaction_totals
from doctor.report.bundle import Bundle, Request, build_bundle
from doctor.report.redact import Redactor

if TYPE_CHECKING:
    from doctor.team.each import Fleet


def projects_bundle(fleet: Fleet, request: Request, summary: str) -> Bundle:
    """Every project's files (each redacted by its own run), ``summary`` on top."""
    files: list[tuple[str, bytes]] = []
    merged = Redactor()
    missing: list[str] = []
    for run in fleet.runs or []:
        one = build_bundle(run.record, run.ctx, replace(request, repairs=""))
        prefix = f"projects/{run.project_id}/"
        for name, data in one.files:
            if name == "manifest.json":
                continue
            files.append((prefix + name, data))
            merged.counts[prefix + name] = dict(run.ctx.redactor.counts.get(name, {}))
        missing += [item for item in one.missing if item not in missing]
    text = summary
    for run in fleet.runs or []:
        text = run.ctx.redactor.redact(text)
    heading = tr("# sse-doctor report: every READY project")
    files.insert(0, ("summary.md", f"{heading}\n\n```\n{text}```\n".encode()))
    created_at = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    totals = redaction_totals(merged, [name for name, _ in files])
    files.append(("manifest.json", manifest(files, merged, created_at, request.root)))
    return Bundle(files, missing, {rule: n for rule, n in totals.items() if n})
