"""Docker engine, base image and project container checks against the real engine."""

from __future__ import annotations

import json
import os
import socket
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from checks.base_image import age_since, parse_engine_time
from checks.containers import container_facts, one_line, troubled
from checks.docker_engine import DockerEngine
from doctor.cli import main
from doctor.config import Config, validate
from doctor.context import Context
from doctor.session import run_doctor
from doctor.testbed import Stack, doctor_args
from doctor.testbed.hang import hanging_port
from doctor.testbed.net import closed_port
from tests.helpers import doctor_json, results_by_id

DOCKER_CHECKS = (
    "docker.engine",
    "image.base",
    "containers.list",
    "containers.project",
    "ai_server.health",
    "ai_server.tasks",
)
DEPENDANTS = ("image.base", "containers.list", "containers.project")


def stack_args(stack: Stack) -> list[str]:
    """Options pointing `sse-doctor run` at a testbed stack, with short timeouts."""
    return doctor_args(
        stack,
        project=stack.project_id,
        run=stack.run_id,
        timeout=2,
        stream_timeout=5,
        idle_timeout=2,
    )


def test_healthy_docker_stack(stack_factory: Any) -> None:
    stack = stack_factory(docker=True)
    code, report = doctor_json(*stack_args(stack))
    results = results_by_id(report)
    assert {cid: results[cid]["status"] for cid in DOCKER_CHECKS} == dict.fromkeys(
        DOCKER_CHECKS, "pass"
    )
    assert code == 0
    engine = results["docker.engine"]["evidence"]
    assert engine["version"] and engine["api_version"]
    image = results["image.base"]
    assert len(image["evidence"]["id"]) == 12
    assert image["evidence"]["age"] in image["message"]
    listed = results["containers.list"]["evidence"]["containers"]
    assert any(line.startswith(f"{stack.container_name}: Up") for line in listed)
    assert results["ai_server.tasks"]["evidence"]["status"] == "success"

    config = validate(Config(**_config_fields(stack)))
    _record, ctx = run_doctor(config)
    try:
        ours = [c for c in ctx.artifacts["containers"] if c["name"] == stack.container_name]
        assert ours and ours[0]["state"] == "running" and ours[0]["oom_killed"] is False
        assert json.loads(ctx.artifacts["ai_health"]) == {"status": "healthy"}
        assert json.loads(ctx.artifacts["ai_tasks"])["task_id"] == stack.run_id
    finally:
        ctx.close()


def _config_fields(stack: Stack) -> dict[str, Any]:
    return {
        "backend_url": stack.backend_url,
        "email": stack.email,
        "username": stack.username,
        "password": stack.password,
        "mongo_uri": stack.mongo_uri,
        "mongo_db": stack.mongo_db,
        "base_image": stack.base_image,
        "project": stack.project_id,
        "run": stack.run_id,
        "timeout": 2.0,
        "stream_timeout": 5.0,
        "idle_timeout": 2.0,
        "only": ("docker", "image", "container", "ai_server"),
    }


def test_stopped_container_is_the_503_cause(stack_factory: Any) -> None:
    stack = stack_factory(("container-stopped",), docker=True)
    name = stack.container_name
    code, report = doctor_json(*stack_args(stack))
    results = results_by_id(report)
    project = results["containers.project"]
    assert code == 1
    assert report["diagnosis"][0]["id"] == "container.stopped"
    assert project["status"] == "fail" and project["category"] == "http-503"
    assert project["evidence"]["exit_code"] == 137
    assert project["message"].startswith(f"Container {name} is not running: Exited (137)")
    assert f"`docker start {name}`" in project["hint"]
    health = results["ai_server.health"]
    assert health["status"] == "skip" and "containers.project" in health["message"]

    # Without containers.project the AI Server check names the stopped container itself.
    code, report = doctor_json(*stack_args(stack), "--only", "ai_server.health")
    health = results_by_id(report)["ai_server.health"]
    assert code == 1
    assert health["status"] == "fail" and health["category"] == "http-503"
    assert "Exited (137)" in health["message"]


def test_a_missing_base_image_on_a_working_stack_is_a_warning(stack_factory: Any) -> None:
    stack = stack_factory(("no-base-image",), docker=True)
    code, report = doctor_json(*stack_args(stack))
    image = results_by_id(report)["image.base"]
    assert (image["status"], image["problem"]) == ("fail", "image.missing")
    assert f"docker build -t {stack.base_image} -f devops/base-image/Dockerfile ." in image["hint"]
    finding = report["diagnosis"][0]
    assert (finding["id"], finding["severity"]) == ("image.missing", "warning")
    assert code == 0


