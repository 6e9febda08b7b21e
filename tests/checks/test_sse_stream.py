"""The stream checks end to end, against both testbed profiles: each finding on its evidence."""

from __future__ import annotations

import pytest

from checks.sse_stream import StreamCheck
from doctor.config import Config
from doctor.context import Context
from tests.helpers import doctor_json, finding_ids, local_args, results_by_id

ALL_MET = [True] * 6


def criteria(document: dict) -> list[bool | None]:
    return [criterion["met"] for criterion in document["criteria"]]


def test_a_healthy_v2_stack_meets_all_six_criteria_on_a_replay(stack) -> None:
    code, document = doctor_json(*local_args(stack))
    results = results_by_id(document)
    assert criteria(document) == ALL_MET
    assert (code, document["diagnosis"]) == (0, [])
    assert results["sse.stream"]["evidence"]["replay"] is True
    assert "a replay of a finished run" in results["sse.stream"]["message"]
    assert results["ai_server.stream"]["status"] == "pass"
    assert results["sse.final_status"]["message"] == "The run finished: DONE."


def test_a_new_run_is_watched_live_and_compared_with_the_ai_servers_own_stream(stack) -> None:
    code, document = doctor_json(*local_args(stack, "--new-run", run=None))
    results = results_by_id(document)
    assert criteria(document) == ALL_MET
    assert code == 0
    run = results["backend.run"]
    assert run["evidence"]["url"].endswith("/agent/run")
    assert run["evidence"]["run_id"] == document["target"]["run_id"] != stack.run_id
    assert "replay" not in results["sse.stream"]["evidence"]
    compared = results["ai_server.stream"]["evidence"]
    assert compared["ai_events"] == compared["forwarded_events"] > 10


def test_without_a_run_the_newest_one_is_watched(stack) -> None:
    for run in (None, "latest"):
        code, document = doctor_json(*local_args(stack, run=run))
        chosen = results_by_id(document)["backend.run"]
        assert chosen["evidence"]["chosen"] == "newest"
        assert document["target"]["run_id"] == stack.run_id
        assert code == 0


def test_the_v1_stream_is_diagnosed_as_double_framed_not_as_missing_logs(stack_factory) -> None:
    stack = stack_factory(profile_name="v1")
    code, document = doctor_json(*local_args(stack))
    assert finding_ids(document) == ["sse.double-framed"]
    assert criteria(document) == [True, False, False, False, False, True]
    assert "task_logs" not in str(document["diagnosis"])
    assert results_by_id(document)["ai_server.stream"]["status"] == "pass"
    assert code == 1


@pytest.mark.parametrize("profile", ["v1", "v2"])
@pytest.mark.parametrize(
    ("fault", "problem", "checks"),
    [
        ("ai-down", "sse.upstream-unreachable", {"sse.stream", "ai_server.health"}),
        ("container-unresolvable", "network.container-unresolvable", {"sse.stream"}),
        ("ai-killed", "sse.upstream-cut", {"sse.stream"}),
        ("unknown-run", "run.not-found", {"sse.stream", "ai_server.tasks"}),
    ],
)
def test_the_real_failure_signatures_each_name_one_cause(
    stack_factory, profile, fault, problem, checks
) -> None:
    stack = stack_factory((fault,), profile_name=profile)
    code, document = doctor_json(*local_args(stack))
    found = finding_ids(document)
    assert found[0] == problem
    assert checks <= set(document["diagnosis"][0]["checks"])
    assert found.count(problem) == 1
    assert "run.not-found" not in found[1:]
    assert code == 1


def test_a_failed_run_meets_the_sixth_criterion_and_is_still_a_problem(stack_factory) -> None:
    stack = stack_factory(("no-api-key",))
    code, document = doctor_json(*local_args(stack))
    assert criteria(document) == ALL_MET
    finding = document["diagnosis"][0]
    assert finding["id"] == "agent.no-api-key"
    assert "Anthropic API 未配置" in finding["title"]
    assert code == 1


def test_only_pings_for_a_run_that_never_started_is_keepalive_only(stack_factory) -> None:
    stack = stack_factory(("keepalive-only",), ping_interval=0.2)
    code, document = doctor_json(*local_args(stack, stream_timeout=1.5))
    assert finding_ids(document) == ["sse.keepalive-only"]
    assert results_by_id(document)["sse.stream"]["evidence"]["pings"] >= 3
    assert code == 1


def test_the_doctors_own_limit_is_inconclusive_not_a_broken_stream(stack_factory) -> None:
    stack = stack_factory(("agent-stall",), ping_interval=0.2)
    code, document = doctor_json(*local_args(stack, stream_timeout=1.5))
    assert finding_ids(document) == ["sse.observation-cut"]
    assert document["diagnosis"][0]["severity"] == "inconclusive"
    results = results_by_id(document)
    assert results["sse.final_status"]["status"] == "skip"
    assert results["ai_server.stream"]["status"] == "pass"
    assert criteria(document)[3:5] == [None, None]
    assert code == 3


