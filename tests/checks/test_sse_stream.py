"""sse.stream and sse.final_status against the testbed, raw loopback servers and made-up timings."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import httpx
import pytest

from checks.sse_stream import FinalStatusCheck, StreamCheck
from doctor.config import Config
from doctor.context import Context
from doctor.model import CRITERIA, Category, Check, Result, Status
from doctor.runner import run_checks
from doctor.stream.observer import End, ObservedEvent, StreamObservation, StreamObserver
from doctor.stream.verdict import judge
from doctor.testbed import Stack

TIMEOUT = 1.0
ISO_MS = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$"
MakeStack = Callable[..., Stack]


class Given(Check):
    """Stands for a dependency whose work the test did by hand (token, project id)."""

    layer = "backend"
    title = "given"

    def __init__(self, check_id: str) -> None:
        self.id = check_id  # type: ignore[misc]

    def run(self, ctx: Context) -> Result:
        return self.passed("given")


def make_context(stack: Stack, ask: Any = None, **settings: Any) -> Context:
    settings.setdefault("run", stack.run_id)
    config = Config(
        backend_url=stack.backend_url,
        api_prefix=stack.api_prefix,
        token=stack.token,
        project=stack.project_id,
        timeout=TIMEOUT,
        idle_timeout=settings.pop("idle_timeout", 1.0),
        stream_timeout=settings.pop("stream_timeout", 10.0),
        **settings,
    )
    return Context(config, ask)


def watch(stack: Stack, ask: Any = None, **settings: Any) -> tuple[Result, Result, Context]:
    """Run both SSE checks through the runner, their dependencies standing as passed."""
    ctx = make_context(stack, ask, **settings)
    checks = [Given("backend.login"), Given("backend.project"), StreamCheck(), FinalStatusCheck()]
    try:
        _, _, stream, final = run_checks(checks, ctx)
    finally:
        ctx.close()
    return stream, final, ctx


def kinds(result: Result) -> list[str]:
    return [problem["kind"] for problem in result.evidence.get("problems", ())]


def test_healthy_stack_meets_all_six_criteria(stack: Stack) -> None:
    stream, final, ctx = watch(stack)
    assert stream.status is Status.PASS, stream.message
    assert final.status is Status.PASS and final.evidence["status"] == "DONE"
    assert ctx.criteria == {cid: True for cid, _ in CRITERIA}
    assert ctx.run_id == stack.run_id
    obs = ctx.artifacts["sse_observation"]
    assert obs.log_events == 5
    assert [ev.event for ev in obs.events] == ["log"] * 5 + ["status"]
    assert obs.events[-1].data == "Task success"
    transcript = ctx.artifacts["sse_transcript"]
    assert transcript[0][1] == "event: log"
    assert transcript[1][1].startswith("data: ")
    assert all(re.match(ISO_MS, when) for when, _ in transcript)
    assert stream.evidence["headers"]["content-type"].startswith("text/event-stream")
    assert stream.evidence["end"] == "eof"
    assert stack.token not in repr(stream.evidence)


@pytest.mark.parametrize(
    ("fault", "category", "kind"),
    [
        ("forbidden", Category.HTTP_403_404, "http-status"),
        ("not-found", Category.HTTP_403_404, "http-status"),
        ("container-stopped", Category.HTTP_503, "http-status"),
        ("no-events", Category.NO_EVENTS, "no-events"),
        ("cut-stream", Category.STREAM_ERROR, "cut"),
        ("no-status", Category.STREAM_ERROR, "no-status"),
        ("wrong-content-type", Category.STREAM_ERROR, "content-type"),
        ("backend-hang", Category.TIMEOUT, "no-response"),
    ],
)
def test_each_stream_fault_is_classified(
    fault: str, category: Category, kind: str, stack_factory: MakeStack
) -> None:
    stream, _, ctx = watch(stack_factory(faults=(fault,)))
    assert (stream.status, stream.category) == (Status.FAIL, category), stream.message
    assert kinds(stream)[0] == kind
    assert ctx.criteria["sse.clean_end"] is False or fault == "wrong-content-type"
    assert ctx.criteria["sse.connect"] is (fault in ("no-events", "cut-stream", "no-status"))


def test_503_message_carries_the_backends_detail(stack_factory: MakeStack) -> None:
    stream, _, _ = watch(stack_factory(faults=("container-stopped",)))
    assert "503" in stream.message
    assert "AI Server is not available" in stream.message
    assert stream.evidence["detail"] == "AI Server is not available"


def test_cut_stream_keeps_what_arrived_before_the_cut(stack_factory: MakeStack) -> None:
    stream, _, ctx = watch(stack_factory(faults=("cut-stream",)))
    assert ctx.artifacts["sse_observation"].log_events == 2
    assert ctx.criteria["sse.log_data"] is True
    assert ctx.criteria["sse.status_event"] is False
    assert "RemoteProtocolError" in stream.message


def test_stuck_run_fails_the_final_status_only(stack_factory: MakeStack) -> None:
    stream, final, ctx = watch(stack_factory(faults=("stuck-running",)))
    assert stream.status is Status.PASS
    assert (final.status, final.category) == (Status.FAIL, Category.FINAL_STATUS)
    assert "RUNNING" in final.message
    assert final.evidence["polls"] > 1
    assert ctx.criteria["run.final_status"] is False


@pytest.mark.parametrize(
    ("fault", "settings", "kind"),
    [
        ("double-framed", {}, "double-framed"),
        ("gzip", {}, "compressed"),
        ("buffered", {"event_gap": 0.25}, "buffered"),
        ("slow-events", {"slow_gap": 0.6}, "slow"),
    ],
)
def test_stream_that_works_but_breaks_sse_in_practice_warns(
    fault: str, settings: dict[str, float], kind: str, stack_factory: MakeStack
) -> None:
    idle = 2.0 if fault == "buffered" else 1.0
    stream, final, ctx = watch(stack_factory(faults=(fault,), **settings), idle_timeout=idle)
    assert (stream.status, stream.category) == (Status.WARN, Category.STREAM_ERROR)
    assert kinds(stream) == [kind], stream.evidence["problems"]
    assert final.evidence["status"] == "DONE"
    assert ctx.criteria == {cid: True for cid, _ in CRITERIA}
    assert ctx.artifacts["sse_observation"].log_events == 5


def test_gzip_stream_is_decoded_for_parsing_but_reported(stack_factory: MakeStack) -> None:
    stream, _, ctx = watch(stack_factory(faults=("gzip",)))
    obs = ctx.artifacts["sse_observation"]
    assert obs.headers["content-encoding"] == "gzip"
    assert obs.events[0].data.endswith("開始執行 Agent")
    assert "gzip" in stream.message


def test_a_short_stream_sent_at_once_is_not_called_buffered(stack_factory: MakeStack) -> None:
    stream, _, _ = watch(stack_factory(event_gap=0.0))  # every event at once, no silence
    assert stream.status is Status.PASS, stream.message


def test_pause_longer_than_the_idle_timeout_stops_the_stream(stack_factory: MakeStack) -> None:
    stream, _, ctx = watch(stack_factory(faults=("slow-events",), slow_gap=5.0), idle_timeout=1.0)
    assert (stream.status, stream.category) == (Status.FAIL, Category.STREAM_ERROR)
    assert kinds(stream)[0] == "silent"
    assert "went silent for 1 s after 1 log events" in stream.message
    assert ctx.artifacts["sse_observation"].end is End.IDLE
    assert ctx.artifacts["sse_observation"].log_events == 1  # stopped before the second one
    assert ctx.criteria["sse.log_event"] is True and ctx.criteria["sse.clean_end"] is False


def test_new_run_is_started_and_watched(stack: Stack) -> None:
    stream, final, ctx = watch(stack, run=None, new_run=True)
    assert stream.status is Status.PASS
    assert ctx.run_id and ctx.run_id != stack.run_id
    assert final.evidence["status"] == "DONE"


def test_without_a_terminal_and_without_a_run_the_stream_is_skipped(stack: Stack) -> None:
    stream, final, ctx = watch(stack, run=None)
    assert stream.status is Status.SKIP
    assert "--run" in stream.message and "--new-run" in stream.message
    assert final.status is Status.SKIP
    assert ctx.criteria["sse.connect"] is None


@pytest.mark.parametrize("answer", ["y", "n", "typed"])
def test_on_a_terminal_the_run_is_asked_like_the_guide(answer: str, stack: Stack) -> None:
    questions: list[str] = []

    def ask(question: str, choices: Sequence[str], secret: bool) -> str:
        questions.append(question)
        return stack.run_id if answer == "typed" else answer

    stream, _, ctx = watch(stack, ask=ask, run=None)
    assert len(questions) == 1 and "y" in questions[0] and "run_id" in questions[0]
    if answer == "n":
        assert stream.status is Status.SKIP and "Cancelled" in stream.message
    else:
        assert stream.status is Status.PASS
        assert (ctx.run_id == stack.run_id) is (answer == "typed")


# Raw loopback servers: byte-exact answers the testbed does not make.

Script = Callable[[socket.socket], None]


@pytest.fixture
def raw_server() -> Iterator[Callable[[Script], tuple[str, threading.Event]]]:
    """`serve(script)`: a one-connection server running `script(conn)` after the request.

    Returns the URL and an Event set once the script saw the client go away.
    """
    listeners: list[socket.socket] = []

    def serve(script: Script) -> tuple[str, threading.Event]:
        listener = socket.create_server(("127.0.0.1", 0))
        listeners.append(listener)
        gone = threading.Event()

        def handle() -> None:
            conn, _ = listener.accept()
            with conn:
                request = b""
                while b"\r\n\r\n" not in request:
                    request += conn.recv(4096)
                try:
                    script(conn)
                except OSError:
                    gone.set()

        threading.Thread(target=handle, daemon=True).start()
        return f"http://127.0.0.1:{listener.getsockname()[1]}/stream", gone

    yield serve
    for listener in listeners:
        listener.close()


def sse_head(*headers: str) -> bytes:
    lines = ["HTTP/1.1 200 OK", "Content-Type: text/event-stream", "Cache-Control: no-cache"]
    return ("\r\n".join([*lines, *headers, "Connection: close", "", ""])).encode()


def repeat_until_closed(conn: socket.socket, chunk: bytes, every: float = 0.05) -> None:
    while True:  # ends with OSError once the client has closed the connection
        conn.sendall(chunk)
        time.sleep(every)


def observe(url: str, **limits: float) -> StreamObservation:
    limits.setdefault("probe_timeout", TIMEOUT)
    limits.setdefault("stream_timeout", 10.0)
    limits.setdefault("idle_timeout", 1.0)
    with httpx.Client() as client:
        return StreamObserver(client, url, {}, **limits).observe()


def test_idle_limit_holds_while_the_server_trickles_comments(raw_server: Any) -> None:
    def script(conn: socket.socket) -> None:
        conn.sendall(sse_head())
        repeat_until_closed(conn, b": keep-alive\n")

    url, gone = raw_server(script)
    obs = observe(url, idle_timeout=0.5)
    assert obs.end is End.IDLE
    assert obs.ended_at is not None and obs.ended_at < 3.0
    assert len(obs.lines) > 2
    assert gone.wait(2.0), "the stream was not closed"
    assert judge(obs, 0.5, 10.0).problems[0].kind == "no-events"


def test_stream_limit_holds_while_events_keep_coming(raw_server: Any) -> None:
    def script(conn: socket.socket) -> None:
        conn.sendall(sse_head())
        repeat_until_closed(conn, b"event: log\ndata: still working\n\n")

    url, gone = raw_server(script)
    obs = observe(url, stream_timeout=0.6, idle_timeout=5.0)
    assert obs.end is End.STREAM_TIMEOUT
    assert obs.log_events > 2
    assert gone.wait(2.0), "the stream was not closed"
    verdict = judge(obs, 5.0, 0.6)
    assert verdict.problems[0].kind == "stream-timeout"
    assert "--stream-timeout" in (verdict.problems[0].hint or "")


def test_server_holding_the_stream_after_status_is_closed_and_warned(raw_server: Any) -> None:
    def script(conn: socket.socket) -> None:
        conn.sendall(sse_head() + b"event: log\ndata: one\n\nevent: status\ndata: Task success\n\n")
        while conn.recv(1024):
            pass
        raise ConnectionResetError

    url, gone = raw_server(script)
    obs = observe(url, probe_timeout=0.3, idle_timeout=5.0)
    assert obs.end is End.AFTER_STATUS
    assert gone.wait(2.0)
    verdict = judge(obs, 5.0, 10.0)
    assert [p.kind for p in verdict.problems] == ["open-after-status"]
    assert verdict.criteria["sse.clean_end"] is True


def test_malformed_framing_fails(raw_server: Any) -> None:
    def script(conn: socket.socket) -> None:
        conn.sendall(sse_head() + b"event: log\ndata: ok\n\nTask success\nevent: status\ndata: x")

    url, _ = raw_server(script)
    obs = observe(url)
    verdict = judge(obs, 1.0, 10.0)
    assert obs.end is End.EOF
    first = verdict.problems[0]
    assert (first.kind, first.status) == ("framing", Status.FAIL)
    assert "'Task success'" in first.message and "blank line" in first.message
    assert verdict.criteria["sse.status_event"] is False


def test_missing_cache_control_warns(raw_server: Any) -> None:
    def script(conn: socket.socket) -> None:
        head = b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n"
        conn.sendall(head + b"event: log\ndata: a\n\nevent: status\ndata: Task success\n\n")

    url, _ = raw_server(script)
    verdict = judge(observe(url), 1.0, 10.0)
    assert [p.kind for p in verdict.problems] == ["no-cache"]


# The buffering rule on made-up receive times.


def timed(times: Sequence[float], headers_at: float = 0.0) -> StreamObservation:
    obs = StreamObservation(url="http://x/stream", status_code=200, end=End.EOF, ended_at=10.0)
    obs.headers = {"content-type": "text/event-stream", "cache-control": "no-cache"}
    obs.headers_at = headers_at
    names = ["log"] * (len(times) - 1) + ["status"]
    obs.events = [ObservedEvent(at, name, "x") for at, name in zip(times, names)]
    return obs


@pytest.mark.parametrize(
    ("times", "buffered"),
    [
        ([1.5, 1.501, 1.502, 1.503], True),  # everything at once after a long silence
        ([3.0, 3.01, 3.02, 3.02, 3.03, 3.04, 3.04, 3.05, 3.05, 6.0], False),  # a live tail
        ([0.8, 5.0, 5.001, 5.002, 5.003, 5.004, 5.005, 5.006, 5.006, 5.007], True),
        ([0.01, 0.011, 0.012, 0.013], False),  # a replay right after connecting
        ([1.5, 1.501, 1.8, 2.1, 2.4], False),  # a slow start, then live events
        ([2.0, 2.001], False),  # too few events to tell
    ],
)
def test_buffering_rule(times: list[float], buffered: bool) -> None:
    found = [p.kind for p in judge(timed(times), idle_timeout=30.0, stream_timeout=60.0).problems]
    assert ("buffered" in found) is buffered, found


def test_interrupted_stream_leaves_unreached_criteria_unevaluated() -> None:
    obs = timed([0.1, 0.2])
    obs.events = obs.events[:1]
    obs.end = End.INTERRUPTED
    verdict = judge(obs, 1.0, 10.0)
    assert verdict.criteria["sse.log_event"] is True
    assert verdict.criteria["sse.status_event"] is None
    assert verdict.criteria["sse.clean_end"] is None
    assert not [p for p in verdict.problems if p.status is Status.FAIL]
