"""Help, the checks listing and selection names, as a new user meets them."""

from __future__ import annotations

import json
import re

import pytest

from doctor.cli import _command_line, main
from doctor.config import Config
from doctor.model import LAYER_NAMES, layer_rank
from doctor.registry import load_checks, select

COMMANDS = _command_line().COMMANDS
"""Read through the package, which keeps ``doctor.cli.main`` the entry point (importing the
submodule directly would make that name the module for every test collected after this one)."""


def doctor(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_bare_sse_doctor_prints_the_help_and_succeeds(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = doctor(capsys)
    assert (code, err) == (0, "")
    assert out.startswith("Usage: sse-doctor")
    summaries = {
        line.split()[0]: line for line in out.split("Commands:\n")[1].splitlines() if line.strip()
    }
    assert set(summaries) == set(COMMANDS)
    assert not any(line.rstrip().endswith("...") for line in summaries.values())


def test_run_help_groups_its_options_shows_defaults_and_examples(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    code, out, _ = doctor(capsys, "run", "--help")
    assert code == 0
    headings = [line for line in out.splitlines() if re.fullmatch(r"[A-Z][a-z]+:", line)]
    assert headings == ["Connection:", "Selection:", "Stream:", "Output:", "Options:", "Examples:"]
    connection = out.split("Connection:")[1].split("Selection:")[0]
    assert "--backend-url" in connection and "--timeout" in connection
    assert "--only" in out.split("Selection:")[1].split("Stream:")[0]
    flat = " ".join(out.split())
    for default in (Config.backend_url, Config.base_image, f"{Config.timeout}", "/api/v1"):
        assert f"default: {default}" in flat.replace("- ", "-")


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_has_examples_of_itself(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = doctor(capsys, name, "--help")
    assert code == 0
    examples = [line.strip() for line in out.split("Examples:\n")[1].splitlines() if line.strip()]
    assert examples and all(line.startswith(f"sse-doctor {name}") for line in examples)


def test_checks_are_listed_in_layer_order(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = doctor(capsys, "checks")
    rows = [line.split()[:2] for line in out.splitlines()[1:]]
    assert code == 0
    ranks = [layer_rank(layer) for _, layer in rows]
    assert ranks == sorted(ranks)
    assert {r[0] for r in rows} == {c.id for c in load_checks()}


def test_checks_json_and_one_check_in_detail(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = doctor(capsys, "checks", "--json")
    listed = json.loads(out)
    assert code == 0 and {c["id"] for c in listed} == {c.id for c in load_checks()}
    project = next(c for c in listed if c["id"] == "containers.project")
    assert project["heading"] == LAYER_NAMES["container"] and project["uses_docker"] is True
    assert "backend.projects" in project["needs"]

    code, out, _ = doctor(capsys, "checks", "containers.project")
    lines = out.splitlines()
    assert code == 0 and lines[0] == "containers.project: Project container runs"
    assert "needs: backend.projects" in lines and "uses Docker: yes" in lines
    assert "exit code" in out  # the description from the check itself

    code, out, _ = doctor(capsys, "checks", "containers.project", "--json")
    assert json.loads(out)["id"] == "containers.project"


def test_an_unknown_check_is_one_line_naming_the_known_ones(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = doctor(capsys, "checks", "nope")
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and "no check named 'nope'" in err and "sse.stream" in err


@pytest.mark.parametrize("name", ["containers", "container", "Containers", "CONTAINERS"])
def test_the_containers_layer_by_any_of_its_names_pulls_in_the_project(name: str) -> None:
    chosen = {c.id for c in select(load_checks(), [name], [])}
    assert {"containers.list", "containers.project"} <= chosen
    assert "backend.projects" in chosen  # it supplies the project the container is named by
    assert not any(c.startswith("sse.") for c in chosen)


def test_a_heading_with_a_space_selects_its_layer(capsys: pytest.CaptureFixture[str]) -> None:
    chosen = {c.id for c in select(load_checks(), ["AI Server"], [])}
    assert {"ai_server.health", "ai_server.tasks", "ai_server.stream"} <= chosen


def test_an_unknown_selection_lists_the_names_it_takes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = doctor(capsys, "run", "--only", "contaners", "--no-docker")
    assert code == 2 and err.count("\n") == 1
    assert "no check or layer named 'contaners'" in err
    for name in ("container", "Containers", "containers", "`sse-doctor checks`"):
        assert name in err
