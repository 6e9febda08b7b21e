"""``sse-doctor analyze BUNDLE``: read a bug-report bundle back and print its diagnosis."""

from __future__ import annotations

import sys
from typing import Any

import click

from doctor.cli.help import command
from doctor.cli.options import PathType
from doctor.i18n import LANGUAGES

EXIT_NOT_A_BUNDLE = 2


@command(
    "analyze",
    "Read a report bundle back and print its diagnosis.",
    [
        "sse-doctor analyze sse-doctor-report-20261201T120000Z.tar.gz",
        "sse-doctor analyze --json issue-42.tar.gz",
    ],
)
@click.argument("bundle", type=PathType(exists=True, readable=True))
@click.option("--json", "as_json", is_flag=True, help="Print the diagnosis as one JSON document.")
@click.option(
    "-v", "--verbose", count=True, show_default=False, help="Show durations and evidence."
)
@click.option("--no-color", is_flag=True, help="Plain text output.")
@click.option("--lang", type=click.Choice(LANGUAGES), help="Output language.")
def analyze(bundle: str, as_json: bool, verbose: int, no_color: bool, lang: str | None) -> None:
    """Read a bundle of `sse-doctor report` and print its diagnosis, as `run` does.

    \b
    BUNDLE is the .tar.gz or the directory it was extracted to. Each file is checked
    against the manifest's sha256; the exit status is the one the run recorded, or 2
    when BUNDLE is not an sse-doctor bundle.
    """
    from pathlib import Path

    from doctor.i18n import detect_language, set_language
    from doctor.report.analyze import NotABundle, open_bundle

    set_language(lang or detect_language())
    try:
        opened = open_bundle(Path(bundle))
    except NotABundle as exc:
        click.echo(f"sse-doctor: error: {bundle}: not an sse-doctor bundle: {exc}", err=True)
        sys.exit(EXIT_NOT_A_BUNDLE)
    _print(opened, bundle, as_json, verbose, no_color)
    sys.exit(opened.exit_code)


def _print(opened: Any, bundle: str, as_json: bool, verbose: int, no_color: bool) -> None:
    import json

    from doctor.cli.options import use_color, write_stdout
    from doctor.config import Config
    from doctor.formats.text import render, shows_marks
    from doctor.i18n import tr
    from doctor.report.analyze import diagnosis_document, record_of

    integrity = _integrity(opened)
    if as_json:  # stdout: one document; what does not match is in it, and said on stderr
        if not opened.intact:
            click.echo("\n".join(integrity), err=True)
        document = diagnosis_document(opened)
        write_stdout(json.dumps(document, ensure_ascii=False, indent=2, default=str) + "\n")
        return
    manifest = opened.manifest
    head = tr(
        "Bundle {bundle}: {files} files under {root}/, written {time} by sse-doctor {version}.",
        bundle=bundle,
        files=len(opened.files),
        root=opened.root or opened.manifest.get("root") or ".",
        time=manifest.get("created_at") or "-",
        version=manifest.get("tool_version") or "-",
    )
    ascii_only = not shows_marks(getattr(sys.stdout, "encoding", None))
    color = use_color(Config(no_color=no_color))
    text = render(
        record_of(opened.results), verbose, color, ascii_only=ascii_only, suggest_report=False
    )
    tail = tr("Recorded exit status: {code}", code=opened.exit_code)
    checked = "\n".join(integrity)
    write_stdout(f"{head}\n{checked}\n\n{text.rstrip()}\n{tail}\n")


def _integrity(opened: Any) -> list[str]:
    """Lines for stderr: which files do not match the manifest."""
    from doctor.i18n import tr

    lines = []
    if opened.mismatched:
        lines.append(
            tr(
                "sse-doctor: warning: sha256 does not match the manifest: {names}",
                names=", ".join(opened.mismatched),
            )
        )
    if opened.absent:
        lines.append(
            tr(
                "sse-doctor: warning: listed in the manifest but missing: {names}",
                names=", ".join(opened.absent),
            )
        )
    if opened.unlisted:
        lines.append(
            tr(
                "sse-doctor: warning: not in the manifest: {names}",
                names=", ".join(opened.unlisted),
            )
        )
    if not lines:
        lines.append(
            tr(
                "Every file matches the manifest's sha256 ({count} files).",
                count=len(opened.manifest.get("files") or ()),
            )
        )
    return lines
