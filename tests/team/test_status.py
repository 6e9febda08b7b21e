"""``sse-doctor status`` on a team server: projects in different states, one row each."""

from __future__ import annotations

import contextlib
import io
import json
import time
from collections.abc import Iterator
from typing import Any

import docker
import pytest

from doctor.cli import main
from doctor.testbed import Stack, doctor_args, start_stack
from doctor.testbed.hang import silent_url
from tests.helpers import FAST

STATES = ("healthy", "stopped", "failed", "forgotten")


@pytest.fixture(scope="module")
def team(docker_client: docker.DockerClient, base_image_tag: str) -> Iterator[Stack]:
    """One Docker stack with a project per state beside its own READY and CREATED ones."""
    with start_stack((), docker=True, base_image=base_image_tag, team=STATES) as stack:
        yield stack


def status(stack: Stack, *extra: str, **overrides: object) -> tuple[int, str]:
    """``sse-doctor status`` in this process: the exit code and stdout."""
    args = doctor_args(stack, *extra, project=None, run=None, **{**FAST, **overrides})
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["status", *args])
    return code, out.getvalue()


def by_state(stack: Stack, document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    rows = {row["id"]: row for row in document["projects"]}
    named = {state: rows[pid] for pid, state in stack.team.items()}
    named["own"] = rows[stack.ready_project_id]
    named["created"] = rows[stack.not_ready_project_id]
    return named


def test_the_json_names_each_projects_state(team: Stack) -> None:
    code, out = status(team, "--json")
    document = json.loads(out)
    assert document["schema"] == "sse-doctor-status/1"
    assert code == document["exit_code"] == 1
    rows = by_state(team, document)
    assert len(document["projects"]) == 6  # the foreign project is another user's: not listed

    for name in ("healthy", "own"):
        row = rows[name]
        assert (row["status"], row["container"], row["ai_health"]) == (
            "READY",
            "running",
            "healthy",
        )
        assert row["newest_run"]["status"] == "DONE"
        assert (row["verdict"], row["finding"]) == ("ok", None)

    stopped = rows["stopped"]
    assert stopped["container"] == "exited (137)" and stopped["ai_health"] is None
    assert stopped["finding"]["id"] == "container.stopped"
    assert "docker start refactor-project-" in stopped["finding"]["hint"]

    failed = rows["failed"]
    assert failed["newest_run"]["status"] == "FAILED"
    assert "ANTHROPIC_API_KEY" in failed["newest_run"]["error_message"]
    assert (failed["verdict"], failed["finding"]["id"]) == ("problem", "agent.no-api-key")

    forgotten = rows["forgotten"]
    assert forgotten["ai_health"] == "healthy" and forgotten["newest_run"] is None
    finding = forgotten["finding"]
    assert (finding["id"], finding["basis"]) == ("run.not-found", "inferred")
    assert finding["evidence"]["refactor_thread_id"].startswith(f"refactor-{forgotten['id']}-")

    created = rows["created"]  # not provisioned yet: a stage, not a fault
    assert (created["status"], created["verdict"]) == ("CREATED", "warning")
    assert created["finding"]["id"] == "project.not-ready"


def test_the_table_has_a_row_per_project_and_the_causes_below(team: Stack) -> None:
    code, out = status(team, "--no-color")
    lines = out.splitlines()
    assert code == 1
    header = next(line for line in lines if line.startswith("PROJECT"))
    assert header.split() == [
        "PROJECT", "TITLE", "STATUS", "CONTAINER", "AI", "SERVER", "NEWEST", "RUN", "VERDICT"
    ]  # fmt: skip
    column = header.index("VERDICT")
    rows = {line.split()[0]: line for line in lines if line[:24] in {*team.team, team.project_id}}
    assert len(rows) == 5
    for pid, state in team.team.items():
        expected = "✓ ok" if state == "healthy" else "✗ "
        assert rows[pid][column:].startswith(expected), rows[pid]
    stopped = next(pid for pid, state in team.team.items() if state == "stopped")
    assert f"       $ docker start refactor-project-{stopped}" in lines
    assert lines[-1].startswith("✗ 3 of 6 projects have a problem")


def test_markdown_is_a_table(team: Stack) -> None:
    code, out = status(team, "--format", "markdown")
    lines = out.splitlines()
    assert code == 1
    assert lines[2].startswith("| PROJECT | TITLE |") and lines[3].startswith("|---|")
    assert sum(1 for line in lines if line.startswith("| 6")) == 6
    assert any("**container.stopped**" in line for line in lines)


def test_without_docker_the_containers_are_not_looked_at(
    stack_factory: Any,
) -> None:
    stack = stack_factory(team=("healthy", "failed"))
    code, out = status(stack, "--json", "--no-docker", ai_url=stack.ai_url)
    rows = {row["id"]: row for row in json.loads(out)["projects"]}
    assert code == 1
    assert {rows[pid]["container"] for pid in stack.team} == {None}
    failed = next(pid for pid, state in stack.team.items() if state == "failed")
    assert rows[failed]["finding"]["id"] == "agent.no-api-key"


def test_projects_are_surveyed_at_once(stack_factory: Any) -> None:
    """Eight projects whose AI Server never answers take about one timeout, not eight."""
    stack = stack_factory(team=("healthy",) * 7)
    with silent_url() as url:
        started = time.monotonic()
        code, out = status(stack, "--json", "--no-docker", ai_url=url, timeout=1)
        elapsed = time.monotonic() - started
    rows = json.loads(out)["projects"]
    assert code == 1 and len(rows) == 9
    assert {r["ai_health"] for r in rows if r["status"] == "READY"} == {"ai.timeout"}
    assert elapsed < 8 * 1.0  # sequential probes would take at least 8 timeouts


def test_a_refused_login_is_shown_as_run_shows_it(stack: Stack) -> None:
    code, out = status(stack, "--no-docker", password="wrong")
    assert code == 1
    assert "auth.bad-credentials" in out and "PROJECT" not in out
