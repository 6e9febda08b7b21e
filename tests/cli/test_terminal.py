"""On a real terminal: prompts, and Ctrl+C at a prompt ends cleanly, the terminal usable."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import select
import subprocess
import sys
import termios
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

import pytest

from doctor.testbed import Stack, doctor_args


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


@contextlib.contextmanager
def on_a_terminal(
    *args: str, cwd: Path | None = None, stdout: IO[bytes] | None = None
) -> Iterator[tuple[int, subprocess.Popen]]:
    """``python -m doctor.cli ARGS`` with a pty as its controlling terminal: (leader, process).

    ``stdout`` sends the output elsewhere (a file), leaving stdin and stderr on the pty."""
    leader, terminal = os.openpty()

    def own_terminal() -> None:
        os.setsid()
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    env = {k: v for k, v in os.environ.items() if k != "CI" and not k.startswith("SSE_DOCTOR_")}
    doctor = subprocess.Popen(
        [sys.executable, "-m", "doctor.cli", *args],
        stdin=terminal, stdout=stdout or terminal, stderr=terminal, env=env, cwd=cwd,
        preexec_fn=own_terminal,
    )  # fmt: skip
    try:
        yield leader, doctor
    finally:
        if doctor.poll() is None:
            doctor.kill()
        os.close(leader)
        os.close(terminal)


INTERRUPTED = b"Interrupted with Ctrl+C: the results so far are above."
"""How run ends on Ctrl+C: the results it has, then this line."""


def ends_on_ctrl_c(leader: int, doctor: subprocess.Popen, last: bytes = INTERRUPTED) -> bytes:
    os.write(leader, b"\x03")
    assert doctor.wait(timeout=30) == 130
    shown = read_until(leader, last, 5)
    assert b"Traceback" not in shown and b"Fatal Python error" not in shown, shown
    assert last in shown
    return shown


@pytest.mark.parametrize("command", ["run", "report", "stream"])
def test_ctrl_c_at_the_username_prompt_ends_with_130(
    command: str, stack: Stack, tmp_path: Path
) -> None:
    args = [command, "--no-docker", "--timeout", "2", "--backend-url", stack.backend_url]
    if command == "report":
        args += ["-o", str(tmp_path / "bundle.tar.gz")]
    with on_a_terminal(*args, cwd=tmp_path) as (leader, doctor):
        assert b"Username [test_sse]:" in read_until(leader, b"Username [test_sse]:", 30)
        shown = ends_on_ctrl_c(
            leader, doctor, INTERRUPTED if command == "run" else b"sse-doctor: aborted"
        )
    if command == "run":
        assert b"backend.login" in shown  # the results so far
    assert list(tmp_path.iterdir()) == []  # report leaves no temporary file either


def test_ctrl_c_at_the_run_question_ends_with_130(stack: Stack) -> None:
    args = ["run", "--no-docker", "--timeout", "2", "--backend-url", stack.backend_url,
            "--username", stack.username, "--password", stack.password]  # fmt: skip
    with on_a_terminal(*args) as (leader, doctor):
        assert b"Which run?" in read_until(leader, b"Which run?", 30)
        ends_on_ctrl_c(leader, doctor)


def test_an_answer_typed_at_a_visible_prompt_is_used(stack: Stack) -> None:
    args = ["run", "--no-docker", "--timeout", "2", "--backend-url", stack.backend_url]
    with on_a_terminal(*args) as (leader, doctor):
        assert b"Username [test_sse]:" in read_until(leader, b"Username [test_sse]:", 30)
        os.write(leader, stack.username.encode() + b"\r")
        assert b"Password" in read_until(leader, b"): ", 30)
        os.write(leader, stack.password.encode() + b"\r")
        assert b"Which run?" in read_until(leader, b"Which run?", 30)
        ends_on_ctrl_c(leader, doctor)


INTERRUPTING_IMPORTS = """
import os, sys

class Interrupt:
    def find_spec(self, name, path=None, target=None):
        if name == os.environ.get("INTERRUPT_IMPORT_OF"):
            raise KeyboardInterrupt
        return None

sys.meta_path.insert(0, Interrupt())
"""


@pytest.mark.parametrize(
    ("module", "args"),
    [
        ("doctor.cli.main", ["--version"]),  # imported by python -m doctor.cli
        ("doctor.cli.run", ["run", "--help"]),  # imported when the command is looked up
        ("doctor.formats.text", ["run", "--no-docker", "--backend-url", "http://127.0.0.1:1"]),
    ],
)
def test_ctrl_c_while_importing_is_one_line(module: str, args: list[str], tmp_path: Path) -> None:
    (tmp_path / "sitecustomize.py").write_text(INTERRUPTING_IMPORTS)
    env = {**os.environ, "PYTHONPATH": str(tmp_path), "INTERRUPT_IMPORT_OF": module}
    proc = subprocess.run(
        [sys.executable, "-m", "doctor.cli", *args],
        stdin=subprocess.DEVNULL, capture_output=True, env=env, timeout=60, check=False,
    )  # fmt: skip
    assert proc.returncode == 130, proc.stderr
    assert proc.stderr.decode().strip() == "sse-doctor: aborted"


def _second_ready_project(stack: Stack) -> str:
    """Give the stack's user another READY project, so the picker has two to offer."""
    import pymongo

    from doctor.testbed.store import User, new_project

    with pymongo.MongoClient(stack.mongo_uri, serverSelectionTimeoutMS=2000) as client:
        db = client[stack.mongo_db]
        owner = db.users.find_one({"username": stack.username})
        user = User(str(owner["_id"]), stack.email, stack.username, stack.password)
        field = "spec" if stack.profile == "v2" else "init_prompt"
        return new_project(db, user, "second sample", "READY", field)


