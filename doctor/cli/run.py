"""``sse-doctor run``: every check, the diagnosis and the six criteria."""

from __future__ import annotations

import sys
from typing import Any

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
@fix_options
def run(**options: Any) -> None:
    """Run every check and name the cause of a broken stream.

    \b
    With --fix, the repairs the diagnosis names are offered afterwards: each is shown as its
    docker command and applied only on a yes (--yes for scripts, --dry-run to print them),
    then the checks it affects run again, before and after side by side. Nothing is removed,
    pruned or restarted.
    """
    request = fix_request(options)
    config = build_config(options)
    check_fit(request, config)
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
