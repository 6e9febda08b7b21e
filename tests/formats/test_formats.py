"""The output formats render one RunRecord: text, json, markdown, junit."""

from __future__ import annotations

import io
import json
import re
from xml.etree import ElementTree as ET

import pytest

from doctor.config import Config
from doctor.diagnosis import diagnose
from doctor.formats import renderer
from doctor.formats.progress import LiveProgress
from doctor.model import Category, Check, Result, Status
from doctor.session import RunRecord

ANSI = re.compile(r"\x1b\[")


class Fixed(Check):
    def __init__(self, check_id: str, layer: str, title: str) -> None:
        self.id, self.layer, self.title = check_id, layer, title


CHECKS = [
    Fixed("mongodb.ping", "mongodb", "MongoDB answers"),
    Fixed("containers.project", "container", "Project container runs"),
    Fixed("sse.stream", "sse", "SSE stream"),
    Fixed("sse.final_status", "sse", "Final status"),
]
RESULTS = [
    Result(
        "mongodb.ping", Status.PASS, "MongoDB 7.0.12 answered.", evidence={"ms": 3}, duration_ms=3
    ),
    Result(
        "containers.project",
        Status.FAIL,
        "Container refactor-project-abc is not running: Exited (137).",
        Category.HTTP_503,
        "docker start refactor-project-abc",
        {"exit_code": 137},
        12,
        problem="container.stopped",
    ),
    Result(
        "sse.stream",
        Status.FAIL,
        "The backend cannot resolve the project's container.",
        Category.TIMEOUT,
        None,
        {"status": 200},
        problem="network.container-unresolvable",
    ),
    Result("sse.final_status", Status.SKIP, "Skipped because sse.stream did not pass."),
]


@pytest.fixture
def record() -> RunRecord:
    return RunRecord(
        started_at="2026-11-27T10:30:45+00:00",
        duration_ms=1234,
        config=Config(),
        target={
            "backend_url": "http://localhost:8000",
            "project_id": "abc",
            "run_id": "r1",
            "mongo_uri": "mongodb://localhost:27017",
        },
        checks=CHECKS,
        results=RESULTS,
        criteria={"sse.connect": False, "sse.log_event": None},
        diagnosis=diagnose(RESULTS, CHECKS),
    )


def test_diagnosis_names_the_upstream_cause_once(record: RunRecord) -> None:
    (finding,) = record.diagnosis
    assert (finding.id, finding.category) == ("container.stopped", Category.HTTP_503)
    assert finding.checks == ("containers.project", "sse.stream")
    assert finding.title.startswith("Container refactor-project-abc is not running")
    assert finding.hint == "docker start refactor-project-abc"


def test_json_document_follows_the_schema(record: RunRecord) -> None:
    doc = json.loads(renderer("json")(record, 0, False))
    assert list(doc) == [
        "schema",
        "tool_version",
        "started_at",
        "duration_ms",
        "target",
        "results",
        "criteria",
        "diagnosis",
        "not_run",
        "cancelled",
        "interrupted",
        "summary",
        "exit_code",
    ]
    assert doc["schema"] == "sse-doctor/1"
    assert list(doc["results"][1]) == [
        "id",
        "layer",
        "title",
        "status",
        "category",
        "problem",
        "basis",
        "message",
        "hint",
        "evidence",
        "duration_ms",
    ]
    assert doc["results"][1]["category"] == "http-503"
    assert [c["id"] for c in doc["criteria"]] == [
        "sse.connect",
        "sse.log_event",
        "sse.log_data",
        "sse.status_event",
        "sse.clean_end",
        "run.final_status",
    ]
    assert doc["criteria"][0]["met"] is False and doc["criteria"][1]["met"] is None
    assert doc["diagnosis"] == [
        {
            "id": "container.stopped",
            "category": "http-503",
            "severity": "problem",
            "basis": "observed",
            "title": "Container refactor-project-abc is not running: Exited (137).",
            "checks": ["containers.project", "sse.stream"],
            "hint": "docker start refactor-project-abc",
            "evidence": {"exit_code": 137},
        }
    ]
    assert doc["summary"] == {"pass": 1, "warn": 0, "fail": 2, "skip": 1, "error": 0}
    assert doc["exit_code"] == 1


