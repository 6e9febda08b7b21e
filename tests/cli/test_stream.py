"""`sse-doctor stream`: the guide's script as a command, in-process and as a real process."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Callable

import pytest

from doctor.cli import main
from doctor.testbed import Stack
from tests.helpers import local_args

CLOCK = r"^\[\d\d:\d\d:\d\d\.\d{3}\] "
MakeStack = Callable[..., Stack]


def stream_args(stack: Stack, *extra: str, **overrides: object) -> list[str]:
    return ["stream", *local_args(stack, *extra, **overrides)]


def test_healthy_stream_prints_every_line_like_the_guide(
    stack: Stack, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(stream_args(stack))
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert re.match(CLOCK + r"📡 Starting SSE stream test\.\.\.$", lines[0])
    assert lines[1].startswith(f"✅ Watching run {stack.run_id} as given (DONE)")
    assert lines[2] == "Receiving SSE events (Ctrl+C stops):"
    end = next(i for i, line in enumerate(lines) if line.startswith("✅ Stream ended!"))
    received = lines[3:end]
    assert re.match(CLOCK + r"📨 Event type: event: log$", received[0])
    assert re.match(
        CLOCK + r'📄 Data: data: \{"timestamp": "[\d\-T:.]+", "message": "🚀', received[1]
    )
    assert re.match(CLOCK + r"📨 Event type: event: status$", received[-2])
    assert '"status": "success"' in received[-1]
    assert "  [x] SSE connection established" in lines
    assert sum(line.startswith("  [x] ") for line in lines) == 6
    assert lines[-1] == "Final status: DONE"
    assert code == 0
    assert stack.password not in out


def test_the_v1_stream_shows_its_double_framing(
    stack_factory: MakeStack, capsys: pytest.CaptureFixture[str]
) -> None:
    stack = stack_factory(profile_name="v1")
    code = main(stream_args(stack))
    lines = capsys.readouterr().out.splitlines()
    assert any(re.match(CLOCK + r"📄 Data: data: event: log$", line) for line in lines)
    assert any(line.startswith("❌ The backend wraps the stream twice") for line in lines)
    assert "  [ ] `event: log` events received" in lines
    assert code == 1


def test_an_ai_server_killed_mid_stream_is_named(
    stack_factory: MakeStack, capsys: pytest.CaptureFixture[str]
) -> None:
    stack = stack_factory(("ai-killed",))
    code = main(stream_args(stack))
    lines = capsys.readouterr().out.splitlines()
    assert any(
        line.startswith("❌ The AI Server's connection broke after 3 events") for line in lines
    )
    assert "  [ ] `event: status` completion event received" in lines
    assert code == 1


def test_gzip_stream_ends_with_a_warning(
    stack_factory: MakeStack, capsys: pytest.CaptureFixture[str]
) -> None:
    stack = stack_factory(("gzip",))
    code = main(stream_args(stack))
    out = capsys.readouterr().out
    assert "✅ Stream ended!" in out
    assert "⚠️ The stream is compressed (Content-Encoding: gzip)" in out
    assert code == 0


@pytest.mark.parametrize(("drop", "option"), [("--password", "--password")])
def test_without_a_terminal_missing_inputs_are_usage_errors(
    drop: str, option: str, stack: Stack, capsys: pytest.CaptureFixture[str]
) -> None:
    args = stream_args(stack)
    at = args.index(drop)
    del args[at : at + 2]
    code = main(args)
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    error = captured.err.strip().splitlines()
    assert len(error) == 1 and error[0].startswith(f"sse-doctor: error: {option}:")


def test_ctrl_c_stops_the_stream_and_prints_the_summary(stack_factory: MakeStack) -> None:
    stack = stack_factory(("agent-stall",))
    argv = stream_args(stack, idle_timeout=60, stream_timeout=60)
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "NO_COLOR": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "doctor.cli", *argv],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        env=env,
    )
    killer = threading.Timer(30.0, proc.kill)
    killer.start()
    try:
        assert proc.stdout is not None
        head = []
        for line in proc.stdout:
            head.append(line)
            if "▶️" in line:  # the agent's last log before it stalls
                break
        proc.send_signal(signal.SIGINT)
        rest, err = proc.communicate(timeout=20)
    finally:
        killer.cancel()
    out = "".join(head) + rest
    assert "Traceback" not in err, err
    assert re.search(r"⏹️ Stopped with Ctrl\+C: \d+ lines received", out)
    assert "  [x] `event: log` events received" in out
    assert "  [-] `event: status` completion event received  (not evaluated)" in out
    assert "Final status: not queried (stopped with Ctrl+C)" in out
    assert proc.returncode == 0
