"""Checks are found through the sse_doctor.checks entry points, third-party ones included."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from doctor.config import ConfigError
from doctor.model import Check
from doctor.registry import load_checks, order, select
from tests.helpers import doctor_json

PLUGIN = Path(__file__).parent / "plugins" / "example_plugin"


class Stub(Check):
    layer = "backend"
    title = "stub"

    def __init__(self, check_id: str, depends_on: tuple[str, ...] = (), layer: str = "backend"):
        self.id, self.depends_on, self.layer = check_id, depends_on, layer


def test_builtin_checks_register_through_entry_points() -> None:
    checks = load_checks()
    ids = [c.id for c in checks]
    assert {"backend.liveness", "docker.engine", "sse.stream"} <= set(ids)
    assert {c.source for c in checks if c.id == "backend.liveness"} == {"sse-doctor"}
    for position, check in enumerate(checks):  # dependencies come first
        assert all(ids.index(dep) < position for dep in check.depends_on if dep in ids)


def test_order_rejects_a_cycle() -> None:
    with pytest.raises(ConfigError, match="circular"):
        order([Stub("a", ("b",)), Stub("b", ("a",))])


def test_select_only_brings_dependencies_and_skip_removes() -> None:
    checks = order([Stub("a"), Stub("b", ("a",)), Stub("c", layer="sse")])
    assert [c.id for c in select(checks, ["b"], [])] == ["a", "b"]
    assert [c.id for c in select(checks, ["sse"], [])] == ["c"]
    assert [c.id for c in select(checks, [], ["a"])] == ["b", "c"]
    with pytest.raises(ConfigError, match="--only: no check or layer named 'nope'"):
        select(checks, ["nope"], [])


@pytest.fixture(scope="module")
def plugin_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example plugin, installed by pip into a directory of its own."""
    target = tmp_path_factory.mktemp("site")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            "--no-build-isolation",
            "--target",
            str(target),
            str(PLUGIN),
        ],
        check=True,
        capture_output=True,
    )
    return target


def _doctor(plugin_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(plugin_path)}
    return subprocess.run(
        [sys.executable, "-m", "doctor.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_third_party_check_is_listed_with_its_package(plugin_path: Path) -> None:
    listing = _doctor(plugin_path, "checks")
    assert listing.returncode == 0, listing.stderr
    line = next(line for line in listing.stdout.splitlines() if line.startswith("example.proxy"))
    assert "sse-doctor-example-plugin" in line


def test_third_party_check_runs(plugin_path: Path) -> None:
    done = _doctor(plugin_path, "run", "--only", "example.proxy", "--json", "--no-docker")
    assert done.returncode == 0, done.stderr
    (result,) = json.loads(done.stdout)["results"]
    assert result["id"] == "example.proxy"
    assert result["status"] == "pass"
    assert result["message"] == "Hello from a plugin."


def test_a_broken_plugin_is_a_one_line_setup_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = tmp_path / "site"
    dist = site / "broken_plugin-1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-plugin\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[sse_doctor.checks]\nbroken = broken_checks\n")
    (site / "broken_checks.py").write_text("CHECKS = [object()]\n")
    done = subprocess.run(
        [sys.executable, "-m", "doctor.cli", "checks"],
        env={**os.environ, "PYTHONPATH": str(site)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("sse-doctor: error: sse_doctor.checks: cannot load broken")
    assert "is not a Check" in line


def test_a_typo_in_the_plugin_list_checks_nothing_says_so_and_exits_3(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    every = len(load_checks())
    monkeypatch.setenv("SSE_DOCTOR_PLUGINS", "sse_stream_")
    code, document = doctor_json("--no-docker", "--timeout", "1")
    assert (code, document["results"]) == (3, [])
    (not_run,) = document["not_run"]
    assert not_run["count"] == every
    assert "no plugin is named sse_stream_" in not_run["why"]
    assert "registered: ai_server, backend" in not_run["why"]
    (finding,) = document["diagnosis"]
    assert finding["id"] == "sse.not-tested"
    assert finding["title"].startswith("Nothing was checked")
