"""The backend's log file (stack.log_path) holds the real stack's lines (REAL-STACK §2.1, §2.3).

Each line is compared, its variable parts masked, with the lines of captures/*/backend.log.
"""

from __future__ import annotations

import re

import pytest

from doctor.testbed import Stack
from tests.testbed.captures import PROFILES, backend_log, log_shape
from tests.testbed.wire import (
    UNKNOWN_RUN,
    ai_stream,
    lines_of,
    project_path,
    run_path,
    stream_path,
    unwrap_v1,
)

LOGGING = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} - app\.routers\.agent - (INFO|ERROR) - "


def logged(stack: Stack) -> list[str]:
    return stack.log_path.read_text(encoding="utf-8").splitlines()


def upstream_url(stack: Stack, run_id: str | None = None) -> str:
    return f"http://refactor-project-{stack.project_id}:8000/tasks/{run_id or stack.run_id}/stream"


def has(lines: list[str], pattern: str) -> bool:
    return any(re.fullmatch(pattern, line) for line in lines)


def test_a_healthy_stream_is_logged_as_the_real_backend_logs_it(healthy: Stack, api) -> None:
    client = api(healthy)
    body = client.get(stream_path(healthy)).content
    url, run = re.escape(upstream_url(healthy)), re.escape(healthy.run_id)
    lines = logged(healthy)
    assert has(lines, f"{LOGGING}🔗 開始串流 AI Server 日誌: {url}")
    assert has(lines, f"{LOGGING}✅ SSE 連線已建立，狀態碼: 200")
    assert has(lines, rf'.* - httpx - INFO - HTTP Request: GET {url} "HTTP/1\.1 200 OK"')
    path = re.escape(stream_path(healthy))
    assert has(lines, rf'INFO:     127\.0\.0\.1:\d+ - "GET {path} HTTP/1\.1" 200 OK')
    if healthy.profile == "v2":  # N counts every upstream line, blank ones too
        count = body.count(b"\n")
        assert not any("[DEBUG]" in line for line in lines)
    else:  # N counts the non-empty lines, each of which was printed
        upstream = [line for line in lines_of(ai_stream(healthy).content, "\r\n") if line]
        count = len(unwrap_v1(body)[0])
        assert count == len(upstream)
        prints = [line for line in lines if line.startswith("📨 [DEBUG] 收到 SSE 訊息 #")]
        expected = [
            f"📨 [DEBUG] 收到 SSE 訊息 #{n}: {line[:100]}" for n, line in enumerate(upstream, 1)
        ]
        assert prints[-count:] == expected
        assert f"🔗 [DEBUG] 開始連線到: {upstream_url(healthy)}" in lines
        assert f"✅ [DEBUG] SSE 串流正常結束: {count} 行" in lines
    assert has(lines, f"{LOGGING}✅ SSE 串流正常結束: run_id={run}, 共 {count} 行")
    assert healthy.password not in "\n".join(lines) and healthy.token not in "\n".join(lines)


def test_an_unknown_run_is_logged_with_the_upstream_404(healthy: Stack, api) -> None:
    api(healthy).get(stream_path(healthy, UNKNOWN_RUN))
    api(healthy).get(run_path(healthy, UNKNOWN_RUN))
    lines = logged(healthy)
    url = re.escape(upstream_url(healthy, UNKNOWN_RUN))
    assert has(lines, rf'.* - httpx - INFO - HTTP Request: GET {url} "HTTP/1\.1 404 Not Found"')
    assert has(lines, f"{LOGGING}✅ SSE 連線已建立，狀態碼: 404")
    assert has(lines, f"{LOGGING}✅ SSE 串流正常結束: run_id={UNKNOWN_RUN}, 共 1 行")
    detail = lines.index(next(line for line in lines if "查詢任務狀態失敗: Client error" in line))
    assert "For more information check:" in lines[detail + 1]  # httpx's two-line message


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ("ai-down", "All connection attempts failed"),
        ("container-unresolvable", "[Errno -2] Name or service not known"),
        (
            "ai-killed",
            "peer closed connection without sending complete message body "
            "(incomplete chunked read)",
        ),
    ],
)
def test_stream_failures_are_logged_as_errors(
    fault: str, error: str, profile: str, stack_factory, api
) -> None:
    stack = stack_factory((fault,), profile_name=profile)
    api(stack).get(stream_path(stack))
    lines = logged(stack)
    assert has(lines, f"{LOGGING}❌ HTTP 錯誤: {re.escape(error)}")
    assert (f"❌ [DEBUG] HTTP 錯誤: {error}" in lines) is (profile == "v1")
    assert has(lines, f"{LOGGING}🔗 開始串流 AI Server 日誌: {re.escape(upstream_url(stack))}")
    assert not has(lines, f"{LOGGING}✅ SSE 串流正常結束: .*")


@pytest.mark.parametrize("profile", PROFILES)
def test_every_line_has_a_counterpart_in_the_captured_log(profile: str, stack_factory, api) -> None:
    recorded = {log_shape(line) for line in backend_log(profile)}
    seen: list[str] = []
    for faults in ((), ("ai-down",), ("unknown-run",), ("ai-killed",)):
        stack = stack_factory(faults, profile_name=profile)
        client = api(stack)
        client.get(stream_path(stack))
        client.get(run_path(stack))
        client.get(f"{project_path(stack)}/agent/runs")
        client.post(f"{project_path(stack)}/agent/run")
        client.post("/api/v1/auth/login", json={"username": "x", "email": "x", "password": "y"})
        seen += logged(stack)
    assert len(seen) > 40
    unmatched = sorted({log_shape(line) for line in seen} - recorded)
    assert unmatched == []
