"""``sse-doctor status`` as text, markdown or JSON: one row per project, then each project's
cause with its fix."""

from __future__ import annotations

import json
from typing import Any

from rich.cells import cell_len

from doctor import __version__
from doctor.formats.text import (
    ASCII_MARKS,
    MARKS,
    commands,
    output_width,
    print_items,
    shown,
    unwrapped,
    wrapped,
)
from doctor.i18n import ntr, tr
from doctor.model import Status
from doctor.team.survey import ProjectRow, Survey

SCHEMA = "sse-doctor-status/1"
SEVERITY_STATUS = {
    "ok": Status.PASS,
    "problem": Status.FAIL,
    "warning": Status.WARN,
    "inconclusive": Status.SKIP,
}
"""The mark each project's verdict gets."""
HEADER = ("PROJECT", "TITLE", "STATUS", "CONTAINER", "AI SERVER", "NEWEST RUN", "VERDICT")


def cells(row: ProjectRow, marks: dict[Status, str]) -> tuple[str, ...]:
    """A row's columns: what is unknown or was not looked at is ``-``."""
    run = "-"
    if row.run_id:
        run = f"{row.run_id[:8]} {row.run_status or '?'}"
    mark = marks[SEVERITY_STATUS[row.severity]]
    verdict = f"{mark} {row.verdict.id}" if row.verdict else f"{mark} ok"
    values = (row.project_id, row.title, row.status, row.container, row.ai_health, run, verdict)
    return tuple(shown(str(v)) if v else "-" for v in values)


def render_text(
    survey: Survey, ascii_only: bool = False, base: str = "", width: int | None = None
) -> str:
    """The table, aligned by display width (titles may be Chinese), and the findings below,
    wrapped to ``width`` (the table's rows and commands never are)."""
    marks = ASCII_MARKS if ascii_only else MARKS
    arrow, sep = ("->", " - ") if ascii_only else ("→", " · ")
    rows = [tuple(tr(h) for h in HEADER), *(cells(r, marks) for r in survey.rows)]
    widths = [max(cell_len(row[i]) for row in rows) for i in range(len(HEADER))]
    count = ntr(len(survey.rows), "{count} project", "{count} projects")
    items: list[Any] = [unwrapped(f"sse-doctor {__version__}{sep}{base}{sep}{count}"), ""]
    for row in rows:
        cells_ = (v + " " * (w - cell_len(v)) for v, w in zip(row, widths))
        items.append(unwrapped("  ".join(cells_).rstrip()))
    found = [r for r in survey.rows if r.verdict is not None]
    if found:
        items += ["", tr("Findings")]
    for row in found:
        finding = row.verdict
        assert finding is not None
        items.append(wrapped(f"  {row.project_id}  {shown(finding.title)}"))
        if row.run_error and finding.id not in ("run.failed", "agent.no-api-key", "agent.postgres"):
            error = tr("newest run's error: {error}", error=shown(row.run_error))
            items.append(wrapped(f"     {error}"))
        if finding.hint:
            prose, commands_ = commands(shown(finding.hint))
            items.append(wrapped(f"     {arrow} {prose}"))
            items += [unwrapped(f"       $ {command}") for command in commands_]
    items += ["", closing(survey, marks)]
    return print_items(iter(items), False, width or output_width())


def closing(survey: Survey, marks: dict[Status, str]) -> str:
    """The verdict line: how many projects have a problem, and where to look next."""
    problems = sum(1 for r in survey.rows if r.severity == "problem")
    if problems:
        found = ntr(
            problems,
            "{count} of {total} projects has a problem",
            "{count} of {total} projects have a problem",
            total=len(survey.rows),
        )
        more = tr("`sse-doctor run --project ID` diagnoses one in full")
        return f"{marks[Status.FAIL]} {found}; {more}"
    if not survey.rows:
        return f"{marks[Status.SKIP]} " + tr("No project to look at: the backend lists none.")
    return f"{marks[Status.PASS]} " + tr("No project has a problem.")


def render_markdown(survey: Survey, base: str = "") -> str:
    """A GitHub table of the projects and a list of the causes."""
    header = [tr(h) for h in HEADER]
    lines = [
        f"## sse-doctor status: {base}",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
    ]
    for row in survey.rows:
        values = [v.replace("|", "\\|") for v in cells(row, MARKS)]
        lines.append("| " + " | ".join(values) + " |")
    causes = [r for r in survey.rows if r.verdict is not None]
    if causes:
        lines += ["", f"### {tr('Findings')}", ""]
    for row in causes:
        finding = row.verdict
        assert finding is not None
        hint = f" Fix: {finding.hint}" if finding.hint else ""
        lines.append(f"- `{row.project_id}` **{finding.id}**: {finding.title}{hint}")
    lines += ["", closing(survey, MARKS)]
    return "\n".join(lines) + "\n"


def document(survey: Survey, base: str = "") -> dict[str, Any]:
    """The ``sse-doctor-status/1`` JSON document."""
    return {
        "schema": SCHEMA,
        "tool_version": __version__,
        "backend_url": base,
        "projects": [_project(row) for row in survey.rows],
        "exit_code": survey.exit_code,
    }


def render_json(survey: Survey, base: str = "") -> str:
    return json.dumps(document(survey, base), ensure_ascii=False, indent=2, default=str) + "\n"


def _project(row: ProjectRow) -> dict[str, Any]:
    finding = row.verdict
    return {
        "id": row.project_id,
        "title": row.title,
        "status": row.status,
        "container": row.container,
        "ai_health": row.ai_health,
        "newest_run": (
            {"id": row.run_id, "status": row.run_status, "error_message": row.run_error}
            if row.run_id
            else None
        ),
        "verdict": row.severity,
        "finding": (
            {
                "id": finding.id,
                "severity": finding.severity,
                "basis": finding.basis,
                "title": finding.title,
                "checks": list(finding.checks),
                "hint": finding.hint,
                "evidence": dict(finding.evidence),
            }
            if finding
            else None
        ),
    }
