"""The project container's environment as the agent needs it, and its PostgreSQL.

The backend injects ``ANTHROPIC_API_KEY`` (if set) and, at 55a61f4, ``POSTGRES_URL``
(required), ``GCP_PROJECT_ID`` and ``GOOGLE_APPLICATION_CREDENTIALS`` (if set) when it
creates the container (REAL-STACK §5.2, F5, F7); the base image sets
``PYTHONUNBUFFERED=1`` (F1). Only the NAMES are reported, never a value: every value read
is handed to the redactor first, so neither the output nor the bundle can show it.
``POSTGRES_URL`` is tried from inside the container with a bounded TCP connect to its host
and port (``localhost`` there is the container itself); its password is never shown.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import docker.errors

from checks.containers import expected_container
from doctor.clients.ai_fetch import EXEC_MARGIN_S, in_container_seconds
from doctor.clients.contract import MAIN_COMMIT
from doctor.clients.reach import reach
from doctor.context import Artifact, Context
from doctor.i18n import tr
from doctor.model import Check, Result, Status
from doctor.report.redact import uri_password

API_KEY = "ANTHROPIC_API_KEY"
POSTGRES_URL = "POSTGRES_URL"
AGENT_VARIABLES = (API_KEY, POSTGRES_URL, "GCP_PROJECT_ID", "GOOGLE_APPLICATION_CREDENTIALS")
"""What the backend puts in the container's environment for the agent (at 55a61f4)."""
UNBUFFERED = "PYTHONUNBUFFERED"
POSTGRES_PORT = 5432
_SKIP_PROBLEMS = ("container.missing", "container.stopped")


def read_env(attrs: dict[str, Any]) -> dict[str, str]:
    """``Config.Env`` of an inspect answer (a container's or an image's) as a mapping."""
    pairs = (attrs.get("Config") or {}).get("Env") or ()
    return dict(item.partition("=")[::2] for item in pairs if isinstance(item, str))


def hide_values(ctx: Context, env: dict[str, str]) -> None:
    """Hand the agent's variables' values (and POSTGRES_URL's password) to the redactor."""
    for name in AGENT_VARIABLES:
        value = env.get(name)
        if value:
            ctx.redactor.add_secret(value)
            if name == POSTGRES_URL and (password := uri_password(value)):
                ctx.redactor.add_secret(password)


class _ContainerCheck(Check):
    layer = "container"
    depends_on = ("docker.engine",)
    needs = ("backend.projects",)
    uses_docker = True

    def inspect(self, ctx: Context) -> dict[str, Any] | Result:
        """The project container's inspect answer, or why there is none to read."""
        name = expected_container(self, ctx)
        if isinstance(name, Result):
            return name
        try:
            attrs = ctx.docker.api.inspect_container(name)
        except docker.errors.NotFound:
            return self.skipped(
                tr("Container {name} does not exist; see containers.project.", name=name)
            )
        hide_values(ctx, read_env(attrs))
        return attrs


class ContainerEnv(_ContainerCheck):
    id = "containers.env"
    title = "The agent's environment"
    after = ("containers.project", "backend.liveness")

    def run(self, ctx: Context) -> Result:
        attrs = self.inspect(ctx)
        if isinstance(attrs, Result):
            return attrs
        name = ctx.container_name
        env = read_env(attrs)
        at_v2 = ctx.contract is not None and ctx.contract.version == MAIN_COMMIT
        needed = [API_KEY, POSTGRES_URL] if at_v2 else [API_KEY]
        present = [v for v in AGENT_VARIABLES if env.get(v)]
        empty = [v for v in AGENT_VARIABLES if v in env and not env[v]]
        missing = [v for v in AGENT_VARIABLES if v not in env]
        image = str((attrs.get("Config") or {}).get("Image") or attrs.get("Image"))
        try:
            image_env = read_env(ctx.docker.api.inspect_image(attrs.get("Image") or image))
            unbuffered = image_env.get(UNBUFFERED, "") not in ("", "0")
        except docker.errors.NotFound:
            unbuffered = None
        evidence: dict[str, Any] = {
            "container": name,
            "needed": needed,
            "present": present,
            "empty": empty,
            "missing": missing,
            "image": image,
            "image_pythonunbuffered": {True: "set", False: "missing", None: "unknown"}[unbuffered],
        }
        ctx.artifacts[Artifact.AGENT_ENV] = {k: evidence[k] for k in ("present", "missing")}
        problems = []
        for variable, problem in ((API_KEY, "env.api-key-missing"), (POSTGRES_URL, None)):
            if variable in needed and variable not in present:
                problems.append(_lacks(problem or "env.postgres-url-missing", name, variable))
        if unbuffered is False:
            problems.append(
                {
                    "id": "env.unbuffered-missing",
                    "status": "warn",
                    "message": tr(
                        "Image {image} does not set PYTHONUNBUFFERED=1: the AI Server's "
                        "output reaches docker logs late (F1).",
                        image=image,
                    ),
                    "hint": tr("Add `ENV PYTHONUNBUFFERED=1` to the base image and rebuild it."),
                }
            )
        if problems:
            first = problems[0]
            evidence["problems"] = problems
            return self.found(
                first["id"],
                first["message"],
                evidence,
                first["hint"],
                status=Status(first["status"]),
            )
        extra = [v for v in AGENT_VARIABLES if v not in needed and v in present]
        return self.passed(
            tr(
                "Container {name} has {present} (names only; values are never shown){extra}; "
                "its image sets PYTHONUNBUFFERED.",
                name=name,
                present=", ".join(v for v in needed if v in present),
                extra=tr(", and {names}", names=", ".join(extra)) if extra else "",
            ),
            evidence,
        )


