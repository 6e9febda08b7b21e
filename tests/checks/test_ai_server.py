"""AI Server checks: /health and /tasks through docker exec (real engine) or over HTTP."""

from __future__ import annotations

import time
from types import SimpleNamespace
from typing import Any

import docker

from checks.ai_server import (
    AIServerHealth,
    AIServerTasks,
    find_task,
    log_count,
    parse_tasks,
)
from doctor.clients.ai_fetch import demultiplex
from doctor.config import Config, validate
from doctor.context import Context
from doctor.model import Category, Result, Status
from doctor.runner import run_checks
from doctor.testbed import Stack, doctor_args
from doctor.testbed.net import wait_until
from tests.helpers import doctor_json, results_by_id

TIMEOUT = 1.0
UNKNOWN_RUN = "0" * 24


def stack_args(stack: Stack, *extra: str) -> list[str]:
    return doctor_args(
        stack,
        *extra,
        project=stack.project_id,
        run=stack.run_id,
        timeout=TIMEOUT,
        stream_timeout=5,
        idle_timeout=2,
    )


def ai_checks(stack: Stack, prepare: Any = None, **config: Any) -> dict[str, Result]:
    """Run only the two AI Server checks against `stack`; `prepare(ctx)` runs first."""
    ctx = Context(
        validate(
            Config(
                project=stack.project_id,
                run=stack.run_id,
                ai_url=stack.ai_url,
                no_docker=stack.ai_url is not None,
                timeout=TIMEOUT,
                **config,
            )
        )
    )
    try:
        if prepare:
            prepare(ctx)
        return {r.check_id: r for r in run_checks([AIServerHealth(), AIServerTasks()], ctx)}
    finally:
        ctx.close()


def test_ai_down_in_docker_is_a_503_and_a_hang_is_bounded(
    stack_factory: Any, docker_client: docker.DockerClient
) -> None:
    stack = stack_factory(("ai-down",), docker=True)
    name = stack.container_name
    code, report = doctor_json(*stack_args(stack))
    health = results_by_id(report)["ai_server.health"]
    assert code == 1
    assert report["diagnosis"][0]["category"] == "http-503"
    assert (health["status"], health["category"]) == ("fail", "http-503")
    assert health["message"].startswith(f"AI Server inside {name} does not answer /health")
    assert f"docker exec {name} wget -O- http://localhost:8000/health" in health["hint"]
    assert f"docker logs {name}" in health["hint"]

    container = docker_client.containers.get(name)
    deadline = AIServerHealth().deadline(Context(Config(timeout=TIMEOUT)))

    # Something accepts on port 8000 but never answers: `timeout` ends wget in the container.
    hang_port_8000(container)
    started = time.monotonic()
    health = ai_checks(stack)["ai_server.health"]
    assert time.monotonic() - started < deadline + 5
    assert (health.status, health.category) == (Status.FAIL, Category.TIMEOUT)
    assert "no answer within 1 s" in health.message
    assert health.evidence["exit_code"] in (124, 143)

    # Without a `timeout` program, the read deadline on the exec's socket ends the wait.
    assert container.exec_run(["rm", "/bin/timeout"]).exit_code == 0
    hang_port_8000(container)
    started = time.monotonic()
    health = ai_checks(stack)["ai_server.health"]
    assert time.monotonic() - started < deadline + 5
    assert (health.status, health.category) == (Status.FAIL, Category.TIMEOUT)
    assert health.evidence["exit_code"] is None


def hang_port_8000(container: Any) -> None:
    """Start a listener on port 8000 inside the container that accepts and stays silent."""
    container.exec_run(["sh", "-c", "sleep 600 | nc -l -p 8000"], detach=True)

    def listening() -> bool:
        return b":8000 " in container.exec_run(["netstat", "-ltn"]).output

    wait_until(listening, "listener on port 8000", 10)


def test_ai_url_mode_reads_health_and_tasks_over_http(stack_factory: Any) -> None:
    stack = stack_factory()
    code, report = doctor_json(*stack_args(stack, "--no-docker", "--ai-url", stack.ai_url))
    results = results_by_id(report)
    assert code == 0
    assert results["ai_server.health"]["status"] == "pass"
    assert results["ai_server.health"]["evidence"]["via"] == "http"
    tasks = results["ai_server.tasks"]
    assert tasks["status"] == "pass"
    assert tasks["evidence"]["task_logs"] == 5 and tasks["evidence"]["stream_log_events"] == 5

    code, report = doctor_json(*stack_args(stack, "--no-docker"))
    results = results_by_id(report)
    assert results["ai_server.health"]["status"] == "skip"
    assert "--ai-url" in results["ai_server.health"]["message"]
    assert results["ai_server.tasks"]["status"] == "skip"


