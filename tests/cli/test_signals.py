"""SIGTERM and SIGHUP: `report` and `demo` clean up after themselves and exit 128 + signal."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import docker
import docker.errors
import pytest

from doctor.testbed.docker_ai import LABEL
from doctor.testbed.net import LOOPBACK, closed_port

DEMO_BASE_TAG = "refactor-base:sse-doctor-testbed"


def start(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "doctor.cli", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "NO_COLOR": "1", **(env or {})},
    )


def until(condition: Callable[[], bool], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def read_until(proc: subprocess.Popen[bytes], marker: bytes, seconds: float) -> bytes:
    """What the process wrote on stderr until ``marker`` (fails the test after ``seconds``)."""
    assert proc.stderr is not None
    seen = b""
    deadline = time.monotonic() + seconds
    while marker not in seen:
        left = deadline - time.monotonic()
        assert left > 0 and proc.poll() is None, seen
        if select.select([proc.stderr], [], [], left)[0]:
            seen += os.read(proc.stderr.fileno(), 4096)
    return seen


def ended(proc: subprocess.Popen[bytes], seconds: float = 20) -> tuple[int, str]:
    try:
        _, err = proc.communicate(timeout=seconds)
    finally:
        if proc.poll() is None:
            proc.kill()
    return proc.returncode, err.decode(errors="replace")


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_report_leaves_no_temporary_file(signum: int, hanging_port: int, tmp_path: Path) -> None:
    out = tmp_path / "bundle.tar.gz"
    proc = start(
        "report", "--timeout", "2", "--no-docker", "-o", str(out),
        "--backend-url", f"http://{LOOPBACK}:{hanging_port}",
        "--mongo-uri", f"mongodb://{LOOPBACK}:{closed_port()}",
    )  # fmt: skip
    until(lambda: any(p.suffix == ".part" for p in tmp_path.iterdir()), 20)
    proc.send_signal(signum)
    code, err = ended(proc)
    assert code == 128 + signum, err
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_demo_stops_its_stack(tmp_path: Path) -> None:
    proc = start("demo", "--fault", "backend-hang", "--timeout", "2", env={"TMPDIR": str(tmp_path)})
    read_until(proc, b"Demo stack (", 20)
    assert list(tmp_path.glob("sse-doctor-testbed-*.log"))  # the backend's log, while it runs
    proc.send_signal(signal.SIGTERM)
    code, err = ended(proc)
    assert code == 143, err
    assert "Traceback" not in err
    assert list(tmp_path.glob("sse-doctor-testbed-*.log")) == []


def test_docker_demo_removes_its_container_and_tag(docker_client: docker.DockerClient) -> None:
    def testbed_containers() -> set[str]:
        found = docker_client.containers.list(all=True, filters={"label": f"{LABEL}=1"})
        return {container.id for container in found}

    before = testbed_containers()
    proc = start("demo", "--docker", "--fault", "backend-hang", "--timeout", "2")
    read_until(proc, b"Demo stack (", 30)
    assert testbed_containers() - before  # the AI Server's container runs
    proc.send_signal(signal.SIGTERM)
    code, err = ended(proc, 30)
    assert code == 143, err
    assert "Traceback" not in err
    until(lambda: testbed_containers() <= before, 5)  # the engine may list it a moment longer
    with pytest.raises(docker.errors.ImageNotFound):
        docker_client.images.get(DEMO_BASE_TAG)
