"""The first round of collection: the Docker view, the MongoDB version, the AI Server over HTTP."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from doctor.context import Artifact
from doctor.i18n import tr
from doctor.report.sources.ai_server import AI_PATHS, ai_get, ai_over_http
from doctor.report.sources.common import deadline, failed_message, gather, why
from doctor.report.sources.docker import DockerView, engine_view, wanted_containers
from doctor.report.sources.environment import mongo_version

if TYPE_CHECKING:
    from doctor.context import Context
    from doctor.session import RunRecord


def first_phase(
    record: RunRecord, ctx: Context, project_container: str | None
) -> tuple[DockerView, str, dict[str, Any]]:
    """The Docker engine and its containers, the MongoDB version, the AI Server over HTTP
    (``/health``, and ``(command, answer)`` of ``/tasks`` for the bundle to scope)."""
    config = ctx.config
    steps: dict[str, Callable[[], Any]] = {}
    view = DockerView()
    if config.no_docker:
        view.problem = tr("Docker was not examined (--no-docker).")
    elif reason := failed_message(record, "docker.engine"):
        view.problem = tr("Docker engine not reachable: {reason}", reason=reason)
    else:
        from doctor.clients.backend_logs import container_name

        wanted = wanted_containers(config, project_container, container_name(ctx))
        steps["docker"] = lambda: engine_view(ctx, wanted)

    mongo = record.artifacts.get(Artifact.MONGO_VERSION)
    if mongo is None:
        if reason := failed_message(record, "mongodb.ping"):
            mongo = tr("not reachable: {reason}", reason=reason)
        else:
            steps["mongo"] = lambda: ctx.mongo.admin.command("buildInfo").get("version")

    ai_http: dict[str, Any] = {}
    if config.ai_url:
        health = record.artifacts.get(Artifact.AI_HEALTH)
        if isinstance(health, str):
            ai_http["health"] = health
        else:
            steps["ai:health"] = lambda: ai_over_http(ctx, "health")
        steps["ai:tasks"] = lambda: ai_get(ctx, "tasks")  # all of them; the bundle scopes

    found = gather(steps, deadline(config)) if steps else {}
    if "docker" in found:
        engine = found["docker"]
        if isinstance(engine, BaseException):
            view.problem = tr("Docker engine not reachable: {reason}", reason=why(engine))
        else:
            view = engine
    if "mongo" in found:
        mongo = mongo_version(found["mongo"])
    for path in AI_PATHS:
        if f"ai:{path}" in found:
            value = found[f"ai:{path}"]
            ai_http[path] = (
                tr("Could not read it: {reason}", reason=why(value)) + "\n"
                if isinstance(value, BaseException) and path == "health"
                else value
            )
    return view, str(mongo), ai_http
