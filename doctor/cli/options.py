"""Options shared by the commands that look at a stack, and how they become a Config."""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from doctor.config import ENV_PREFIX, FORMATS, Config, ConfigError, load_file, validate
from doctor.i18n import LANGUAGES
from doctor.report.backend_log import file_kind


class PathType(click.Path):
    """``click.Path`` that names a NUL byte instead of raising, and with ``regular=True``
    refuses anything but a regular file (a FIFO or a device would block or never end)."""

    def __init__(self, *, regular: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.regular = regular

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if "\x00" in os.fsdecode(value):
            self.fail("the path holds a NUL byte", param, ctx)
        path = super().convert(value, param, ctx)
        if self.regular:
            try:
                mode = os.stat(path).st_mode
            except OSError:  # missing: the caller says so
                return path
            if not stat.S_ISREG(mode):
                problem = f"{os.fsdecode(value)!r} is not a regular file ({file_kind(mode)})"
                self.fail(problem, param, ctx)
        return path


def _load_config_file(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    settings = load_file(Path(value) if value else None)
    ctx.default_map = {**(ctx.default_map or {}), **settings}


def _option(name: str, **kwargs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """An option that is also read from SSE_DOCTOR_<NAME>."""
    dest = kwargs.pop("dest", None) or name.split("/")[0].lstrip("-").replace("-", "_")
    env = f"{ENV_PREFIX}_{dest.upper()}"
    decls = [d for d in (*name.split("/"), *kwargs.pop("aliases", ())) if d]
    return click.option(*decls, dest, envvar=env, show_envvar=True, **kwargs)


STACK_OPTIONS = [
    click.option(
        "--config",
        type=PathType(dir_okay=False, regular=True),
        callback=_load_config_file,
        is_eager=True,
        expose_value=False,
        help="Settings file (default: ./sse-doctor.toml).",
    ),
    _option("--backend-url", default=Config.backend_url, help="Backend base URL."),
    _option("--api-prefix", default=Config.api_prefix, help="API path prefix."),
    _option("--email", help="Login email (the backend at 765d572 logs in by email)."),
    _option("--username", help="Login name (the backend logs in by username since a48445a)."),
    _option(
        "--password",
        help="Login password. Other users see command-line flags in `ps`: prefer "
        "SSE_DOCTOR_PASSWORD or --password-stdin.",
    ),
    click.option(
        "--password-stdin",
        is_flag=True,
        help="Read the password from the first line of standard input.",
    ),
    _option(
        "--token",
        help="Bearer token; skips the login. Other users see command-line flags in `ps`: "
        "prefer SSE_DOCTOR_TOKEN or --token-file.",
    ),
    _option(
        "--token-file",
        type=PathType(exists=True, dir_okay=False, regular=True),
        help="Read the bearer token from the first line of this file.",
    ),
    _option(
        "--backend-log",
        type=PathType(exists=True, dir_okay=False, regular=True),
        help="The backend's log file: its lines about the run are evidence.",
    ),
    _option("--project", help="Project id (default: the only READY project)."),
    _option("--run", help="Watch this run id, or `latest` (default: the newest run)."),
    _option(
        "--new-run",
        is_flag=True,
        default=False,
        help="Start a new Agent run (costs LLM tokens).",
    ),
    _option("--mongo-uri", default=Config.mongo_uri, help="MongoDB URI."),
    _option("--mongo-db", default=Config.mongo_db, help="The backend's database."),
    _option("--docker-host", help="Docker engine URL (default: DOCKER_HOST or context)."),
    _option("--base-image", default=Config.base_image, help="Base image tag."),
    _option("--container-prefix", default=Config.container_prefix, help="Container name prefix."),
    _option(
        "--docker-network",
        default=Config.docker_network,
        help="The network the backend reaches the project containers on.",
    ),
    _option(
        "--backend-container",
        help="The backend's container, asked for the path and whose log is read (default: the "
        "one publishing the --backend-url port, or compose's api).",
    ),
    _option("--ai-url", help="AI Server URL when it runs outside Docker."),
    _option("--no-docker", is_flag=True, default=False, help="Do not look at Docker."),
    _option("--timeout", type=float, default=Config.timeout, help="Per-probe timeout, s."),
    _option(
        "--stream-timeout",
        type=float,
        default=Config.stream_timeout,
        help="Longest stream observation, s.",
    ),
    _option(
        "--idle-timeout",
        type=float,
        default=Config.idle_timeout,
        help="Longest silence on the stream, s.",
    ),
    _option(
        "--only",
        multiple=True,
        help="Run only these checks and what they need: ids, id prefixes, layers or headings, "
        "comma-separated (repeatable).",
    ),
    _option("--skip", multiple=True, help="Skip these checks (the names --only takes)."),
    _option("--format", type=click.Choice(FORMATS), default="text", help="Output format."),
    click.option("--json", "as_json", is_flag=True, help="Same as --format json."),
    _option(
        "-v/--verbose",
        count=True,
        show_default=False,
        help="Show durations and evidence; -vv the evidence as JSON.",
        dest="verbose",
    ),
    _option("--no-color", is_flag=True, default=False, help="Plain text output."),
    _option("--strict", is_flag=True, default=False, help="Warnings exit 1 too (for CI)."),
    _option(
        "-q/--quiet", is_flag=True, default=False, help="Print the verdict only.", dest="quiet"
    ),
    _option("--lang", type=click.Choice(LANGUAGES), help="Output language."),
]


def stack_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """The options shared by run, report and stream."""
    for option in reversed(STACK_OPTIONS):
        func = option(func)
    return func


def build_config(options: dict[str, Any]) -> Config:
    """The validated Config for the parsed options; also selects the output language."""
    from doctor.i18n import detect_language, set_language

    if options.pop("as_json", False):
        options["format"] = "json"
    for name in ("only", "skip"):
        options[name] = tuple(
            part.strip()
            for value in options.get(name) or ()
            for part in value.split(",")
            if part.strip()
        )
    options["lang"] = options.get("lang") or detect_language()
    _read_secrets(options)
    _nearest_source_wins(options, "run", "new_run")
    config = validate(Config(**options))
    set_language(config.lang)
    return config


_SOURCE_RANK = {
    click.core.ParameterSource.COMMANDLINE: 3,
    click.core.ParameterSource.ENVIRONMENT: 2,
    click.core.ParameterSource.DEFAULT_MAP: 1,
}


def _nearest_source_wins(options: dict[str, Any], *names: str) -> bool:
    """Of options that exclude each other, keep the one set closest to the command line.

    ``run = "…"`` in the file and ``--new-run`` on the command line: the command line wins.
    Set at the same level, both are kept: True, the caller names the conflict.
    """
    ctx = click.get_current_context(silent=True)
    given = [name for name in names if options.get(name)]
    if ctx is None or len(given) < 2:
        return False
    rank = {name: _SOURCE_RANK.get(ctx.get_parameter_source(name), 0) for name in given}
    best = max(rank.values())
    for name in given:
        if rank[name] < best:
            options[name] = False if options[name] is True else None
    return len([name for name in given if options[name]]) > 1


MAX_SECRET_BYTES = 64 << 10


def _read_secrets(options: dict[str, Any]) -> None:
    """Replace ``--password-stdin`` and ``--token-file`` by the secret they read."""
    for option, source, target in (
        ("--password-stdin", "password_stdin", "password"),
        ("--token-file", "token_file", "token"),
    ):
        if _nearest_source_wins(options, source, target):
            raise ConfigError(option, f"cannot be combined with --{target}")
        where = options.pop(source, None)
        if where:
            options[target] = _first_line(option, None if where is True else where)


def _first_line(option: str, path: str | None) -> str:
    """The first line of the file, or of standard input for None; ConfigError when empty."""
    from doctor.report.backend_log import open_regular

    what = "the file" if path else "standard input"
    if path is None and (sys.stdin is None or is_terminal(sys.stdin)):
        raise ConfigError(option, "standard input is a terminal: pipe the secret in")
    try:
        if path:
            with open_regular(path) as file:
                data = file.read(MAX_SECRET_BYTES)
        else:
            data = sys.stdin.buffer.readline(MAX_SECRET_BYTES)
        lines = data.decode("utf-8").splitlines()
    except (OSError, ValueError) as exc:  # UnicodeDecodeError is a ValueError
        raise ConfigError(option, f"cannot read {path or what}: {exc}") from None
    line = lines[0] if lines else ""
    if not line.strip():
        raise ConfigError(option, f"{what} holds no secret on its first line")
    return line.strip() if path else line


def is_terminal(stream: Any) -> bool:
    """True for a stream on a terminal; False also for a closed one (None)."""
    try:
        return stream is not None and stream.isatty()
    except ValueError:  # closed
        return False


def use_color(config: Config, stream: Any = None) -> bool:
    """Colour only on a terminal, and not with --no-color, NO_COLOR or TERM=dumb."""
    return (
        not config.no_color
        and "NO_COLOR" not in os.environ
        and os.environ.get("TERM") != "dumb"
        and is_terminal(stream or sys.stdout)
    )


@contextmanager
def ending_on_signals() -> Iterator[None]:
    """SIGTERM and SIGHUP raise SystemExit(128 + signal) in the main thread meanwhile.

    So ``finally`` blocks and ``with`` exits run (temporary files, containers, image tags);
    a second signal during that cleanup is ignored. Python drops an exception raised where
    it cannot propagate (a weakref callback, a destructor) and reports it as unraisable:
    then the signal is sent again, to land at the next bytecode. The previous handlers
    come back after.
    """
    import signal
    import threading

    names = [name for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)]
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    ending: list[int] = []

    def end(signum: int, frame: Any) -> None:
        if not ending:
            ending.append(signum)
            raise SystemExit(128 + signum)

    def unraisable(info: Any) -> None:
        if isinstance(info.exc_value, SystemExit) and ending:  # our exit, swallowed
            signum = ending.pop()
            os.kill(os.getpid(), signum)
            return
        hook(info)

    hook = sys.unraisablehook
    previous = {name: signal.signal(getattr(signal, name), end) for name in names}
    sys.unraisablehook = unraisable
    try:
        yield
    finally:
        sys.unraisablehook = hook
        for name, handler in previous.items():
            signal.signal(getattr(signal, name), handler)


def terminal_asker(pause: Callable[[], Any] | None = None) -> Callable[..., str] | None:
    """Prompts on the terminal, or None when there is none (CI, pipes)."""
    if not (is_terminal(sys.stdin) and is_terminal(sys.stderr)) or os.environ.get("CI"):
        return None
    _restore_terminal_at_exit()

    def ask(question: str, choices: Sequence[str], secret: bool) -> str:
        import threading
        from contextlib import nullcontext

        with pause() if pause else nullcontext():
            for number, choice in enumerate(choices, 1):
                click.echo(f"  {number}. {choice}", err=True)
            if secret:
                try:
                    return click.prompt(
                        question, hide_input=True, err=True, default="", show_default=False
                    )
                except click.Abort:  # Ctrl+D; Ctrl+C too, but only in the main thread
                    if threading.current_thread() is threading.main_thread():
                        raise
                    click.echo("", err=True)
                    raise EOFError from None
            click.echo(f"{question}: ", nl=False, err=True)
            return _read_line(sys.stdin)

    return ask


def _read_line(stream: Any) -> str:
    """One line typed on the terminal, read from its file descriptor; EOFError when the
    input ends (Ctrl+D) before anything was typed.

    Prompts run in a check's thread while the main thread waits. ``input()`` would hold the
    lock of ``sys.stdin``'s buffer meanwhile, and on Ctrl+C the interpreter could not shut
    down ("could not acquire lock for <stdin>", SIGABRT); a bare ``os.read`` holds no lock.
    """
    fd = stream.fileno()
    data = b""
    while not data.endswith(b"\n"):
        chunk = os.read(fd, 1024)
        if not chunk:
            break
        data += chunk
    if not data:
        click.echo("", err=True)  # the prompt's line ends, as after Enter
        raise EOFError
    return data.decode(stream.encoding or "utf-8", "replace").rstrip("\r\n")


def _restore_terminal_at_exit() -> None:
    """Put the terminal back as it was when the process ends.

    A hidden password prompt turns echo off; it runs in a check's thread, so Ctrl+C there
    ends the process before the prompt can turn echo back on.
    """
    import atexit

    try:
        import termios
    except ImportError:  # Windows
        return
    try:
        fd = sys.stdin.fileno()
        saved = termios.tcgetattr(fd)
    except (termios.error, OSError, ValueError):  # not a real terminal after all
        return
    atexit.register(termios.tcsetattr, fd, termios.TCSADRAIN, saved)


def run_with_progress(config: Config, checks: list[Any] | None = None) -> tuple[Any, Any]:
    """Run the doctor, with a live progress display when stderr is a terminal (whatever
    the format on stdout): (RunRecord, Context)."""
    from doctor.session import run_doctor

    if config.quiet or not use_color(config, sys.stderr):
        return run_doctor(config, terminal_asker(), None, checks)
    from doctor.formats.progress import LiveProgress

    with LiveProgress() as live:
        return run_doctor(config, terminal_asker(live.paused), live.progress, checks, live.attach)


MACHINE_FORMATS = ("json", "junit")
"""Formats whose every byte is structure or redacted data: no text pass over them."""


class OutputError(Exception):
    """Standard output cannot be written: closed, full, or failing."""


def write_stdout(text: str) -> None:
    """Write ``text`` to stdout and flush it.

    A closed or failing stdout raises OutputError; a closed pipe raises BrokenPipeError,
    which ends the program quietly. (``main`` makes stdout write what its encoding lacks
    as ``?`` and a lone surrogate as its ``\\uXXXX`` escape, so the text cannot fail.)
    """
    stream = sys.stdout
    if stream is None:
        raise OutputError("cannot write to standard output: it is closed")
    try:
        stream.write(text)
        stream.flush()
    except BrokenPipeError:
        raise
    except (OSError, ValueError) as exc:  # ENOSPC, EIO; ValueError: a closed file object
        reason = getattr(exc, "strerror", None) or exc
        raise OutputError(f"cannot write to standard output: {reason}") from None


def print_record(record: Any, ctx: Any, config: Config) -> None:
    """Write the run in the configured format to stdout, redacted.

    The record is redacted before it is rendered. Text and markdown are redacted once more
    as a whole; JSON and JUnit are not, for their own words and literals (``null``, a key,
    a tag) are no secret, and replacing one would break the document (``--password null``).
    Where stdout cannot show the marks (cp1252, ASCII), text and markdown use ASCII ones.
    """
    from doctor.formats import renderer
    from doctor.formats.text import shows_marks

    color = config.format == "text" and use_color(config)
    options = {}
    if config.format in ("text", "markdown"):
        options["ascii_only"] = not shows_marks(getattr(sys.stdout, "encoding", None))
    render = renderer(config.format)
    verbose = -1 if config.quiet and config.format == "text" else config.verbose
    output = render(record.redacted(ctx.redactor), verbose, color, **options)
    write_stdout(output if config.format in MACHINE_FORMATS else ctx.redactor.redact(output))


def run_and_print(config: Config, checks: list[Any] | None = None) -> int:
    """Run the doctor, print the outcome and return the exit code."""
    record, ctx = run_with_progress(config, checks)
    try:
        print_record(record, ctx, config)
    finally:
        ctx.close()
    return record.exit_code
