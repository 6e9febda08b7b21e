"""The project container's own facts on the real engine: its state and limits, the agent's
environment variables by name only (no value in the output or the bundle), and whether
POSTGRES_URL's host is reachable from inside it."""

from __future__ import annotations

import json
import secrets
import tarfile
from pathlib import Path

import pytest

from doctor.cli import main
from doctor.testbed import Stack, doctor_args
from tests.helpers import FAST, doctor_json, finding_ids, results_by_id


def args(stack: Stack, *extra: str, **overrides: object) -> list[str]:
    return doctor_args(stack, *extra, **{**FAST, **overrides})


def bundle_text(stack: Stack, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """Every file of a ``sse-doctor report`` bundle of ``stack``, and its output, as text."""
    out = tmp_path / "bundle.tar.gz"
    main(["report", *args(stack), "-o", str(out)])
    captured = capsys.readouterr()
    with tarfile.open(out, "r:gz") as archive:
        members = [archive.extractfile(m) for m in archive.getmembers() if m.isfile()]
        text = "\n".join(m.read().decode("utf-8", "replace") for m in members if m)
        names = archive.getnames()
    assert any(name.endswith(f"{stack.container_name}/inspect.json") for name in names)
    return text + captured.out + captured.err


def test_no_api_key_is_named_and_no_value_is_shown_anywhere(
    stack_factory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    password, project, credentials = (secrets.token_hex(8) for _ in range(3))
    planted = {
        "POSTGRES_URL": f"postgresql://langgraph:{password}@postgres:5432/langgraph",
        "GCP_PROJECT_ID": f"gcp-{project}",
        "GOOGLE_APPLICATION_CREDENTIALS": f"/workspace/credentials/{credentials}.json",
    }
    stack = stack_factory(("no-api-key",), docker=True, ai_env=planted)
    code, document = doctor_json(*args(stack))
    env = results_by_id(document)["containers.env"]
    assert (env["status"], env["problem"]) == ("fail", "env.api-key-missing")
    assert f"{stack.container_name} has no ANTHROPIC_API_KEY" in env["message"]
    assert env["evidence"]["missing"] == ["ANTHROPIC_API_KEY"]
    assert set(env["evidence"]["present"]) == set(planted)
    assert "provision the project again" in env["hint"]
    first = document["diagnosis"][0]
    assert first["id"] == "env.api-key-missing" and first["category"] == "final-status"
    assert {"containers.env", "sse.final_status"} <= set(first["checks"])
    assert "agent.no-api-key" not in finding_ids(document)
    assert code == 1
    shown = json.dumps(document, ensure_ascii=False) + bundle_text(stack, tmp_path, capsys)
    for value in (password, project, credentials):
        assert value not in shown
    assert "POSTGRES_URL" in shown and "GCP_PROJECT_ID" in shown
    assert '"GCP_PROJECT_ID=[REDACTED]"' in shown  # the bundle's docker inspect, redacted


def test_a_key_that_looks_like_nothing_is_still_never_shown(
    stack_factory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = f"plain{secrets.token_hex(10)}"
    stack = stack_factory(docker=True, ai_env={"ANTHROPIC_API_KEY": key})
    code, document = doctor_json(*args(stack))
    env = results_by_id(document)["containers.env"]
    assert env["status"] == "pass", env["message"]
    assert "ANTHROPIC_API_KEY" in env["evidence"]["present"]
    assert env["evidence"]["image_pythonunbuffered"] == "set"
    assert "values are never shown" in env["message"]
    postgres = results_by_id(document)["containers.postgres"]
    assert postgres["status"] == "pass", postgres["message"]
    assert (postgres["evidence"]["host"], postgres["evidence"]["port"]) == ("postgres", 5432)
    assert key not in json.dumps(document) + bundle_text(stack, tmp_path, capsys)
    assert code == 0


def test_postgres_url_at_localhost_is_the_container_itself(stack_factory) -> None:
    password = secrets.token_hex(8)
    url = f"postgresql://langgraph:{password}@localhost:5432/langgraph"
    stack = stack_factory(docker=True, ai_env={"POSTGRES_URL": url})
    code, document = doctor_json(*args(stack))
    postgres = results_by_id(document)["containers.postgres"]
    # The run finished DONE, so the agent evidently had its PostgreSQL: a warning only.
    assert (postgres["status"], postgres["problem"]) == ("warn", "postgres.localhost")
    assert "inside" in postgres["message"] and "the container itself" in postgres["message"]
    assert "Yet the run finished DONE" in postgres["message"]
    assert code == 0
    code, document = doctor_json(*args(stack, only="containers.postgres"))
    postgres = results_by_id(document)["containers.postgres"]
    assert (postgres["status"], postgres["problem"]) == ("fail", "postgres.localhost")
    assert postgres["evidence"]["via"] == "docker exec python3"
    assert "postgres:5432 on refactor-network" in document["diagnosis"][0]["hint"]
    assert password not in json.dumps(document) and code == 1


def test_without_python3_nc_tries_postgres(stack_factory) -> None:
    stack = stack_factory(docker=True, tools="wget")
    code, document = doctor_json(*args(stack, only="containers.postgres"))
    postgres = results_by_id(document)["containers.postgres"]
    assert postgres["status"] == "pass", postgres["message"]
    assert postgres["evidence"]["via"] == "docker exec nc"
    unreachable = "postgresql://u:p@refactor-postgres-nosuch:5432/db"
    stack = stack_factory(docker=True, tools="wget", ai_env={"POSTGRES_URL": unreachable})
    code, document = doctor_json(*args(stack, only="containers.postgres"))
    postgres = results_by_id(document)["containers.postgres"]
    assert (postgres["status"], postgres["problem"]) == ("fail", "postgres.unreachable")
    assert "bad address" in postgres["message"] and code == 1


def test_the_container_s_state_times_limits_and_networks(stack_factory) -> None:
    stack = stack_factory(docker=True)
    code, document = doctor_json(*args(stack, only="containers.project"))
    evidence = results_by_id(document)["containers.project"]["evidence"]
    assert evidence["started_at"].endswith("Z") and "." not in evidence["started_at"]
    assert "finished_at" not in evidence  # Docker's zero time: never finished
    assert evidence["restart_count"] == 0 and evidence["memory_limit"] == "unlimited"
    assert list(evidence["networks"]) == ["bridge"] and evidence["networks"]["bridge"]
    stopped = stack_factory(("container-stopped",), docker=True)
    code, document = doctor_json(*args(stopped, only="containers.project"))
    evidence = results_by_id(document)["containers.project"]["evidence"]
    assert evidence["exit_code"] == 137 and evidence["oom_killed"] is False
    assert evidence["exit_meaning"].startswith("exit code 137: killed by SIGKILL")
    assert (
        evidence["finished_at"].endswith("Z") and evidence["finished_at"] >= evidence["started_at"]
    )
    assert code == 1