def test_a_stream_that_outruns_the_doctor_is_a_flood_named_within_the_deadline(
    stack_factory,
) -> None:
    stack = stack_factory(("flood",))
    code, document = doctor_json(*local_args(stack, stream_timeout=1.5))
    assert finding_ids(document) == ["sse.flood"]
    stream = results_by_id(document)["sse.stream"]
    assert stream["problem"] == "sse.flood"  # not check.timeout: the verdict came in time
    assert stream["duration_ms"] < 1000 * StreamCheck().deadline(
        Context(Config(timeout=2, stream_timeout=1.5))
    )
    flood = stream["evidence"]["flood"]
    # the watch ends at --stream-timeout, give or take the watchdog's wake-up
    assert flood["lines_per_s"] >= 1000 and 0 < flood["seconds"] <= 1.5 + 0.5
    assert flood["lines_in_memory"] <= 2000 < flood["lines"]
    assert flood["lines_spilled"] + flood["lines_not_kept"] == flood["lines"] - 2000  # the ends
    assert "lines a second" in stream["message"]
    assert criteria(document)[1:5] == [True, True, None, None]  # judged from what was seen
    assert code == 1


def test_slow_events_are_named_as_such(stack_factory) -> None:
    stack = stack_factory(("slow-events",), ping_interval=0.5)
    code, document = doctor_json(*local_args(stack, stream_timeout=4))
    found = finding_ids(document)
    assert "sse.slow" in found and "sse.observation-cut" in found
    assert code == 3


@pytest.mark.parametrize(
    ("profile", "header_said"), [("v1", True), ("v2", False)], ids=["v1", "v2"]
)
def test_buffering_is_judged_from_the_events_own_times(stack_factory, profile, header_said) -> None:
    stack = stack_factory(("buffered",), profile_name=profile)
    code, document = doctor_json(*local_args(stack, "--new-run", run=None))
    finding = next(f for f in document["diagnosis"] if f["id"] == "sse.buffered")
    assert "arrived within" in finding["title"]
    assert ("already says X-Accel-Buffering: no" in finding["hint"]) is header_said
    if profile == "v2":
        assert (code, finding["severity"]) == (0, "warning")
        strict, _ = doctor_json(*local_args(stack, "--new-run", "--strict", run=None))
        assert strict == 1


def test_a_replayed_finished_run_is_not_called_buffered(stack_factory) -> None:
    stack = stack_factory(("gzip",))
    code, document = doctor_json(*local_args(stack))
    assert finding_ids(document) == ["sse.gzip"]
    assert criteria(document) == ALL_MET
    assert code == 0


def test_the_wrong_content_type_fails_the_connection_criterion(stack_factory) -> None:
    stack = stack_factory(("wrong-content-type",))
    code, document = doctor_json(*local_args(stack))
    assert finding_ids(document)[0] == "sse.wrong-content-type"
    assert criteria(document)[0] is False
    assert code == 1


def test_no_run_to_watch_is_not_tested_and_exits_3(stack_factory) -> None:
    stack = stack_factory(("unknown-run",))
    code, document = doctor_json(*local_args(stack, run="latest"))
    assert finding_ids(document) == ["sse.not-tested"]
    assert "no run to watch" in document["diagnosis"][0]["title"]
    assert code == 3


def test_no_credentials_means_the_stream_was_not_tested(stack) -> None:
    code, document = doctor_json(*local_args(stack, password=None))
    finding = document["diagnosis"][0]
    assert finding["id"] == "sse.not-tested"
    assert "No credentials" in finding["title"]
    assert finding["checks"] == ["backend.login"]
    assert code == 3


def test_over_ai_url_with_docker_there_is_no_container_claim(stack, base_image_tag) -> None:
    args = local_args(stack, base_image=base_image_tag)
    args.remove("--no-docker")
    code, document = doctor_json(*args)
    results = results_by_id(document)
    assert results["containers.project"]["status"] == "skip"
    assert not any(f["id"].startswith("container.") for f in document["diagnosis"])
    missing = [f for f in document["diagnosis"] if f["id"] == "image.missing"]
    assert [f["severity"] for f in missing] == ["warning"]
    assert code == 0


def test_credentials_the_doctor_cannot_use_are_its_view_not_a_dead_service(stack_factory) -> None:
    stack = stack_factory(("mongo-auth",))
    code, document = doctor_json(*local_args(stack))
    finding = document["diagnosis"][0]
    assert (finding["id"], finding["severity"]) == ("mongodb.auth", "warning")
    assert "doctor's view" in finding["title"]
    assert code == 0
