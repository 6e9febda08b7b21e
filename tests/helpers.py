"""Helpers that run the doctor in the test process, as a user would on the command line."""

from __future__ import annotations

import contextlib
import io
import json
import re
from pathlib import Path
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


README = Path(__file__).resolve().parent.parent / "README.md"
VARYING = [
    (re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"), "<uuid>"),
    (re.compile(r"\b[0-9a-f]{24}\b"), "<object id>"),
    (re.compile(r"\b[0-9a-f]{8}\b"), "<run>"),
    (re.compile(r"127\.0\.0\.1:\d+"), "127.0.0.1:<port>"),
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"), "<utc time>"),
    (re.compile(r"\b\d+\.\d s\b"), "<seconds> s"),
]
"""What differs from one run of the testbed to the next: ids, ports, times."""


def masked(text: str) -> str:
    """``text`` with VARYING replaced by placeholders."""
    for pattern, mask in VARYING:
        text = pattern.sub(mask, text)
    return text


def readme_blocks(kind: str) -> list[tuple[str, int, str]]:
    """README.md's ``<!-- KIND: COMMAND (COLUMNS=N) -->`` blocks: (command, N, the text)."""
    block = re.compile(rf"<!-- {kind}: (.+?) \(COLUMNS=(\d+)\) -->\n```text\n(.*?)\n```", re.S)
    return [(m[1], int(m[2]), m[3]) for m in block.finditer(README.read_text(encoding="utf-8"))]