def test_plain_text_groups_by_layer_with_marks(record: RunRecord) -> None:
    text = renderer("text")(record, 0, False, 100)
    assert not ANSI.search(text)
    lines = text.splitlines()
    assert lines[:2] == ["sse-doctor 0.1.0 · http://localhost:8000", "project abc · run r1"]
    assert lines.index("MongoDB") < lines.index("Containers") < lines.index("SSE stream")
    assert "  ✓ mongodb.ping       MongoDB 7.0.12 answered." in lines
    assert any(
        re.match(r"  ✗ containers\.project Container refactor-project-abc", ln) for ln in lines
    )
    assert "  − sse.final_status   Skipped because sse.stream did not pass." in lines
    assert (
        "  1. The project's container is not running [container.stopped, http-503, observed]"
        in lines
    )
    assert "     → docker start refactor-project-abc" in lines
    assert "     Seen in: containers.project, sse.stream" in lines
    assert "  [ ] SSE connection established" in lines
    assert "  not evaluated: `event: log` events received;" in text
    assert "1 passed, 0 warnings, 2 failed, 0 errors, 1 skipped in 1.2 s" in lines
    assert lines[-1] == (
        "✗ 1 problem found — run `sse-doctor report` to attach the bundle to an issue"
    )
    assert "took" not in text and "exit_code" not in text


def test_text_at_a_fixed_width_wraps_messages_under_their_column(record: RunRecord) -> None:
    lines = renderer("text")(record, 0, False, 60).splitlines()
    row = lines.index("  ✗ containers.project Container refactor-project-abc is not")
    assert lines[row + 1] == "                       running: Exited (137)."
    assert all(len(line) <= 60 for line in lines if "sse-doctor report" not in line)


def test_quiet_text_is_the_closing_line_only(record: RunRecord) -> None:
    assert renderer("text")(record, -1, False).splitlines() == [
        "✗ 1 problem found — run `sse-doctor report` to attach the bundle to an issue"
    ]


def test_verbose_text_shows_durations_and_evidence(record: RunRecord) -> None:
    lines = renderer("text")(record, 1, False, 100).splitlines()
    row = lines.index(
        "  ✗ containers.project Container refactor-project-abc is not running: Exited (137)."
    )
    assert lines[row + 1 : row + 3] == [" " * 23 + "• took 12 ms", " " * 23 + "• exit_code: 137"]


def test_very_verbose_text_shows_the_evidence_as_json(record: RunRecord) -> None:
    text = renderer("text")(record, 2, False, 100)
    assert '"exit_code": 137' in text and "• took 12 ms" in text


def test_colour_text_has_escape_codes(record: RunRecord) -> None:
    assert ANSI.search(renderer("text")(record, 0, True))


def test_markdown(record: RunRecord) -> None:
    text = renderer("markdown")(record, 0, False)
    assert (
        "1. **The project's container is not running** (`container.stopped`): "
        "Container refactor-project-abc" in text
    )
    assert "- [ ] SSE connection established" in text
    assert "| ✗ fail | `containers.project` |" in text


def test_junit_has_one_testcase_per_check_and_per_criterion(record: RunRecord) -> None:
    suites = ET.fromstring(renderer("junit")(record, 0, False).split("\n", 1)[1])
    checks, criteria = suites.findall("testsuite")
    assert checks.get("name") == "sse-doctor.checks"
    assert (checks.get("tests"), checks.get("failures"), checks.get("skipped")) == ("4", "2", "1")
    cases = checks.findall("testcase")
    assert [c.get("name").split(":")[0] for c in cases] == [c.id for c in CHECKS]
    assert cases[1].find("failure").get("type") == "container.stopped"
    assert cases[3].find("skipped") is not None

    assert criteria.get("name") == "sse-doctor.criteria"
    assert (criteria.get("tests"), criteria.get("failures"), criteria.get("skipped")) == (
        "6",
        "1",
        "5",
    )
    connect, *rest = criteria.findall("testcase")
    assert connect.get("name") == "sse.connect: SSE connection established"
    failure = connect.find("failure")
    assert failure.get("type") == "container.stopped"
    assert failure.get("message").startswith("container.stopped: Container refactor-project-abc")
    assert all(case.find("skipped") is not None for case in rest)