def _lacks(problem: str, name: str | None, variable: str) -> dict[str, str]:
    return {
        "id": problem,
        "status": "fail",
        "message": tr(
            "Container {name} has no {variable} (or it is empty): the agent's runs fail.",
            name=name,
            variable=variable,
        ),
        "hint": tr(
            "Set {variable} in the backend's .env, then provision the project again (the "
            "backend injects it when it creates the container).",
            variable=variable,
        ),
    }


class ContainerPostgres(_ContainerCheck):
    """``POSTGRES_URL``'s host and port, tried from inside the project container."""

    id = "containers.postgres"
    title = "PostgreSQL from the container"
    after = ("containers.project", "containers.env", "sse.final_status")

    def deadline(self, ctx: Context) -> float:
        return 3 * in_container_seconds(ctx.config.timeout) + 2 * EXEC_MARGIN_S + 2

    def run(self, ctx: Context) -> Result:
        attrs = self.inspect(ctx)
        if isinstance(attrs, Result):
            return attrs
        seen = ctx.results.get("containers.project")
        name = ctx.container_name or ""
        if (seen is not None and seen.problem in _SKIP_PROBLEMS) or not (
            attrs.get("State") or {}
        ).get("Running"):
            return self.skipped(tr("Container {name} is not running.", name=name))
        url = read_env(attrs).get(POSTGRES_URL)
        if not url:
            return self.skipped(tr("Container {name} has no POSTGRES_URL.", name=name))
        try:
            parts = urlsplit(url)
            host, port = parts.hostname or "", parts.port or POSTGRES_PORT
        except ValueError:
            return self.warned(tr("POSTGRES_URL is not a URL: its host cannot be read."))
        evidence: dict[str, Any] = {"container": name, "host": host, "port": port}
        if not host:
            return self.warned(tr("POSTGRES_URL names no host."), evidence=evidence)
        local = host == "localhost" or host.startswith("127.") or host == "::1"
        tried = reach(ctx.docker, name, host, port, ctx.config.timeout, path=None)
        evidence.update(tried.evidence)
        if tried.error:
            evidence["error"] = ctx.redactor.redact(tried.error)[:200]
        if tried.answered:
            return self.passed(
                tr(
                    "From {name}, POSTGRES_URL's {host}:{port} accepts TCP connections.",
                    name=name,
                    host=host,
                    port=port,
                ),
                evidence,
            )
        if tried.stage is None:
            return self.warned(
                tr("Cannot try POSTGRES_URL from {name}: {reason}.", name=name, reason=tried.error),
                evidence=evidence,
            )
        why = (tried.error or tr("not resolved")).rstrip(".")
        if local:
            problem = "postgres.localhost"
            message = tr(
                "POSTGRES_URL points at {host}:{port}, which inside {name} is the container "
                "itself, and nothing listens there ({error}).",
                host=host,
                port=port,
                name=name,
                error=why,
            )
        else:
            problem = "postgres.unreachable"
            message = tr(
                "From {name}, POSTGRES_URL's {host}:{port} cannot be reached: {error}.",
                name=name,
                host=host,
                port=port,
                error=why,
            )
        final = ctx.results.get("sse.final_status")
        if final is not None and final.evidence.get("status") == "DONE":
            message += " " + tr(
                "Yet the run finished DONE: the agent reached its PostgreSQL when it ran."
            )
            return self.found(problem, message, evidence, status=Status.WARN)
        return self.found(problem, ctx.redactor.redact(message), evidence)


CHECKS = [ContainerEnv(), ContainerPostgres()]
