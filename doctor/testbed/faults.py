"""Fault names the testbed can inject, what each one models, and their validation."""

from __future__ import annotations

from collections.abc import Iterable

FAULTS: dict[str, str] = {
    # the services
    "backend-hang": "the backend accepts connections and never answers",
    "mongo-down": "MongoDB stops after the backend started: its database calls fail",
    "mongo-auth": "the doctor's MongoDB URI carries credentials the server refuses",
    # the project the doctor is pointed at
    "foreign-project": "the project belongs to another user",
    "unknown-project": "no project has the given id",
    "project-not-ready": "the project is CREATED, not READY",
    # the AI Server and the path to it
    "ai-down": "the AI Server does not listen (All connection attempts failed)",
    "container-unresolvable": "the backend cannot resolve refactor-project-<id>",
    "ai-killed": "the AI Server dies after sending three events",
    "unknown-run": "the AI Server restarted and no longer knows the run",
    "no-api-key": "the AI Server has no ANTHROPIC_API_KEY: the run FAILED",
    "no-postgres-url": "the AI Server has no POSTGRES_URL (v2): the run FAILED",
    "keepalive-only": "the run never starts: only pings flow",
    "agent-stall": "the agent stops after its first logs while pings flow",
    "slow-events": "the agent takes 1.5 s between events",
    # a proxy in front of the backend
    "gzip": "the stream is gzip-compressed",
    "buffered": "the stream is held back and released at its end",
    "wrong-content-type": "the stream is served as text/plain",
    "flood": "the stream pours out log events without end, faster than a client reads",
    # Docker (with --docker)
    "container-stopped": "the project container was killed (exit 137)",
    "no-base-image": "the base image does not exist",
}
"""Every fault, with the failure it models."""
LIVE_RUN_FAULTS = frozenset({"keepalive-only", "agent-stall", "slow-events", "buffered"})
"""Faults that show only while the run is still going: the stack does not wait for it."""
DOCKER_FAULTS = frozenset({"container-stopped", "no-base-image"})
HOST_BACKEND_FAULTS = frozenset({"backend-hang", "container-unresolvable"})
"""Faults of the backend on this host only (a backend container resolves by Docker's DNS)."""


def validate(faults: Iterable[str], docker: bool = True) -> frozenset[str]:
    """Return the faults as a frozenset; raise ValueError naming any unknown one."""
    if isinstance(faults, str):
        faults = (faults,)
    chosen = frozenset(faults)
    unknown = sorted(chosen.difference(FAULTS))
    if unknown:
        raise ValueError(
            f"unknown testbed fault(s): {', '.join(unknown)}; known: {', '.join(FAULTS)}"
        )
    if not docker and chosen & DOCKER_FAULTS:
        needs = ", ".join(sorted(chosen & DOCKER_FAULTS))
        raise ValueError(f"testbed fault(s) {needs} need the Docker mode")
    return chosen
