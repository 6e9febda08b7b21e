"""The stream's bytes at v1 and v2, through the backend and straight from the AI Server.

REAL-STACK §2 and §3.2 describe them; captures/*/06-stream.raw (through the backend) and
09-ai-direct-stream.raw (the AI Server's own) are the recorded shapes compared with here.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from doctor.testbed import Stack
from tests.testbed.captures import comparable, raw, reply
from tests.testbed.wire import (
    PING,
    UNKNOWN_RUN,
    ai_stream,
    backend_events,
    events_of,
    inner_lines,
    lines_of,
    log_messages,
    naive_utc,
    names,
    project_path,
    raw_get,
    read_stream,
    stream_path,
    unwrap_v1,
)

V1_FRAME = re.compile(r"data: (event: \w+|data: \{.*\})\r\ndata: ")
AI_HEADERS = {
    "cache-control": "no-cache",
    "connection": "keep-alive",
    "x-accel-buffering": "no",
    "content-type": "text/event-stream; charset=utf-8",
    "transfer-encoding": "chunked",
}


def shape(value: Any) -> Any:
    """A JSON value's structure: dict keys and the types of the leaves."""
    if isinstance(value, dict):
        return tuple(sorted((key, shape(item)) for key, item in value.items()))
    if isinstance(value, list):
        return ("list", shape(value[0]) if value else None)
    return type(value).__name__


def recorded_events(profile: str) -> list[tuple[str, str]]:
    return backend_events(profile, raw(profile, "06-stream"))


@pytest.mark.parametrize("healthy", ["v1"], indirect=True)
def test_v1_stream_is_each_upstream_line_wrapped_as_an_event(healthy: Stack, api) -> None:
    stack = healthy
    answer = api(stack).get(stream_path(stack))
    recorded = raw("v1", "06-stream")
    assert answer.status_code == 200
    heads = reply("v1", "06-stream.headers").headers
    assert comparable(answer.headers.raw) == comparable(heads)
    assert ("x-accel-buffering", "no") in comparable(answer.headers.raw)
    for body in (recorded, answer.content):  # the capture's shape, then the testbed's
        lines = body.decode().split("\r\n")
        assert all(line == "" or line.startswith("data: ") for line in lines)
        assert b"\n" not in body.replace(b"\r\n", b"")
        frames = lines_of(body, "\r\n\r\n")
        assert all(V1_FRAME.fullmatch(frame) for frame in frames)
        assert [frame.startswith("data: event: ") for frame in frames] == [
            index % 2 == 0 for index in range(len(frames))
        ]
    datas, comments = unwrap_v1(answer.content)
    upstream = [line for line in lines_of(ai_stream(stack).content, "\r\n") if line]
    assert inner_lines(datas) == upstream and not comments
    assert answer.content.startswith(b"data: event: log\r\ndata: \r\n\r\ndata: data: {")


@pytest.mark.parametrize("healthy", ["v2"], indirect=True)
def test_v2_stream_is_a_raw_passthrough_with_lf(healthy: Stack, api) -> None:
    stack = healthy
    answer = api(stack).get(stream_path(stack))
    assert answer.status_code == 200
    heads = reply("v2", "06-stream.headers").headers
    assert comparable(answer.headers.raw) == comparable(heads)
    assert "x-accel-buffering" not in answer.headers
    assert b"\r" not in answer.content
    assert answer.content == ai_stream(stack).content.replace(b"\r\n", b"\n")
    for body in (raw("v2", "06-stream"), answer.content):
        lines = lines_of(body, "\n")
        assert len(lines) % 3 == 0
        assert all(line.startswith("event: ") for line in lines[0::3])
        assert all(line.startswith("data: {") for line in lines[1::3])
        assert all(line == "" for line in lines[2::3])


