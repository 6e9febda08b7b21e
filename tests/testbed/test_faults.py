"""Each fault, observed on the wire with plain httpx, sockets and pymongo."""

from __future__ import annotations

import gzip
import itertools
import json
import socket
import time

import httpx
import pytest
from pymongo import MongoClient
from pymongo.errors import OperationFailure, ServerSelectionTimeoutError

from doctor.testbed import Stack

HEALTHY_LOGS = 5


def run_path(stack: Stack, run_id: str | None = None) -> str:
    return f"{stack.api_prefix}/projects/{stack.project_id}/agent/runs/{run_id or stack.run_id}"


def run_status(client: httpx.Client, stack: Stack) -> str:
    return client.get(run_path(stack)).json()["status"]


def raw_stream(stack: Stack, timeout: float = 2.0) -> tuple[bytes, list[tuple[float, bytes]]]:
    """GET the stream over a bare socket: (response head, [(arrival time, body bytes)])."""
    request = (
        f"GET {run_path(stack)}/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: Bearer {stack.token}\r\nConnection: close\r\n\r\n"
    )
    port = int(stack.backend_url.rsplit(":", 1)[1])
    chunks: list[tuple[float, bytes]] = []
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(request.encode())
        began = time.perf_counter()
        while data := sock.recv(65536):
            chunks.append((time.perf_counter() - began, data))
    raw = b"".join(data for _, data in chunks)
    head, _, _ = raw.partition(b"\r\n\r\n")
    body_chunks, offset = [], len(head) + 4
    for at, data in chunks:
        body_chunks.append((at, data[max(0, offset) :]))
        offset -= len(data)
    return head, [(at, data) for at, data in body_chunks if data]


@pytest.mark.parametrize(("fault", "code"), [("forbidden", 403), ("not-found", 404)])
def test_project_faults_answer_on_every_project_endpoint(stack_factory, api, fault, code) -> None:
    stack = stack_factory((fault,))
    client = api(stack)
    assert client.get(f"/api/v1/projects/{stack.project_id}").status_code == code
    assert client.get(run_path(stack)).status_code == code
    assert client.get(run_path(stack) + "/stream").status_code == code
    assert client.post(f"/api/v1/projects/{stack.project_id}/agent/runs").status_code == code
    assert client.get("/api/v1/projects").status_code == 200
    assert client.get(f"/api/v1/projects/{stack.pending_project_id}").status_code == 200


@pytest.mark.parametrize("fault", ["container-stopped", "ai-down"])
def test_ai_server_down_gives_503_without_docker(stack_factory, api, fault) -> None:
    stack = stack_factory((fault,))
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{stack.ai_url}/health", timeout=1)
    client = api(stack)
    response = client.get(run_path(stack) + "/stream")
    assert response.status_code == 503
    assert response.json() == {"detail": "AI Server is not available"}
    assert run_status(client, stack) == "PENDING"


