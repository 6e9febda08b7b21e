"""start_stack's lifecycle: bounded start and stop, nothing left behind, argument validation."""

from __future__ import annotations

import re
import socket
import threading
import time
from pathlib import Path

import httpx
import pytest

from doctor.testbed import FAULTS, PROFILES, Stack, start_stack
from doctor.testbed.faults import DOCKER_FAULTS
from tests.testbed.wire import stream_path

LOCAL_BOUND_S = 5.0
"""A local stack is up and down well within this (it takes well under a second)."""


def port_of(url: str) -> int:
    return int(url.rsplit(":", 1)[1].split("/", 1)[0])


def ports(stack: Stack) -> list[int]:
    return [port_of(stack.backend_url), port_of(stack.ai_url or ""), port_of(stack.mongo_uri)]


def refuses(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except ConnectionRefusedError:
        return True
    return False


def running_testbed_threads() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t.name.startswith("sse-doctor-testbed")}


@pytest.mark.parametrize("profile", PROFILES)
def test_a_local_stack_is_up_and_down_within_the_bound(profile: str) -> None:
    threads_before = running_testbed_threads()
    began = time.monotonic()
    with start_stack(profile_name=profile) as stack:
        up = time.monotonic() - began
        listening = ports(stack)
        assert not any(refuses(port) for port in listening)
        health = httpx.get(f"{stack.backend_url}/api/v1/health", timeout=2, trust_env=False)
        assert health.json()["status"] == "ok"
        log_path = stack.log_path
        assert log_path.is_file()
        stopping = time.monotonic()
    down = time.monotonic() - stopping
    assert up + down < LOCAL_BOUND_S, (up, down)
    assert all(refuses(port) for port in listening)
    assert running_testbed_threads() <= threads_before
    assert not log_path.exists()  # the temporary log goes with the stack


def test_the_stacks_coordinates(stack: Stack) -> None:
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", stack.backend_url)
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", stack.ai_url or "")
    assert re.fullmatch(r"mongodb://127\.0\.0\.1:\d+", stack.mongo_uri)
    assert (stack.profile, stack.api_prefix, stack.mongo_db) == ("v2", "/api/v1", "refactor_agent")
    assert stack.container_prefix == "refactor-project-"
    assert stack.container_name == f"refactor-project-{stack.ready_project_id}"
    ids = {stack.ready_project_id, stack.not_ready_project_id, stack.foreign_project_id}
    assert len(ids) == 3 and all(re.fullmatch(r"[0-9a-f]{24}", i) for i in ids)
    assert stack.project_id == stack.ready_project_id
    assert re.fullmatch(r"[0-9a-f-]{36}", stack.run_id)
    assert stack.faults == frozenset() and not stack.docker
    assert stack.base_image == "refactor-base:sse-doctor-testbed"
    assert re.fullmatch(r"sk-ant-testbed-[0-9a-f]{32}", stack.llm_api_key or "")
    assert stack.login == stack.username


def test_the_v1_login_is_the_email(stack_factory) -> None:
    stack = stack_factory(profile_name="v1")
    assert stack.profile == "v1" and stack.login == stack.email


def test_each_stack_is_fresh(stack_factory) -> None:
    first, second = stack_factory(), stack_factory()
    assert first.backend_url != second.backend_url and first.mongo_uri != second.mongo_uri
    assert first.ready_project_id != second.ready_project_id and first.token != second.token


def test_a_chosen_log_path_is_kept(tmp_path: Path) -> None:
    chosen = tmp_path / "backend.log"
    with start_stack(log_path=chosen) as stack:
        assert stack.log_path == chosen
        httpx.get(f"{stack.backend_url}/api/v1/health", timeout=2, trust_env=False)
    assert '"GET /api/v1/health HTTP/1.1" 200 OK' in chosen.read_text(encoding="utf-8")


def test_everything_stops_when_the_body_raises(api) -> None:
    with pytest.raises(RuntimeError, match="boom"), start_stack(("keepalive-only",)) as stack:
        listening = ports(stack)
        client = api(stack, timeout=httpx.Timeout(2, read=1))
        with client.stream("GET", stream_path(stack)) as response:
            assert response.status_code == 200
            raise RuntimeError("boom")
    assert all(refuses(port) for port in listening)


def test_an_open_stream_does_not_hold_the_shutdown() -> None:
    with start_stack(("keepalive-only",), ping_interval=0.2) as stack:
        opened, ended = threading.Event(), threading.Event()

        def hold_stream() -> None:
            headers = {"Authorization": f"Bearer {stack.token}"}
            url = f"{stack.backend_url}{stream_path(stack)}"
            try:
                with httpx.stream("GET", url, headers=headers, timeout=5, trust_env=False) as r:
                    opened.set()
                    for _ in r.iter_raw():
                        pass
            except httpx.HTTPError:
                pass
            ended.set()

        reader = threading.Thread(target=hold_stream, daemon=True)
        reader.start()
        assert opened.wait(2)
        stopping = time.monotonic()
    assert time.monotonic() - stopping < 3.0
    assert ended.wait(2)


def test_a_local_stack_needs_no_docker_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    with start_stack() as stack:
        health = httpx.get(f"{stack.backend_url}/api/v1/health", timeout=2, trust_env=False)
        assert health.status_code == 200


def test_every_fault_says_what_it_models() -> None:
    covered = {  # each has its test in test_faults.py or test_docker.py
        *("backend-hang", "mongo-down", "mongo-auth"),
        *("foreign-project", "unknown-project", "project-not-ready"),
        *("ai-down", "container-unresolvable", "ai-killed", "unknown-run"),
        *("no-api-key", "no-postgres-url", "keepalive-only", "agent-stall", "slow-events"),
        *("gzip", "buffered", "wrong-content-type", "flood", "container-stopped"),
        "no-base-image",
    }
    assert set(FAULTS) == covered
    assert all(isinstance(text, str) and len(text) > 10 for text in FAULTS.values())
    assert sorted(DOCKER_FAULTS) == ["container-stopped", "no-base-image"]


def test_unknown_faults_are_named_with_the_known_ones() -> None:
    with pytest.raises(ValueError) as raised:
        start_stack(("gzip", "no-such-fault"))
    message = str(raised.value)
    assert "no-such-fault" in message
    assert all(name in message for name in FAULTS)
    with pytest.raises(ValueError, match="cut-stream"):
        start_stack("cut-stream")  # an old testbed's fault


def test_unknown_profiles_are_named_with_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"'v3'.*v1, v2"):
        start_stack(profile_name="v3")


@pytest.mark.parametrize("fault", sorted(DOCKER_FAULTS))
def test_docker_faults_need_the_docker_mode(fault: str) -> None:
    with pytest.raises(ValueError, match=f"{fault}.*Docker"):
        start_stack((fault,))


@pytest.mark.parametrize(
    ("options", "needle"),
    [
        ({"step_gap": -1}, "step_gap"),
        ({"ping_interval": 0}, "ping_interval"),
        ({"tools": "curl"}, "curl"),
    ],
)
def test_bad_options_are_refused_before_anything_starts(options: dict, needle: str) -> None:
    threads_before = running_testbed_threads()
    with pytest.raises(ValueError, match=needle):
        start_stack(**options)
    assert running_testbed_threads() <= threads_before
