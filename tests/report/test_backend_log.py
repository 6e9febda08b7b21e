"""Tests for doctor.report.backend_log: same output as `grep -F -C N`, cap, long lines, memory."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import threading
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from doctor.config import Config
from doctor.context import Context
from doctor.report.backend_log import FilteredLog, NotRegularFile, filter_backend_log
from doctor.report.sources.backend import FULL, SCOPED, backend_log_files

GREP = shutil.which("grep")
needs_grep = pytest.mark.skipif(GREP is None, reason="grep is not installed")

RUN_ID = "3f2b9c1e-8d7a-4c2b-9e1f-0a1b2c3d4e5f"
CONTAINER = "refactor-project-65b1c2d3e4f5a6b7c8d9e0f1"


def grep(path: Path, needles: list[str], context: int) -> str:
    """What `grep -F -C context` prints, decoded the way filter_backend_log decodes."""
    assert GREP is not None
    args = [GREP, "-a", "-F", f"-C{context}"]
    for needle in needles:
        args += ["-e", needle]
    proc = subprocess.run(
        [*args, str(path)], capture_output=True, env={**os.environ, "LC_ALL": "C"}, check=False
    )
    assert proc.returncode in (0, 1), proc.stderr
    return proc.stdout.decode("utf-8", errors="replace").replace("\r\n", "\n")


def grep_count(path: Path, needles: list[str]) -> int:
    assert GREP is not None
    args = [GREP, "-a", "-F", "-c"]
    for needle in needles:
        args += ["-e", needle]
    proc = subprocess.run([*args, str(path)], capture_output=True, check=False)
    return int(proc.stdout)


def log_line(i: int, level: str = "INFO", msg: str = "") -> str:
    stamp = f"2024-02-02 10:{i // 60 % 60:02d}:{i % 60:02d},{i * 7 % 1000:03d}"
    return f"{stamp} [{level}] {msg or 'work'} {i}"


def lines_file(
    tmp_path: Path, name: str, lines: list[str], end: str = "\n", last_end: bool = True
) -> Path:
    data = end.join(lines) + (end if last_end and lines else "")
    path = tmp_path / name
    path.write_bytes(data.encode())
    return path


def sse(i: int) -> str:
    return log_line(i, "DEBUG", "[SSE] data: 初始化 LLM...")


def cases(tmp_path: Path) -> dict[str, Path]:
    n = 40
    return {
        # matches on the first and the last line
        "edges": lines_file(
            tmp_path, "edges.log", [sse(0), *map(log_line, range(1, n - 1)), sse(n - 1)]
        ),
        # contexts that overlap, touch, and stay apart
        "overlap": lines_file(
            tmp_path,
            "overlap.log",
            [sse(i) if i in (5, 8, 12, 19, 27, 28, 35) else log_line(i) for i in range(n)],
        ),
        "every-line": lines_file(tmp_path, "every.log", [sse(i) for i in range(10)]),
        "none": lines_file(tmp_path, "none.log", [log_line(i) for i in range(10)]),
        "crlf": lines_file(
            tmp_path,
            "crlf.log",
            [sse(i) if i % 7 == 3 else log_line(i) for i in range(n)],
            end="\r\n",
        ),
        "no-trailing-newline": lines_file(
            tmp_path,
            "no-eol.log",
            [sse(i) if i in (2, n - 1) else log_line(i) for i in range(n)],
            last_end=False,
        ),
        "no-trailing-newline-context": lines_file(
            tmp_path,
            "no-eol2.log",
            [sse(i) if i == n - 3 else log_line(i) for i in range(n)],
            last_end=False,
        ),
        "empty-lines": lines_file(
            tmp_path, "blank.log", ["", "", "[SSE]", "", "", "", "[SSE]", ""]
        ),
        "empty": lines_file(tmp_path, "empty.log", []),
        "run-and-container": lines_file(
            tmp_path,
            "run.log",
            [
                log_line(i, msg=f"開始串流 AI Server 日誌: {CONTAINER}, run_id={RUN_ID}")
                if i == 4
                else log_line(i, msg=f"SSE 串流結束: run_id={RUN_ID}")
                if i == 30
                else sse(i)
                if i % 9 == 0
                else log_line(i)
                for i in range(n)
            ],
        ),
    }


NEEDLES = {"run-and-container": ["[SSE]", RUN_ID, CONTAINER]}


@needs_grep
@pytest.mark.parametrize("context", [0, 1, 2, 3, 5])
@pytest.mark.parametrize("chunk_size", [1, 2, 3, 7, 61, 1 << 20])
def test_same_output_as_grep(tmp_path: Path, context: int, chunk_size: int) -> None:
    for name, path in cases(tmp_path).items():
        needles = NEEDLES.get(name, ["[SSE]"])
        got = filter_backend_log(path, needles, context, chunk_size=chunk_size)
        assert got.text == grep(path, needles, context), (name, context, chunk_size)
        assert got.matched_lines == grep_count(path, needles), name
        assert got.bytes_scanned == path.stat().st_size
        assert not got.truncated


@needs_grep
@pytest.mark.parametrize("chunk_size", [64, 100, 128, 4096])
def test_needle_across_chunk_boundaries(tmp_path: Path, chunk_size: int) -> None:
    # the needle, and the line ends around it, fall at every offset of a chunk
    lines = []
    for i in range(300):
        lines.append("x" * (i % 37) + ("[SSE] hit" if i % 5 == 0 else "miss"))
    path = lines_file(tmp_path, "boundaries.log", lines)
    for context in (0, 1, 3):
        got = filter_backend_log(path, ["[SSE]"], context, chunk_size=chunk_size)
        assert got.text == grep(path, ["[SSE]"], context)


LINE_PARTS = st.sampled_from(["a", "bb", "[SSE]", "[SS", "E]", RUN_ID, "\r", " ", "é", "\xff"])


@needs_grep
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    lines=st.lists(st.lists(LINE_PARTS, max_size=5).map("".join), max_size=40),
    last_end=st.booleans(),
    context=st.integers(0, 4),
    chunk_size=st.integers(1, 40),
    both=st.booleans(),
)
def test_random_files_match_grep(
    tmp_path: Path, lines: list[str], last_end: bool, context: int, chunk_size: int, both: bool
) -> None:
    path = tmp_path / "random.log"
    data = "\n".join(lines) + ("\n" if last_end and lines else "")
    path.write_bytes(data.encode("utf-8").replace("\xff".encode(), b"\xff"))  # a raw invalid byte
    needles = ["[SSE]", RUN_ID] if both else ["[SSE]"]
    got = filter_backend_log(path, needles, context, chunk_size=chunk_size)
    assert got.text == grep(path, needles, context)
    assert got.matched_lines == grep_count(path, needles)


def test_crlf_and_invalid_utf8_are_cleaned(tmp_path: Path) -> None:
    path = tmp_path / "mixed.log"
    path.write_bytes(b"a\r\n[SSE] \xe9t\xc3\xa9\r\nb\r\n")
    got = filter_backend_log(path, context=1)
    assert got.text == "a\n[SSE] \ufffdté\nb\n"


# ---------------------------------------------------------------------------
# The output cap keeps the most recent lines
# ---------------------------------------------------------------------------


@needs_grep
@pytest.mark.parametrize("cap", [0, 1, 60, 500, 2000, 5000])
@pytest.mark.parametrize("chunk_size", [13, 1 << 20])
def test_output_cap_keeps_the_end(tmp_path: Path, cap: int, chunk_size: int) -> None:
    path = lines_file(
        tmp_path, "big.log", [sse(i) if i % 10 in (0, 3) else log_line(i) for i in range(300)]
    )
    full = grep(path, ["[SSE]"], 2)
    got = filter_backend_log(path, context=2, max_output_bytes=cap, chunk_size=chunk_size)
    assert got.matched_lines == 60  # counted over the whole file
    assert got.truncated == (len(full.encode()) > cap)
    assert len(got.text.encode()) <= cap
    if got.truncated:
        assert full.endswith(got.text)
        assert got.text == "" or full[: -len(got.text)].endswith("\n")  # whole lines only
        assert not got.text.startswith("--")
        kept = [line for line in got.text.splitlines() if line != "--"]
        every = [line for line in full.splitlines() if line != "--"]
        assert got.omitted_lines == len(every) - len(kept)
        # as much as fits: the next older line would not have fit
        if kept:
            assert len(got.text.encode()) + len(every[-len(kept) - 1]) + 1 > cap - 3
    else:
        assert got.text == full
        assert got.omitted_lines == 0


# ---------------------------------------------------------------------------
# Long lines
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("chunk_size", [16, 1000, 1 << 20])
def test_long_lines_are_cut_and_still_match(tmp_path: Path, chunk_size: int) -> None:
    long_hit = "A" * 5000 + "[SSE] late needle" + "B" * 3000
    long_miss = "C" * 7000
    path = lines_file(
        tmp_path, "long.log", ["before", long_hit, "middle", long_miss, "[SSE] short", "after"]
    )
    got = filter_backend_log(path, context=1, max_line_bytes=100, chunk_size=chunk_size)
    lines = got.text.splitlines()
    assert lines[0] == "before"
    assert lines[1].startswith("AAAA") and lines[1].endswith(f"[… line cut, {len(long_hit)} bytes]")
    assert len(lines[1].encode()) <= 100
    assert lines[2] == "middle"
    assert lines[3].startswith("CCCC") and lines[3].endswith(
        f"[… line cut, {len(long_miss)} bytes]"
    )
    assert lines[4:] == ["[SSE] short", "after"]
    assert got.matched_lines == 2


def reference(data: bytes, needles: list[bytes], context: int, max_line: int) -> str:
    """A whole-file model: grep -F -C semantics, lines over max_line cut like the filter."""
    lines = data.split(b"\n")
    if lines[-1] == b"":
        lines.pop()
    hits = [i for i, line in enumerate(lines) if any(n in line for n in needles)]
    selected = sorted(
        {j for i in hits for j in range(i - context, i + context + 1) if 0 <= j < len(lines)}
    )
    out: list[bytes] = []
    for k, j in enumerate(selected):
        if k and j != selected[k - 1] + 1:
            out.append(b"--")
        line = lines[j]
        if len(line) > max_line:
            note = f" [… line cut, {len(line)} bytes]".encode()
            line = line[: max(0, max_line - len(note))] + note
        out.append(line)
    text = b"\n".join(out) + b"\n" if out else b""
    return text.decode("utf-8", errors="replace").replace("\r\n", "\n")


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    lines=st.lists(
        st.tuples(
            st.integers(0, 300), st.sampled_from(["", "[SSE]", "xx[SSE]", "\r"]), st.booleans()
        ),
        max_size=25,
    ),
    last_end=st.booleans(),
    context=st.integers(0, 3),
    chunk_size=st.integers(1, 64),
    max_line=st.integers(30, 120),
)
def test_long_lines_match_a_whole_file_model(
    tmp_path: Path,
    lines: list[tuple[int, str, bool]],
    last_end: bool,
    context: int,
    chunk_size: int,
    max_line: int,
) -> None:
    # each line: some filler, then maybe a needle, placed before or after the filler
    text = "\n".join((tag + "y" * n) if first else ("y" * n + tag) for n, tag, first in lines)
    data = (text + ("\n" if last_end and lines else "")).encode()
    path = tmp_path / "long-random.log"
    path.write_bytes(data)
    got = filter_backend_log(
        path, ["[SSE]"], context, chunk_size=chunk_size, max_line_bytes=max_line
    )
    assert got.text == reference(data, [b"[SSE]"], context, max_line)
    assert got.bytes_scanned == len(data)


def test_needle_only_in_the_note_is_not_a_match(tmp_path: Path) -> None:
    path = lines_file(tmp_path, "note.log", ["x" * 1000, "y"])
    got = filter_backend_log(path, ["line cut"], context=0, max_line_bytes=50, chunk_size=64)
    assert got.matched_lines == 0
    assert got.text == ""


def test_file_without_line_ends_uses_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "one-line.log"
    with path.open("wb") as f:
        for _ in range(20):
            f.write(b"z" * (1 << 20))
        f.write(b"[SSE] at the very end")
    tracemalloc.start()
    try:
        got = filter_backend_log(path, context=2, chunk_size=256 << 10, max_line_bytes=4096)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert got.matched_lines == 1
    assert got.text.endswith(f"[… line cut, {(20 << 20) + 21} bytes]\n")
    assert peak < 4 << 20


# ---------------------------------------------------------------------------
# Memory and errors
# ---------------------------------------------------------------------------


def test_memory_stays_bounded(tmp_path: Path) -> None:
    path = tmp_path / "large.log"
    block = "".join(
        (sse(i) if i % 997 == 0 else log_line(i, "DEBUG" if i % 3 else "INFO", "step done")) + "\n"
        for i in range(20000)
    ).encode()
    with path.open("wb") as f:
        while f.tell() < 50 << 20:
            f.write(block)
    size = path.stat().st_size
    tracemalloc.start()
    try:
        got = filter_backend_log(path, context=3, max_output_bytes=256 << 10)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert got.bytes_scanned == size
    assert got.matched_lines > 1000
    assert got.truncated
    assert len(got.text.encode()) <= 256 << 10
    if GREP is not None:  # the most recent selected lines were kept
        assert grep(path, ["[SSE]"], 3).endswith(got.text)
    assert peak < size / 4, f"peak {peak} bytes for a {size}-byte file"
    assert peak < (8 << 20) + (2 << 20), peak  # about one chunk and the output


def test_missing_file_raises_oserror(tmp_path: Path) -> None:
    missing = tmp_path / "nope.log"
    with pytest.raises(FileNotFoundError) as info:
        filter_backend_log(missing)
    assert str(missing) in str(info.value)
    with pytest.raises(IsADirectoryError):
        filter_backend_log(tmp_path)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"needles": []},
        {"needles": [""]},
        {"needles": ["a\nb"]},
        {"context": -1},
        {"chunk_size": 0},
        {"max_output_bytes": -1},
    ],
)
def test_invalid_arguments(tmp_path: Path, kwargs: dict[str, object]) -> None:
    path = lines_file(tmp_path, "x.log", ["[SSE] x"])
    with pytest.raises(ValueError):
        filter_backend_log(path, **kwargs)  # type: ignore[arg-type]


def test_result_type(tmp_path: Path) -> None:
    path = lines_file(tmp_path, "x.log", ["a", "[SSE] x", "b"])
    got = filter_backend_log(str(path), context=0)
    assert got == FilteredLog(text="[SSE] x\n", matched_lines=1, truncated=False, bytes_scanned=12)


def test_a_file_object_gives_the_same_selection_as_its_path(tmp_path: Path) -> None:
    path = lines_file(tmp_path, "log", ["a", "[SSE] one", "b", "c", "d", "e", "[SSE] two", "f"])
    from_path = filter_backend_log(path, context=1)
    from_bytes = filter_backend_log(io.BytesIO(path.read_bytes()), context=1)
    assert from_bytes == from_path
    assert from_path.matched_lines == 2


# ---------------------------------------------------------------------------
# Only regular files, and only their end
# ---------------------------------------------------------------------------


def within(seconds: float, work: Callable[[], Any]) -> Any:
    """``work()``'s value or exception, failing the test if it takes longer than ``seconds``."""
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(work())
        except BaseException as exc:  # handed to the test
            outcome.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert outcome, f"still running after {seconds} s"
    return outcome[0]


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "backend.log"
    os.mkfifo(fifo)
    got = within(2, lambda: filter_backend_log(fifo))
    assert isinstance(got, NotRegularFile), got
    assert str(fifo) in str(got) and "named pipe" in str(got)


