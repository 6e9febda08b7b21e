"""The Docker network, and the path the guide's 連線超時 means.

The real backend calls ``http://refactor-project-<id>:8000`` by container name, which only
Docker's DNS resolves, and only for a container on the same user-defined network
(``refactor-network``, ``--docker-network``). So: the network exists and both containers
are on it; then, from where the backend runs (``docker.parts``), the name resolves and
``:8000/health`` answers: asked inside the backend's container with ``docker exec``, or,
for a backend on the host, looked up in ``/etc/hosts`` (the host has no resolver for
container names; the doctor never sends such a name to the host's DNS).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import docker.errors

from checks.containers import expected_container, find_container
from doctor.clients.ai_fetch import AI_PORT, EXEC_MARGIN_S, in_container_seconds
from doctor.clients.reach import reach
from doctor.context import Artifact, Context
from doctor.i18n import sentences, tr
from doctor.model import Check, Result

HOSTS_FILE = Path("/etc/hosts")


class DockerNetwork(Check):
    """``--docker-network`` exists, and the backend's and the project's containers are on it."""

    id = "network.docker"
    layer = "container"
    title = "The Docker network"
    depends_on = ("docker.engine",)
    needs = ("backend.projects", "docker.parts")
    uses_docker = True

    def run(self, ctx: Context) -> Result:
        client, name = ctx.docker, ctx.config.docker_network
        try:
            network = client.api.inspect_network(name)
        except docker.errors.NotFound:
            ctx.artifacts[Artifact.NETWORK] = {"name": name, "exists": False}
            return self.found(
                "network.missing",
                tr(
                    "Docker network {name} does not exist: provisioning fails (network {name} "
                    "not found) and no container can reach refactor-project-<id> by name.",
                    name=name,
                ),
                {"network": name, "exists": False},
                tr(
                    "Create it: `docker network create {name}` (or `docker compose up`, which "
                    "creates it), then provision the project again.",
                    name=name,
                ),
            )
        members = sorted(
            str(c.get("Name")) for c in (network.get("Containers") or {}).values() if c
        )
        facts = {
            "network": name,
            "exists": True,
            "driver": network.get("Driver"),
            "internal": bool(network.get("Internal")),
            "members": members,
        }
        ctx.artifacts[Artifact.NETWORK] = facts
        problems = []
        project = None
        if ctx.container_name and not ctx.config.ai_url:
            project = find_container(client, ctx.container_name)
        if project is not None:
            facts["project_networks"] = sorted(project["networks"])
            if name not in project["networks"]:
                problems.append(_elsewhere("network.container-elsewhere", project, name))
        backend = (ctx.artifacts.get(Artifact.DOCKER_PARTS) or {}).get("backend")
        if backend is not None:
            facts["backend_networks"] = sorted(backend["networks"])
            if name not in backend["networks"]:
                problems.append(_elsewhere("network.backend-elsewhere", backend, name))
        if problems:
            first = problems[0]
            facts["problems"] = [{**p, "status": "fail"} for p in problems]
            return self.found(first["id"], first["message"], facts, first["hint"])
        return self.passed(
            tr(
                "Docker network {name} ({driver}) exists; on it: {members}.",
                name=name,
                driver=facts["driver"],
                members=", ".join(members) or tr("no running container"),
            ),
            facts,
        )


def _elsewhere(problem: str, facts: dict[str, Any], network: str) -> dict[str, str]:
    who = facts["name"]
    return {
        "id": problem,
        "message": tr(
            "Container {name} is not on {network} (it is on {networks}): the backend cannot "
            "reach refactor-project-<id> by name across networks.",
            name=who,
            network=network,
            networks=", ".join(sorted(facts["networks"])) or tr("no network"),
        ),
        "hint": tr(
            "Connect it: `docker network connect {network} {name}`.", network=network, name=who
        ),
    }


class NetworkPath(Check):
    """From where the backend runs: ``refactor-project-<id>`` resolves and ``:8000/health``
    answers."""

    id = "network.path"
    layer = "container"
    title = "The backend reaches the container"
    depends_on = ("docker.engine",)
    after = ("network.docker", "containers.project")
    needs = ("backend.projects", "docker.parts")
    uses_docker = True

    def deadline(self, ctx: Context) -> float:
        wait = in_container_seconds(ctx.config.timeout)
        return 3 * wait + 2 * EXEC_MARGIN_S + 2

    def run(self, ctx: Context) -> Result:
        name = expected_container(self, ctx)
        if isinstance(name, Result):
            return name
        parts = ctx.artifacts.get(Artifact.DOCKER_PARTS)
        if parts is None:
            return self.skipped(tr("Where the backend runs is not known; see docker.parts."))
        seen = ctx.results.get("containers.project")
        if seen is not None and seen.problem in ("container.missing", "container.stopped"):
            return self.skipped(
                tr("Container {name} is not running; see containers.project.", name=name)
            )
        if parts["backend_on"] == "container":
            return self._from_container(ctx, parts["backend"], name)
        if parts["backend_on"] == "host":
            return self._from_host(ctx, parts["engine"], name)
        return self.skipped(
            tr(
                "The backend runs on another machine than the Docker engine's: the doctor "
                "cannot ask from there."
            )
        )

    def _from_container(self, ctx: Context, backend: dict[str, Any], name: str) -> Result:
        where = backend["name"]
        if backend["state"] != "running":
            return self.skipped(
                tr("The backend's container {name} is not running.", name=where),
                {"backend": where, "state": backend["state"]},
            )
        seen = reach(ctx.docker, where, name, AI_PORT, ctx.config.timeout)
        evidence = {"from": where, "to": f"{name}:{AI_PORT}", **seen.evidence}
        if seen.error:
            evidence["error"] = ctx.redactor.redact(seen.error)[:200]
        network = ctx.config.docker_network
        if seen.stage is None:
            return self.warned(
                tr("Cannot ask from {name}: {reason}.", name=where, reason=seen.error),
                evidence=evidence,
            )
        if not seen.resolved:
            return self.found(
                "network.container-unresolvable",
                tr(
                    "From the backend's container {backend}, {name} does not resolve: {error}.",
                    backend=where,
                    name=name,
                    error=(seen.error or "").rstrip("."),
                ),
                evidence,
                tr(
                    "Both must be on {network}: `docker network connect {network} {name}` "
                    "(see network.docker).",
                    network=network,
                    name=name,
                ),
            )
        if seen.answered or seen.status is not None:
            evidence["body"] = (seen.body or "")[:200]
            message = tr(
                "From the backend's container {backend}, {name} resolves to {address} and "
                ":{port}/health answers HTTP {status}.",
                backend=where,
                name=name,
                address=seen.address or tr("an address"),
                port=AI_PORT,
                status=seen.status,
            )
            if seen.answered:
                return self.passed(message, evidence)
            return self.warned(message, evidence=evidence)
        problem = "network.unreachable" if seen.timed_out else "sse.upstream-unreachable"
        return self.found(
            problem,
            tr(
                "From the backend's container {backend}, {name} resolves to {address}, but "
                ":{port} does not answer: {error}.",
                backend=where,
                name=name,
                address=seen.address or tr("an address"),
                port=AI_PORT,
                error=(seen.error or "").rstrip("."),
            ),
            evidence,
            tr("Is the AI Server up? See ai_server.health and `docker logs {name}`.", name=name),
        )

    def _from_host(self, ctx: Context, engine: dict[str, Any], name: str) -> Result:
        network = ctx.config.docker_network
        facts = find_container(ctx.docker, name)
        addresses = (facts or {}).get("networks") or {}
        address = addresses.get(network) or next((a for a in addresses.values() if a), None)
        evidence: dict[str, Any] = {"backend": "host", "container": name, "address": address}
        hint = _host_hint(name, network, address, engine)
        if engine["desktop"]:
            evidence["desktop"] = True
            return self.found(
                "network.host-backend",
                tr(
                    "The backend runs on the host, which cannot resolve container names, and "
                    "on Docker Desktop the host cannot reach {name}'s address either.",
                    name=name,
                ),
                evidence,
                hint,
            )
        if not engine["local"]:
            return self.found(
                "network.host-backend",
                tr(
                    "The backend runs outside Docker on the engine's host, which cannot "
                    "resolve container names such as {name} (unless its /etc/hosts maps it).",
                    name=name,
                ),
                evidence,
                hint,
            )
        mapped = hosts_entries(name)
        evidence["etc_hosts"] = mapped
        if not mapped:
            return self.found(
                "network.host-backend",
                tr(
                    "The backend runs on the host, which cannot resolve container names: "
                    "{name} is not in /etc/hosts, and only Docker's DNS, for containers on "
                    "{network}, knows it.",
                    name=name,
                    network=network,
                ),
                evidence,
                hint,
            )
        if address not in mapped:
            return self.found(
                "network.host-backend",
                tr(
                    "/etc/hosts maps {name} to {mapped}, but the container's address is "
                    "{address} (it changes when the container is created again).",
                    name=name,
                    mapped=", ".join(mapped),
                    address=address or tr("none"),
                ),
                evidence,
                hint,
            )
        return self._hosts_answer(ctx, name, address, evidence)

    def _hosts_answer(
        self, ctx: Context, name: str, address: str, evidence: dict[str, Any]
    ) -> Result:
        import httpx

        url = f"http://{address}:{AI_PORT}/health"
        try:
            answer = ctx.fetch("GET", url)
        except httpx.HTTPError as exc:
            evidence["error"] = f"{type(exc).__name__}: {exc}"[:200]
            return self.found(
                "network.unreachable",
                tr(
                    "/etc/hosts maps {name} to {address}, but {url} does not answer from the "
                    "host: {error}",
                    name=name,
                    address=address,
                    url=url,
                    error=evidence["error"],
                ),
                evidence,
            )
        evidence["status"] = answer.status_code
        return self.passed(
            tr(
                "The backend runs on the host; /etc/hosts maps {name} to {address}, and {url} "
                "answers HTTP {status}.",
                name=name,
                address=address,
                url=url,
                status=answer.status_code,
            ),
            evidence,
        )


def hosts_entries(name: str, path: Path = HOSTS_FILE) -> list[str]:
    """The addresses ``path`` (``/etc/hosts``) maps ``name`` to."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []
    found = []
    for line in lines:
        fields = line.split("#", 1)[0].split()
        if len(fields) > 1 and name in fields[1:]:
            found.append(fields[0])
    return found


def _host_hint(name: str, network: str, address: str | None, engine: dict[str, Any]) -> str:
    compose = tr(
        "Run the backend in compose on {network} (`docker compose up -d api`), where Docker's "
        "DNS resolves {name}.",
        network=network,
        name=name,
    )
    if engine["desktop"]:
        return sentences(compose, tr("On Docker Desktop an /etc/hosts entry cannot help."))
    return (
        compose
        + " "
        + tr(
            "On Linux only, an /etc/hosts line `{address} {name}` works until the container "
            "is created again (never on Docker Desktop).",
            address=address or "<IP on " + network + ">",
            name=name,
        )
    )


CHECKS = [DockerNetwork(), NetworkPath()]
