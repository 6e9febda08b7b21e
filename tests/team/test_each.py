"""``run --all-projects`` and ``report --all-projects``: the whole doctor on every READY
project, a line each, and one bundle holding every run."""

from __future__ import annotations

import contextlib
import io
import json
import tarfile
from pathlib import Path
from typing import Any

import pytest

from doctor.cli import main
from doctor.testbed import Stack, doctor_args
from tests.helpers import FAST


@pytest.fixture
def team(stack_factory: Any) -> Stack:
    """A stack whose user has four READY projects: its own, two healthy, one FAILED."""
    return stack_factory(team=("healthy", "healthy", "failed"))


def each(stack: Stack, command: str, *extra: str) -> tuple[int, str]:
    args = doctor_args(stack, "--no-docker", *extra, project=None, run=None, **FAST)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main([command, "--all-projects", *args])
    return code, out.getvalue()


def test_a_line_per_ready_project_and_the_verdict(team: Stack) -> None:
    code, out = each(team, "run")
    lines = out.splitlines()
    failed = next(pid for pid, state in team.team.items() if state == "failed")
    healthy = [pid for pid, state in team.team.items() if state == "healthy"]
    rows = [line for line in lines if line[:2] in ("✓ ", "✗ ", "! ", "− ")][:-1]
    by_id = {line.split()[1]: line for line in rows}
    assert len(rows) == 4 and set(by_id) == {*team.team, team.ready_project_id}
    assert team.not_ready_project_id not in out  # CREATED: not READY
    assert by_id[failed].startswith(f"✗ {failed}  team failed 3: ")
    assert by_id[failed].endswith("(agent.no-api-key)")
    for pid in healthy:
        assert by_id[pid].endswith(": No problem found.")
    assert lines[-1].startswith("✗ 1 of 4 READY projects has a problem")
    assert code == 1


def test_json_holds_each_projects_document(team: Stack) -> None:
    code, out = each(team, "run", "--json")
    document = json.loads(out)
    assert document["schema"] == "sse-doctor-projects/1" and document["exit_code"] == code == 1
    runs = {p["id"]: p["run"] for p in document["projects"]}
    assert set(runs) == {*team.team, team.ready_project_id}
    for pid, run in runs.items():
        assert run["schema"] == "sse-doctor/1" and run["target"]["project_id"] == pid
        assert team.password not in json.dumps(run)


@pytest.mark.parametrize(
    ("extra", "error"),
    [
        (["--project", "abc"], "--project: cannot be combined with --all-projects"),
        (["--new-run"], "--new-run: cannot be combined with --all-projects"),
        (["--format", "junit"], "--all-projects prints text or json"),
    ],
)
def test_one_project_options_are_refused(
    extra: list[str], error: str, stack: Stack, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["run", "--all-projects", "--no-docker", "--backend-url", stack.backend_url, *extra]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and error in err


def test_the_report_holds_every_ready_project(team: Stack, tmp_path: Path) -> None:
    bundle = tmp_path / "team.tar.gz"
    code, out = each(team, "report", "-o", str(bundle))
    assert code == 1 and "✗ 1 of 4 READY projects has a problem" in out
    with tarfile.open(bundle) as archive:
        names = archive.getnames()
        summary = archive.extractfile("team/summary.md").read().decode()
        manifest = json.loads(archive.extractfile("team/manifest.json").read())
        for pid in (*team.team, team.ready_project_id):
            results = json.loads(archive.extractfile(f"team/projects/{pid}/results.json").read())
            assert results["target"]["project_id"] == pid
            assert pid in summary
        everything = b"".join(
            archive.extractfile(m).read() for m in archive.getmembers() if m.isfile()
        )
    assert {m["name"] for m in manifest["files"]} == {
        n.removeprefix("team/") for n in names if "." in n.rsplit("/", 1)[-1]
    } - {"manifest.json"}
    assert team.password.encode() not in everything and team.token.encode() not in everything
