"""``sse-doctor demo``: start the simulated stack, run the doctor on it, stop the stack."""

from __future__ import annotations

import contextlib
import sys
from dataclasses import replace
from typing import Any

import click

from doctor.cli.help import command
from doctor.config import FORMATS
from doctor.i18n import LANGUAGES

FAULT_NAMES = (
    "backend-hang", "mongo-down", "mongo-auth", "foreign-project", "unknown-project",
    "project-not-ready", "ai-down", "container-unresolvable", "ai-killed", "unknown-run",
    "no-api-key", "no-postgres-url", "keepalive-only", "agent-stall", "slow-events",
    "gzip", "buffered", "wrong-content-type", "flood", "container-stopped", "no-base-image",
)  # fmt: skip
"""doctor.testbed.faults.FAULTS, kept in step by a test: importing the testbed here would
load fastapi and uvicorn for every ``--help``."""


@command(
    "demo",
    "Run the doctor on a simulated stack, healthy or with a fault.",
    [
        "sse-doctor demo",
        "sse-doctor demo --fault ai-killed --profile v1",
        "sse-doctor demo --docker --fault container-stopped",
    ],
)
@click.option(
    "--fault",
    "faults",
    multiple=True,
    type=click.Choice(FAULT_NAMES),
    metavar="FAULT",
    help=f"Inject this fault (repeatable): {', '.join(FAULT_NAMES)}.",
)
@click.option(
    "--profile",
    type=click.Choice(["v1", "v2"]),
    default="v2",
    show_default=True,
    help="The stack's version: v1 is the guide's commit 765d572, v2 today's main 55a61f4.",
)
@click.option("--docker", is_flag=True, help="Run the AI Server in a real Docker container.")
@click.option(
    "--format", "output_format", type=click.Choice(FORMATS), default="text", help="Output format."
)
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@click.option(
    "-v", "--verbose", count=True, show_default=False, help="Show durations and evidence."
)
@click.option("--no-color", is_flag=True, help="Plain text output.")
@click.option("--lang", type=click.Choice(LANGUAGES), help="Output language.")
@click.option("--timeout", type=float, default=2.0, show_default=True, help="Per-probe timeout, s.")
def demo(
    faults: tuple[str, ...],
    profile: str,
    docker: bool,
    output_format: str,
    as_json: bool,
    **options: Any,
) -> None:
    """Show what the doctor reports on a healthy or a broken simulated stack."""
    from doctor.cli.options import build_config, ending_on_signals, run_and_print
    from doctor.i18n import tr

    try:
        from doctor.testbed import start_stack
    except ImportError as exc:
        raise click.UsageError(
            f"the demo needs the testbed extra ({exc.name} is missing): "
            "pip install 'sse-doctor[testbed]'"
        ) from None
    # Bad options are reported before anything starts.
    config = build_config({**options, "format": "json" if as_json else output_format})
    with contextlib.ExitStack() as exits:
        exits.enter_context(ending_on_signals())  # SIGTERM, SIGHUP: the stack is stopped too
        try:
            stack = exits.enter_context(
                start_stack(
                    faults, profile_name=profile, docker=docker, docker_timeout=config.timeout
                )
            )
        except Exception as exc:  # e.g. no Docker engine for --docker
            raise click.UsageError(f"cannot start the demo stack: {exc}") from None
        config = replace(
            config,
            backend_url=stack.backend_url,
            api_prefix=stack.api_prefix,
            email=stack.email,
            username=stack.username if profile == "v2" else None,
            password=stack.password,
            project=stack.project_id,
            run=stack.run_id,
            mongo_uri=stack.mongo_uri,
            mongo_db=stack.mongo_db,
            base_image=stack.base_image,
            container_prefix=stack.container_prefix,
            ai_url=stack.ai_url,
            backend_log=str(stack.log_path),
            no_docker=not docker,
            stream_timeout=30.0,
            idle_timeout=2.0,
        )
        click.echo(
            tr(
                "Demo stack ({profile}) at {url} (faults: {faults})",
                profile=profile,
                url=stack.backend_url,
                faults=", ".join(faults) or tr("none"),
            ),
            err=True,
        )
        code = run_and_print(config)
    sys.exit(code)
