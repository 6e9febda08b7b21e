"""The ``sse-doctor`` command line: parse options, hand work to the core, print the outcome."""

from __future__ import annotations

import contextlib
import importlib
import io
import os
import sys
from collections.abc import Sequence

import click

from doctor import __version__
from doctor.cli.options import OutputError
from doctor.config import ConfigError
from doctor.i18n import tr

EXIT_USAGE = 2


COMMANDS = {
    "analyze": ("doctor.cli.analyze", "analyze"),
    "checks": ("doctor.cli.checks", "list_checks"),
    "demo": ("doctor.cli.demo", "demo"),
    "report": ("doctor.cli.report", "report"),
    "run": ("doctor.cli.run", "run"),
    "runs": ("doctor.cli.runs", "runs"),
    "status": ("doctor.cli.status", "status"),
    "stream": ("doctor.cli.stream", "stream"),
}
"""Each command's module and function, imported when the command is used."""


class LazyGroup(click.Group):
    """A group whose commands are imported in ``main``'s care (Ctrl+C there is exit 130)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in COMMANDS and name not in self.commands:
            module, attribute = COMMANDS[name]
            self.add_command(getattr(importlib.import_module(module), attribute), name)
        return self.commands.get(name)


@click.group(
    cls=LazyGroup,
    invoke_without_command=True,
    context_settings={
        "help_option_names": ["-h", "--help"],
        "max_content_width": 100,
        "show_default": True,
    },
)
@click.version_option(__version__, prog_name="sse-doctor")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Diagnose the SSE path of the auto-refactor-agent stack.

    \b
    Start with `sse-doctor run`; `sse-doctor report` writes the bundle for an issue.
    `sse-doctor COMMAND --help` shows a command's options and examples.

    \b
    Exit status: 0 no problem found, 1 a problem found (or the output could not be written),
    2 usage or config error, 3 not tested or inconclusive; 130 Ctrl+C.
    """
    if ctx.invoked_subcommand is None:  # bare `sse-doctor`: the help, and success
        click.echo(ctx.get_help())


def main(argv: Sequence[str] | None = None) -> int:
    """Console entry point: one-line errors and exit 2 for bad usage, never a traceback.

    Output that cannot be written (stdout closed, full, failing) is one line on stderr and
    exit 1; a closed pipe (``| head``) ends quietly with exit 1. Ctrl+C is one line and exit
    130; called as the program (no ``argv``), it is ignored once main returns, so that the
    interpreter's shutdown cannot be interrupted either.
    """
    if sys.stdout is None:  # started with file descriptor 1 closed (`>&-`)
        sys.stdout = _ClosedStdout()
    _forgiving(sys.stdout)
    try:
        code = _dispatch(argv)
        _flush_stdout()
    except BrokenPipeError:  # the reader went away (`| head`): nothing more to say
        _quiet_stdout()
        return 1
    except OutputError as exc:
        _quiet_stdout()
        _error(f"sse-doctor: error: {exc}")
        return 1
    except OSError as exc:  # click.echo to stdout or stderr (--help, --version, checks)
        if _stdout_fails():
            _quiet_stdout()
        _error(f"sse-doctor: error: cannot write the output: {exc.strerror or exc}")
        return 1
    except KeyboardInterrupt:  # outside click's own handling: before, between, after
        _error(tr("sse-doctor: aborted"))
        return 130
    finally:
        if argv is None:
            _no_interrupts_from_now_on()
    return code


def _no_interrupts_from_now_on() -> None:
    import signal
    import threading

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def _dispatch(argv: Sequence[str] | None) -> int:
    """Run the command; the exit status, with usage errors as one line on stderr."""
    try:
        code = cli.main(
            args=list(argv) if argv is not None else None,
            prog_name="sse-doctor",
            standalone_mode=False,
        )
    except ConfigError as exc:
        _error(f"sse-doctor: error: {exc}")
        return EXIT_USAGE
    except click.UsageError as exc:
        _error(f"sse-doctor: error: {exc.format_message()}")
        return EXIT_USAGE
    except click.Abort:
        _error(tr("sse-doctor: aborted"))
        return 130
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else int(exc.code is not None)
    return code if isinstance(code, int) else 0


def _error(line: str) -> None:
    """One line on stderr, if stderr can take it."""
    with contextlib.suppress(OSError, ValueError):
        click.echo(line, err=True)


def _forgiving(stream: object) -> None:
    """Let a text stream write any text: what its encoding lacks (cp1252, ASCII) as ``?``,
    a lone surrogate (from a backend's ``"\\ud800"``) as ``\\ud800``, valid UTF-8."""
    reconfigure = getattr(stream, "reconfigure", None)
    encoding = (getattr(stream, "encoding", None) or "").lower().replace("_", "-")
    if reconfigure is not None:
        with contextlib.suppress(ValueError):  # a closed stream
            reconfigure(errors="backslashreplace" if encoding in ("utf-8", "utf8") else "replace")


class _ClosedStdout(io.TextIOBase):
    """sys.stdout when there is none: writing to it is an OutputError, not silence."""

    encoding = "utf-8"

    def write(self, text: str) -> int:
        raise OutputError("cannot write to standard output: it is closed")


def _flush_stdout() -> None:
    """Write out what stdout still holds; OutputError when it cannot."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except (OSError, ValueError) as exc:  # ValueError: a closed file object
        reason = getattr(exc, "strerror", None) or exc
        raise OutputError(f"cannot write to standard output: {reason}") from None


def _stdout_fails() -> bool:
    """True when what stdout holds cannot be written out."""
    try:
        if sys.stdout is not None:
            sys.stdout.flush()
    except (OSError, ValueError):
        return True
    return False


def _quiet_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's last flush of it cannot fail."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # None, or not a file descriptor
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)
