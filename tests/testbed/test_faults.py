"""Each fault's signature on the wire, at both profiles, against REAL-STACK §7 and the captures."""

from __future__ import annotations

import gzip
import json
import socket
from datetime import datetime, timedelta

import httpx
import pymongo
import pymongo.errors
import pytest
from bson import ObjectId

from tests.testbed.captures import PROFILES, comparable, raw, reply
from tests.testbed.wire import (
    PING,
    ai_stream,
    backend_events,
    inner_lines,
    lines_of,
    log_messages,
    names,
    project_path,
    raw_get,
    read_stream,
    run_path,
    stream_path,
    unwrap_v1,
)

BOTH = pytest.mark.parametrize("profile", PROFILES)
UNRESOLVABLE = "[Errno -2] Name or service not known"
REFUSED = "All connection attempts failed"
CUT = "peer closed connection without sending complete message body (incomplete chunked read)"
NO_KEY = {
    "v1": "Agent execution failed: ANTHROPIC_API_KEY is not set",
    "v2": "Agent execution failed: Anthropic API 未配置。請設定 ANTHROPIC_API_KEY 環境變數",
}
NO_POSTGRES = "POSTGRES_URL environment variable is not set. PostgreSQL persistence is required."


def error_stream(profile: str, text: str) -> bytes:
    """The backend's in-band error as 33-stream-ai-down.raw frames it, with ``text``."""
    return raw(profile, "33-stream-ai-down").replace(REFUSED.encode(), text.encode())


def refuses(url: str) -> bool:
    host, port = url.rsplit("/", 1)[-1].rsplit(":", 1)
    try:
        socket.create_connection((host.rsplit("@", 1)[-1], int(port)), timeout=1).close()
    except ConnectionRefusedError:
        return True
    return False


def pings_only(profile: str, body: bytes) -> list[str]:
    """The pings of a stream that must carry nothing else (AssertionError otherwise)."""
    if profile == "v2":
        lines = lines_of(body[: body.rindex(b"\n\n") + 2], "\n")
        assert all(line == "" or PING.fullmatch(line) for line in lines), lines
        return [line for line in lines if line]
    datas, comments = unwrap_v1(body[: body.rindex(b"\r\n\r\n") + 4])
    assert all(PING.fullmatch(comment) for comment in comments)
    assert all(PING.fullmatch(data[:-1]) for data in datas), datas
    return comments + [data[:-1] for data in datas]


@BOTH
def test_ai_down(profile: str, stack_factory, api) -> None:
    stack = stack_factory(("ai-down",), profile_name=profile)
    client = api(stack)
    stream = client.get(stream_path(stack))
    assert stream.status_code == 200
    assert stream.content == raw(profile, "33-stream-ai-down")
    heads = reply(profile, "33-stream-ai-down.headers").headers
    assert comparable(stream.headers.raw) == comparable(heads)
    for method, path, name in (
        ("GET", run_path(stack), "34-run-detail-ai-down"),
        ("GET", f"{project_path(stack)}/agent/runs", "35-runs-ai-down"),
        ("POST", f"{project_path(stack)}/agent/run", "32-run-ai-down"),
    ):
        answer, recorded = client.request(method, path), reply(profile, name)
        assert (answer.status_code, answer.json()) == (recorded.status, recorded.body)
        assert comparable(answer.headers.raw) == comparable(recorded.headers)
    assert refuses(stack.ai_url or "")


@BOTH
def test_container_unresolvable(profile: str, stack_factory, api) -> None:
    stack = stack_factory(("container-unresolvable",), profile_name=profile)
    client = api(stack)
    stream = client.get(stream_path(stack))
    assert stream.status_code == 200 and stream.content == error_stream(profile, UNRESOLVABLE)
    run = client.post(f"{project_path(stack)}/agent/run")
    assert (run.status_code, run.json()) == (503, {"detail": f"AI Server 錯誤: {UNRESOLVABLE}"})
    detail = client.get(run_path(stack))
    assert (detail.status_code, detail.json()) == (503, {"detail": "無法查詢任務狀態"})
    assert client.get(f"{project_path(stack)}/agent/runs").json() == {"total": 0, "runs": []}
    assert httpx.get(f"{stack.ai_url}/health", trust_env=False).is_success  # it is the name


