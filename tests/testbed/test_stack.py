"""The healthy stack: lifecycle, API, SSE stream, AI Server, MongoDB and backend log."""

from __future__ import annotations

import re
import socket
import subprocess
import threading
import time

import httpx
import pytest
from pymongo import MongoClient

from doctor.testbed import FAULTS, Stack, start_stack

TIMESTAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"


def run_path(stack: Stack, project_id: str | None = None, run_id: str | None = None) -> str:
    project = project_id or stack.project_id
    return f"{stack.api_prefix}/projects/{project}/agent/runs/{run_id or stack.run_id}"


def port_of(url: str) -> int:
    return int(url.rsplit(":", 1)[1].split("/", 1)[0])


def refuses(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except ConnectionRefusedError:
        return True
    return False


def live_testbed_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("sse-doctor-testbed")]


def test_faults_lists_every_fault_once() -> None:
    assert len(FAULTS) == len(set(FAULTS)) == 17
    assert {"no-events", "cut-stream", "mongo-auth", "no-base-image"} <= set(FAULTS)


def test_unknown_fault_is_named_in_the_error() -> None:
    with pytest.raises(ValueError, match="no-such-fault"):
        start_stack(("gzip", "no-such-fault"))
    with pytest.raises(ValueError, match="negative"):
        start_stack(log_lines=-1)


def test_starts_fast_without_any_docker_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    began = time.perf_counter()
    with start_stack() as stack:
        elapsed = time.perf_counter() - began
        assert httpx.get(f"{stack.backend_url}/health", timeout=2).json() == {"status": "ok"}
    assert elapsed < 3.0
    assert stack.container_name is None and stack.llm_api_key is None and not stack.docker


def test_stack_coordinates(stack: Stack) -> None:
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", stack.backend_url)
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", stack.ai_url or "")
    assert re.fullmatch(r"mongodb://127\.0\.0\.1:\d+", stack.mongo_uri)
    assert stack.api_prefix == "/api/v1" and stack.mongo_db == "refactor_agent"
    assert stack.container_prefix == "refactor-project-"
    assert stack.base_image == "refactor-base:sse-doctor-testbed"
    ids = {stack.project_id, stack.pending_project_id, stack.other_project_id, stack.run_id}
    assert len(ids) == 4 and all(re.fullmatch(r"[0-9a-f]{24}", i) for i in ids)
    assert stack.faults == frozenset() and stack.log_path.is_file()


def test_each_stack_gets_fresh_ids(stack_factory) -> None:
    first, second = stack_factory(), stack_factory()
    assert first.project_id != second.project_id and first.backend_url != second.backend_url


def test_nothing_is_left_listening_after_exit() -> None:
    with start_stack() as stack:
        ports = [port_of(stack.backend_url), port_of(stack.ai_url or ""), port_of(stack.mongo_uri)]
        assert not any(refuses(port) for port in ports)
        log_path = stack.log_path
    assert all(refuses(port) for port in ports)
    assert live_testbed_threads() == []
    assert not log_path.exists()


def test_everything_stops_when_the_body_raises(api) -> None:
    with pytest.raises(RuntimeError, match="boom"), start_stack(("no-events",)) as stack:
        ports = [port_of(stack.backend_url), port_of(stack.ai_url or ""), port_of(stack.mongo_uri)]
        with api(stack, timeout=httpx.Timeout(2, read=0.2)).stream(
            "GET", run_path(stack) + "/stream"
        ) as response:
            assert response.status_code == 200
            raise RuntimeError("boom")
    assert all(refuses(port) for port in ports)
    assert live_testbed_threads() == []


def test_open_stream_does_not_delay_shutdown() -> None:
    with start_stack(("no-events",)) as stack:
        ready = threading.Event()

        def hold_stream() -> None:
            url = f"{stack.backend_url}{run_path(stack)}/stream"
            with httpx.stream("GET", url, headers={"Authorization": f"Bearer {stack.token}"}) as r:
                ready.set()
                r.read()

        reader = threading.Thread(target=hold_stream)
        reader.start()
        assert ready.wait(2)
        began = time.perf_counter()
    assert time.perf_counter() - began < 2.0
    reader.join(2)
    assert not reader.is_alive()


