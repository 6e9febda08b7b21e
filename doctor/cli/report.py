"""``sse-doctor report``: run every check, then write the bug-report bundle.

Only click and doctor.cli.options are imported here at start-up; the rest is imported when the
command runs, so that ``sse-doctor --help`` stays fast.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from doctor.cli.fixing import check_fit, fix_options, fix_request
from doctor.cli.help import command
from doctor.cli.options import (
    OutputError,
    PathType,
    build_config,
    ending_on_signals,
    stack_options,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from doctor.cli.collect import Collected
    from doctor.config import Config
    from doctor.report.bundle import Bundle, Request

SECRET_OPTIONS = {"password": "[REDACTED]", "token": "[REDACTED]"}


@command(
    "report",
    "Run every check and write the bug-report bundle, secrets redacted.",
    [
        "sse-doctor report                       # ./sse-doctor-report-<UTC time>.tar.gz",
        "sse-doctor report -o issue-42.tar.gz --backend-log backend.log",
        "sse-doctor report --no-stream           # the stack as it is, watching nothing",
        "sse-doctor report --all-projects        # every READY project in one bundle",
    ],
)
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
    "--no-stream",
    is_flag=True,
    help="Bundle the stack as it is: start no run and watch no stream (no sse checks).",
)
@click.option(
    "--all-projects",
    is_flag=True,
    help="Run the doctor on every READY project and bundle each under projects/<id>/.",
)
@fix_options
def report(
    output: str | None, force: bool, no_stream: bool, all_projects: bool, **options: Any
) -> None:
    """Run every check and write a bug-report bundle (.tar.gz) with every secret redacted.

    \b
    The bundle answers the guide's four requests: the tool's output, the backend's
    [SSE] log lines, the container status and the AI Server's health. It is written
    with mode 0600, all of it under one directory; review it before sharing it.
    `sse-doctor analyze BUNDLE` reads it back. With --fix, what the repairs did is in
    repairs.txt.
    """
    from doctor.cli.collect import every_project, one_project
    from doctor.config import ConfigError
    from doctor.report.bundle import Request

    command, sources = command_line(click.get_current_context())
    fix = fix_request(options)
    config = build_config(options)
    check_fit(fix, config)
    config, checks = _without_the_stream(config) if no_stream else (config, None)
    if all_projects and fix.fix:
        raise ConfigError("--fix", "repairs one project at a time: drop --all-projects")
    request = Request(command=command, sources=sources, no_stream=no_stream)
    collect = every_project(config) if all_projects else one_project(config, checks, fix)
    with ending_on_signals():  # the temporary file is removed on SIGTERM and SIGHUP too
        code = _report(config, output, force, request, collect)
    sys.exit(code)


STREAM_CHECKS = ("ai_server.stream",)
"""Checks outside the sse layer that watch a stream: --no-stream leaves them out too."""


def _without_the_stream(config: Config) -> tuple[Config, list[Any]]:
    """The config and checks of ``--no-stream``: the newest run is chosen (never a new one,
    never at a prompt that could start one), and no check of the sse layer runs."""
    from dataclasses import replace

    from doctor.config import LATEST_RUN, ConfigError
    from doctor.session import selected_checks

    if config.new_run:
        raise ConfigError("--no-stream", "cannot be combined with --new-run: it starts nothing")
    config = replace(config, run=config.run or LATEST_RUN)
    checks = [c for c in selected_checks(config) if c.layer != "sse" and c.id not in STREAM_CHECKS]
    return config, checks


def _bundle_path(output: str | None) -> Path:
    """Where the bundle goes: ``--output`` or a timestamped name in the current directory."""
    from datetime import datetime, timezone
    from pathlib import Path

    from doctor.report.bundle import default_name

    return Path(output) if output else Path.cwd() / default_name(datetime.now(timezone.utc))


def _report(
    config: Config,
    output: str | None,
    force: bool,
    request: Request,
    collect: Callable[[Request], Collected],
) -> int:
    from dataclasses import replace
    from pathlib import Path

    from doctor.config import ConfigError
    from doctor.report.archive import ReservedFile

    path = _bundle_path(output)
    log = Path(config.backend_log) if config.backend_log else None
    try:
        target = ReservedFile(path, force, protect=log)
    except OSError as exc:
        raise ConfigError("--output", f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        collected = collect(replace(request, root=target.root))
        failed: ConfigError | None = None
        try:  # the bundle first: it is the point of the command
            size = target.commit(collected.bundle.files)
        except OSError as exc:
            failed = ConfigError("--output", f"cannot write {path}: {exc.strerror or exc}")
        try:
            collected.show()
        except OutputError as exc:
            if failed is None:
                raise OutputError(f"{exc} (the bundle is {path.resolve()})") from None
            raise
    finally:
        target.discard()
    if failed is not None:
        raise failed
    said = collected.redact(notice(path, size, target.root, collected.bundle))
    click.echo(said, err=True)  # on stderr: stdout holds only the run, one document
    return collected.exit_code


def notice(path: Path, size: int, root: str, bundle: Bundle) -> str:
    """What the terminal says once the bundle is written: where, how many files, what was
    redacted, and which of the guide's four items are missing and how to add each."""
    from doctor.i18n import tr

    redacted = ", ".join(f"{rule} {n}" for rule, n in bundle.redactions.items())
    lines = [
        "",
        tr(
            "Report bundle: {path} ({size}, {count} files under {root}/)",
            path=path.resolve(),
            size=_size(size),
            count=len(bundle.files),
            root=root,
        ),
        tr("redacted: {counts}", counts=redacted or tr("nothing")),
        *(tr("missing: {item}", item=item) for item in bundle.missing),
        tr(
            "Please review the bundle before sharing it: secrets were redacted, "
            "but check that nothing private is left."
        ),
    ]
    return "\n".join(lines)


