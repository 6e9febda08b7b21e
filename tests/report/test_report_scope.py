"""`sse-doctor report`: one top-level directory, files scoped to the watched run with the full
ones beside, a summary.md under 5 KB whose footer is the file list, what the terminal says,
and `--no-stream`, on real testbed stacks."""

from __future__ import annotations

import json
import re
import secrets
import tarfile
import uuid
from collections.abc import Callable
from pathlib import Path

import docker
import httpx
import pytest

from doctor.cli import main
from doctor.config import Config
from doctor.context import Artifact, Context
from doctor.diagnosis import Finding
from doctor.model import CRITERIA
from doctor.report.attached import IN_A_DIRECTORY as FILES
from doctor.report.sources.backend import backend_log_files
from doctor.report.summary import SummaryFacts, summary_markdown
from doctor.session import RunRecord
from doctor.testbed import Stack
from doctor.testbed.docker_ai import ensure_image
from doctor.testbed.net import LOOPBACK, closed_port
from tests.helpers import doctor_json, local_args

MAX_SUMMARY = 5 * 1024
UTC_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
SECTIONS = ("## Environment", "## Steps to reproduce", "## Expected", "## Actual", "## Attached")
PER_LINE = "📨 [DEBUG] 收到 SSE 訊息 #1:"
"""The first per-line print of a stream, at 765d572: once per stream."""


def report(
    capsys: pytest.CaptureFixture[str], out: Path, *args: str
) -> tuple[int, dict[str, bytes], str]:
    """Run `sse-doctor report -o OUT ARGS`: the exit code, the files and stderr. Checks that
    every member lies under the one top-level directory named after the file."""
    code = main(["report", "-o", str(out), "--lang", "en", *args])
    err = capsys.readouterr().err
    root = out.name.removesuffix(".tar.gz")
    files = {}
    with tarfile.open(out) as archive:
        members = archive.getmembers()
        assert members[0].name == root and members[0].isdir()
        for member in members:
            assert member.name == root or member.name.startswith(f"{root}/"), member.name
            if member.isfile():
                files[member.name.removeprefix(f"{root}/")] = archive.extractfile(member).read()
    return code, files, err


def section(summary: str, title: str) -> str:
    return summary.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]


def redacted_line(err: str) -> dict[str, int]:
    (line,) = [line for line in err.splitlines() if line.startswith("redacted: ")]
    if line == "redacted: nothing":
        return {}
    pairs = (pair.rsplit(" ", 1) for pair in line.removeprefix("redacted: ").split(", "))
    return {rule: int(n) for rule, n in pairs}


def attached(summary: str) -> tuple[set[str], dict[str, set[str]]]:
    """The top-level files and the directories (with their files) the footer lists."""
    top, directories = set(), {}
    for line in section(summary, "Attached").splitlines():
        if match := re.match(r"- `([^`/]+)`: ", line):
            top.add(match[1])
        elif match := re.match(r"- `(.+)/`: (.+)$", line):
            directories[match[1]] = set(match[2].split(", "))
    return top, directories