@BOTH
def test_ai_killed_mid_stream(profile: str, stack_factory, api) -> None:
    stack = stack_factory(("ai-killed",), profile_name=profile)
    stream = api(stack).get(stream_path(stack))
    assert stream.status_code == 200
    recorded = raw(profile, "31-stream-ai-sigkill-midstream")
    marker = b"data: event: error" if profile == "v1" else b"event: error"
    tail = recorded[recorded.index(marker) :]
    assert tail.count(CUT.encode()) == 1 and stream.content.endswith(tail)
    before = backend_events(profile, stream.content[: -len(tail)])
    assert before and names(before) == ["log"] * len(before)
    assert refuses(stack.ai_url or "")  # the AI Server is gone, not just this stream
    again = api(stack).get(stream_path(stack))
    assert again.content == error_stream(profile, REFUSED)


@BOTH
def test_unknown_run(profile: str, stack_factory, api) -> None:
    stack = stack_factory(("unknown-run",), profile_name=profile)
    client = api(stack)
    stream = client.get(stream_path(stack))
    assert stream.status_code == 200
    assert stream.content == raw(profile, "36-stream-old-run-after-restart")
    detail, recorded = (
        client.get(run_path(stack)),
        reply(profile, "37-run-detail-old-run-after-restart"),
    )
    assert (detail.status_code, detail.json()) == (recorded.status, recorded.body)
    assert client.get(f"{project_path(stack)}/agent/runs").json() == {"total": 0, "runs": []}
    tasks = httpx.get(f"{stack.ai_url}/tasks", timeout=2, trust_env=False).json()
    assert tasks == {"total": 0, "tasks": []}  # the AI Server is up, with no memory of the run


@BOTH
def test_no_api_key_fails_the_run(profile: str, stack_factory, api) -> None:
    stack = stack_factory(("no-api-key",), profile_name=profile)
    assert stack.llm_api_key is None
    detail = api(stack).get(run_path(stack)).json()
    assert detail["status"] == "FAILED" and detail["error_message"] == NO_KEY[profile]
    events = backend_events(profile, api(stack).get(stream_path(stack)).content)
    assert names(events)[-1] == "status"
    final = json.loads(events[-1][1])
    assert (final["status"], final["error_message"]) == ("failed", NO_KEY[profile])
    messages = [json.loads(data)["message"] for name, data in events if name == "log"]
    assert f"❌ 錯誤: {NO_KEY[profile]}" in messages
    assert "ai_content" not in names(events)


@BOTH
def test_no_postgres_url_fails_only_v2(profile: str, stack_factory, api) -> None:
    stack = stack_factory(("no-postgres-url",), profile_name=profile)
    detail = api(stack).get(run_path(stack)).json()
    events = backend_events(profile, api(stack).get(stream_path(stack)).content)
    final = json.loads(events[-1][1])
    if profile == "v1":  # the V1 AI Server has no PostgreSQL at all
        assert detail["status"] == "DONE" and final["status"] == "success"
        return
    assert detail["status"] == "FAILED" and detail["error_message"] == NO_POSTGRES
    assert (final["status"], final["error_message"]) == ("failed", NO_POSTGRES)
    assert f"❌ 錯誤: {NO_POSTGRES}" in log_messages(events)


@BOTH
def test_keepalive_only_streams_nothing_but_pings(profile: str, stack_factory, api) -> None:
    stack = stack_factory(("keepalive-only",), profile_name=profile, ping_interval=0.2)
    timed = read_stream(api(stack), stream_path(stack), seconds=0.8)
    assert timed.status == 200 and len(pings_only(profile, timed.body)) >= 3
    listed = api(stack).get(f"{project_path(stack)}/agent/runs").json()["runs"]
    (run,) = [run for run in listed if run["id"] == stack.run_id]
    assert run["status"] == "RUNNING"  # pending maps to RUNNING, never PENDING
    assert run["updated_at"] is None and run["finished_at"] is None  # started_at is null


