"""The ``sse-doctor`` command line: parse options, hand work to the core, print the outcome."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Sequence

import click

from doctor import __version__
from doctor.config import ConfigError
from doctor.i18n import tr

EXIT_USAGE = 2


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="sse-doctor")
def cli() -> None:
    """Diagnose the SSE path of the auto-refactor-agent stack.

    \b
    Exit status: 0 nothing failed, 1 a check failed or errored, 2 usage or config error.
    """


def main(argv: Sequence[str] | None = None) -> int:
    """Console entry point: one-line errors and exit 2 for bad usage, never a traceback."""
    _forgiving(sys.stdout)
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


def _forgiving(stream: object) -> None:
    """Let a text stream write any text: what its encoding lacks (cp1252, ASCII) as ``?``,
    a lone surrogate (from a backend's ``"\\ud800"``) as ``\\ud800``, valid UTF-8."""
    reconfigure = getattr(stream, "reconfigure", None)
    encoding = (getattr(stream, "encoding", None) or "").lower().replace("_", "-")
    if reconfigure is not None:
        with contextlib.suppress(ValueError):  # a closed stream
            reconfigure(errors="backslashreplace" if encoding in ("utf-8", "utf8") else "replace")


from doctor.cli.checks import list_checks  # noqa: E402
from doctor.cli.demo import demo  # noqa: E402
from doctor.cli.report import report  # noqa: E402
from doctor.cli.run import run  # noqa: E402
from doctor.cli.stream import stream  # noqa: E402

for command in (run, stream, report, list_checks, demo):
    cli.add_command(command)
