"""``sse-doctor report``: run every check, then write the bug-report bundle.

Only click and doctor.cli.options are imported here at start-up; the rest is imported when the
command runs, so that ``sse-doctor --help`` stays fast.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from doctor.cli.options import (
    OutputError,
    PathType,
    build_config,
    ending_on_signals,
    is_terminal,
    print_record,
    run_with_progress,
    stack_options,
    write_stdout,
)

if TYPE_CHECKING:
    from pathlib import Path

    from doctor.config import Config


@click.command("report")
@stack_options
@click.option(
    "-o",
    "--output",
    type=PathType(dir_okay=False),
    help="Bundle file, new (default: ./sse-doctor-report-<UTC time>.tar.gz).",
)
@click.option(
    "--force",
    is_flag=True,
    help="Replace an existing bundle file (a regular file; never a link or a device).",
)
@click.option(
    "--backend-log",
    type=PathType(exists=True, dir_okay=False, regular=True),
    envvar="SSE_DOCTOR_BACKEND_LOG",
    show_envvar=True,
    help="The backend's log file; its [SSE] lines go into the bundle.",
)
def report(output: str | None, force: bool, **options: Any) -> None:
    """Run every check and write a bug-report bundle (.tar.gz) with every secret redacted.

    \b
    The bundle answers the guide's four requests: the tool's output, the backend's
    [SSE] log lines, the container status and the AI Server's health. It is written
    with mode 0600; review it before sharing it.
    """
    config = build_config(options)
    with ending_on_signals():  # the temporary file is removed on SIGTERM and SIGHUP too
        code = _report(config, output, force)
    sys.exit(code)


def _bundle_path(output: str | None) -> Path:
    """Where the bundle goes: ``--output`` or a timestamped name in the current directory."""
    from datetime import datetime, timezone
    from pathlib import Path

    from doctor.report.bundle import default_name

    return Path(output) if output else Path.cwd() / default_name(datetime.now(timezone.utc))


def _report(config: Config, output: str | None, force: bool) -> int:
    from pathlib import Path

    from doctor.config import ConfigError
    from doctor.i18n import tr
    from doctor.report.bundle import ReservedFile, build_bundle

    path = _bundle_path(output)
    log = Path(config.backend_log) if config.backend_log else None
    try:
        target = ReservedFile(path, force, protect=log)
    except OSError as exc:
        raise ConfigError("--output", f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        record, ctx = run_with_progress(config)
        try:
            if is_terminal(sys.stderr):
                click.echo(tr("Collecting the report bundle…"), err=True)
            files = build_bundle(record, ctx)
            failed: ConfigError | None = None
            try:  # the bundle first: it is the point of the command
                size = target.commit(files)
            except OSError as exc:
                failed = ConfigError("--output", f"cannot write {path}: {exc.strerror or exc}")
            try:
                print_record(record, ctx, config)
            except OutputError as exc:
                if failed is None:
                    raise OutputError(f"{exc} (the bundle is {path.resolve()})") from None
                raise
        finally:
            ctx.close()
    finally:
        target.discard()
    if failed is not None:
        raise failed
    notice = "\n".join(
        [
            "",
            tr("Report bundle: {path} ({size})", path=path.resolve(), size=_size(size)),
            tr(
                "Please review the bundle before sharing it: secrets were redacted, "
                "but check that nothing private is left."
            ),
        ]
    )
    if config.format == "text":
        write_stdout(notice + "\n")
    else:  # keep stdout one document
        click.echo(notice, err=True)
    return record.exit_code


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1 << 20:
        return f"{size / 1024:.1f} KiB"
    return f"{size / (1 << 20):.1f} MiB"