def engine_only(docker_host: str) -> tuple[int, dict]:
    return doctor_json(
        "--docker-host",
        docker_host,
        "--project",
        "p1",
        "--timeout",
        "1",
        *("--only", "docker", "--only", "image", "--only", "container", "--only", "ai_server"),
    )


def test_no_engine_fails_fast_and_skips_dependants() -> None:
    host = f"tcp://127.0.0.1:{closed_port()}"
    code, report = engine_only(host)
    results = results_by_id(report)
    engine = results["docker.engine"]
    assert code == 1
    assert engine["status"] == "fail" and engine["category"] == "prerequisite"
    assert host in engine["message"]
    assert "dockerd" in engine["hint"] and "Docker Desktop" in engine["hint"]
    assert engine["duration_ms"] < 1000  # refused at once, not after the 1 s timeout
    for cid in DEPENDANTS:
        assert results[cid]["status"] == "skip"
        assert results[cid]["evidence"]["blocked_by"] == "docker.engine"
    assert results["ai_server.health"]["status"] == "skip"
    assert report["diagnosis"][0]["category"] == "prerequisite"


def test_hanging_engine_fails_within_the_deadline() -> None:
    with hanging_port() as port:
        started = time.monotonic()
        code, report = engine_only(f"tcp://127.0.0.1:{port}")
        elapsed = time.monotonic() - started
    results = results_by_id(report)
    assert code == 1
    assert results["docker.engine"]["status"] == "fail"
    assert all(results[cid]["status"] == "skip" for cid in DEPENDANTS)
    assert elapsed < 15


def test_permission_denied_on_socket_has_its_own_hint(tmp_path: Path) -> None:
    path = tmp_path / "docker.sock"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    server.listen()
    try:
        status, category, message, hint = _engine_check_unprivileged(f"unix://{path}", path)
    finally:
        server.close()
    assert (status, category) == ("fail", "prerequisite")
    assert "Permission denied" in message
    assert "sudo usermod -aG docker $USER" in hint


def _engine_check_unprivileged(docker_host: str, socket_path: Path) -> list[str | None]:
    """Run docker.engine as a user who may not open the socket (root drops to nobody)."""

    def run() -> list[str | None]:
        config = validate(Config(docker_host=docker_host, timeout=2.0))
        ctx = Context(config)
        try:
            result = DockerEngine().run(ctx)
        finally:
            ctx.close()
        category = result.category.value if result.category else None
        return [result.status.value, category, result.message, result.hint]

    if os.geteuid() != 0:
        socket_path.chmod(0)
        return run()
    socket_path.chmod(0o600)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        try:
            os.setgid(65534)
            os.setuid(65534)
            os.write(write_end, json.dumps(run()).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        answer = pipe.read()
    os.waitpid(pid, 0)
    return json.loads(answer)


def test_project_id_that_cannot_name_a_container_is_a_usage_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["run", "--project", "x;rm -rf /"])
    err = capsys.readouterr().err
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert "--project" in err


def test_container_facts_and_flags() -> None:
    attrs = {
        "Id": "0123456789abcdef",
        "Name": "/refactor-project-p1",
        "RestartCount": 3,
        "Config": {"Image": "refactor-base:latest"},
        "State": {"Status": "exited", "ExitCode": 137, "OOMKilled": True, "Error": ""},
    }
    facts = container_facts(attrs, "Exited (137) 2 minutes ago")
    assert facts["name"] == "refactor-project-p1" and facts["id"] == "0123456789ab"
    assert facts["exit_code"] == 137 and facts["oom_killed"] is True
    assert troubled(facts)
    assert one_line(facts) == (
        "refactor-project-p1: Exited (137) 2 minutes ago [OOMKilled, restarts=3]"
    )
    calm = container_facts({"Name": "/x", "State": {"Status": "running"}}, "Up 5 minutes")
    assert not troubled(calm) and one_line(calm) == "x: Up 5 minutes"


def test_engine_timestamps_and_ages() -> None:
    now = datetime(2024, 2, 5, 10, 30, 45, tzinfo=timezone.utc)
    assert parse_engine_time("2024-02-02T10:30:45.123456789Z") == datetime(
        2024, 2, 2, 10, 30, 45, tzinfo=timezone.utc
    )
    assert parse_engine_time("2024-02-05T11:30:45+01:00") == now
    assert parse_engine_time("0001-01-01T00:00:00Z") is None
    assert parse_engine_time("yesterday") is None
    assert age_since("2024-02-02T10:30:45.5Z", now) == "3d"
    assert age_since("2024-02-05T10:30:00Z", now) == "45s"
    assert age_since("2024-02-05T07:00:00Z", now) == "3h"
