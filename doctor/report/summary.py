"""``summary.md``: the bundle's paste-ready issue text, always under 5 KB.

A title line; Environment (versions, the backend and the API it speaks, user, project,
run); Steps to reproduce (the command line, secrets replaced); Expected (the guide's six
criteria, the run DONE or FAILED); Actual (one line per finding, the criteria); Attached
(each file written, with what it holds) and what is missing. The bulk stays in the files:
when the text would be longer, fewer findings and directories are listed, then lines are
cut.
"""

from __future__ import annotations

import platform
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from doctor import __version__
from doctor.i18n import tr
from doctor.model import CRITERIA
from doctor.report.attached import attached_lines
from doctor.report.redact import MARK
from doctor.report.sources.common import utc_iso

if TYPE_CHECKING:
    from doctor.session import RunRecord

MAX_BYTES = 5000
"""``summary.md`` stays under this many bytes (5 KB is 5120)."""
BUDGETS = ((12, 12, 200), (6, 6, 160), (3, 3, 120), (1, 1, 80), (0, 0, 60))
"""(findings, directories, characters per line) tried in turn, until the text fits."""


@dataclass
class SummaryFacts:
    """What the summary says beyond the record (all of it already redacted or secret-free)."""

    command: str = ""
    """The command line run, secrets replaced."""
    sources: str = ""
    """Settings that came from the environment or a file, by name."""
    docker: str = "-"
    mongo: str = "-"
    no_stream: bool = False
    names: Sequence[str] = ()
    """Every file of the bundle, summary.md and manifest.json included."""
    missing: Sequence[str] = field(default_factory=list)


def summary_markdown(record: RunRecord, facts: SummaryFacts) -> str:
    """The issue text, under ``MAX_BYTES`` bytes of UTF-8."""
    text = ""
    for findings, directories, width in BUDGETS:
        text = _render(record, facts, findings, directories, width)
        if len(text.encode("utf-8", "backslashreplace")) < MAX_BYTES:
            return text
    return _cut(text)


def _cut(text: str) -> str:
    """Whole lines within the limit, and a last line saying where the rest is."""
    note = tr("… cut here: the rest is in the bundle's files.") + "\n"
    room = MAX_BYTES - len(note.encode("utf-8")) - 1
    kept = (
        text.encode("utf-8", "backslashreplace")[:room].decode("utf-8", "ignore").rsplit("\n", 1)[0]
    )
    return kept + "\n" + note


def _one_line(text: object, limit: int) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _code(value: object, width: int) -> str:
    text = _one_line(value if value not in (None, "") else "-", width).replace("`", "'")
    return f"`{text}`"


def _render(
    record: RunRecord, facts: SummaryFacts, findings: int, directories: int, width: int
) -> str:
    sections = [
        _title(record, width),
        f"## {tr('Environment')}\n",
        "\n".join(_environment(record, facts, width)) + "\n",
        f"## {tr('Steps to reproduce')}\n",
        "\n".join(_steps(facts, width)) + "\n",
        f"## {tr('Expected')}\n",
        tr(
            "The guide's six success criteria are met, and the run's final status is DONE "
            "or FAILED."
        )
        + "\n",
        f"## {tr('Actual')}\n",
        "\n".join(_actual(record, findings, width)) + "\n",
        f"## {tr('Attached')}\n",
        "\n".join(_attached(facts, directories, width)) + "\n",
    ]
    return "\n".join(sections)


def _title(record: RunRecord, width: int) -> str:
    problems = [f for f in record.diagnosis if f.severity == "problem"] or record.diagnosis
    if problems:
        what = f"`{problems[0].id}` {_one_line(problems[0].title, width // 2)}"
    else:
        what = tr("no problem found")
    status = tr("exit status {code}", code=record.exit_code)
    return f"# {tr('sse-doctor report')}: {what} ({status})\n"