def test_live_progress_lists_running_checks() -> None:
    buffer = io.StringIO()
    live = LiveProgress(buffer)
    with live:
        live.progress.on_start(CHECKS[0])
        assert "mongodb.ping" in str(live._view().text)
        live.progress.on_result(CHECKS[0], RESULTS[0])
    assert live.done == 1 and not live.running


def test_each_service_down_is_a_cause_of_its_own() -> None:
    checks = [
        Fixed("mongodb.ping", "mongodb", "MongoDB answers"),
        Fixed("docker.engine", "docker", "Docker engine answers"),
        Fixed("backend.liveness", "backend", "Backend answers"),
        Fixed("backend.login", "backend", "Login"),
    ]
    down = Category.PREREQUISITE
    results = [
        Result(
            "mongodb.ping", Status.FAIL, "Nothing listens at :27017.", down, problem="mongodb.down"
        ),
        Result("docker.engine", Status.FAIL, "No Docker engine.", down, problem="docker.down"),
        Result(
            "backend.liveness",
            Status.FAIL,
            "Nothing listens at :8000.",
            down,
            problem="backend.down",
        ),
        Result("backend.login", Status.FAIL, "HTTP 500.", down, problem="backend.error"),
    ]
    findings = diagnose(results, checks)
    assert [f.title for f in findings] == [
        "Nothing listens at :27017.",
        "No Docker engine.",
        "Nothing listens at :8000.",
    ]
    assert findings[0].checks == ("mongodb.ping", "backend.login")


def test_a_plugins_result_without_an_id_is_still_a_finding() -> None:
    checks = [Fixed("acme.thing", "acme", "Acme")]
    results = [Result("acme.thing", Status.FAIL, "Acme is down.", Category.PREREQUISITE)]
    (finding,) = diagnose(results, checks)
    assert (finding.id, finding.severity, finding.category) == (
        "check.failed",
        "problem",
        Category.PREREQUISITE,
    )


def test_junit_stays_xml_when_a_message_holds_control_characters(record: RunRecord) -> None:
    record.results[0] = Result("mongodb.ping", Status.PASS, "binary \x00\x1b[0m body\x07")
    suite = ET.fromstring(renderer("junit")(record, 0, False).split("\n", 1)[1])
    assert suite.find("testsuite/testcase/system-out").text == "binary [0m body"


def test_what_was_left_out_is_said_with_its_option(record: RunRecord) -> None:
    record.left_out = [(5, "--no-docker"), (1, "--skip backend.log")]
    lines = renderer("text")(record, 0, False, 100).splitlines()
    assert "5 Docker checks not run: --no-docker" in lines
    assert "1 check not run: --skip backend.log" in lines
    document = json.loads(renderer("json")(record, 0, False))
    assert document["not_run"] == [
        {"count": 5, "why": "--no-docker"},
        {"count": 1, "why": "--skip backend.log"},
    ]


def test_counts_are_singular_for_one(record: RunRecord) -> None:
    record.results[2] = Result("sse.stream", Status.WARN, "slow", problem="sse.slow")
    text = renderer("text")(record, 0, False, 100)
    assert "1 passed, 1 warning, 1 failed, 0 errors, 1 skipped" in text


def test_criteria_never_evaluated_are_one_line(record: RunRecord) -> None:
    record.criteria = {}
    lines = renderer("text")(record, 0, False, 100).splitlines()
    assert "Success criteria: not evaluated (the stream was not watched)." in lines
    assert not any("[ ]" in line or "[x]" in line for line in lines)


def _refuse(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def test_json_never_writes_infinity_or_nan(record: RunRecord) -> None:
    evidence = {"ratio": float("inf"), "gap": float("-inf"), "mean": float("nan"), "n": 1e300}
    record.results[0] = Result("mongodb.ping", Status.PASS, "ok", evidence=evidence)
    document = json.loads(renderer("json")(record, 0, False), parse_constant=_refuse)
    shown = document["results"][0]["evidence"]
    assert shown == {"ratio": "inf", "gap": "-inf", "mean": "nan", "n": 1e300}
