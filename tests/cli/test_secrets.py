"""Secrets given without a command-line flag: --password-stdin and --token-file, end to end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from doctor.testbed import Stack


def doctor_run(stack: Stack, *args: str, stdin: bytes = b"") -> tuple[int, dict, str]:
    """``sse-doctor run --json --only backend.login ARGS`` as a process: code, document, stderr."""
    proc = subprocess.run(
        [sys.executable, "-m", "doctor.cli", "run", "--json", "--no-docker", "--timeout", "2",
         "--only", "backend", "--skip", "backend.project", "--backend-url", stack.backend_url,
         *args],
        input=stdin, capture_output=True, timeout=60, check=False,
        env={k: v for k, v in os.environ.items() if not k.startswith("SSE_DOCTOR_")},
    )  # fmt: skip
    return proc.returncode, json.loads(proc.stdout), proc.stderr.decode()


def test_the_password_is_read_from_standard_input(stack: Stack) -> None:
    code, doc, err = doctor_run(
        stack,
        "--username",
        stack.username,
        "--password-stdin",
        stdin=stack.password.encode() + b"\n",
    )
    login = next(r for r in doc["results"] if r["id"] == "backend.login")
    assert login["status"] == "pass", login
    assert code == 0, err
    assert stack.password not in json.dumps(doc) + err


def test_the_token_is_read_from_a_file(stack: Stack, tmp_path: Path) -> None:
    (tmp_path / "token").write_text(stack.token + "\n")
    code, doc, err = doctor_run(stack, "--token-file", str(tmp_path / "token"))
    login = next(r for r in doc["results"] if r["id"] == "backend.login")
    assert login["status"] == "pass" and code == 0, (login, err)
    assert stack.token not in json.dumps(doc) + err