@BOTH
def test_agent_stall_sends_the_first_logs_then_pings(profile: str, stack_factory, api) -> None:
    stack = stack_factory(("agent-stall",), profile_name=profile, ping_interval=0.2)
    timed = read_stream(api(stack), stream_path(stack), seconds=1.0)
    body = timed.body
    marker = "執行 Agent，".encode()
    split = body.index(b"\r\n\r\n" if profile == "v1" else b"\n\n", body.index(marker))
    split += 4 if profile == "v1" else 2
    head, rest = body[:split], body[split:]
    events = backend_events(profile, head)
    assert set(names(events)) == {"log"} and "▶️  執行 Agent，" in log_messages(events)[-1]
    assert len(pings_only(profile, rest)) >= 3
    assert api(stack).get(run_path(stack)).json()["status"] == "RUNNING"


@BOTH
def test_slow_events_come_seconds_apart(profile: str, stack_factory, api) -> None:
    stack = stack_factory(("slow-events",), profile_name=profile, ping_interval=0.2)
    client = api(stack, timeout=3.0)
    timed = read_stream(client, stream_path(stack), seconds=3.0, until=b"event: ai_content")
    frame = b"data: event: ai_content" if profile == "v1" else b"event: ai_content"
    events = backend_events(profile, timed.body[: timed.body.index(frame)])
    (last_log,) = [data for name, data in events if "執行 Agent，" in data]
    written = datetime.fromisoformat(json.loads(last_log)["timestamp"])  # the AI Server's clock
    arrived = timed.sent_at + timedelta(seconds=timed.arrival_of(b"event: ai_content"))
    assert timedelta(seconds=1.45) < arrived - written < timedelta(seconds=2.5)


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("fault", ["foreign-project", "unknown-project", "project-not-ready"])
def test_project_faults_point_at_another_project(
    fault: str, profile: str, stack_factory, api
) -> None:
    stack = stack_factory((fault,), profile_name=profile)
    seeded = {stack.ready_project_id, stack.not_ready_project_id, stack.foreign_project_id}
    client = api(stack)
    stream = client.get(stream_path(stack))
    if fault == "foreign-project":
        assert stack.project_id == stack.foreign_project_id
        expected = {"v1": (404, "專案不存在或無權限"), "v2": (403, "無權限訪問此專案")}[profile]
    elif fault == "unknown-project":
        assert stack.project_id not in seeded and ObjectId.is_valid(stack.project_id)
        expected = {"v1": (404, "專案不存在或無權限"), "v2": (404, "專案不存在")}[profile]
    else:
        assert stack.project_id == stack.not_ready_project_id
        refused = client.post(f"{project_path(stack)}/agent/run")
        ready = "專案狀態必須為 READY，目前為 ProjectStatus.CREATED"
        assert (refused.status_code, refused.json()) == (400, {"detail": ready})
        # No project-status check on the stream: 200, then the proxy cannot connect.
        assert stream.status_code == 200 and stream.content == error_stream(profile, UNRESOLVABLE)
        return
    assert (stream.status_code, stream.json()) == (expected[0], {"detail": expected[1]})
    run = client.post(f"{project_path(stack)}/agent/run")
    assert (run.status_code, run.json()) == (expected[0], {"detail": expected[1]})


@BOTH
def test_gzip_compresses_the_stream(profile: str, stack_factory, api) -> None:
    stack = stack_factory(("gzip",), profile_name=profile)
    timed = read_stream(api(stack), stream_path(stack), seconds=2.0)
    headers = dict(timed.headers)
    assert headers["content-encoding"] == "gzip"
    assert headers["content-type"] == "text/event-stream; charset=utf-8"
    assert timed.body[:2] == b"\x1f\x8b" and b"event" not in timed.body
    body = gzip.decompress(timed.body)
    upstream = ai_stream(stack).content
    if profile == "v2":
        assert body == upstream.replace(b"\r\n", b"\n")
    else:
        expected = [line for line in lines_of(upstream, "\r\n") if line]
        assert inner_lines(unwrap_v1(body)[0]) == expected
    assert api(stack).get(stream_path(stack)).content == body  # httpx decodes it


