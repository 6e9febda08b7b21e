"""``sse-doctor status``: every project the user can see, one row each, checked at once."""

from __future__ import annotations

import sys
from typing import Any

from doctor.cli.help import command
from doctor.cli.options import (
    build_config,
    print_record,
    stack_options,
    terminal_asker,
    write_stdout,
)


@command(
    "status",
    "Every project at once: container, AI Server, newest run, verdict.",
    [
        "sse-doctor status",
        "sse-doctor status --json",
        "sse-doctor status --format markdown >> issue.md",
    ],
)
@stack_options
def status(**options: Any) -> None:
    """Show every project the user can see: the backend's status, the container's state,
    the AI Server's /health, the newest run and one verdict per project.

    \b
    The projects are checked at the same time, so the table takes about one --timeout
    however many there are. Exit 0 when no project has a problem, 1 when one has, 3 when
    the backend lists none.
    """
    from doctor.context import Context
    from doctor.formats.text import shows_marks
    from doctor.team.survey import survey
    from doctor.team.table import render_json, render_markdown, render_text

    config = build_config(options)
    if config.format == "junit":
        from doctor.config import ConfigError

        raise ConfigError("--format", "status prints text, json or markdown")
    seen = survey(config, terminal_asker())
    if not seen.listed:  # the login or the list failed: show why, as run would
        print_record(seen.login, Context(config), config)
        sys.exit(seen.exit_code)
    base = config.backend_url
    if config.format == "json":
        output = render_json(seen, base)
    elif config.format == "markdown":
        output = render_markdown(seen, base)
    else:
        output = render_text(seen, not shows_marks(getattr(sys.stdout, "encoding", None)), base)
    write_stdout(seen.redactor.redact(output))
    sys.exit(seen.exit_code)