def test_a_device_is_refused_without_reading_it() -> None:
    got = within(2, lambda: filter_backend_log("/dev/zero"))
    assert isinstance(got, NotRegularFile), got
    assert "character device" in str(got)


def test_only_the_end_of_a_large_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "sparse.log"
    with path.open("wb") as f:
        f.write(b"[SSE] at the start\n")
        f.seek(200 << 20)  # a hole: no disk space, read back as zeros
        f.write(b"\n[SSE] at the end\n")
    size = path.stat().st_size
    got = within(30, lambda: filter_backend_log(path, context=0, max_read_bytes=1 << 20))
    assert got.bytes_scanned == 1 << 20
    assert got.bytes_skipped == size - (1 << 20)
    assert got.matched_lines == 1 and got.text.endswith("[SSE] at the end\n")


def test_a_file_object_is_read_up_to_the_limit() -> None:
    got = filter_backend_log(io.BytesIO(b"[SSE] one\n[SSE] two\n"), max_read_bytes=10)
    assert got.bytes_scanned == 10 and got.text == "[SSE] one\n"


def bundle_logs(path: Path, run_id: str | None = None) -> dict[str, str]:
    """The bundle's backend-log files for the file ``path`` (no Docker)."""
    ctx = Context(Config(backend_log=str(path), no_docker=True))
    try:
        return backend_log_files(ctx, run_id, None, None)[0]
    finally:
        ctx.close()