def test_events_and_payloads_match_the_capture(healthy: Stack, api) -> None:
    events = backend_events(healthy.profile, api(healthy).get(stream_path(healthy)).content)
    recorded = recorded_events(healthy.profile)
    todo = [name for name in names(events) if name == "todo_update"]
    assert len(todo) == (1 if healthy.profile == "v2" else 0)  # V2's TodoListMiddleware
    assert [name for name in names(events) if name != "todo_update"] == names(recorded)
    assert names(events)[-1] == "status"
    for event in {name for name in names(recorded)}:
        ours = {shape(json.loads(data)) for name, data in events if name == event}
        theirs = {shape(json.loads(data)) for name, data in recorded if name == event}
        assert ours == theirs, event
    for _, data in (*events, *recorded):  # Python's default separators, raw UTF-8
        assert data == json.dumps(json.loads(data), ensure_ascii=False)
    status = json.loads(events[-1][1])
    assert status["status"] == "success" and status["error_message"] is None
    for stamp in [json.loads(d)["timestamp"] for n, d in events if n == "log"]:
        assert datetime.fromisoformat(stamp).tzinfo is None


def test_log_messages_match_the_capture(healthy: Stack, api) -> None:
    events = backend_events(healthy.profile, api(healthy).get(stream_path(healthy)).content)
    assert log_messages(events) == log_messages(recorded_events(healthy.profile))
    if healthy.profile == "v2":
        project = api(healthy).get(project_path(healthy)).json()
        first = json.loads(events[0][1])["message"]
        assert first == f"🚀 開始執行 Agent (thread: {project['refactor_thread_id']})"


def test_streaming_a_finished_run_twice_replays_it(healthy: Stack, api) -> None:
    client = api(healthy)
    first, second = (client.get(stream_path(healthy)).content for _ in range(2))
    assert first == second
    assert names(backend_events(healthy.profile, first))[-1] == "status"


def test_unknown_run_id_gives_200_and_the_upstream_404_body(healthy: Stack, api) -> None:
    answer = api(healthy).get(stream_path(healthy, UNKNOWN_RUN))
    recorded = reply(healthy.profile, "20-stream-unknown-run.headers")
    assert answer.status_code == recorded.status == 200
    assert comparable(answer.headers.raw) == comparable(recorded.headers)
    assert answer.content == raw(healthy.profile, "20-stream-unknown-run")


@pytest.mark.parametrize("profile", ["v1", "v2"])
def test_pings_flow_while_the_run_is_still_going(profile: str, stack_factory, api) -> None:
    stack = stack_factory(("agent-stall",), profile_name=profile, ping_interval=0.2)
    timed = read_stream(api(stack), stream_path(stack), seconds=1.0)
    assert timed.status == 200
    if profile == "v2":
        lines = lines_of(timed.body[: timed.body.rindex(b"\n\n") + 2], "\n")
        pings = [line for line in lines if line.startswith(":")]
        assert all(lines[lines.index(ping) + 1] == "" for ping in pings)
    else:
        datas, comments = unwrap_v1(timed.body[: timed.body.rindex(b"\r\n\r\n") + 4])
        wrapped = [data[:-1] for data in datas if data.startswith(": ping - ")]
        assert len(comments) >= 2 and len(wrapped) >= 2  # the backend's own, and the AI's
        pings = comments + wrapped
    assert len(pings) >= 3
    for ping in pings:
        match = PING.fullmatch(ping)
        assert match, ping
        stamp = datetime.fromisoformat(match.group(1))
        assert stamp.tzinfo is None and abs(stamp - naive_utc()) < timedelta(seconds=5)
    assert b"status" not in timed.body


def test_ai_servers_own_stream_is_crlf_framed(healthy: Stack) -> None:
    answer = ai_stream(healthy)
    assert answer.status_code == 200
    assert {key: answer.headers[key] for key in AI_HEADERS} == AI_HEADERS
    for body in (raw(healthy.profile, "09-ai-direct-stream"), answer.content):
        assert b"\n" not in body.replace(b"\r\n", b"") and b"\r" not in body.replace(b"\r\n", b"")
        lines = lines_of(body, "\r\n")
        assert all(line.startswith("event: ") for line in lines[0::3])
        assert all(line.startswith("data: {") for line in lines[1::3])
        assert all(line == "" for line in lines[2::3])
    ours = events_of(lines_of(answer.content, "\r\n"))
    theirs = events_of(lines_of(raw(healthy.profile, "09-ai-direct-stream"), "\r\n"))
    assert [name for name in names(ours) if name != "todo_update"] == names(theirs)


