"""``summary.md``: the bundle's paste-ready issue text.

It gives the diagnosis, the six criteria and the guide's four requests, quoting the
bundle's files in code blocks that are cut when very long and folded in ``<details>``
when long; the bundle files keep all of it.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from doctor import __version__
from doctor.clients.ai_fetch import AI_PORT
from doctor.formats import markdown
from doctor.i18n import tr
from doctor.report.redact import MARK
from doctor.report.sources.common import Content
from doctor.report.sources.docker import DockerView, container_name, path_part

if TYPE_CHECKING:
    from doctor.session import RunRecord

SUMMARY_SECTION_CHARS = 8000
"""A summary section longer than this is cut; the bundle file has all of it."""
FOLD_LINES = 15
FOLD_CHARS = 2000
"""Blocks with more lines or characters are folded in ``<details>``."""


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


def as_text(content: Content) -> str:
    if isinstance(content, str):
        return content
    return json.dumps(content, ensure_ascii=False, indent=2, default=str)


def ai_for_summary(
    record: RunRecord, raw: Mapping[str, Content], view: DockerView, project_container: str | None
) -> tuple[str, str, str]:
    """Which AI Server the summary shows, and its /health and /tasks texts."""
    prefix = record.config.container_prefix
    shown = project_container
    if shown is None or f"containers/{path_part(shown)}/health.txt" not in raw:
        names = [container_name(c) for c in view.containers if container_name(c).startswith(prefix)]
        with_health = [n for n in names if f"containers/{path_part(n)}/health.txt" in raw]
        shown = with_health[0] if with_health else shown
    if shown is not None and f"containers/{path_part(shown)}/health.txt" in raw:
        base = f"containers/{path_part(shown)}"
        label = tr(
            "From `docker exec {name} wget -O- http://localhost:{port}/health` "
            "(and `/tasks`), in {base}/:",
            name=shown,
            port=AI_PORT,
            base=base,
        )
        return label, as_text(raw[f"{base}/health.txt"]), as_text(raw[f"{base}/tasks.txt"])
    if "ai-server/health.txt" in raw:
        label = tr("From the AI Server at {url} (in ai-server/):", url=record.config.ai_url)
        return label, as_text(raw["ai-server/health.txt"]), as_text(raw["ai-server/tasks.txt"])
    reason = view.problem or tr(
        "no {name} container is running.", name=shown or f"{prefix}<project_id>"
    )
    return tr("The AI Server was not reached: {reason}", reason=reason), "", ""