def test_the_bundle_says_why_a_backend_log_was_not_read(tmp_path: Path) -> None:
    """The path was a file when the options were read, and is a FIFO by the time it is read."""
    fifo = tmp_path / "backend.log"
    os.mkfifo(fifo)
    files = within(5, lambda: bundle_logs(fifo))
    assert set(files) == {SCOPED}
    text = files[SCOPED]
    assert f"Cannot read {fifo}:" in text and "not a regular file (a named pipe)" in text


def test_the_bundle_says_when_only_the_end_of_the_log_was_read(tmp_path: Path) -> None:
    path = tmp_path / "big.log"
    with path.open("wb") as f:
        f.truncate(100 << 20)
        f.seek(0, os.SEEK_END)
        f.write(b"\n[SSE] the end " + RUN_ID.encode() + b"\n")
    files = within(30, lambda: bundle_logs(path, RUN_ID))
    for name in (SCOPED, FULL):
        assert "(only its last 16 MiB were read)" in files[name], name
        assert f"[SSE] the end {RUN_ID}" in files[name], name
    assert len(files[FULL].encode()) <= (1 << 20) + 1000  # the log's end, bounded


def test_the_full_file_never_starts_inside_a_private_key(tmp_path: Path) -> None:
    """Cut inside a key, its body lines would reach the redactor without their BEGIN line."""
    path = tmp_path / "backend.log"
    body = ["MIIEvQIBADANBgkqhkiG9w0BAQEFAASC" for _ in range(6000)]
    lines = ["-----BEGIN PRIVATE KEY-----", *body, "-----END PRIVATE KEY-----", "after the key"]
    path.write_text("\n".join(lines) + "\n")
    text = bundle_logs(path)[FULL]
    assert "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC" not in text
    assert "[lines of a private key left out]" in text and "after the key" in text
