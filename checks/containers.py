"""The per-project containers ``refactor-project-<id>``: what exists, and whether ours runs."""

from __future__ import annotations

from typing import Any

import docker
import docker.errors

from doctor.context import Artifact, Context
from doctor.i18n import tr
from doctor.model import Check, Result, Status

SHOWN_IN_EVIDENCE = 20
"""How many containers the compact list in evidence names."""
"""ctx.artifacts key: the facts of the chosen project's container, or {"name", "exists": False}."""


def find_containers(
    client: docker.DockerClient, prefix: str, exact: bool = False
) -> list[dict[str, Any]]:
    """Facts of every container (running or not) whose name starts with (or is) ``prefix``."""
    found = []
    for summary in client.api.containers(all=True, filters={"name": prefix}):
        names = [n.lstrip("/") for n in summary.get("Names") or ()]
        if not any(n == prefix if exact else n.startswith(prefix) for n in names):
            continue  # the engine's name filter is a regular expression matching anywhere
        try:
            attrs = client.api.inspect_container(summary["Id"])
        except docker.errors.NotFound:
            continue  # removed meanwhile
        found.append(container_facts(attrs, summary.get("Status", "")))
    return sorted(found, key=lambda facts: facts["name"])


def find_container(client: docker.DockerClient, name: str) -> dict[str, Any] | None:
    """Facts of the container named exactly ``name``, or None."""
    found = find_containers(client, name, exact=True)
    return found[0] if found else None


def container_facts(attrs: dict[str, Any], status: str) -> dict[str, Any]:
    """What ``docker ps`` and ``docker inspect`` say about a container, compactly."""
    state = attrs.get("State") or {}
    networks = (attrs.get("NetworkSettings") or {}).get("Networks") or {}
    memory = (attrs.get("HostConfig") or {}).get("Memory") or 0
    return {
        "name": str(attrs.get("Name", "")).lstrip("/"),
        "id": str(attrs.get("Id", ""))[:12],
        "image": (attrs.get("Config") or {}).get("Image"),
        "state": state.get("Status"),
        "status": status or state.get("Status"),
        "exit_code": state.get("ExitCode"),
        "oom_killed": bool(state.get("OOMKilled")),
        "restart_count": attrs.get("RestartCount", 0),
        "health": (state.get("Health") or {}).get("Status"),
        "started_at": utc_time(state.get("StartedAt")),
        "finished_at": utc_time(state.get("FinishedAt")),
        "error": state.get("Error") or None,
        "networks": {name: (net or {}).get("IPAddress") or None for name, net in networks.items()},
        "memory_limit": memory_text(memory),
    }


def utc_time(stamp: str | None) -> str | None:
    """An engine time (``2026-12-01T21:56:39.123456789Z``) as ``2026-12-01T21:56:39Z``;
    None for Docker's zero time (never started, never finished)."""
    from checks.base_image import parse_engine_time

    moment = parse_engine_time(stamp or "")
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def memory_text(limit: int) -> str:
    """A container's memory limit as ``docker create --memory`` reads it: ``8g``, ``512m``."""
    if not limit:
        return "unlimited"
    for unit, size in (("g", 1 << 30), ("m", 1 << 20), ("k", 1 << 10)):
        if limit >= size and limit % size == 0:
            return f"{limit // size}{unit}"
    return f"{limit}b"


def troubled(facts: dict[str, Any]) -> bool:
    """Killed for memory, or restarting."""
    return facts["oom_killed"] or facts["state"] == "restarting" or facts["restart_count"] > 0


def one_line(facts: dict[str, Any]) -> str:
    """``name: status`` plus the notable flags, as in ``docker ps``."""
    flags = []
    if facts["oom_killed"]:
        flags.append("OOMKilled")
    if facts["restart_count"]:
        flags.append(f"restarts={facts['restart_count']}")
    suffix = f" [{', '.join(flags)}]" if flags else ""
    return f"{facts['name']}: {facts['status']}{suffix}"


class ContainerList(Check):
    """The containers named --container-prefix…, running or not, as ``docker ps -a`` shows them."""

    id = "containers.list"
    layer = "container"
    title = "Project containers"
    depends_on = ("docker.engine",)
    uses_docker = True

    def run(self, ctx: Context) -> Result:
        prefix = ctx.config.container_prefix
        found = find_containers(ctx.docker, prefix)
        ctx.artifacts[Artifact.CONTAINERS] = found
        running = sum(1 for c in found if c["state"] == "running")
        evidence = {
            "prefix": prefix,
            "count": len(found),
            "running": running,
            "containers": [one_line(c) for c in found[:SHOWN_IN_EVIDENCE]],
        }
        if not found:
            return self.warned(
                tr("No {prefix}* containers exist: no project is provisioned.", prefix=prefix),
                hint=tr("Create a project and wait until its status is READY."),
                evidence=evidence,
            )
        trouble = [c for c in found if troubled(c)]
        if trouble:
            names = ", ".join(one_line(c) for c in trouble[:3])
            return self.warned(
                tr(
                    "{prefix}* containers killed for memory or restarting: {count} of {total}: "
                    "{names}",
                    count=len(trouble),
                    total=len(found),
                    prefix=prefix,
                    names=names,
                ),
                hint=tr(
                    "See why with `docker logs {name}` and `docker inspect {name}`.",
                    name=trouble[0]["name"],
                ),
                evidence=evidence,
            )
        return self.passed(
            tr(
                "{prefix}* containers: {total}, running: {running}.",
                total=len(found),
                prefix=prefix,
                running=running,
            ),
            evidence,
        )