def test_health_and_openapi(stack: Stack, api) -> None:
    client = api(stack, token=None)
    assert client.get("/health").json() == {"status": "ok"}
    assert "/api/v1/auth/login" in client.get("/openapi.json").json()["paths"]


def test_login_accepts_json_and_form(stack: Stack, api) -> None:
    client = api(stack, token=None)
    for body in (
        {"json": {"email": stack.email, "password": stack.password}},
        {"data": {"username": stack.email, "password": stack.password}},
    ):
        response = client.post("/api/v1/auth/login", **body)
        assert response.status_code == 200
        token = response.json()["access_token"]
        assert response.json()["token_type"] == "bearer"
        assert re.fullmatch(r"[\w-]+\.[\w-]+\.[\w-]+", token)
        assert client.get(
            "/api/v1/projects", headers={"Authorization": f"Bearer {token}"}
        ).is_success


def test_login_rejects_bad_bodies_and_credentials(stack: Stack, api) -> None:
    client = api(stack, token=None)
    assert client.post("/api/v1/auth/login", data={"username": stack.email}).status_code == 422
    assert client.post("/api/v1/auth/login", json={"username": stack.email}).status_code == 422
    assert client.post("/api/v1/auth/login", content=b"not json").status_code == 422
    wrong = client.post("/api/v1/auth/login", json={"email": stack.email, "password": "nope"})
    assert wrong.status_code == 401
    assert wrong.json() == {"detail": "Incorrect email or password"}


def test_bearer_token_is_required(stack: Stack, api) -> None:
    assert api(stack, token=None).get("/api/v1/projects").status_code == 401
    forged = stack.token[:-4] + ("AAAA" if not stack.token.endswith("AAAA") else "BBBB")
    assert api(stack, token=forged).get("/api/v1/projects").status_code == 401
    assert api(stack, token=None).get(run_path(stack) + "/stream").status_code == 401


def test_projects_and_permissions(stack: Stack, api) -> None:
    client = api(stack)
    listed = {p["id"]: p for p in client.get("/api/v1/projects").json()}
    assert listed[stack.project_id]["status"] == "READY"
    assert listed[stack.pending_project_id]["status"] == "PENDING"
    assert stack.other_project_id not in listed
    assert client.get(f"/api/v1/projects/{stack.project_id}").json()["name"]
    assert client.get(f"/api/v1/projects/{stack.other_project_id}").status_code == 403
    assert client.get(f"/api/v1/projects/{'0' * 24}").status_code == 404


def test_runs_can_be_created_and_read(stack: Stack, api) -> None:
    client = api(stack)
    assert client.get(run_path(stack)).json()["status"] == "PENDING"
    created = client.post(f"/api/v1/projects/{stack.project_id}/agent/runs")
    assert created.status_code == 201 and created.json()["status"] == "PENDING"
    run = client.get(run_path(stack, run_id=created.json()["run_id"])).json()
    assert run["id"] == run["run_id"] == created.json()["run_id"]
    assert client.get(run_path(stack, run_id="f" * 24)).status_code == 404
    assert client.post(f"/api/v1/projects/{stack.pending_project_id}/agent/runs").status_code == 409
    tasks = httpx.get(f"{stack.ai_url}/tasks", timeout=2).json()
    assert created.json()["run_id"] in {task["id"] for task in tasks}


def test_healthy_stream_read_with_curl_matches_the_guide(stack: Stack) -> None:
    url = f"{stack.backend_url}{run_path(stack)}/stream"
    result = subprocess.run(
        ["curl", "-N", "-sS", "--max-time", "5", "-H", f"Authorization: Bearer {stack.token}", url],
        capture_output=True,
        text=True,
        check=True,
        timeout=10,
    )
    lines = result.stdout.split("\n")
    assert lines[0] == lines[3] == lines[6] == "event: log" and lines[2] == lines[5] == ""
    assert re.fullmatch(f"data: {TIMESTAMP} 開始執行 Agent", lines[1])
    assert re.fullmatch(f"data: {TIMESTAMP} 初始化 LLM\\.\\.\\.", lines[4])
    assert re.fullmatch(f"data: {TIMESTAMP} 建立 RefactorAgent\\.\\.\\.", lines[7])
    assert lines.count("event: log") == 5
    assert lines[-4:] == ["event: status", "data: Task success", "", ""]


