"""``sse-doctor runs``: the project's runs as the backend lists them, newest first."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

import click

from doctor.cli.help import command
from doctor.cli.options import build_config, stack_options, terminal_asker, write_stdout

if TYPE_CHECKING:
    from doctor.context import Context

COLUMNS = ("id", "status", "created_at", "finished_at", "error_message")


@command(
    "runs",
    "List the project's runs: id, status, started, finished, error.",
    ["sse-doctor runs", "sse-doctor runs --project ID --json"],
)
@stack_options
def runs(**options: Any) -> None:
    """List the project's runs: id, status, started, finished and error.

    \b
    The AI Server keeps runs in memory, so a restarted AI Server lists none; the backend
    also lists none when it cannot reach the AI Server. Exit 0 with runs, 3 with none,
    1 when the project cannot be read.
    """
    from doctor.context import Context

    config = build_config(options)
    ctx = Context(config, terminal_asker())
    try:
        sys.exit(_list(ctx, config.format in ("json",)))
    finally:
        ctx.close()


def _list(ctx: Context, as_json: bool) -> int:
    from checks.backend import request
    from checks.projects import BackendRun, project_path
    from doctor.formats.json import plain
    from doctor.i18n import tr
    from doctor.registry import load_checks, select
    from doctor.runner import run_checks

    needed = [c for c in select(load_checks(), ["backend.project"], []) if c.layer == "backend"]
    for check, result in zip(needed, run_checks(needed, ctx)):
        if not result.status.ok:
            click.echo(f"sse-doctor: {check.id}: {ctx.redactor.redact(result.message)}", err=True)
            return 1
    answer = request(
        BackendRun(), ctx, "GET", project_path(ctx, "/agent/runs"), headers=ctx.auth_headers()
    )
    data = None if not hasattr(answer, "json") else _json(answer)
    listed = data.get("runs") if isinstance(data, dict) else None
    if not isinstance(listed, list):
        click.echo(tr("sse-doctor: the backend answered no run list."), err=True)
        return 1
    rows = sorted(
        (r for r in listed if isinstance(r, dict)),
        key=lambda r: str(r.get("created_at") or ""),
        reverse=True,
    )
    if as_json:
        document = {
            "project_id": ctx.project_id,
            "runs": [{k: r.get(k) for k in COLUMNS} for r in rows],
        }
        shown = ctx.redactor.redact_obj(plain(document))
        write_stdout(json.dumps(shown, ensure_ascii=False, indent=2) + "\n")
    else:
        write_stdout(ctx.redactor.redact(_table(rows)))
    if not rows:
        click.echo(
            tr(
                "No run: the AI Server keeps runs in memory (a restart forgets them), and the "
                "backend lists none when it cannot reach it. Start one with "
                "`sse-doctor run --new-run`."
            ),
            err=True,
        )
        return 3
    return 0


def _json(answer: Any) -> Any:
    try:
        return answer.json()
    except ValueError:
        return None


def _table(rows: list[dict[str, Any]]) -> str:
    from rich.cells import cell_len

    from doctor.i18n import tr

    header = (tr("RUN"), tr("STATUS"), tr("STARTED (UTC)"), tr("FINISHED (UTC)"), tr("ERROR"))
    lines = [header] + [tuple(str(r.get(key) or "-")[:80] for key in COLUMNS) for r in rows]
    widths = [max(cell_len(row[i]) for row in lines) for i in range(len(header) - 1)]
    out = []
    for row in lines:
        cells = [value + " " * (width - cell_len(value)) for value, width in zip(row, widths)]
        out.append("  ".join([*cells, row[-1]]).rstrip())
    return "\n".join(out) + "\n"