class ProjectContainer(Check):
    """The project's container runs; for a stopped one, what its exit code means (137, 143,
    out of memory)."""

    id = "containers.project"
    layer = "container"
    title = "Project container runs"
    depends_on = ("docker.engine",)
    needs = ("backend.projects",)
    uses_docker = True

    def run(self, ctx: Context) -> Result:
        name = expected_container(self, ctx)
        if isinstance(name, Result):
            return name
        facts = find_container(ctx.docker, name)
        if facts is None:
            ctx.artifacts[Artifact.PROJECT_CONTAINER] = {"name": name, "exists": False}
            return self.found(
                "container.missing",
                tr("Container {name} does not exist.", name=name),
                {"container": name, "exists": False},
                tr(
                    "The project is not provisioned: its status must be READY before a run "
                    "can stream. Check `docker ps -a | grep {prefix}`.",
                    prefix=ctx.config.container_prefix,
                ),
            )
        ctx.artifacts[Artifact.PROJECT_CONTAINER] = {**facts, "exists": True}
        evidence = {"container": name, **_evidence(facts)}
        if facts["state"] == "restarting":
            return self.found(
                "container.restarting", not_running_message(facts), evidence, _restart_hint(facts)
            )
        if facts["state"] != "running":
            return self.found(
                "container.stopped", not_running_message(facts), evidence, _restart_hint(facts)
            )
        if facts["health"] == "unhealthy":
            return self.found(
                "ai.down",
                tr("Container {name} runs but its health check fails.", name=name),
                evidence,
                tr("See why with `docker logs {name}`.", name=name),
                status=Status.WARN,
            )
        return self.passed(
            tr(
                "Container {name} is running: {status} (since {started}; on {networks}; "
                "memory limit {memory}; restarts {restarts}).",
                name=name,
                status=facts["status"],
                started=facts["started_at"] or "-",
                networks=", ".join(sorted(facts["networks"])) or tr("no network"),
                memory=facts["memory_limit"],
                restarts=facts["restart_count"],
            ),
            evidence,
        )


def expected_container(check: Check, ctx: Context) -> str | Result:
    """The project container's name, or the skip that says why none is expected."""
    if ctx.config.ai_url:
        return check.skipped(
            tr("The AI Server is reached over --ai-url: no project container is expected.")
        )
    name = ctx.container_name
    if name is None:
        return check.skipped(tr("No project was chosen: give --project."))
    return name


def not_running_message(facts: dict[str, Any]) -> str:
    """``Container … is not running: Exited (137) at <UTC time>``, with what the exit code
    means (an absolute time: Docker's "2 minutes ago" is stale once written down)."""
    message = tr(
        "Container {name} is not running: {status}", name=facts["name"], status=stopped(facts)
    )
    return message + exit_meaning(facts)


def stopped(facts: dict[str, Any]) -> str:
    """``Exited (137) at 2026-12-01T21:56:39Z``, ``Created``, ``Paused``: the state."""
    state = str(facts.get("state") or facts.get("status") or "")
    if state != "exited":
        return state.capitalize()
    text = f"Exited ({facts.get('exit_code')})"
    if facts.get("finished_at"):
        text += tr(" at {time}", time=facts["finished_at"])
    return text


def exit_meaning(facts: dict[str, Any]) -> str:
    """What a stopped container's exit code says: 137 is a kill, by SIGKILL or for memory."""
    if facts["oom_killed"]:
        return tr(" (killed: out of memory, OOMKilled)")
    if facts.get("state") == "exited" and facts.get("exit_code") == 137:
        return tr(" (exit code 137: killed by SIGKILL, e.g. docker kill; not out of memory)")
    if facts.get("state") == "exited" and facts.get("exit_code") == 143:
        return tr(" (exit code 143: stopped by SIGTERM, e.g. docker stop)")
    return ""


def _restart_hint(facts: dict[str, Any]) -> str:
    name = facts["name"]
    if facts["state"] == "paused":
        return tr("Resume it: `docker unpause {name}`.", name=name)
    if facts["state"] == "restarting":
        return tr("It keeps restarting; see why with `docker logs {name}`.", name=name)
    return tr(
        "Start it: `docker start {name}`; see why it stopped with `docker logs {name}`.",
        name=name,
    )


def _evidence(facts: dict[str, Any]) -> dict[str, Any]:
    keys = (
        "id", "image", "state", "status", "started_at", "finished_at", "exit_code",
        "oom_killed", "restart_count", "health", "memory_limit", "networks",
    )  # fmt: skip
    evidence = {key: facts[key] for key in keys if facts.get(key) is not None}
    if facts["state"] == "exited" and exit_meaning(facts):
        evidence["exit_meaning"] = exit_meaning(facts).strip(" ()")
    if facts["error"]:
        evidence["error"] = facts["error"][:200]
    return evidence


CHECKS = [ContainerList(), ProjectContainer()]
