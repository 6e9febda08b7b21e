"""Does the Docker engine answer? Version and API version, or why it cannot be reached."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import docker.errors

from doctor.clients.docker_host import DockerHost, locate_docker_host, ssh_unavailable
from doctor.context import Context
from doctor.i18n import tr
from doctor.model import Check, Result

START_HINT = (
    "Start Docker: `sudo dockerd` (or `sudo systemctl start docker`), or open Docker Desktop; "
    "then `docker info` must answer."
)
PERMISSION_HINT = (
    "Add your user to the docker group (`sudo usermod -aG docker $USER`, then log in again), "
    "or use Docker Desktop."
)
HANG_HINT = "Restart the Docker engine (`sudo systemctl restart docker`, or Docker Desktop)."


class DockerEngine(Check):
    """The Docker engine answers at --docker-host, DOCKER_HOST or the current context."""

    id = "docker.engine"
    layer = "docker"
    title = "Docker engine answers"
    uses_docker = True

    def run(self, ctx: Context) -> Result:
        host = locate_docker_host(ctx.config.docker_host)
        place = {"docker_host": host.shown, "source": host.source}
        try:
            version = ctx.docker.version()
        except docker.errors.DockerException as exc:
            return self._unreachable(host, exc, ctx.config.timeout)
        evidence = {
            **place,
            "version": version.get("Version"),
            "api_version": version.get("ApiVersion"),
            "os": version.get("Os"),
            "arch": version.get("Arch"),
        }
        return self.passed(
            tr(
                "Docker engine {version} (API {api}) answers at {host}.",
                version=evidence["version"],
                api=evidence["api_version"],
                host=host.shown,
            ),
            evidence,
        )

    def _unreachable(self, host: DockerHost, exc: Exception, timeout: float) -> Result:
        kind = engine_error_kind(exc)
        evidence: dict[str, Any] = {
            "docker_host": host.shown,
            "source": host.source,
            "error": kind,
            "detail": str(exc)[:200],
        }
        if ssh_unavailable(exc):
            message = tr("The ssh:// engine cannot be used: {reason}", reason=str(exc)[:300])
            return self.found("docker.ssh-unavailable", message, evidence)
        if kind == "permission-denied":
            message = tr("Permission denied on the Docker socket {host}.", host=host.shown)
            return self.found("docker.permission", message, evidence, tr(PERMISSION_HINT))
        if kind == "timeout":
            message = tr(
                "The Docker engine at {host} did not answer within {seconds:g} s.",
                host=host.shown,
                seconds=timeout,
            )
            return self.found("docker.down", message, evidence, tr(HANG_HINT))
        if kind == "not-running":
            message = tr("No Docker engine is running at {host}.", host=host.shown)
        else:
            message = tr(
                "Cannot reach the Docker engine at {host}: {reason}",
                host=host.shown,
                reason=str(exc)[:200],
            )
        return self.found("docker.down", message, evidence, tr(START_HINT))


def engine_error_kind(exc: BaseException) -> str:
    """``permission-denied``, ``timeout``, ``not-running`` (no socket, refused) or ``other``."""
    causes = list(_causes(exc))
    if any(isinstance(c, PermissionError) for c in causes):
        return "permission-denied"
    refused = (FileNotFoundError, ConnectionRefusedError)
    if any(isinstance(c, refused) for c in causes):
        return "not-running"
    if any(isinstance(c, TimeoutError) for c in causes):
        return "timeout"
    return "other"


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """``exc``, its causes and contexts, and exceptions held in their args or ``reason``."""
    pending, seen = [exc], set()
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        linked = [current.__cause__, current.__context__, getattr(current, "reason", None)]
        linked += list(current.args)
        pending += [e for e in linked if isinstance(e, BaseException)]


CHECKS = [DockerEngine()]