def test_ai_server_api_matches_the_capture(healthy: Stack) -> None:
    with httpx.Client(base_url=healthy.ai_url or "", timeout=2, trust_env=False) as client:
        health = client.get("/health")
        assert health.content == b'{"status":"healthy"}'
        assert health.json() == reply(healthy.profile, "26-ai-health").body
        tasks = client.get("/tasks").json()
        recorded = reply(healthy.profile, "26-ai-tasks").body
        assert list(tasks) == list(recorded) == ["total", "tasks"]
        assert tasks["total"] == len(tasks["tasks"]) >= 1
        assert all(list(task) == list(recorded["tasks"][0]) for task in tasks["tasks"])
        task = client.get(f"/tasks/{healthy.run_id}").json()
        assert list(task) == list(reply(healthy.profile, "09-ai-task").body)
        assert task["status"] == "success"
        unknown = client.get(f"/tasks/{UNKNOWN_RUN}/stream")
        assert (unknown.status_code, unknown.content) == (404, b'{"detail":"Task not found"}')


@pytest.mark.xfail(
    reason="testbed: the AI Server's headers are BaseHTTP's (server: BaseHTTP/0.6 Python/…, "
    "content-type before content-length), not uvicorn's as in 26-ai-health.json",
    strict=True,
)
def test_ai_server_headers_are_uvicorns(healthy: Stack) -> None:
    health = httpx.get(f"{healthy.ai_url}/health", timeout=2, trust_env=False)
    recorded = reply(healthy.profile, "26-ai-health").headers
    assert comparable(health.headers.raw) == comparable(recorded)


@pytest.mark.parametrize("profile", ["v1", "v2"])
def test_a_live_run_streams_each_event_as_it_is_written(profile: str, stack_factory) -> None:
    stack = stack_factory(profile_name=profile, step_gap=0.05, ping_interval=5.0)
    started = httpx.post(
        f"{stack.backend_url}{project_path(stack)}/agent/run",
        headers={"Authorization": f"Bearer {stack.token}"},
        timeout=2,
        trust_env=False,
    ).json()["run_id"]
    answer = raw_get(stack.backend_url, stream_path(stack, started), stack.token, seconds=3)
    assert answer.status == 200
    events = backend_events(profile, answer.body)
    assert names(events)[-1] == "status"
    stamps = [json.loads(data)["timestamp"] for name, data in events if name == "log"]
    first, last = (datetime.fromisoformat(stamp) for stamp in (stamps[0], stamps[-1]))
    assert last - first > timedelta(seconds=0.3)  # the agent took its time
    assert answer.received_at(answer.header_end) < last  # and bytes came before it was done
    for stamp in stamps:
        arrived = answer.arrival_of(f'"timestamp": "{stamp}"'.encode())
        lag = arrived - datetime.fromisoformat(stamp)
        assert timedelta(seconds=-0.01) < lag < timedelta(seconds=0.3), stamp


@pytest.mark.parametrize("healthy", ["v2"], indirect=True)
def test_ai_server_run_defaults_the_thread_to_the_task(healthy: Stack) -> None:
    with httpx.Client(base_url=healthy.ai_url or "", timeout=2, trust_env=False) as client:
        started = client.post("/run", json={"spec": "a run without a thread"}).json()
        assert started["status"] == "pending"
        task_id = started["task_id"]
        (task,) = [t for t in client.get("/tasks").json()["tasks"] if t["task_id"] == task_id]
    assert task["thread_id"] == f"refactor-{task_id}"