def command_line(ctx: click.Context) -> tuple[str, str]:
    """The command as typed (its options in their declared order, secrets replaced), and
    the names of the settings that came from the environment or a settings file."""
    import shlex

    from doctor.i18n import tr
    from doctor.report.redact import redact_uri

    words = ["sse-doctor", ctx.info_name or "report"]
    environment, in_file = [], []
    for param in ctx.command.params:
        if not isinstance(param, click.Option) or param.name is None:
            continue
        source = ctx.get_parameter_source(param.name)
        value = ctx.params.get(param.name)
        if source is click.core.ParameterSource.ENVIRONMENT:
            environment.append(str(param.envvar))
        elif source is click.core.ParameterSource.DEFAULT_MAP:
            in_file.append(param.name.replace("_", "-"))
        elif source is click.core.ParameterSource.COMMANDLINE:
            if param.name in SECRET_OPTIONS and value:
                value = SECRET_OPTIONS[param.name]
            elif param.name == "mongo_uri" and value:
                value = redact_uri(str(value))
            words += _words(param, value)
    sources = []
    if environment:
        sources.append(tr("from the environment: {names}", names=", ".join(environment)))
    if in_file:
        sources.append(tr("from the settings file: {names}", names=", ".join(in_file)))
    return " ".join(shlex.quote(word) for word in words), "; ".join(sources)


def _words(param: click.Option, value: Any) -> list[str]:
    longs = [opt for opt in param.opts if opt.startswith("--")]
    name = longs[0] if longs else param.opts[0]
    if param.count:
        return [param.opts[0]] * int(value or 0) if param.opts[0].startswith("-") else []
    if param.is_flag:
        return [name] if value else []
    if value is None:  # --config: read by its callback, its value not kept
        return [name, "…"]
    values = value if param.multiple else [value]
    return [word for item in values for word in (name, str(item))]


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1 << 20:
        return f"{size / 1024:.1f} KiB"
    return f"{size / (1 << 20):.1f} MiB"
