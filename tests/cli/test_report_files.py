"""`sse-doctor report`: which files it reads and writes, as a real process would meet them."""

from __future__ import annotations

import contextlib
import io
import os
import stat
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from doctor.cli import main
from doctor.testbed.net import LOOPBACK, closed_port

FAST = ["--timeout", "1", "--stream-timeout", "2", "--idle-timeout", "1", "--lang", "en"]


def down_stack() -> list[str]:
    """Options pointing at a stack where nothing listens: the run is quick."""
    return [
        "--backend-url", f"http://{LOOPBACK}:{closed_port()}",
        "--mongo-uri", f"mongodb://{LOOPBACK}:{closed_port()}",
        "--no-docker",
    ]  # fmt: skip


def sse_doctor(*args: str, cwd: Path, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    """Run ``python -m doctor.cli ARGS`` in ``cwd``; killed (and the test failed) if it hangs."""
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("CI", None)
    return subprocess.run(
        [sys.executable, "-m", "doctor.cli", *args],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def one_error_line(proc: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in proc.stderr, proc.stderr
    (line,) = proc.stderr.strip().splitlines()
    assert line.startswith("sse-doctor: error:"), line
    return line


@pytest.mark.parametrize("kind", ["fifo", "device", "directory"])
def test_a_backend_log_that_is_not_a_regular_file_is_refused_at_once(
    kind: str, tmp_path: Path
) -> None:
    log = {"fifo": tmp_path / "backend.log", "device": Path("/dev/zero"), "directory": tmp_path}
    if kind == "fifo":
        os.mkfifo(log[kind])
    out = tmp_path / "bundle.tar.gz"
    proc = sse_doctor(
        "report", *FAST, *down_stack(), "--backend-log", str(log[kind]), "-o", str(out),
        cwd=tmp_path, timeout=20,
    )  # fmt: skip
    assert proc.returncode == 2
    assert "--backend-log" in one_error_line(proc)
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def report_to(output: Path, *args: str) -> tuple[int, str]:
    """Run ``sse-doctor report -o OUTPUT ARGS`` in this process: exit code and stderr."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(["report", *FAST, *down_stack(), "-o", str(output), *args])
    return code, err.getvalue()


def refused(code: int, err: str, reason: str) -> None:
    assert code == 2, err
    (line,) = err.strip().splitlines()
    assert line.startswith("sse-doctor: error: --output: cannot write") and reason in line, line


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".part"))


def test_a_new_file_is_written_private(tmp_path: Path) -> None:
    out = tmp_path / "bundle.tar.gz"
    code, _ = report_to(out)
    assert code == 1 and stat.S_IMODE(out.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["bundle.tar.gz"]


def test_a_250_character_file_name_works(tmp_path: Path) -> None:
    out = tmp_path / ("b" * 243 + ".tar.gz")
    assert len(out.name) == 250
    code, err = report_to(out)
    assert code == 1, err
    assert tarfile.is_tarfile(out) and leftovers(tmp_path) == []


def test_an_existing_file_is_kept_without_force(tmp_path: Path) -> None:
    out = tmp_path / "bundle.tar.gz"
    out.write_bytes(b"keep me")
    refused(*report_to(out), "already exists (--force replaces a regular file)")
    assert out.read_bytes() == b"keep me" and leftovers(tmp_path) == []


@pytest.mark.parametrize("force", [[], ["--force"]])
@pytest.mark.parametrize("kind", ["symlink", "dangling symlink", "fifo", "device", "directory"])
def test_what_is_not_a_regular_file_is_never_replaced(
    kind: str, force: list[str], tmp_path: Path
) -> None:
    out = tmp_path / "bundle.tar.gz"
    real = tmp_path / "real.txt"
    if kind == "symlink":
        real.write_bytes(b"keep me")
        out.symlink_to(real)
    elif kind == "dangling symlink":
        out.symlink_to(real)
    elif kind == "fifo":
        os.mkfifo(out)
    elif kind == "device":  # what `-o /dev/null` meets, made here: only root may
        if os.geteuid() != 0:
            pytest.skip("making a device node needs root")
        null = os.stat("/dev/null").st_rdev
        os.mknod(out, 0o666 | stat.S_IFCHR, null)
    else:
        out.mkdir()
    before = os.lstat(out)
    code, err = report_to(out, *force)
    if kind == "directory":  # click refuses it as the option is read
        assert code == 2 and "is a directory" in err
    else:
        refused(code, err, "not a regular file")
    after = os.lstat(out)
    assert (after.st_ino, after.st_mode) == (before.st_ino, before.st_mode)
    assert not real.exists() or real.read_bytes() == b"keep me"
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("same", ["the log itself", "a hard link to it"])
def test_force_never_replaces_the_backend_log(same: str, tmp_path: Path) -> None:
    log = tmp_path / "backend.log"
    log.write_text("[SSE] keep me\n")
    out = log if same == "the log itself" else tmp_path / "bundle.tar.gz"
    if out != log:
        os.link(log, out)
    refused(*report_to(out, "--force", "--backend-log", str(log)), "the --backend-log file")
    assert log.read_text() == "[SSE] keep me\n"


def test_force_replaces_a_regular_file(tmp_path: Path) -> None:
    out = tmp_path / "bundle.tar.gz"
    out.write_bytes(b"old")
    code, _ = report_to(out, "--force")
    assert code == 1 and tarfile.is_tarfile(out)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600 and leftovers(tmp_path) == []
