"""What the bundle holds and lacks: one line per file written, and which of the guide's four
items ("回報問題時請提供") are missing, with how to add each.

Both are built from the files actually written, never from a constant list, so that the
footer of ``summary.md`` and the terminal say what the archive holds.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from doctor.i18n import tr

if TYPE_CHECKING:
    from doctor.config import Config
    from doctor.report.sources.backend import BackendLogState

TOP_LEVEL: dict[str, Callable[[], str]] = {
    "summary.md": lambda: tr("this text, ready to paste into an issue"),
    "results.json": lambda: tr(
        "every check's result, the diagnosis and the six criteria (sse-doctor/1 "
        "JSON); `sse-doctor analyze` reads it back"
    ),
    "run.txt": lambda: tr("the complete output of the checks (the guide's item 1)"),
    "sse-transcript.txt": lambda: tr(
        "every SSE line with its UTC receive time, after the response head"
    ),
    "backend-log.txt": lambda: tr("the backend log's lines about the run, with context (item 2)"),
    "backend-log-full.txt": lambda: tr("the backend log's end: its last 5000 lines, at most 1 MiB"),
    "docker-ps.txt": lambda: tr("docker ps -a of the stack's containers, times in UTC (item 3)"),
    "environment.txt": lambda: tr(
        "versions of the tool, Python, OS, Docker, MongoDB; the configuration"
    ),
    "repairs.txt": lambda: tr(
        "what --fix did: each command, its outcome and time, before and after"
    ),
    "manifest.json": lambda: tr("size, sha256 and redactions per rule of every file"),
}
IN_A_DIRECTORY: dict[str, Callable[[], str]] = {
    "inspect.json": lambda: tr("docker inspect"),
    "logs.txt": lambda: tr("the container's last 500 log lines, with UTC timestamps"),
    "health.txt": lambda: tr("the AI Server's /health (item 4)"),
    "tasks.txt": lambda: tr("the run's entry in the AI Server's /tasks"),
    "tasks-all.txt": lambda: tr("every task of the AI Server's /tasks"),
}
"""What each file holds, translated when asked."""


def _holds(table: dict[str, Callable[[], str]], name: str) -> str:
    describe = table.get(name)
    return describe() if describe else tr("a file of the bundle")


def attached_lines(names: Sequence[str], max_directories: int) -> list[str]:
    """Markdown list lines: each top-level file with what it holds, each directory with its
    files (at most ``max_directories``), then what each kind of file in them holds."""
    lines: list[str] = []
    directories: dict[str, list[str]] = {}
    for name in names:
        if "/" in name:
            directory, file = name.rsplit("/", 1)
            directories.setdefault(directory, []).append(file)
        else:
            lines.append(f"- `{name}`: {_holds(TOP_LEVEL, name)}")
    kinds: list[str] = []
    for number, (directory, files) in enumerate(directories.items()):
        if number == max_directories:
            lines.append(
                "- "
                + tr(
                    "… and {count} more directories: see manifest.json",
                    count=len(directories) - number,
                )
            )
            break
        lines.append(f"- `{directory}/`: {', '.join(files)}")
        kinds += [file for file in files if file not in kinds]
    for kind in kinds:
        lines.append(f"  - `{kind}`: {_holds(IN_A_DIRECTORY, kind)}")
    return lines


@dataclass(frozen=True)
class Gaps:
    """What the bundle knows about its sources, to tell which items are missing."""

    backend: BackendLogState
    docker_problem: str | None
    run_id: str | None
    container_prefix: str


def missing_items(names: Sequence[str], gaps: Gaps, config: Config) -> list[str]:
    """The guide's items the bundle lacks, each as ``N. item — why: how to add it``."""
    missing: list[str] = []
    if "run.txt" not in names:
        missing.append(tr("1. the tool's output — run.txt could not be written"))
    backend = gaps.backend
    if backend.source is None:
        missing.append(tr("2. backend log — pass --backend-log FILE or --backend-container NAME"))
    elif backend.problem:
        missing.append(
            tr(
                "2. backend log — cannot read {source}: {reason}",
                source=backend.source,
                reason=backend.problem,
            )
        )
    elif gaps.run_id and not backend.run_lines:
        missing.append(
            tr(
                "2. backend log lines of run {run} — {source} has none: is it this backend's "
                "log? (pass --backend-log FILE or --backend-container NAME)",
                run=gaps.run_id,
                source=backend.source,
            )
        )
    health = any(name.endswith("/health.txt") for name in names)
    if gaps.docker_problem:
        reason = (
            tr("Docker was not examined (--no-docker)")
            if config.no_docker
            else tr("Docker was not reachable: {reason}", reason=gaps.docker_problem)
        )
        how = (
            tr("run without --no-docker")
            if config.no_docker
            else tr("start Docker, or pass --docker-host")
        )
        if health:
            missing.append(tr("3. container status — {reason}: {how}", reason=reason, how=how))
        else:
            missing.append(
                tr(
                    "3./4. container status and AI Server health — {reason}: {how}, or pass "
                    "--ai-url URL to ask the AI Server over HTTP",
                    reason=reason,
                    how=how,
                )
            )
    elif not health:
        missing.append(
            tr(
                "4. AI Server health — no {prefix}<project_id> container was found: provision "
                "the project, or pass --ai-url URL",
                prefix=gaps.container_prefix,
            )
        )
    return missing