def test_the_pickers_ask_again_offer_ready_projects_only_and_n_cancels_with_0(
    stack: Stack,
) -> None:
    second = _second_ready_project(stack)
    args = ["run", "--no-docker", "--timeout", "2", "--backend-url", stack.backend_url,
            "--username", stack.username, "--password", stack.password,
            "--mongo-uri", stack.mongo_uri]  # fmt: skip
    with on_a_terminal(*args) as (leader, doctor):
        shown = read_until(leader, b"Choose a READY project (number): ", 30)
        assert stack.ready_project_id.encode() in shown and second.encode() in shown
        assert stack.not_ready_project_id.encode() not in shown  # CREATED: not offered
        os.write(leader, b"9\r")
        assert b"'9' is not one of 1 to 2; choose again: " in read_until(leader, b"again: ", 30)
        os.write(leader, b"1\r")
        assert b"Which run?" in read_until(leader, b"or a run id: ", 30)
        os.write(leader, b"maybe\r")
        assert b"'maybe' is not a run id" in read_until(leader, b"choose again: ", 30)
        os.write(leader, b"\r")
        assert b"Which run?" in read_until(leader, b"or a run id: ", 30)
        os.write(leader, b"n\r")
        shown = read_until(leader, b"stream was not watched.", 30)
        assert doctor.wait(timeout=30) == 0, shown.decode(errors="replace").replace("\r", "")
    assert b"Cancelled at the prompt: the stream was not watched." in shown
    assert b"Traceback" not in shown and b"404" not in shown


def test_progress_on_a_terminal_shows_the_streams_live_line_with_json_on_stdout(
    stack_factory: Callable[..., Stack], tmp_path: Path
) -> None:
    stack = stack_factory(faults=("slow-events",))  # a live run: an event every 1.5 s
    out = tmp_path / "out.json"
    args = ["run", "--json", "--timeout", "2", "--no-docker", *doctor_args(stack)]
    with out.open("wb") as stdout, on_a_terminal(*args, stdout=stdout) as (leader, doctor):
        shown = read_until(leader, b"s ago", 30)
        assert doctor.wait(timeout=60) in (0, 1)
    assert re.search(rb"sse\.stream: \d+ events?, [\d.]+ s, last event [\d.]+ s ago", shown)
    assert b"idle limit 30 s" in shown
    document = json.loads(out.read_text())  # stdout holds the document alone
    assert document["results"]


def output_until_exit(leader: int, doctor: subprocess.Popen, seconds: float = 30) -> bytes:
    """Everything the terminal shows until the process ends (read meanwhile, so that the
    process never waits on a full terminal)."""
    shown = b""
    deadline = time.monotonic() + seconds
    while doctor.poll() is None and time.monotonic() < deadline:
        shown += read_until(leader, b"\x00never\x00", 0.2)
    return shown + read_until(leader, b"\x00never\x00", 0.2)


@pytest.mark.parametrize(
    ("command", "prompt", "given"),
    [
        ("run", b"Username [test_sse]:", ()),
        ("run", b"): ", ("username",)),  # the hidden password prompt
        ("run", b"or a run id: ", ("username", "password")),
        ("stream", b"Username [test_sse]:", ()),
        ("stream", b"or a run id: ", ("username", "password")),
    ],
)
def test_ctrl_d_at_a_prompt_cancels_without_calling_it_a_problem(
    stack: Stack, command: str, prompt: bytes, given: tuple[str, ...]
) -> None:
    args = [command, "--no-docker", "--timeout", "2", "--backend-url", stack.backend_url,
            "--mongo-uri", stack.mongo_uri]  # fmt: skip
    for name in given:
        args += [f"--{name}", getattr(stack, name)]
    with on_a_terminal(*args) as (leader, doctor):
        assert prompt in read_until(leader, prompt, 30)
        os.write(leader, b"\x04")  # Ctrl+D: the end of the input
        shown = re.sub(rb"\x1b\[[0-9;?]*[A-Za-z]|\r", b"", output_until_exit(leader, doctor))
        assert doctor.wait(timeout=5) == 0, shown
    assert b"Cancelled at the prompt: the input ended (Ctrl+D)." in shown
    assert b"check.error" not in shown and b"Traceback" not in shown
    assert b"Password" not in shown.partition(prompt)[2]  # nothing more was asked
    if command == "run":
        assert shown.rstrip().endswith(b"Cancelled at the prompt: the stream was not watched.")
