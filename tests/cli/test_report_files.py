"""`sse-doctor report`: which files it reads and writes, as a real process would meet them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from doctor.testbed.net import LOOPBACK, closed_port

FAST = ["--timeout", "1", "--stream-timeout", "2", "--idle-timeout", "1", "--lang", "en"]


def down_stack() -> list[str]:
    """Options pointing at a stack where nothing listens: the run is quick."""
    return [
        "--backend-url", f"http://{LOOPBACK}:{closed_port()}",
        "--mongo-uri", f"mongodb://{LOOPBACK}:{closed_port()}",
        "--no-docker",
    ]  # fmt: skip


def sse_doctor(*args: str, cwd: Path, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    """Run ``python -m doctor.cli ARGS`` in ``cwd``; killed (and the test failed) if it hangs."""
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("CI", None)
    return subprocess.run(
        [sys.executable, "-m", "doctor.cli", *args],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def one_error_line(proc: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in proc.stderr, proc.stderr
    (line,) = proc.stderr.strip().splitlines()
    assert line.startswith("sse-doctor: error:"), line
    return line


@pytest.mark.parametrize("kind", ["fifo", "device", "directory"])
def test_a_backend_log_that_is_not_a_regular_file_is_refused_at_once(
    kind: str, tmp_path: Path
) -> None:
    log = {"fifo": tmp_path / "backend.log", "device": Path("/dev/zero"), "directory": tmp_path}
    if kind == "fifo":
        os.mkfifo(log[kind])
    out = tmp_path / "bundle.tar.gz"
    proc = sse_doctor(
        "report", *FAST, *down_stack(), "--backend-log", str(log[kind]), "-o", str(out),
        cwd=tmp_path, timeout=20,
    )  # fmt: skip
    assert proc.returncode == 2
    assert "--backend-log" in one_error_line(proc)
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]
