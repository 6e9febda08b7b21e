"""The ``sse-doctor`` command line: parse options, hand work to the core, print the outcome."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Any

import click

from doctor import __version__
from doctor.config import ENV_PREFIX, ConfigError
from doctor.i18n import LANGUAGES, tr
from doctor.options import build_config, run_and_print, stack_options

EXIT_USAGE = 2


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="sse-doctor")
def cli() -> None:
    """Diagnose the SSE path of the auto-refactor-agent stack.

    \b
    Exit status: 0 nothing failed, 1 a check failed or errored, 2 usage or config error.
    """


@cli.command()
@stack_options
def run(**options: Any) -> None:
    """Run every check and name the cause of a broken stream."""
    sys.exit(run_and_print(build_config(options)))


@cli.command("checks")
@click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    envvar=f"{ENV_PREFIX}_LANG",
    show_envvar=True,
    help="Output language.",
)
def list_checks(lang: str | None) -> None:
    """List the registered checks: id, layer, title, dependencies and package."""
    from rich.cells import cell_len

    from doctor.i18n import detect_language, set_language
    from doctor.registry import load_checks

    set_language(lang or detect_language())
    rows = [
        (c.id, c.layer, tr(c.title), ", ".join(c.depends_on) or "-", c.source)
        for c in load_checks()
    ]
    header = ("ID", tr("LAYER"), tr("TITLE"), tr("DEPENDS ON"), tr("PACKAGE"))
    widths = [max(cell_len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        cells = (str(v) + " " * (w - cell_len(str(v))) for v, w in zip(row, widths))
        click.echo("  ".join(cells).rstrip())


def main(argv: Sequence[str] | None = None) -> int:
    """Console entry point: one-line errors and exit 2 for bad usage, never a traceback."""
    try:
        code = cli.main(
            args=list(argv) if argv is not None else None,
            prog_name="sse-doctor",
            standalone_mode=False,
        )
    except ConfigError as exc:
        click.echo(f"sse-doctor: error: {exc}", err=True)
        return EXIT_USAGE
    except click.UsageError as exc:
        click.echo(f"sse-doctor: error: {exc.format_message()}", err=True)
        return EXIT_USAGE
    except click.Abort:
        click.echo(tr("sse-doctor: aborted"), err=True)
        return 130
    except BrokenPipeError:  # the reader went away (`| head`): nothing more to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else int(exc.code is not None)
    return code if isinstance(code, int) else 0


from doctor.stream_command import stream  # noqa: E402

cli.add_command(stream)
from doctor.report_command import report  # noqa: E402

cli.add_command(report)
from doctor.demo_command import demo  # noqa: E402

cli.add_command(demo)

if __name__ == "__main__":
    sys.exit(main())
