"""The real stack's recorded streams, replayed over loopback, judged to what each stands for."""

from __future__ import annotations

import httpx
import pytest

from doctor.stream.frames import is_double_framed, unwrap
from doctor.stream.observer import End, StreamObserver
from doctor.stream.parser import SSEParser
from doctor.stream.verdict import judge
from tests.stream.replay import V1, V2, Capture, serving


def observe(capture: Capture, idle: float = 2.0):
    with serving(capture) as url, httpx.Client() as client:
        observer = StreamObserver(
            client, url, {}, probe_timeout=2.0, stream_timeout=10.0, idle_timeout=idle
        )
        return observer.observe()


def ids(verdict) -> list[str]:
    return [problem.id for problem in verdict.problems]


def test_a_healthy_v2_stream_meets_every_stream_criterion() -> None:
    obs = observe(Capture(V2, "06-stream"))
    verdict = judge(obs, 2.0, 10.0, "RUNNING")
    assert verdict.criteria == dict.fromkeys(verdict.criteria, True)
    assert ids(verdict) == []
    assert obs.end is End.EOF
    names = [ev.event for ev in verdict.events]
    assert names[0] == "log" and names[-1] == "status"
    assert {
        "ai_content",
        "tool_calls",
        "token_usage",
        "response_metadata",
        "tools_execution",
    } <= set(names)
    assert verdict.facts["final_event_status"] == "success"
    assert verdict.facts["double_framed"] is False


def test_the_v1_stream_is_double_framed_and_meets_no_event_criterion() -> None:
    obs = observe(Capture(V1, "06-stream"))
    verdict = judge(obs, 2.0, 10.0, "RUNNING")
    assert ids(verdict)[0] == "sse.double-framed"
    assert verdict.criteria["sse.connect"] is True
    for criterion in ("sse.log_event", "sse.log_data", "sse.status_event", "sse.clean_end"):
        assert verdict.criteria[criterion] is False
    direct = _events((V1 / "09-ai-direct-stream.raw").read_bytes())
    assert [ev.event for ev in verdict.events] == [ev.event for ev in direct]
    assert [ev.data for ev in verdict.events] == [ev.data for ev in direct]


@pytest.mark.parametrize("directory", [V1, V2], ids=["v1", "v2"])
@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("33-stream-ai-down", "sse.upstream-unreachable"),
        ("31-stream-ai-sigkill-midstream", "sse.upstream-cut"),
        ("20-stream-unknown-run", "run.not-found"),
        ("36-stream-old-run-after-restart", "run.not-found"),
        ("21-stream-missing-project", "project.not-found"),
        ("23-stream-no-token", "auth.token-invalid"),
        ("24-stream-bad-token", "auth.token-invalid"),
    ],
)
def test_each_recorded_failure_names_its_problem(directory, name, problem) -> None:
    verdict = judge(observe(Capture(directory, name)), 2.0, 10.0, "RUNNING")
    assert ids(verdict)[0] == problem
    assert verdict.criteria["sse.clean_end"] is False


def test_a_cut_after_events_reports_the_events_before_it() -> None:
    verdict = judge(observe(Capture(V2, "31-stream-ai-sigkill-midstream")), 2.0, 10.0, None)
    cut = verdict.problems[0]
    assert "broke after 1 events" in cut.message
    assert "peer closed connection" in cut.message
    assert verdict.criteria["sse.log_event"] is True


def test_the_ai_server_answers_with_crlf_and_the_backend_passes_lines_through_at_v2() -> None:
    direct = (V2 / "09-ai-direct-stream.raw").read_bytes()
    forwarded = (V2 / "06-stream.raw").read_bytes()
    assert b"\r\n" in direct and b"\r\n" not in forwarded
    assert [ev.event for ev in _events(direct)] == [ev.event for ev in _events(forwarded)]


def test_unwrapping_a_double_framed_error_keeps_its_text() -> None:
    obs = observe(Capture(V1, "33-stream-ai-down"))
    assert is_double_framed(obs.events)
    inner = unwrap(obs.events)
    assert [(ev.event, ev.data) for ev in inner.events] == [
        ("error", "HTTP 錯誤: All connection attempts failed")
    ]


def _events(body: bytes):
    parser = SSEParser()
    return parser.feed(body)
