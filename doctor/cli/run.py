"""``sse-doctor run``: every check, the diagnosis and the six criteria."""

from __future__ import annotations

import sys
from typing import Any

import click

from doctor.cli.fixing import check_fit, fix_options, fix_request, offer_repairs
from doctor.cli.help import command
from doctor.cli.options import (
    build_config,
    print_record,
    run_and_print,
    run_with_progress,
    stack_options,
    write_stdout,
)


@command(
    "run",
    "Run every check and name the cause of a broken stream.",
    [
        "sse-doctor run                          # the only READY project's newest run",
        "sse-doctor run --project ID --run latest",
        "sse-doctor run --new-run --stream-timeout 600",
        "sse-doctor run --only containers,ai_server -v",
        "sse-doctor run --format junit > sse-doctor.xml   # CI",
        "sse-doctor run --fix                    # then offer the repairs it names",
    ],
)
@stack_options
@click.option(
    "--all-projects",
    is_flag=True,
    help="Run the doctor on every READY project, each its newest run: one line each.",
)
@fix_options
def run(all_projects: bool, **options: Any) -> None:
    """Run every check and name the cause of a broken stream.

    \b
    With --fix, the repairs the diagnosis names are offered afterwards: each is shown as its
    docker command and applied only on a yes (--yes for scripts, --dry-run to print them),
    then the checks it affects run again, before and after side by side. Nothing is removed,
    pruned or restarted.

    \b
    With --all-projects, every READY project gets the whole doctor at once, and the output
    is a line per project (--json: each project's document).
    """
    request = fix_request(options)
    config = build_config(options)
    check_fit(request, config)
    if all_projects:
        sys.exit(_all_projects(config, request))
    if not request.fix:
        sys.exit(run_and_print(config))
    record, ctx = run_with_progress(config)
    try:
        print_record(record, ctx, config)
        code, lines = offer_repairs(record, ctx, request)
        write_stdout(ctx.redactor.redact("\n" + "\n".join(lines) + "\n"))
    finally:
        ctx.close()
    sys.exit(code)


def _all_projects(config: Any, request: Any) -> int:
    from doctor.cli.options import terminal_asker
    from doctor.config import ConfigError
    from doctor.context import Context
    from doctor.formats.text import shows_marks
    from doctor.team.each import refuse_one_project_options, render_json, render_text, run_each

    refuse_one_project_options(config)
    if request.fix:
        raise ConfigError("--fix", "repairs one project at a time: drop --all-projects")
    if config.format not in ("text", "json"):
        raise ConfigError("--format", "--all-projects prints text or json")
    fleet = run_each(config, terminal_asker())
    try:
        if fleet.runs is None:  # the login or the project list failed: show why
            print_record(fleet.login, Context(config), config)
        elif config.format == "json":
            write_stdout(render_json(fleet))
        else:
            ascii_only = not shows_marks(getattr(sys.stdout, "encoding", None))
            text = render_text(fleet, ascii_only)
            for project in fleet.runs:
                text = project.ctx.redactor.redact(text)
            write_stdout(text)
    finally:
        fleet.close()
    return fleet.exit_code