def _environment(record: RunRecord, facts: SummaryFacts, width: int) -> list[str]:
    target = record.target
    run = target.get("run") or {}
    run_facts = []
    if run.get("chosen"):
        run_facts.append(tr("chosen by {how}", how=run["chosen"]))
    if run.get("status_before"):
        run_facts.append(tr("{status} before the stream", status=run["status_before"]))
    if run.get("created_at"):
        run_facts.append(tr("created {time}", time=utc_iso(run["created_at"]) or "-"))
    if run.get("replay"):
        run_facts.append(tr("its stream a replay"))
    run_line = _code(target.get("run_id"), width)
    if run_facts:
        run_line += f" ({', '.join(run_facts)})"
    return [
        f"- sse-doctor {__version__} · Python {platform.python_version()} · "
        f"{_one_line(platform.platform(), 80)}",
        "- " + tr("Docker engine: {engine}", engine=_one_line(facts.docker, width)),
        "- " + tr("MongoDB: {version}", version=_one_line(facts.mongo, width)),
        "- "
        + tr(
            "Backend {url}, API: {api}",
            url=_code(target.get("backend_url"), width),
            api=_one_line(target.get("api") or tr("not learned"), width),
        ),
        "- "
        + tr(
            "User {user} · project {project} · run {run}",
            user=_code(target.get("user"), width),
            project=_code(target.get("project_id"), width),
            run=run_line,
        ),
        "- "
        + tr(
            "Started {time}, took {seconds:.1f} s",
            time=utc_iso(record.started_at) or record.started_at,
            seconds=record.duration_ms / 1000,
        ),
    ]


def _steps(facts: SummaryFacts, width: int) -> list[str]:
    fence = "```"
    lines = [f"{fence}sh", _one_line(facts.command or "sse-doctor report", 4 * width), fence]
    if facts.sources:
        lines.append(_one_line(facts.sources, 2 * width))
    if facts.no_stream:
        lines.append(
            tr(
                "The stream was not watched, on purpose (--no-stream): no run was started and "
                "no SSE check ran; this is the state of the stack as it was."
            )
        )
    return lines


def _actual(record: RunRecord, limit: int, width: int) -> list[str]:
    counts = {severity: 0 for severity in ("problem", "warning", "inconclusive")}
    for finding in record.diagnosis:
        counts[finding.severity] = counts.get(finding.severity, 0) + 1
    lines = [
        tr(
            "Exit status {code}: {problems} problems, {warnings} warnings, {inconclusive} "
            "inconclusive.",
            code=record.exit_code,
            problems=counts["problem"],
            warnings=counts["warning"],
            inconclusive=counts["inconclusive"],
        ),
        "",
    ]
    for finding in record.diagnosis[:limit]:
        lines.append(f"- **{finding.severity}** `{finding.id}`: {_one_line(finding.title, width)}")
    if len(record.diagnosis) > limit:
        more = len(record.diagnosis) - limit
        lines.append("- " + tr("… {count} more findings in results.json", count=more))
    if not record.diagnosis:
        lines.append("- " + tr("No problem found."))
    met = sum(1 for cid, _ in CRITERIA if record.criteria.get(cid) is True)
    lines += ["", tr("Success criteria ({met} of {total} met):", met=met, total=len(CRITERIA))]
    for cid, label in CRITERIA:
        box = {True: "[x]", False: "[ ]"}.get(record.criteria.get(cid), "[-]")
        shown = tr(label)
        if record.criteria.get(cid) is None:
            shown += " " + tr("(not evaluated)")
        lines.append(f"- {box} {shown}")
    return lines


def _attached(facts: SummaryFacts, directories: int, width: int) -> list[str]:
    lines = attached_lines(facts.names, directories)
    if facts.missing:
        lines += ["", tr("Missing of the guide's four items:")]
        lines += [f"- {_one_line(item, width + 100)}" for item in facts.missing]
    lines += [
        "",
        tr(
            "Secrets were replaced by {mark}; manifest.json counts them per rule.",
            mark=f"`{MARK}`",
        ),
    ]
    return lines
