"""`sse-doctor status` over many projects: its wall time as a ratio to --timeout.

The testbed's user gets 50 READY projects (plus a CREATED one), and --ai-url points at an
AI Server that takes the connection and never answers, so every project's /health waits its
full timeout. Surveyed one after another that would be 50 timeouts; all at once it is about
one. The extra projects have no container of their own (the backend lists no run for them),
so the testbed's single backend process answers them quickly, as a real one would.

Goal: wall time <= 1.5 x --timeout at the default --timeout (5 s). The wall time includes
the start-up and the login, about a second that does not grow with the timeout, so short
timeouts (--timeout 2) come out near the goal rather than under it. The same survey against
an AI Server that answers is printed beside it as the baseline.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

import pymongo

from doctor.config import Config
from doctor.testbed import Stack, doctor_args, start_stack
from doctor.testbed.hang import silent_url
from doctor.testbed.store import User, new_project


def survey_seconds(args: list[str]) -> float:
    """Wall time of ``sse-doctor status`` in a process of its own (the testbed, in this
    one, must not compete with it for the interpreter)."""
    command = [sys.executable, "-m", "doctor.cli", "status", "--json", *args]
    started = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, check=False)
    return time.perf_counter() - started


def more_projects(stack: Stack, count: int) -> None:
    """``count`` more READY projects of the stack's user, straight into its MongoDB."""
    with pymongo.MongoClient(stack.mongo_uri) as client:
        db = client[stack.mongo_db]
        found = db.users.find_one({"email": stack.email})
        owner = User(str(found["_id"]), stack.email, stack.username, stack.password)
        field = "init_prompt" if stack.profile == "v1" else "spec"
        for number in range(count):
            new_project(db, owner, f"bench project {number}", "READY", field)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--projects", type=int, default=50)
    parser.add_argument(
        "--timeout", type=float, action="append", help=f"repeatable (default {Config.timeout})"
    )
    options = parser.parse_args()
    print(f"projects {options.projects}; wall time of sse-doctor status, start-up included")
    with start_stack(()) as stack, silent_url() as never_answers:
        more_projects(stack, options.projects - 1)  # the stack has a READY project of its own
        for timeout in options.timeout or [Config.timeout]:
            base = doctor_args(stack, "--no-docker", project=None, run=None, timeout=timeout)
            answering = survey_seconds([*base, "--ai-url", str(stack.ai_url)])
            silent = survey_seconds([*base, "--ai-url", never_answers])
            print(f"--timeout {timeout:.1f} s")
            print(f"  AI Server answers (baseline) {answering:6.2f} s")
            print(f"  AI Server never answers      {silent:6.2f} s")
            print(f"  ratio to --timeout           {silent / timeout:6.2f} (goal <= 1.5)")


if __name__ == "__main__":
    main()
