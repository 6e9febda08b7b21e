"""Helpers that run the doctor in the test process, as a user would on the command line."""

from __future__ import annotations

import contextlib
import io
import json
from typing import Any

from doctor.cli import main
from doctor.testbed import Stack, doctor_args

FAST = {"timeout": 2, "idle_timeout": 2, "stream_timeout": 10}
"""Short limits for tests: a probe, a silence and a whole stream, in seconds."""


def doctor_json(*args: str) -> tuple[int, dict[str, Any]]:
    """Run ``sse-doctor run --json ARGS`` in this process: the exit code and the document."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["run", "--json", *args])
    return code, json.loads(out.getvalue())


def local_args(stack: Stack, *extra: str, **overrides: object) -> list[str]:
    """Options for a stack whose AI Server runs in this process: over --ai-url, no Docker."""
    options: dict[str, object] = {**FAST, "ai_url": stack.ai_url}
    options.update(overrides)
    return doctor_args(stack, "--no-docker", *extra, **options)


def results_by_id(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The results of a ``--json`` document, by check id."""
    return {result["id"]: result for result in document["results"]}


def finding_ids(document: dict[str, Any]) -> list[str]:
    """The diagnosis's problem ids, in order."""
    return [finding["id"] for finding in document["diagnosis"]]
