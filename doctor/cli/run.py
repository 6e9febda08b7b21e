"""``sse-doctor run``: every check, the diagnosis and the six criteria."""

from __future__ import annotations

import sys
from typing import Any

from doctor.cli.help import command
from doctor.cli.options import build_config, run_and_print, stack_options


@command(
    "run",
    "Run every check and name the cause of a broken stream.",
    [
        "sse-doctor run                          # the only READY project's newest run",
        "sse-doctor run --project ID --run latest",
        "sse-doctor run --new-run --stream-timeout 600",
        "sse-doctor run --only containers,ai_server -v",
        "sse-doctor run --format junit > sse-doctor.xml   # CI",
    ],
)
@stack_options
def run(**options: Any) -> None:
    """Run every check and name the cause of a broken stream."""
    sys.exit(run_and_print(build_config(options)))