def test_healthy_stream_protocol_and_run_status(stack: Stack, api) -> None:
    client = api(stack)
    with client.stream("GET", run_path(stack) + "/stream") as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.headers["cache-control"] == "no-cache"
        lines = response.iter_lines()
        assert next(lines) == "event: log"
        assert client.get(run_path(stack)).json()["status"] == "RUNNING"
        rest = list(lines)
    assert rest[-3:] == ["event: status", "data: Task success", ""]
    assert client.get(run_path(stack)).json()["status"] == "DONE"
    replay = client.get(run_path(stack) + "/stream").text
    assert replay.count("event: log") == 5 and replay.endswith("data: Task success\n\n")
    assert client.get(run_path(stack)).json()["status"] == "DONE"


def test_log_lines_and_gap_are_configurable(stack_factory, api) -> None:
    stack = stack_factory(log_lines=9, event_gap=0.05)
    began = time.perf_counter()
    body = api(stack).get(run_path(stack) + "/stream").text
    assert time.perf_counter() - began >= 9 * 0.05 * 0.9
    assert body.count("event: log") == 9 and body.count("event: status") == 1


def test_ai_server_serves_health_and_task_logs(stack: Stack) -> None:
    assert httpx.get(f"{stack.ai_url}/health", timeout=2).json() == {"status": "healthy"}
    (task,) = httpx.get(f"{stack.ai_url}/tasks", timeout=2).json()
    assert task["id"] == stack.run_id and task["status"] == "success"
    assert [log["message"] for log in task["task_logs"]][:3] == [
        "開始執行 Agent",
        "初始化 LLM...",
        "建立 RefactorAgent...",
    ]
    assert all(re.fullmatch(TIMESTAMP, log["timestamp"]) for log in task["task_logs"])


def test_mongo_serves_the_same_data(stack: Stack, api) -> None:
    with MongoClient(stack.mongo_uri, serverSelectionTimeoutMS=1000) as client:
        assert client.admin.command("ping")["ok"] == 1
        assert client.admin.command("hello")["maxWireVersion"] == 21
        assert client.server_info()["version"] == "7.0.12"
        db = client[stack.mongo_db]
        assert db.projects.find_one({"_id": stack.project_id})["status"] == "READY"
        assert db.projects.find_one({"_id": stack.pending_project_id})["status"] == "PENDING"
        assert db.task_logs.count_documents({"run_id": stack.run_id}) == 5
        assert db.runs.find_one({"_id": stack.run_id})["status"] == "PENDING"
        api(stack).get(run_path(stack) + "/stream").raise_for_status()
        assert db.runs.find_one({"_id": stack.run_id})["status"] == "DONE"
        assert {"users", "projects", "runs", "task_logs"} <= set(db.list_collection_names())


def test_backend_log_has_the_guide_lines_and_no_secrets(stack: Stack, api) -> None:
    api(stack, token=None).post(
        "/api/v1/auth/login", json={"email": stack.email, "password": stack.password}
    )
    api(stack).get(run_path(stack) + "/stream").raise_for_status()
    text = stack.log_path.read_text(encoding="utf-8")
    line = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} \[(INFO|DEBUG|WARNING|ERROR)\] .+"
    assert all(re.fullmatch(line, entry) for entry in text.splitlines())
    assert "[INFO] POST /api/v1/auth/login 200" in text
    container = f"refactor-project-{stack.project_id}"
    assert f"[INFO] 開始串流 AI Server 日誌: {container}, run_id={stack.run_id}" in text
    assert "[DEBUG] [SSE] event: log" in text and "[DEBUG] [SSE] data: Task success" in text
    assert re.search(f"\\[DEBUG\\] \\[SSE\\] data: {TIMESTAMP} 開始執行 Agent", text)
    assert f"[INFO] SSE 串流結束: run_id={stack.run_id}" in text
    assert stack.password not in text and stack.token not in text


def test_log_path_can_be_chosen_and_is_kept(tmp_path) -> None:
    chosen = tmp_path / "backend.log"
    with start_stack(log_path=chosen) as stack:
        assert stack.log_path == chosen
        httpx.get(f"{stack.backend_url}/health", timeout=2)
    assert "GET /health 200" in chosen.read_text(encoding="utf-8")