def test_the_bundle_holds_the_watched_run_and_the_full_files_beside(
    stack_factory: Callable[..., Stack], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stack = stack_factory(profile_name="v1")
    watched = stack.run_id
    assert doctor_json(*local_args(stack))[0] == 1  # streams the run (v1 double-frames it)
    code, document = doctor_json(*local_args(stack, "--new-run", run=None))
    other = document["target"]["run_id"]
    assert other != watched and document["criteria"][0]["met"]  # a second run, streamed
    log = tmp_path / "backend.log"  # the stack's log, with a line that leaks the password
    log.write_bytes(
        stack.log_path.read_bytes()
        + f'2026-12-01 10:00:00,000 - app - DEBUG - run_id={watched} body {{"password": '
        f'"{stack.password}"}}\n'.encode()
    )
    text = log.read_text()
    assert f"/tasks/{watched}/stream" in text and f"/tasks/{other}/stream" in text
    assert text.count(PER_LINE) == 2

    out = tmp_path / f"sse-doctor-report-{secrets.token_hex(3)}.tar.gz"
    code, files, err = report(capsys, out, *local_args(stack), "--backend-log", str(log))
    results = json.loads(files["results.json"])
    assert code == results["exit_code"] == 1

    scoped = files["backend-log.txt"].decode()
    assert scoped.startswith(f"Source: {log}\n")
    assert watched in scoped and other not in scoped and scoped.count(PER_LINE) == 1
    assert "Streams of the run: 1; the AI Server answered 200" in scoped
    full = files["backend-log-full.txt"].decode()
    assert full.startswith(f"Source: {log}\n") and other in full and full.count(PER_LINE) == 2
    tasks = files["ai-server/tasks.txt"].decode()
    every_task = files["ai-server/tasks-all.txt"].decode()
    assert watched in tasks and other not in tasks
    assert watched in every_task and other in every_task
    assert all(stack.password.encode() not in data for data in files.values())

    summary = files["summary.md"].decode()
    assert len(files["summary.md"]) < MAX_SUMMARY
    assert summary.startswith("# sse-doctor report: `sse.double-framed` ")
    positions = [summary.index(title) for title in SECTIONS]
    assert positions == sorted(positions)
    environment = section(summary, "Environment")
    for fact in ("sse-doctor ", "Python ", "MongoDB: 7", "API: login by email", watched):
        assert fact in environment, fact
    assert re.search(rf"Started {UTC_TIME.pattern}", environment)
    steps = section(summary, "Steps to reproduce")
    assert "sse-doctor report " in steps and f"--run {watched}" in steps
    assert "--password '[REDACTED]'" in steps and stack.password not in steps
    assert "DONE or FAILED" in section(summary, "Expected")
    actual = section(summary, "Actual")
    assert "- **problem** `sse.double-framed`: " in actual and "(2 of 6 met)" in actual
    assert actual.count("\n- [") == len(CRITERIA)
    top, directories = attached(summary)
    assert top == {name for name in files if "/" not in name}
    assert directories == {"ai-server": {"health.txt", "tasks.txt", "tasks-all.txt"}}

    manifest = json.loads(files["manifest.json"])
    assert manifest["root"] == out.name.removesuffix(".tar.gz")
    assert UTC_TIME.fullmatch(manifest["created_at"])
    assert f"Report bundle: {out} (" in err and f", {len(files)} files under " in err
    counted = {rule: n for rule, n in manifest["redactions"].items() if n}
    assert redacted_line(err) == counted and counted.get("known-secret", 0) >= 1
    missing = [line for line in err.splitlines() if line.startswith("missing: ")]
    assert missing == [
        "missing: 3. container status — Docker was not examined (--no-docker): "
        "run without --no-docker"
    ]
    assert all(line.removeprefix("missing: ") in summary for line in missing)


def test_the_terminal_says_what_is_missing_and_how_to_add_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "down.tar.gz"
    down = [
        "--backend-url", f"http://{LOOPBACK}:{closed_port()}",
        "--mongo-uri", f"mongodb://{LOOPBACK}:{closed_port()}",
        "--no-docker", "--timeout", "1",
    ]  # fmt: skip
    code, files, err = report(capsys, out, *down)
    assert code == 1
    missing = [line for line in err.splitlines() if line.startswith("missing: ")]
    assert missing == [
        "missing: 2. backend log — pass --backend-log FILE or --backend-container NAME",
        "missing: 3./4. container status and AI Server health — Docker was not examined "
        "(--no-docker): run without --no-docker, or pass --ai-url URL to ask the AI Server "
        "over HTTP",
    ]
    assert "redacted: nothing" in err.splitlines()
    assert "backend-log-full.txt" not in files  # no log: nothing to bound
    summary = files["summary.md"].decode()
    top, directories = attached(summary)
    assert top == set(files) and directories == {}
    assert "No backend log was given" in files["backend-log.txt"].decode()


def test_summary_stays_under_5_kb_with_a_long_diagnosis_and_long_logs(
    stack_factory: Callable[..., Stack], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stack = stack_factory(["mongo-auth", "gzip", "no-api-key"], profile_name="v1")
    log = tmp_path / "backend.log"
    noise = "x" * 3000
    lines = [f"[SSE] run_id={stack.run_id} attempt {n}: {noise}" for n in range(3000)]
    log.write_bytes(stack.log_path.read_bytes() + ("\n".join(lines) + "\n").encode())
    out = tmp_path / "long.tar.gz"
    code, files, _ = report(capsys, out, *local_args(stack), "-v", "--backend-log", str(log))
    assert code == 1
    diagnosis = json.loads(files["results.json"])["diagnosis"]
    assert len(diagnosis) >= 4
    summary = files["summary.md"].decode()
    assert len(files["summary.md"]) < MAX_SUMMARY
    assert all(title in summary for title in SECTIONS)
    assert all(f"`{finding['id']}`" in section(summary, "Actual") for finding in diagnosis)
    scoped = files["backend-log.txt"].decode()
    assert "oldest of them were left out" in scoped and "attempt 2999:" in scoped
    assert len(files["backend-log-full.txt"]) < (1 << 20) + 4096


def test_no_stream_starts_and_watches_nothing(
    stack: Stack, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def tasks() -> list[str]:
        answer = httpx.get(f"{stack.ai_url}/tasks", timeout=5, trust_env=False)
        return [task["task_id"] for task in answer.json()["tasks"]]

    before, streams = tasks(), stack.log_path.read_text().count("開始串流 AI Server 日誌")
    out = tmp_path / "as-it-is.tar.gz"
    args = local_args(stack, "--backend-log", str(stack.log_path), run=None)
    code, files, err = report(capsys, out, *args, "--no-stream")
    assert code == 0, err
    assert tasks() == before  # no run started
    assert stack.log_path.read_text().count("開始串流 AI Server 日誌") == streams  # none watched
    results = {r["id"]: r for r in json.loads(files["results.json"])["results"]}
    assert not {"sse.stream", "sse.final_status", "ai_server.stream"} & set(results)
    assert results["backend.run"]["status"] == "pass"
    assert results["backend.run"]["evidence"]["run_id"] == stack.run_id  # the newest run
    summary = files["summary.md"].decode()
    assert "not watched, on purpose (--no-stream)" in summary
    assert "not watched, on purpose" in files["sse-transcript.txt"].decode()
    assert stack.run_id in files["ai-server/tasks.txt"].decode()

    refused = tmp_path / "refused.tar.gz"
    assert main(["report", "-o", str(refused), *args, "--no-stream", "--new-run"]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("sse-doctor: error: --no-stream: cannot be combined with --new-run")
    assert not refused.exists() and tasks() == before


def test_the_summary_budget_holds_for_any_number_of_findings_and_files() -> None:
    """Sixty findings with long titles in wide characters, forty container directories."""
    finding = Finding(
        id="sse.error-event",
        category=None,
        severity="problem",
        basis="observed",
        title="❌ HTTP 錯誤: " + "串流中斷 " * 300,
        checks=("sse.stream",),
        hint="read the backend's log",
    )
    record = RunRecord(
        started_at="2026-12-01T18:48:38+00:00",
        duration_ms=1234,
        config=Config(),
        target={"backend_url": "http://backend:8000", "api": "x" * 2000, "run_id": "r" * 128},
        checks=[],
        results=[],
        criteria={},
        diagnosis=[finding] * 60,
    )
    names = [
        "summary.md",
        *(f"containers/refactor-project-{n:024d}/{file}" for n in range(40) for file in FILES),
        "manifest.json",
    ]
    facts = SummaryFacts(
        command="sse-doctor report " + "--skip backend.log " * 200,
        names=names,
        missing=["2. backend log — " + "x" * 400] * 3,
    )
    text = summary_markdown(record, facts)
    assert len(text.encode("utf-8")) < MAX_SUMMARY
    assert all(title in text for title in SECTIONS)
    assert "more findings in results.json" in text and "more directories" in text


def test_the_backend_container_the_docker_checks_found_is_read(
    docker_client: docker.DockerClient,
) -> None:
    """Artifact.BACKEND_CONTAINER, as the Docker checks leave it, is a source of its own."""
    run, other = str(uuid.uuid4()), str(uuid.uuid4())
    lines = [
        f"GET /api/v1/projects/p/agent/runs/{other}/stream 200",
        f"🔗 開始串流 AI Server 日誌: http://refactor-project-p:8000/tasks/{run}/stream",
        "✅ SSE 連線已建立，狀態碼: 200",
        f"✅ SSE 串流正常結束: run_id={run}, 共 3 行",
        f"Agent 任務已啟動: task_id={other}",
        "ready",
    ]
    script = "".join(f"echo '{line}'; " for line in lines) + "exec sleep 3600"
    name = f"sse-doctor-test-backend-{secrets.token_hex(4)}"
    container = docker_client.containers.run(
        ensure_image(docker_client), ["sh", "-c", script], name=name, detach=True,
        labels={"sse-doctor.test": "report"},
    )  # fmt: skip
    ctx = Context(Config())
    try:
        for chunk in container.logs(stream=True, follow=True):  # until it has said it all
            if b"ready" in chunk:
                break
        ctx.artifacts[Artifact.BACKEND_CONTAINER] = name
        files, state = backend_log_files(ctx, run, None, None)
    finally:
        ctx.close()
        container.remove(force=True)
    assert state.source == f"container {name}" and state.run_lines == 3
    assert files["backend-log.txt"].startswith(f"Source: container {name}\n")
    assert run in files["backend-log.txt"] and other not in files["backend-log.txt"]
    assert other in files["backend-log-full.txt"]
