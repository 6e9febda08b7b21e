"""AI Server checks: inside real containers (python3, then curl, then wget) or over HTTP."""

from __future__ import annotations

import time
from typing import Any

import docker

from checks.ai_server import AIServerHealth
from doctor.clients.ai_fetch import _Frames, get_in_container
from doctor.config import Config, validate
from doctor.context import Context
from doctor.runner import run_checks
from doctor.testbed import Stack, doctor_args
from doctor.testbed.net import wait_until
from tests.helpers import FAST, doctor_json, finding_ids, results_by_id


def docker_args(stack: Stack, *extra: str, **overrides: object) -> list[str]:
    """Options for a stack whose AI Server runs in a container (asked with docker exec)."""
    return doctor_args(stack, *extra, **{**FAST, **overrides})


def test_v2_image_is_asked_with_python_and_the_streams_compared(stack_factory) -> None:
    stack = stack_factory(docker=True, tools="python")
    code, document = doctor_json(*docker_args(stack))
    results = results_by_id(document)
    health = results["ai_server.health"]
    assert health["status"] == "pass"
    assert health["evidence"]["via"] == "docker exec python3"
    assert health["message"].startswith(f"AI Server inside {stack.container_name} answers /health")
    assert results["ai_server.tasks"]["evidence"]["status"] == "success"
    compared = results["ai_server.stream"]
    assert compared["status"] == "pass"
    assert compared["evidence"]["ai_events"] == compared["evidence"]["forwarded_events"] > 10
    assert [c["met"] for c in document["criteria"]] == [True] * 6
    assert code == 0


def test_v1_image_without_python_falls_back_to_wget(stack_factory, docker_client) -> None:
    stack = stack_factory(docker=True, tools="wget", profile_name="v1")
    answer = get_in_container(docker_client, stack.container_name, "/health", 2.0)
    assert answer.evidence["via"] == "docker exec wget"
    assert (answer.status, answer.body) == (200, b'{"status":"healthy"}')
    unknown = get_in_container(docker_client, stack.container_name, "/tasks/nope", 2.0)
    assert unknown.status == 404


def test_a_container_without_any_tool_says_so(stack_factory, docker_client) -> None:
    stack = stack_factory(docker=True, tools="python")
    container = docker_client.containers.get(stack.container_name)
    assert container.exec_run(["rm", "/usr/local/bin/python3", "/bin/timeout"]).exit_code == 0
    answer = get_in_container(docker_client, stack.container_name, "/health", 2.0)
    assert answer.body is None
    assert answer.evidence["tried"] == ["python3", "curl", "wget"]
    assert "none of python3, curl and wget" in answer.reason


def test_a_killed_container_explains_the_stream_that_cannot_resolve_it(stack_factory) -> None:
    stack = stack_factory(("container-stopped",), docker=True)
    code, document = doctor_json(*docker_args(stack))
    finding = document["diagnosis"][0]
    assert finding["id"] == "container.stopped"
    assert "Exited (137)" in finding["title"] and "SIGKILL" in finding["title"]
    assert {"containers.project", "sse.stream"} <= set(finding["checks"])
    assert finding_ids(document).count("network.container-unresolvable") == 0
    assert code == 1


def test_a_silent_ai_server_in_a_running_container_is_unreachable(stack_factory) -> None:
    stack = stack_factory(("ai-down",), docker=True)
    code, document = doctor_json(*docker_args(stack))
    finding = document["diagnosis"][0]
    assert finding["id"] == "sse.upstream-unreachable"
    assert {"ai_server.health", "sse.stream"} <= set(finding["checks"])
    health = results_by_id(document)["ai_server.health"]
    assert "Connection refused" in health["message"]
    assert code == 1


def _health(stack: Stack) -> Any:
    ctx = Context(validate(Config(project=stack.project_id, timeout=1.0)))
    try:
        return run_checks([AIServerHealth()], ctx)[0]
    finally:
        ctx.close()


def test_an_answerless_listener_in_the_container_is_bounded_by_the_timeout(
    stack_factory, docker_client: docker.DockerClient
) -> None:
    stack = stack_factory(("ai-down",), docker=True, tools="wget")
    container = docker_client.containers.get(stack.container_name)
    container.exec_run(["sh", "-c", "sleep 600 | nc -l -p 8000"], detach=True)
    wait_until(lambda: b":8000 " in container.exec_run(["netstat", "-ltn"]).output, "listener", 10)
    started = time.monotonic()
    health = _health(stack)
    assert time.monotonic() - started < AIServerHealth().deadline(Context(Config(timeout=1.0)))
    assert health.problem == "ai.timeout"
    assert "no answer within 1 s" in health.message


def test_over_ai_url_the_same_checks_read_http(stack) -> None:
    code, document = doctor_json(*doctor_args(stack, "--no-docker", ai_url=stack.ai_url, **FAST))
    health = results_by_id(document)["ai_server.health"]
    assert (health["status"], health["evidence"]["via"]) == ("pass", "http")
    assert code == 0


def test_docker_frames_are_split_as_they_arrive() -> None:
    frames = _Frames()
    data = b"\x01\x00\x00\x00\x00\x00\x00\x03out\x02\x00\x00\x00\x00\x00\x00\x03err"
    frames.feed(data[:5], 0.1)
    frames.feed(data[5:], 0.2)
    assert (bytes(frames.out), bytes(frames.err), frames.chunks) == (
        b"out",
        b"err",
        [(0.2, b"out")],
    )
    assert frames.received == len(data)
