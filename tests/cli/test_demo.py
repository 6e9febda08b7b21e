"""`sse-doctor demo`: the simulated stack, the doctor's verdict on it, then nothing left over."""

from __future__ import annotations

import json
import socket
import threading
import time
from urllib.parse import urlsplit

import docker
import pytest

from doctor.cli import main
from doctor.cli.demo import FAULT_NAMES
from doctor.testbed import FAULTS
from doctor.testbed.docker_ai import LABEL


def test_demo_offers_every_testbed_fault() -> None:
    assert sorted(FAULT_NAMES) == sorted(FAULTS)


def test_healthy_demo_passes_every_criterion(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--json", "--timeout", "1"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["exit_code"] == 0
    assert all(criterion["met"] for criterion in doc["criteria"])


@pytest.mark.parametrize("profile", ["v1", "v2"])
def test_demo_with_a_fault_names_it(profile: str, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["demo", "--json", "--timeout", "1", "--profile", profile, "--fault", "ai-down"]
    assert main(argv) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["diagnosis"][0]["id"] == "sse.upstream-unreachable"


def test_the_v1_demo_is_double_framed(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--json", "--timeout", "1", "--profile", "v1"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert [f["id"] for f in doc["diagnosis"]] == ["sse.double-framed"]


def test_unknown_fault_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--fault", "meteor-strike"]) == 2
    assert "--fault" in capsys.readouterr().err


def test_docker_demo_leaves_no_container_or_listener(
    docker_client: docker.DockerClient, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--docker", "--json", "--timeout", "1", "--fault", "ai-down"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["diagnosis"][0]["id"] == "sse.upstream-unreachable"
    name = f"refactor-project-{doc['target']['project_id']}"
    left = docker_client.containers.list(all=True, filters={"label": f"{LABEL}=1", "name": name})
    assert left == []
    backend = urlsplit(doc["target"]["backend_url"])
    with pytest.raises(OSError):
        socket.create_connection((backend.hostname, backend.port), timeout=1).close()


def test_a_docker_demo_on_a_silent_engine_gives_up_within_its_timeout(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    silent = socket.create_server(("127.0.0.1", 0))  # takes connections, never answers
    held: list[socket.socket] = []
    threading.Thread(target=lambda: held.append(silent.accept()[0]), daemon=True).start()
    monkeypatch.setenv("DOCKER_HOST", f"tcp://127.0.0.1:{silent.getsockname()[1]}")
    started = time.monotonic()
    try:
        assert main(["demo", "--docker", "--timeout", "1"]) == 2
    finally:
        silent.close()
        for conn in held:
            conn.close()
    assert time.monotonic() - started < 20  # docker-py's own timeout would be 60 s
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("sse-doctor: error: cannot start the demo stack:")
    assert "read timeout=1.0" in line