def test_ai_url_down_is_a_503(stack_factory: Any) -> None:
    stack = stack_factory(("ai-down",))
    code, report = doctor_json(*stack_args(stack, "--no-docker", "--ai-url", stack.ai_url))
    health = results_by_id(report)["ai_server.health"]
    assert code == 1
    assert (health["status"], health["category"]) == ("fail", "http-503")
    assert f"AI Server at {stack.ai_url} does not answer /health" in health["message"]
    assert "connection refused" in health["message"]


def test_events_lost_between_ai_server_and_backend(stack_factory: Any) -> None:
    stack = stack_factory(("no-events",))
    code, report = doctor_json(*stack_args(stack, "--no-docker", "--ai-url", stack.ai_url))
    tasks = results_by_id(report)["ai_server.tasks"]
    assert code == 1
    assert (tasks["status"], tasks["category"]) == ("fail", "no-events")
    expected = (
        f"AI Server recorded 5 task logs for run {stack.run_id} but the stream delivered 0: "
        "events are lost between the AI Server and the backend."
    )
    assert tasks["message"] == expected
    finding = next(f for f in report["diagnosis"] if f["category"] == "no-events")
    assert finding["title"] == expected


def test_tasks_compared_with_what_the_stream_delivered(stack_factory: Any) -> None:
    stack = stack_factory()

    def observed(observation: Any, clean_end: bool | None) -> Any:
        def prepare(ctx: Context) -> None:
            ctx.artifacts["sse_observation"] = observation
            ctx.criteria["sse.clean_end"] = clean_end

        return prepare

    tasks = ai_checks(stack, observed(SimpleNamespace(log_events=2), True))["ai_server.tasks"]
    assert (tasks.status, tasks.category) == (Status.FAIL, Category.NO_EVENTS)
    assert "recorded 5 task logs" in tasks.message and "delivered 2" in tasks.message

    tasks = ai_checks(stack, observed({"log_events": 2}, False))["ai_server.tasks"]
    assert (tasks.status, tasks.category) == (Status.WARN, Category.NO_EVENTS)

    tasks = ai_checks(stack, observed({"unrelated": 1}, None))["ai_server.tasks"]
    assert tasks.status == Status.PASS and "stream_log_events" not in tasks.evidence

    results = ai_checks(stack, lambda ctx: setattr(ctx, "run_id", UNKNOWN_RUN))
    tasks = results["ai_server.tasks"]
    assert (tasks.status, tasks.category) == (Status.WARN, Category.NO_EVENTS)
    assert tasks.message == f"AI Server has no task for run {UNKNOWN_RUN}."
    assert tasks.evidence["run_found"] is False


def test_task_list_shapes() -> None:
    assert parse_tasks(b'[{"id": "r1"}, 3]') == [{"id": "r1"}]
    assert parse_tasks(b'{"tasks": [{"task_id": "r2", "logs": 4}]}') == [
        {"task_id": "r2", "logs": 4}
    ]
    assert parse_tasks(b'{"status": "ok"}') is None
    assert parse_tasks(b"<html>") is None
    tasks = [{"id": "r1", "task_logs": [{}, {}]}, {"run_id": "r3", "logs": 7}]
    assert log_count(find_task(tasks, "r1") or {}) == 2
    assert log_count(find_task(tasks, "r3") or {}) == 7
    assert find_task(tasks, "r9") is None


def test_demultiplex_splits_stdout_and_stderr() -> None:
    def frame(stream: int, data: bytes) -> bytes:
        return bytes([stream, 0, 0, 0]) + len(data).to_bytes(4, "big") + data

    data = frame(1, b"he") + frame(2, b"oops\n") + frame(1, b"llo")
    assert demultiplex(data) == (b"hello", b"oops\n")


def test_run_without_task_logs_is_the_no_events_cause(stack_factory: Any) -> None:
    stack = stack_factory(log_lines=0)

    def nothing_streamed(ctx: Context) -> None:
        ctx.artifacts["sse_observation"] = {"log_events": 0}

    tasks = ai_checks(stack, nothing_streamed)["ai_server.tasks"]
    assert (tasks.status, tasks.category) == (Status.FAIL, Category.NO_EVENTS)
    assert tasks.message == f"AI Server recorded no task_logs for run {stack.run_id}."
    assert tasks.evidence["task_logs"] == 0
