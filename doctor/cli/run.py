"""``sse-doctor run``: every check, the diagnosis and the six criteria."""

from __future__ import annotations

import sys
from typing import Any

import click

from doctor.cli.options import build_config, run_and_print, stack_options


@click.command()
@stack_options
def run(**options: Any) -> None:
    """Run every check and name the cause of a broken stream."""
    sys.exit(run_and_print(build_config(options)))
