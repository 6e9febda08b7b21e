"""How ``--help`` reads: options in sections (connection, selection, stream, output), the
defaults shown, and an Examples block under each command."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import click

SECTIONS: dict[str, tuple[str, ...]] = {
    "Connection": (
        "--config", "--backend-url", "--api-prefix", "--email", "--username", "--password",
        "--password-stdin", "--token", "--token-file", "--mongo-uri", "--mongo-db",
        "--docker-host", "--docker-network", "--no-docker", "--base-image",
        "--container-prefix", "--ai-url", "--backend-log", "--backend-container", "--timeout",
    ),
    "Selection": ("--project", "--run", "--new-run", "--only", "--skip", "--fault", "--profile"),
    "Stream": ("--stream-timeout", "--idle-timeout", "--no-stream", "--docker"),
    "Repairs": ("--fix", "--yes", "--dry-run", "--repo"),
    "Output": (
        "--format", "--json", "--verbose", "--quiet", "--no-color", "--strict", "--lang",
        "--output", "--force",
    ),
}  # fmt: skip
"""Each section's options, in the order they are listed; the rest go under Options."""


class DoctorCommand(click.Command):
    """A command whose help groups its options in SECTIONS and ends with its examples."""

    def __init__(self, *args: Any, examples: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.examples = tuple(examples)

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows: dict[str, list[tuple[str, str]]] = {}
        for param in self.get_params(ctx):
            if isinstance(param, click.Argument):  # named in the usage line and the text
                continue
            record = param.get_help_record(ctx)
            if record is not None:
                rows.setdefault(section_of(param), []).append(record)
        for name in (*SECTIONS, "Options"):
            if rows.get(name):
                with formatter.section(name):
                    formatter.write_dl(rows[name])

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_epilog(ctx, formatter)
        if self.examples:
            with formatter.section("Examples"):
                for line in self.examples:
                    formatter.write(" " * formatter.current_indent + line + "\n")


def section_of(param: click.Parameter) -> str:
    """The section that lists ``param``: the first of SECTIONS naming one of its flags."""
    flags = set(getattr(param, "opts", ()))
    for name, members in SECTIONS.items():
        if flags.intersection(members):
            return name
    return "Options"


def command(name: str, short_help: str, examples: Sequence[str]) -> Any:
    """``click.command`` for a DoctorCommand with a one-line summary and examples."""
    return click.command(name, cls=DoctorCommand, short_help=short_help, examples=examples)
