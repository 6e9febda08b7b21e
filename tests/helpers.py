"""Helpers that run the doctor in the test process, as a user would on the command line."""

from __future__ import annotations

import contextlib
import io
import json
from typing import Any

from doctor.cli import main


def doctor_json(*args: str) -> tuple[int, dict[str, Any]]:
    """Run ``sse-doctor run --json ARGS`` in this process: the exit code and the document."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["run", "--json", *args])
    return code, json.loads(out.getvalue())


def results_by_id(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The results of a ``--json`` document, by check id."""
    return {result["id"]: result for result in document["results"]}
