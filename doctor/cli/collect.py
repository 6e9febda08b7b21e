"""What ``report`` bundles: one project's run (and what ``--fix`` did), or with
``--all-projects`` every READY project's run, each under a directory of its own."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import click

from doctor.cli.fixing import FixRequest, offer_repairs
from doctor.cli.options import (
    is_terminal,
    print_record,
    run_with_progress,
    terminal_asker,
    write_stdout,
)
from doctor.i18n import tr

if TYPE_CHECKING:
    from doctor.config import Config
    from doctor.report.bundle import Bundle, Request


@dataclass
class Collected:
    """A bundle ready to write, how to show the run on stdout, and the exit status."""

    bundle: Bundle
    show: Callable[[], None]
    redact: Callable[[str], str]
    exit_code: int


def one_project(
    config: Config, checks: list[Any] | None, fix: FixRequest
) -> Callable[[Request], Collected]:
    """Run the doctor (and --fix), then bundle that run."""

    def collect(request: Request) -> Collected:
        from doctor.report.bundle import build_bundle

        record, ctx = run_with_progress(config, checks)
        try:
            if record.interrupted:  # Ctrl+C: no bundle of half a run
                raise KeyboardInterrupt
            code, repairs = record.exit_code, []
            if fix.fix:
                code, repairs = offer_repairs(record, ctx, fix)
                request = replace(request, repairs="\n".join(repairs) + "\n")
            _collecting()
            bundle = build_bundle(record, ctx, request)
        finally:
            ctx.close()

        def show() -> None:
            print_record(record, ctx, config)
            if repairs:
                write_stdout(ctx.redactor.redact("\n" + "\n".join(repairs) + "\n"))

        return Collected(bundle, show, ctx.redactor.redact, code)

    return collect


def every_project(config: Config) -> Callable[[Request], Collected]:
    """Run the doctor on every READY project at once, then bundle every run."""

    def collect(request: Request) -> Collected:
        from doctor.context import Context
        from doctor.formats.text import shows_marks
        from doctor.report.bundle import build_bundle
        from doctor.report.projects import projects_bundle
        from doctor.team.each import refuse_one_project_options, render_text, run_each

        refuse_one_project_options(config)
        fleet = run_each(config, terminal_asker())
        try:
            if fleet.runs is None:  # the login or the list failed: a bundle of that
                ctx = Context(config)
                _collecting()
                bundle = build_bundle(fleet.login, ctx, request)
                ctx.close()
                return Collected(
                    bundle,
                    lambda: print_record(fleet.login, ctx, config),
                    ctx.redactor.redact,
                    fleet.exit_code,
                )
            ascii_only = not shows_marks(getattr(sys.stdout, "encoding", None))
            summary = render_text(fleet, ascii_only)
            _collecting()
            bundle = projects_bundle(fleet, request, render_text(fleet))
        finally:
            fleet.close()

        def redact(text: str) -> str:
            for run in fleet.runs or []:
                text = run.ctx.redactor.redact(text)
            return text

        return Collected(bundle, lambda: write_stdout(redact(summary)), redact, fleet.exit_code)

    return collect


def _collecting() -> None:
    if is_terminal(sys.stderr):
        click.echo(tr("Collecting the report bundle…"), err=True)
