"""Markdown, ready to paste into an issue."""

from __future__ import annotations

from typing import TYPE_CHECKING

from doctor import __version__
from doctor.formats.text import ASCII_MARKS, MARKS, finding_heading
from doctor.i18n import tr
from doctor.model import CRITERIA

if TYPE_CHECKING:
    from doctor.session import RunRecord


def _cell(text: str | None) -> str:
    return (text or "").replace("|", "\\|").replace("\n", "<br>")


def diagnosis(record: RunRecord) -> str:
    """The diagnosis as a numbered list."""
    if not record.diagnosis:
        return tr("No problem found.") + "\n"
    lines = []
    for number, finding in enumerate(record.diagnosis, 1):
        lines.append(f"{number}. **{finding_heading(finding)}** (`{finding.id}`): {finding.title}")
        lines.append(f"   - {tr('Try: {hint}', hint=finding.hint)}")
        checks = ", ".join(f"`{c}`" for c in finding.checks)
        lines.append(f"   - {tr('Seen in: {checks}', checks=checks)}")
    return "\n".join(lines) + "\n"


def criteria(record: RunRecord) -> str:
    """The six success criteria as task-list checkboxes."""
    lines = []
    for cid, label in CRITERIA:
        met = record.criteria.get(cid)
        box = "[x]" if met else "[ ]"
        suffix = " " + tr("(not evaluated)") if met is None else ""
        lines.append(f"- {box} {tr(label)}{suffix}")
    return "\n".join(lines) + "\n"


def results_table(record: RunRecord, ascii_only: bool = False) -> str:
    """Every check's outcome as a table."""
    marks = ASCII_MARKS if ascii_only else MARKS
    head = [tr("Status"), tr("Check"), tr("Message"), tr("Hint")]
    lines = ["| " + " | ".join(head) + " |", "| --- | --- | --- | --- |"]
    for check, result in record.pairs():
        status = f"{marks[result.status]} {result.status.value}"
        lines.append(
            f"| {status} | `{check.id}` | {_cell(result.message)} | {_cell(result.hint)} |"
        )
    return "\n".join(lines) + "\n"


def render(
    record: RunRecord, verbose: int = 0, color: bool = False, ascii_only: bool = False
) -> str:
    """The run as Markdown; ``ascii_only`` uses the ASCII marks of the text format."""
    counts = record.summary
    parts = [
        f"## sse-doctor {__version__}: {record.target['backend_url']}\n",
        f"### {tr('Diagnosis')}\n",
        diagnosis(record),
        f"### {tr('Success criteria')}\n",
        criteria(record),
        f"### {tr('Checks')}\n",
        results_table(record, ascii_only),
        (", " if ascii_only else " · ").join(f"{name}: {n}" for name, n in counts.items()) + "\n",
    ]
    return "\n".join(parts)
