"""``sse-doctor checks``: the registered checks, built-in and from plugins, in layer order."""

from __future__ import annotations

import inspect
import json
import sys
from typing import Any

import click

from doctor.cli.help import command
from doctor.config import ENV_PREFIX
from doctor.i18n import LANGUAGES, tr


@command(
    "checks",
    "List the checks in layer order, or describe one.",
    ["sse-doctor checks", "sse-doctor checks --json", "sse-doctor checks sse.stream"],
)
@click.argument("check_id", metavar="[ID]", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the checks as one JSON document.")
@click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    envvar=f"{ENV_PREFIX}_LANG",
    show_envvar=True,
    help="Output language.",
)
def list_checks(check_id: str | None, as_json: bool, lang: str | None) -> None:
    """List the registered checks in the order the output shows them: id, layer, title,
    dependencies and package. With ID, describe that check: what it looks at, what it
    waits for, and whether it needs Docker."""
    from doctor.config import ConfigError
    from doctor.i18n import detect_language, set_language
    from doctor.model import layer_rank
    from doctor.registry import load_checks

    set_language(lang or detect_language())
    checks = sorted(load_checks(), key=lambda c: layer_rank(c.layer))
    if check_id is not None:
        chosen = [c for c in checks if c.id == check_id]
        if not chosen:
            known = ", ".join(c.id for c in checks)
            raise ConfigError("checks", f"no check named {check_id!r}; the checks: {known}")
        checks = chosen
    described = [describe(c) for c in checks]
    if as_json:
        click.echo(json.dumps(described if check_id is None else described[0], indent=2))
    elif check_id is not None:
        click.echo(_details(described[0]))
    else:
        click.echo(_table(described))
    sys.exit(0)


def describe(check: Any) -> dict[str, Any]:
    """A check's facts, as ``checks --json`` prints them."""
    from doctor.model import LAYER_NAMES

    layer = check.layer
    summary = inspect.cleandoc(type(check).__doc__ or "").split("\n\n")[0]
    return {
        "id": check.id,
        "layer": layer,
        "heading": tr(LAYER_NAMES.get(layer, layer)),
        "title": tr(check.title),
        "description": summary.replace("``", "`"),
        "depends_on": list(check.depends_on),
        "needs": list(check.needs),
        "after": list(check.after),
        "uses_docker": check.uses_docker,
        "package": check.source,
    }


def _table(described: list[dict[str, Any]]) -> str:
    from rich.cells import cell_len

    rows = [
        (d["id"], d["layer"], d["title"], ", ".join(d["depends_on"]) or "-", d["package"])
        for d in described
    ]
    header = ("ID", tr("LAYER"), tr("TITLE"), tr("DEPENDS ON"), tr("PACKAGE"))
    widths = [max(cell_len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lines = []
    for row in [header, *rows]:
        cells = (str(v) + " " * (w - cell_len(str(v))) for v, w in zip(row, widths))
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def _details(facts: dict[str, Any]) -> str:
    def names(key: str) -> str:
        return ", ".join(facts[key]) or "-"

    lines = [
        f"{facts['id']}: {facts['title']}",
        tr("layer: {layer} ({heading})", layer=facts["layer"], heading=facts["heading"]),
        tr("depends on: {ids}", ids=names("depends_on")),
        tr("needs: {ids}", ids=names("needs")),
        tr("runs after: {ids}", ids=names("after")),
        tr("uses Docker: {answer}", answer=tr("yes") if facts["uses_docker"] else tr("no")),
        tr("package: {name}", name=facts["package"]),
    ]
    if facts["description"]:
        lines += ["", facts["description"]]
    return "\n".join(lines)
