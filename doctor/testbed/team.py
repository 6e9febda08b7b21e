"""A team server: projects beside the stack's own, each with an AI Server of its own and in a
state of its own, as ``sse-doctor status`` meets them. Also how the testbed starts a run
and waits for it, as the front end would."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterable, MutableMapping
from typing import Any

import httpx
import pymongo
from bson import ObjectId

from doctor.testbed.ai_server import Settings
from doctor.testbed.backend import CONTAINER_PREFIX
from doctor.testbed.store import DATABASE, User, new_project

API_PREFIX = "/api/v1"
SEED_DEADLINE_S = 10.0
TEAM_STATES: dict[str, str] = {
    "healthy": "READY, its container running, its newest run DONE",
    "stopped": "its container killed after its run (exit 137); without Docker, its AI Server gone",
    "failed": "its newest run FAILED: its container has no ANTHROPIC_API_KEY",
    "forgotten": "its AI Server restarted after the run and knows no task",
}
"""What each member of a team can be."""

MakeAI = Callable[[str, Settings], Any]
"""(container name, settings) -> a started AI Server (in this process or a container)."""


@dataclasses.dataclass
class Member:
    """A project of the team and the AI Server behind it."""

    project_id: str
    state: str
    ai: Any
    run_id: str = ""


def validate_team(states: Iterable[str]) -> tuple[str, ...]:
    """The states as a tuple; ValueError naming an unknown one."""
    chosen = tuple(states)
    unknown = sorted(set(chosen).difference(TEAM_STATES))
    if unknown:
        known = ", ".join(TEAM_STATES)
        raise ValueError(f"unknown team state(s): {', '.join(unknown)}; known: {known}")
    return chosen


def start_team(
    states: Iterable[str],
    mongo_uri: str,
    owner: User,
    prompt_field: str,
    settings: Settings,
    make_ai: MakeAI,
    routes: MutableMapping[str, Any],
) -> list[Member]:
    """A READY project of ``owner`` per state, each with its AI Server routed by name."""
    members = []
    with pymongo.MongoClient(mongo_uri, serverSelectionTimeoutMS=2000) as client:
        db = client[DATABASE]
        for number, state in enumerate(states, 1):
            project_id = new_project(db, owner, f"team {state} {number}", "READY", prompt_field)
            env = dict(settings.env)
            if state == "failed":
                env.pop("ANTHROPIC_API_KEY", None)
            name = f"{CONTAINER_PREFIX}{project_id}"
            ai = make_ai(name, dataclasses.replace(settings, env=env))
            routes[name] = ai
            if hasattr(ai, "id"):  # in a container: the backend's docker_status reads it
                db.projects.update_one(
                    {"_id": ObjectId(project_id)}, {"$set": {"container_id": ai.id}}
                )
            members.append(Member(project_id, state, ai))
    return members


def settle_team(members: list[Member], backend_url: str, token: str, docker: bool) -> None:
    """Run every member's agent to its end, then put each into its state."""
    for member in members:
        member.run_id = start_run(backend_url, token, member.project_id)
    for member in members:
        wait_run(backend_url, token, member.project_id, member.run_id)
        if member.state == "stopped":
            member.ai.kill() if docker else member.ai.stop()
        elif member.state == "forgotten":
            member.ai.restart() if docker else member.ai.forget()


def start_run(backend_url: str, token: str, project_id: str) -> str:
    """Start a run through the backend, as the front end does."""
    headers = {"Authorization": f"Bearer {token}"}
    url = f"{backend_url}{API_PREFIX}/projects/{project_id}/agent/run"
    answer = httpx.post(url, headers=headers, timeout=5, trust_env=False)
    answer.raise_for_status()
    return str(answer.json()["run_id"])


def wait_run(backend_url: str, token: str, project_id: str, run_id: str) -> None:
    """Poll the backend until the run is no longer RUNNING."""
    headers = {"Authorization": f"Bearer {token}"}
    url = f"{backend_url}{API_PREFIX}/projects/{project_id}/agent/runs/{run_id}"
    deadline = time.monotonic() + SEED_DEADLINE_S
    while time.monotonic() < deadline:
        answer = httpx.get(url, headers=headers, timeout=5, trust_env=False)
        if answer.is_success and answer.json().get("status") != "RUNNING":
            return
        time.sleep(0.05)
    raise TimeoutError(f"testbed: run {run_id} did not finish in {SEED_DEADLINE_S} s")
