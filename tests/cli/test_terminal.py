"""On a real terminal: prompts, and Ctrl+C at a hidden prompt leaves the terminal usable."""

from __future__ import annotations

import fcntl
import os
import select
import subprocess
import sys
import termios
import time

from doctor.testbed import Stack


def read_until(fd: int, marker: bytes, seconds: float) -> bytes:
    """What the terminal shows until ``marker`` appears (or the time is up)."""
    seen = b""
    deadline = time.monotonic() + seconds
    while marker not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], deadline - time.monotonic())
        if ready:
            try:
                seen += os.read(fd, 4096)
            except OSError:  # the other side closed
                break
    return seen


def test_ctrl_c_at_the_password_prompt_turns_echo_back_on(stack: Stack) -> None:
    leader, terminal = os.openpty()

    def own_terminal() -> None:  # a session of its own, with this pty as its terminal
        os.setsid()
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    env = {k: v for k, v in os.environ.items() if k != "CI"}
    doctor = subprocess.Popen(
        [sys.executable, "-m", "doctor.cli", "run", "--no-docker", "--timeout", "2",
         "--backend-url", stack.backend_url, "--username", stack.username],
        stdin=terminal, stdout=terminal, stderr=terminal, env=env, preexec_fn=own_terminal,
    )  # fmt: skip
    try:
        assert b"Password" in read_until(leader, b"): ", 30)
        assert not termios.tcgetattr(terminal)[3] & termios.ECHO  # hidden while asking
        os.write(leader, b"\x03")  # Ctrl+C, through the terminal's line discipline
        assert doctor.wait(timeout=30) == 130
        shown = read_until(leader, b"aborted", 5)
        assert b"Traceback" not in shown
        assert termios.tcgetattr(terminal)[3] & termios.ECHO
    finally:
        if doctor.poll() is None:
            doctor.kill()
        os.close(leader)
        os.close(terminal)