def test_backend_hang_accepts_but_never_answers(stack_factory) -> None:
    stack = stack_factory(("backend-hang",))
    port = int(stack.backend_url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        sock.settimeout(0.3)
        with pytest.raises(TimeoutError):
            sock.recv(1)
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(f"{stack.backend_url}/health", timeout=httpx.Timeout(1, read=0.3))


def test_no_events_opens_the_stream_and_stays_silent(stack_factory, api) -> None:
    stack = stack_factory(("no-events",))
    client = api(stack, timeout=httpx.Timeout(2, read=0.4))
    received = b""
    with client.stream("GET", run_path(stack) + "/stream") as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        with pytest.raises(httpx.ReadTimeout):
            for chunk in response.iter_raw():
                received += chunk
    assert received == b""
    assert run_status(client, stack) == "RUNNING"
    (task,) = httpx.get(f"{stack.ai_url}/tasks", timeout=2).json()
    assert len(task["task_logs"]) == HEALTHY_LOGS


def test_cut_stream_ends_without_the_terminating_chunk(stack_factory, api) -> None:
    stack = stack_factory(("cut-stream",))
    client = api(stack)
    lines: list[str] = []
    with (
        pytest.raises(httpx.RemoteProtocolError),
        client.stream("GET", run_path(stack) + "/stream") as response,
    ):
        assert response.status_code == 200
        lines.extend(response.iter_lines())
    assert 1 <= lines.count("event: log") < HEALTHY_LOGS
    assert "event: status" not in lines
    assert run_status(client, stack) == "RUNNING"
    head, chunks = raw_stream(stack)
    assert b"transfer-encoding: chunked" in head.lower()
    assert not b"".join(data for _, data in chunks).endswith(b"0\r\n\r\n")


def test_no_status_ends_cleanly_without_status_event(stack_factory, api) -> None:
    stack = stack_factory(("no-status",))
    client = api(stack)
    body = client.get(run_path(stack) + "/stream").text
    assert body.count("event: log") == HEALTHY_LOGS and "event: status" not in body
    assert run_status(client, stack) == "RUNNING"


def test_stuck_running_sends_status_but_run_stays_running(stack_factory, api) -> None:
    stack = stack_factory(("stuck-running",))
    client = api(stack)
    body = client.get(run_path(stack) + "/stream").text
    assert body.endswith("event: status\ndata: Task success\n\n")
    assert run_status(client, stack) == "RUNNING"
    with MongoClient(stack.mongo_uri, serverSelectionTimeoutMS=1000) as mongo:
        assert mongo[stack.mongo_db].runs.find_one({"_id": stack.run_id})["status"] == "RUNNING"


def test_buffered_delivers_everything_in_one_burst_at_the_end(stack_factory) -> None:
    stack = stack_factory(("buffered",), log_lines=4, event_gap=0.1)
    head, chunks = raw_stream(stack)
    assert head.startswith(b"HTTP/1.1 200")
    events = [at for at, data in chunks if b"event:" in data]
    assert min(events) >= 4 * 0.1 * 0.9
    assert max(events) - min(events) < 0.05
    body = b"".join(data for _, data in chunks)
    assert body.count(b"event: log") == 4 and b"event: status" in body


def test_healthy_stream_is_paced_not_buffered(stack_factory) -> None:
    _, chunks = raw_stream(stack_factory(log_lines=4, event_gap=0.1))
    events = [at for at, data in chunks if b"event:" in data]
    assert len(events) == 5 and events[-1] - events[0] >= 4 * 0.1 * 0.9


def test_slow_events_are_spaced_by_slow_gap(stack_factory) -> None:
    stack = stack_factory(("slow-events",), log_lines=2, slow_gap=0.3)
    _, chunks = raw_stream(stack)
    events = [at for at, data in chunks if b"event:" in data]
    assert len(events) == 3
    assert all(later - earlier >= 0.25 for earlier, later in itertools.pairwise(events))


def test_double_framed_wraps_lines_twice(stack_factory, api) -> None:
    stack = stack_factory(("double-framed",))
    lines = api(stack).get(run_path(stack) + "/stream").text.splitlines()
    data = [line for line in lines if line.startswith("data: ")]
    assert data and all(line.startswith(("data: data: ", "data: event: ")) for line in data)
    assert "data: event: log" in lines and "data: data: Task success" in lines


def test_wrong_content_type(stack_factory, api) -> None:
    stack = stack_factory(("wrong-content-type",))
    response = api(stack).get(run_path(stack) + "/stream")
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text.count("event: log") == HEALTHY_LOGS


def test_gzip_compresses_and_flushes_only_at_the_end(stack_factory, api) -> None:
    stack = stack_factory(("gzip",), event_gap=0.05)
    with api(stack).stream("GET", run_path(stack) + "/stream") as response:
        assert response.headers["content-encoding"] == "gzip"
        raw = b"".join(response.iter_raw())
    assert raw[:2] == b"\x1f\x8b"
    text = gzip.decompress(raw).decode()
    assert text.count("event: log") == HEALTHY_LOGS and text.endswith("data: Task success\n\n")
    assert "event: status" in api(stack).get(run_path(stack) + "/stream").text
    _, chunks = raw_stream(stack)
    assert min(at for at, _ in chunks) >= HEALTHY_LOGS * 0.05 * 0.9


def test_faults_combine(stack_factory, api) -> None:
    stack = stack_factory(("cut-stream", "double-framed", "wrong-content-type"))
    with (
        pytest.raises(httpx.RemoteProtocolError),
        api(stack).stream("GET", run_path(stack) + "/stream") as response,
    ):
        assert response.headers["content-type"].startswith("text/plain")
        lines = []
        for line in response.iter_lines():
            lines.append(line)
    assert "data: event: log" in lines


def test_mongo_down(stack_factory, api) -> None:
    stack = stack_factory(("mongo-down",))
    with (
        MongoClient(stack.mongo_uri, serverSelectionTimeoutMS=300) as client,
        pytest.raises(ServerSelectionTimeoutError),
    ):
        client.admin.command("ping")
    anonymous = api(stack, token=None)
    login = anonymous.post(
        "/api/v1/auth/login", json={"email": stack.email, "password": stack.password}
    )
    assert login.status_code == 503 and login.json() == {"detail": "Database unavailable"}
    assert api(stack).get("/api/v1/projects").status_code == 503
    assert api(stack).get(run_path(stack) + "/stream").status_code == 503
    assert anonymous.get("/health").status_code == 200


def test_mongo_auth_rejects_the_uri_credentials(stack_factory, api) -> None:
    stack = stack_factory(("mongo-auth",))
    assert "@127.0.0.1:" in stack.mongo_uri and "authSource=admin" in stack.mongo_uri
    with (
        MongoClient(stack.mongo_uri, serverSelectionTimeoutMS=1000) as client,
        pytest.raises(OperationFailure) as failure,
    ):
        client.admin.command("ping")
    assert failure.value.code == 18
    assert failure.value.details["codeName"] == "AuthenticationFailed"
    anonymous_uri = "mongodb://" + stack.mongo_uri.split("@", 1)[1]
    with (
        MongoClient(anonymous_uri, serverSelectionTimeoutMS=1000) as client,
        pytest.raises(OperationFailure) as failure,
    ):
        client[stack.mongo_db].projects.find_one({"_id": stack.project_id})
    assert failure.value.code == 13
    assert api(stack).get("/api/v1/projects").status_code == 200


def test_no_base_image_has_no_effect_without_docker(stack_factory, api) -> None:
    stack = stack_factory(("no-base-image",))
    assert api(stack).get(run_path(stack) + "/stream").text.endswith("data: Task success\n\n")


def test_tasks_json_is_utf8(stack: Stack) -> None:
    raw = httpx.get(f"{stack.ai_url}/tasks", timeout=2).content
    assert "開始執行 Agent" in json.loads(raw.decode("utf-8"))[0]["task_logs"][0]["message"]
