"""What sse-doctor writes, whatever it has to write and wherever it has to write it.

Lone surrogates from a backend's JSON, a stdout that is full or closed, a stdout in an
encoding without the text format's marks: never a traceback, the bundle is still written.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from doctor.testbed.net import LOOPBACK, closed_port

SURROGATE_PROJECTS = b'[{"id": "p1", "name": "demo", "status": "\\ud800"}]'


class SurrogateBackend(BaseHTTPRequestHandler):
    """A backend that is up and lists one project whose status is a lone surrogate."""

    def do_GET(self) -> None:
        body = SURROGATE_PROJECTS if self.path.endswith("/projects") else b'{"status": "ok"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def surrogate_backend() -> Iterator[str]:
    server = ThreadingHTTPServer((LOOPBACK, 0), SurrogateBackend)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://{LOOPBACK}:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def stack_args(backend_url: str) -> list[str]:
    return [
        "--backend-url", backend_url,
        "--token", "tok-0123456789",
        "--mongo-uri", f"mongodb://{LOOPBACK}:{closed_port()}",
        "--no-docker", "--timeout", "2", "--lang", "en",
    ]  # fmt: skip


def sse_doctor(
    *args: str, stdout: object = subprocess.PIPE, **env: str
) -> subprocess.CompletedProcess[bytes]:
    environ = {k: v for k, v in os.environ.items() if k not in ("CI", "PYTHONIOENCODING")}
    return subprocess.run(
        [sys.executable, "-m", "doctor.cli", *args],
        stdin=subprocess.DEVNULL, stdout=stdout, stderr=subprocess.PIPE,
        env={**environ, "NO_COLOR": "1", **env}, timeout=60, check=False,
    )  # fmt: skip


def no_traceback(proc: subprocess.CompletedProcess[bytes]) -> str:
    err = proc.stderr.decode("utf-8")
    assert "Traceback" not in err and "Error" not in err.replace("sse-doctor: error:", ""), err
    return err


# ---------------------------------------------------------------------------
# Lone surrogates
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("output", [["--format", "text"], ["--json"], ["--format", "markdown"]])
def test_a_lone_surrogate_is_written_as_an_escape(output: list[str], surrogate_backend: str):
    proc = sse_doctor("run", *output, "--only", "backend", *stack_args(surrogate_backend))
    no_traceback(proc)
    assert proc.returncode == 1
    text = proc.stdout.decode("utf-8")  # strict: valid UTF-8
    assert "None of the 1 projects is READY (p1 \\ud800)" in text
    if "--json" in output:
        results = {r["id"]: r for r in json.loads(text)["results"]}
        assert results["backend.projects"]["message"].endswith("(p1 \ud800).")


def test_stream_writes_a_lone_surrogate_as_an_escape(surrogate_backend: str) -> None:
    proc = sse_doctor("stream", "--run", "r1", *stack_args(surrogate_backend))
    no_traceback(proc)
    assert proc.returncode == 1
    assert "(p1 \\ud800)" in proc.stdout.decode("utf-8")


def test_report_bundles_a_lone_surrogate(surrogate_backend: str, tmp_path: Path) -> None:
    out = tmp_path / "bundle.tar.gz"
    proc = sse_doctor("report", "-o", str(out), "--only", "backend", *stack_args(surrogate_backend))
    no_traceback(proc)
    assert proc.returncode == 1
    with tarfile.open(out) as archive:
        files = {
            m.name.removeprefix("bundle/"): archive.extractfile(m).read()
            for m in archive
            if m.isfile()
        }
    for name, data in files.items():
        data.decode("utf-8")  # strict
        if name.endswith(".json"):
            json.loads(data)
    assert b"(p1 \\ud800)" in files["results.json"] and b"(p1 \\ud800)" in files["run.txt"]


# ---------------------------------------------------------------------------
# A stdout that cannot be written
# ---------------------------------------------------------------------------

DOWN = ["--backend-url", f"http://{LOOPBACK}:1", "--only", "backend", "--no-docker"]


def closed_stdout(*args: str) -> subprocess.CompletedProcess[bytes]:
    """Run with file descriptor 1 closed, as ``sse-doctor … >&-`` in a shell does."""
    return subprocess.run(
        ["sh", "-c", 'exec "$@" >&-', "sh", sys.executable, "-m", "doctor.cli", *args],
        stdin=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=60, check=False,
        env={**os.environ, "NO_COLOR": "1"},
    )  # fmt: skip


def unwritable(where: str, *args: str) -> subprocess.CompletedProcess[bytes]:
    """Run with standard output ``full`` (``/dev/full``) or ``closed``."""
    if where == "closed":
        return closed_stdout(*args)
    with open("/dev/full", "wb") as full:
        return sse_doctor(*args, stdout=full)


@pytest.mark.parametrize("where", ["full", "closed"])
@pytest.mark.parametrize("command", [["run"], ["run", "--json"], ["checks"], ["--version"]])
def test_output_that_cannot_be_written_is_one_line(command: list[str], where: str) -> None:
    args = [*command, *DOWN] if command[0] == "run" else command
    proc = unwritable(where, *args)
    err = no_traceback(proc)
    assert proc.returncode == 1
    (line,) = err.strip().splitlines()
    reason = "No space left on device" if where == "full" else "it is closed"
    assert line.startswith("sse-doctor: error: cannot write") and line.endswith(reason), line


@pytest.mark.parametrize("where", ["full", "closed"])
def test_report_writes_the_bundle_before_the_output(where: str, tmp_path: Path) -> None:
    out = tmp_path / "bundle.tar.gz"
    proc = unwritable(where, "report", "-o", str(out), *DOWN)
    err = no_traceback(proc)
    assert proc.returncode == 1
    assert f"(the bundle is {out})" in err
    assert tarfile.is_tarfile(out)


# ---------------------------------------------------------------------------
# A stdout that is not UTF-8
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["cp1252", "ascii"])
def test_text_output_falls_back_to_ascii_marks(encoding: str) -> None:
    proc = sse_doctor("run", *DOWN, PYTHONIOENCODING=encoding)
    no_traceback(proc)
    assert proc.returncode == 1
    text = proc.stdout.decode("ascii")
    lines = text.splitlines()
    assert any(line.startswith("  XX backend.liveness") for line in lines), text
    assert any(line.startswith("  -- backend.login") for line in lines)
    assert any(line.strip().startswith("-> Start the backend") for line in lines)
    assert lines[0].startswith("sse-doctor 0.1.0 - http://")
    assert lines[-1].startswith("XX 1 problem found - run `sse-doctor report`")


@pytest.mark.parametrize(
    "args",
    [
        ["run", *DOWN, "--lang", "zh-TW"],
        ["run", *DOWN, "--format", "markdown", "--lang", "zh-TW"],
        ["checks", "--lang", "zh-TW"],
    ],
)
def test_text_a_cp1252_stdout_cannot_show_is_replaced(args: list[str]) -> None:
    proc = sse_doctor(*args, PYTHONIOENCODING="cp1252")
    no_traceback(proc)
    assert "?" in proc.stdout.decode("cp1252")
    assert proc.returncode == (0 if args[0] == "checks" else 1)


def test_markdown_falls_back_to_ascii_marks() -> None:
    proc = sse_doctor("run", *DOWN, "--format", "markdown", PYTHONIOENCODING="ascii")
    no_traceback(proc)
    text = proc.stdout.decode("ascii")
    assert "| XX fail | `backend.liveness` |" in text and "| -- skip |" in text