@BOTH
def test_buffered_releases_the_whole_stream_at_its_end(profile: str, stack_factory) -> None:
    stack = stack_factory(("buffered",), profile_name=profile, ping_interval=5.0)
    answer = raw_get(stack.backend_url, stream_path(stack), stack.token, seconds=4)
    assert answer.status == 200
    events = backend_events(profile, answer.body)
    assert names(events)[-1] == "status"
    stamps = [json.loads(data)["timestamp"] for name, data in events if name == "log"]
    written = [datetime.fromisoformat(stamp) for stamp in stamps]
    finished = datetime.fromisoformat(json.loads(events[-1][1])["finished_at"])
    assert finished - written[0] > timedelta(seconds=0.5)  # the AI Server wrote over time
    body_start = answer.received_at(answer.header_end)
    assert body_start >= finished - timedelta(seconds=0.01)  # nothing came before the end
    assert answer.arrivals[-1][0] - body_start < timedelta(seconds=0.1)  # then all at once


@BOTH
def test_wrong_content_type(profile: str, stack_factory, api) -> None:
    stack = stack_factory(("wrong-content-type",), profile_name=profile)
    stream = api(stack).get(stream_path(stack))
    assert stream.status_code == 200
    assert stream.headers["content-type"] == "text/plain; charset=utf-8"
    assert names(backend_events(profile, stream.content))[-1] == "status"
    other = api(stack).get(f"{project_path(stack)}/agent/runs")
    assert other.headers["content-type"] == "application/json"  # only the stream is touched


@BOTH
def test_flood_pours_out_log_events_without_end(profile: str, stack_factory, api) -> None:
    stack = stack_factory(("flood",), profile_name=profile)
    body = b""
    with api(stack).stream("GET", stream_path(stack), timeout=10) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        for chunk in response.iter_raw():
            body += chunk
            if len(body) > 1 << 20:  # far more than a whole run of the real agent
                break
    events = backend_events("v2", body[: body.rindex(b"\n\n") + 2])  # the flood's own framing
    assert len(events) > 1000 and set(names(events)) == {"log"}  # still going, no status
    assert json.loads(events[-1][1])["message"] == f"flood {len(events) - 1}"


@BOTH
def test_backend_hang_accepts_and_never_answers(profile: str, stack_factory) -> None:
    stack = stack_factory(("backend-hang",), profile_name=profile)
    port = int(stack.backend_url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
        sock.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        sock.settimeout(0.3)
        with pytest.raises(TimeoutError):
            sock.recv(1)
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(f"{stack.backend_url}/api/v1/health", timeout=0.3, trust_env=False)


@BOTH
def test_mongo_down(profile: str, stack_factory, api) -> None:
    stack = stack_factory(("mongo-down",), profile_name=profile)
    assert refuses(stack.mongo_uri)
    with (
        pymongo.MongoClient(stack.mongo_uri, serverSelectionTimeoutMS=300) as client,
        pytest.raises(pymongo.errors.ServerSelectionTimeoutError, match="Connection refused"),
    ):
        client.admin.command("ping")
    field = "email" if profile == "v1" else "username"
    login = api(stack, token=None, timeout=2.5).post(
        "/api/v1/auth/login", json={field: stack.login, "password": stack.password}
    )
    assert (login.status_code, login.text) == (500, "Internal Server Error")
    health = api(stack, token=None).get("/api/v1/health").json()
    assert health["database"] == "healthy"  # F27: the health check never awaits its ping


@BOTH
def test_mongo_auth_is_refused_with_code_18(profile: str, stack_factory, api) -> None:
    stack = stack_factory(("mongo-auth",), profile_name=profile)
    assert "@" in stack.mongo_uri
    with (
        pymongo.MongoClient(stack.mongo_uri, serverSelectionTimeoutMS=1000) as client,
        pytest.raises(pymongo.errors.OperationFailure) as refused,
    ):
        client[stack.mongo_db].projects.find_one()
    assert refused.value.code == 18 and refused.value.details["codeName"] == "AuthenticationFailed"
    field = "email" if profile == "v1" else "username"
    login = api(stack, token=None).post(
        "/api/v1/auth/login", json={field: stack.login, "password": stack.password}
    )
    assert login.status_code == 200  # the backend's own database is fine
