"""``sse-doctor checks``: the registered checks, built-in and from plugins."""

from __future__ import annotations

import click

from doctor.config import ENV_PREFIX
from doctor.i18n import LANGUAGES, tr


@click.command("checks")
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
