"""Where each part runs: the backend, PostgreSQL, and what kind of Docker engine it is.

The parts are found by what they are, whatever their names: the backend is the container
publishing the ``--backend-url`` port, or compose's ``api`` service, or a container named
``refactor-api`` (``--backend-container`` wins over all of these); otherwise it runs on
the host. PostgreSQL is ``refactor-postgres`` or a container of the image ``postgres``.
The backend's container (or None: the host) is ``ctx.artifacts[Artifact.BACKEND_CONTAINER]``.
"""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit

import docker.errors

from checks.mongodb import _image_name
from doctor.clients.docker_host import resolve_docker_host
from doctor.context import Artifact, Context
from doctor.i18n import tr
from doctor.model import Check, Result

COMPOSE_SERVICE = "api"
COMPOSE_NAME = "refactor-api"
POSTGRES_NAME = "refactor-postgres"
LOCAL_HOSTS = {"localhost", "0.0.0.0", "::", "host.docker.internal"}


def _names(summary: dict[str, Any]) -> list[str]:
    return [str(n).lstrip("/") for n in summary.get("Names") or ()]


def _is_local(host: str) -> bool:
    if host in LOCAL_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def engine_host(config_host: str | None) -> str | None:
    """The host name of a tcp:// or ssh:// engine; None for a local socket."""
    url = resolve_docker_host(config_host)
    if not url or url.startswith(("unix:", "npipe:", "fd:")):
        return None
    return urlsplit(url).hostname


def part_facts(client: Any, summary: dict[str, Any], by: str) -> dict[str, Any]:
    """A container's name, image, state and networks (name -> address)."""
    try:
        attrs = client.api.inspect_container(summary["Id"])
        networks = attrs["NetworkSettings"]["Networks"] or {}
    except (docker.errors.NotFound, KeyError, TypeError):
        networks = {}
    return {
        "name": (_names(summary) or [str(summary.get("Id", ""))[:12]])[0],
        "image": summary.get("Image"),
        "state": summary.get("State"),
        "networks": {n: (v or {}).get("IPAddress") or None for n, v in networks.items()},
        "by": by,
    }


def find_backend(ctx: Context, summaries: list[dict[str, Any]]) -> tuple[str, Any]:
    """``("container", facts)``, ``("host", None)``, ``("unknown", None)``, or
    ``("missing", name)`` when ``--backend-container`` names no container."""
    client, config = ctx.docker, ctx.config
    if config.backend_container:
        wanted = config.backend_container.lstrip("/")
        named = [s for s in summaries if wanted in _names(s)]
        if not named:
            return "missing", wanted
        return "container", part_facts(client, named[0], "--backend-container")
    url = urlsplit(config.backend_url)
    port = url.port or (443 if url.scheme == "https" else 80)
    host = url.hostname or ""
    remote = engine_host(config.docker_host)
    ours = _is_local(host) if remote is None else (host == remote or _is_local(host))
    running = [s for s in summaries if s.get("State") == "running"]
    if ours:
        for summary in running:
            ports = summary.get("Ports") or ()
            if any(p.get("PublicPort") == port and p.get("Type", "tcp") == "tcp" for p in ports):
                return "container", part_facts(client, summary, f"port {port}")
    for label, test in (
        (f"compose service {COMPOSE_SERVICE}", lambda s: _service(s) == COMPOSE_SERVICE),
        (f"name {COMPOSE_NAME}", lambda s: COMPOSE_NAME in _names(s)),
    ):
        found = sorted((s for s in summaries if test(s)), key=lambda s: s.get("State") != "running")
        if found:
            return "container", part_facts(client, found[0], label)
    return ("host", None) if ours else ("unknown", None)


def _service(summary: dict[str, Any]) -> str | None:
    return (summary.get("Labels") or {}).get("com.docker.compose.service")


class DockerParts(Check):
    """Which part runs where: the backend, PostgreSQL, and what kind of engine it is."""

    id = "docker.parts"
    layer = "docker"
    title = "Where each part runs"
    depends_on = ("docker.engine",)
    uses_docker = True

    def run(self, ctx: Context) -> Result:
        client = ctx.docker
        info = client.info()
        system = str(info.get("OperatingSystem") or "")
        desktop = "Docker Desktop" in system or info.get("Name") == "docker-desktop"
        summaries = client.api.containers(all=True)
        place, backend = find_backend(ctx, summaries)
        postgres = next(
            (
                part_facts(client, s, "name" if POSTGRES_NAME in _names(s) else "image")
                for s in sorted(summaries, key=lambda s: POSTGRES_NAME not in _names(s))
                if POSTGRES_NAME in _names(s) or _image_name(str(s.get("Image", ""))) == "postgres"
            ),
            None,
        )
        local = engine_host(ctx.config.docker_host) is None
        engine = {"os": system, "desktop": desktop, "local": local}
        ctx.artifacts[Artifact.DOCKER_PARTS] = {
            "backend_on": place,
            "backend": backend if place == "container" else None,
            "postgres": postgres,
            "engine": engine,
        }
        evidence: dict[str, Any] = {"engine": engine, "postgres": postgres}
        if place == "missing":
            evidence["backend"] = {"container": backend, "exists": False}
            return self.found(
                "backend.container-missing",
                tr("--backend-container {name}: no such container.", name=backend),
                evidence,
                tr("Check the name with `docker ps -a` (compose names it refactor-api)."),
            )
        if place in ("container", "host"):
            ctx.artifacts[Artifact.BACKEND_CONTAINER] = backend["name"] if backend else None
        evidence["backend"] = backend if backend else {"runs_on": place}
        where = _backend_where(place, backend, ctx.config.backend_url)
        db = (
            tr(
                "PostgreSQL in {name} ({state}).",
                name=postgres["name"],
                state=postgres["state"],
            )
            if postgres
            else tr("No PostgreSQL container (refactor-postgres or image postgres).")
        )
        return self.passed(f"{where} {db}", evidence)


def _backend_where(place: str, backend: dict[str, Any] | None, url: str) -> str:
    if backend is not None:
        return tr(
            "The backend runs in container {name} ({state}; found by {by}), on {networks}.",
            name=backend["name"],
            state=backend["state"],
            by=backend["by"],
            networks=", ".join(backend["networks"]) or tr("no network"),
        )
    if place == "host":
        return tr(
            "The backend at {url} runs on the host: no container publishes its port, is "
            "compose's api service or is named refactor-api.",
            url=url,
        )
    return tr(
        "The backend at {url} runs on another machine than the Docker engine's.",
        url=url,
    )


CHECKS = [DockerParts()]
