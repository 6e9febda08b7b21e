"""`sse-doctor demo`: the simulated stack, the doctor's verdict on it, then nothing left over."""

from __future__ import annotations

import json

import pytest

from doctor.cli import main
from doctor.demo_command import _fault_names
from doctor.testbed import FAULTS


def test_demo_offers_every_testbed_fault() -> None:
    assert sorted(_fault_names()) == sorted(FAULTS)


def test_healthy_demo_passes_every_criterion(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--json", "--timeout", "1"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["exit_code"] == 0
    assert all(criterion["met"] for criterion in doc["criteria"])


def test_demo_with_a_fault_names_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--json", "--timeout", "1", "--fault", "forbidden"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["diagnosis"][0]["category"] == "http-403-404"


def test_unknown_fault_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--fault", "meteor-strike"]) == 2
    assert "--fault" in capsys.readouterr().err
