"""``--fix`` for ``run`` and ``report``: after the diagnosis, the repairs it names, each shown
as its command and applied on a yes at the terminal (``--yes`` for scripts, ``--dry-run`` to
print them only), then the affected checks again."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from doctor.cli.options import PathType, terminal_asker
from doctor.config import Config, ConfigError

FIX_OPTIONS = [
    click.option(
        "--fix",
        is_flag=True,
        help="After the diagnosis, offer the repairs it names (start a stopped container, "
        "create the network and connect the container, build the base image); each is "
        "shown as its command and applied only on a yes.",
    ),
    click.option("--yes", is_flag=True, help="With --fix: apply the repairs without asking."),
    click.option(
        "--dry-run", is_flag=True, help="With --fix: print the repairs' commands, change nothing."
    ),
    click.option(
        "--repo",
        type=PathType(exists=True, file_okay=False),
        help="The stack's checkout: --fix builds the base image from its "
        "devops/base-image/Dockerfile.",
    ),
]


def fix_options(func: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(FIX_OPTIONS):
        func = option(func)
    return func


@dataclass(frozen=True)
class FixRequest:
    fix: bool = False
    yes: bool = False
    dry_run: bool = False
    repo: str | None = None


def fix_request(options: dict[str, Any]) -> FixRequest:
    """The --fix options, taken out of ``options``; ConfigError when they do not fit."""
    request = FixRequest(
        options.pop("fix", False),
        options.pop("yes", False),
        options.pop("dry_run", False),
        options.pop("repo", None),
    )
    if not request.fix:
        for flag, given in (("--yes", request.yes), ("--dry-run", request.dry_run)):
            if given:
                raise ConfigError(flag, "only goes with --fix")
        if request.repo:
            raise ConfigError("--repo", "only goes with --fix")
    if request.yes and request.dry_run:
        raise ConfigError("--dry-run", "cannot be combined with --yes")
    return request


def check_fit(request: FixRequest, config: Config) -> None:
    """--fix talks to the user in text and repairs through Docker."""
    if request.fix and config.format != "text":
        raise ConfigError("--fix", "prints its repairs as text: drop --format/--json")
    if request.fix and config.no_docker:
        raise ConfigError("--fix", "repairs through Docker: drop --no-docker")


def offer_repairs(record: Any, ctx: Any, request: FixRequest) -> tuple[int, list[str]]:
    """Plan, decide, apply and check again: the exit status after it, and the lines that
    say what was done (for the terminal and the report)."""
    from doctor.fix.apply import APPLY, DECLINE, REFUSE, SHOW, carry_out, log_lines, recheck
    from doctor.fix.plan import plan
    from doctor.formats.text import ASCII_MARKS, MARKS, shows_marks
    from doctor.i18n import tr

    repairs, notes = plan(record, ctx, Path(request.repo) if request.repo else None)
    if not repairs:
        nothing = tr("Nothing to repair: no finding asks for a repair sse-doctor can make.")
        return record.exit_code, [tr("Repairs"), f"  {nothing}", *(f"  {n}" for n in notes)]
    can_ask = terminal_asker() is not None

    def decide(repair: Any) -> str:
        if request.dry_run:
            return SHOW
        if request.yes:
            return APPLY
        if not can_ask:
            return REFUSE
        question = tr("Run `{command}`?", command=repair.shown)
        return APPLY if click.confirm(question, default=False, err=True) else DECLINE

    actions = carry_out(repairs, ctx.docker, decide)
    after = recheck(ctx, actions)
    marks = MARKS if shows_marks(getattr(sys.stdout, "encoding", None)) else ASCII_MARKS
    lines = log_lines(actions, record, after, marks) + [f"  {n}" for n in notes]
    if any(a.decision == REFUSE for a in actions):
        lines.append(
            "  " + tr("Nothing was changed: there is no terminal to say yes at; --yes applies.")
        )
    return _exit_after(record, actions, after), lines


def _exit_after(record: Any, actions: list[Any], after: Any) -> int:
    """The run's status, unless every problem it found was repaired and checks out now."""
    repaired = {a.repair.problem for a in actions if a.applied}
    if "network.container-elsewhere" in repaired:
        repaired.add("network.missing")
    problems = {f.id for f in record.diagnosis if f.severity == "problem"}
    if after is None or not problems or not problems <= repaired:
        return int(record.exit_code)
    return int(after.exit_code)
