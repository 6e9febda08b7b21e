"""A stack where every target accepts connections and never answers: bounded by deadlines."""

from __future__ import annotations

import contextlib
import json
import time

import pytest

from doctor.cli import main
from doctor.testbed.hang import hanging_port

TIMEOUT = 1.0


def test_every_target_hanging_ends_within_twice_the_probe_timeout(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with contextlib.ExitStack() as listeners:
        backend, mongo, docker, ai = (listeners.enter_context(hanging_port()) for _ in range(4))
        started = time.monotonic()
        code = main(
            [
                "run", "--json", "--timeout", str(TIMEOUT),
                "--backend-url", f"http://127.0.0.1:{backend}",
                "--mongo-uri", f"mongodb://127.0.0.1:{mongo}",
                "--docker-host", f"tcp://127.0.0.1:{docker}",
                "--ai-url", f"http://127.0.0.1:{ai}",
                "--email", "someone@example.com", "--password", "not-shown-1234",
                "--project", "65f0c0ffee65f0c0ffee65f0", "--run", "65f0c0ffee65f0c0ffee0001",
            ]
        )  # fmt: skip
        elapsed = time.monotonic() - started
    report = json.loads(capsys.readouterr().out)
    by_id = {result["id"]: result for result in report["results"]}
    assert code == 1
    for check_id in ("backend.liveness", "mongodb.ping", "ai_server.health"):
        assert (by_id[check_id]["status"], by_id[check_id]["category"]) == ("fail", "timeout")
    engine = by_id["docker.engine"]  # an engine that does not answer is not running for us
    assert (engine["status"], engine["category"]) == ("fail", "prerequisite")
    assert "did not answer" in engine["message"]
    assert by_id["sse.stream"]["status"] == "skip"
    assert [f["checks"][0] for f in report["diagnosis"]] == [
        "mongodb.ping",
        "docker.engine",
        "backend.liveness",
        "ai_server.health",
    ]
    # The deadlines fired: the run within twice the probe timeout, the command (which also
    # imports the checks' libraries) with some slack.
    assert report["duration_ms"] < 2 * TIMEOUT * 1000
    assert elapsed < 2 * TIMEOUT + 1.5
