"""Which repairs the findings ask for. Only these, never anything destructive: a container
is started only when it is not running, a network created only when it is missing, an image
built only from the stack's own Dockerfile; nothing is removed, pruned or restarted."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from doctor.context import Artifact, Context
from doctor.i18n import tr

if TYPE_CHECKING:
    import docker

    from doctor.session import RunRecord

BASE_DOCKERFILE = "devops/base-image/Dockerfile"
"""Where the stack's checkout keeps the base image's Dockerfile (built from the repo root)."""


@dataclass
class Repair:
    """One repair: the finding it answers, the command a person would type, and how."""

    problem: str
    command: list[str]
    """The docker CLI command it amounts to, shown before anything is done."""
    apply: Callable[[docker.DockerClient], None]
    recheck: tuple[str, ...]
    """The checks that show whether it worked."""
    starts: bool = False
    """It starts something, which may take a moment to answer."""

    @property
    def shown(self) -> str:
        return " ".join(self.command)


def problems_of(record: RunRecord) -> set[str]:
    """Every problem id the run saw: its findings and the problems its results name."""
    found = {f.id for f in record.diagnosis}
    for result in record.results:
        if result.problem:
            found.add(result.problem)
        for extra in result.evidence.get("problems", ()) or ():
            if isinstance(extra, dict) and extra.get("id"):
                found.add(str(extra["id"]))
    return found


def plan(
    record: RunRecord, ctx: Context, repo: Path | None = None
) -> tuple[list[Repair], list[str]]:
    """The repairs the findings ask for, in the order to apply them, and notes on findings
    that have a repair sse-doctor cannot make as things are (say, no --repo to build from)."""
    problems = problems_of(record)
    config = ctx.config
    repairs: list[Repair] = []
    notes: list[str] = []
    network = config.docker_network
    project = ctx.artifacts.get(Artifact.PROJECT_CONTAINER) or {}
    container = project.get("name") if project.get("exists") else None
    if "network.missing" in problems:
        repairs.append(
            Repair(
                "network.missing",
                ["docker", "network", "create", network],
                lambda client: client.networks.create(network, driver="bridge"),
                ("network.docker",),
            )
        )
    if container and problems & {"network.missing", "network.container-elsewhere"}:
        repairs.append(
            Repair(
                "network.container-elsewhere",
                ["docker", "network", "connect", network, container],
                lambda client: client.networks.get(network).connect(container),
                ("network.docker", "network.path"),
            )
        )
    if container and "container.stopped" in problems:
        repairs.append(
            _start("container.stopped", container, ("containers.project", "ai_server.health"))
        )
    mongo = ctx.artifacts.get(Artifact.MONGO_CONTAINER)
    if mongo and "mongodb.container-stopped" in problems:
        repairs.append(
            _start("mongodb.container-stopped", mongo, ("mongodb.container", "mongodb.ping"))
        )
    if "image.missing" in problems:
        if repo is not None and (repo / BASE_DOCKERFILE).is_file():
            repairs.append(_build(config.base_image, repo))
        else:
            notes.append(
                tr(
                    "image.missing: pass --repo DIR (the stack's checkout, with {file}) to "
                    "build {tag}.",
                    file=BASE_DOCKERFILE,
                    tag=config.base_image,
                )
            )
    return repairs, notes


def _start(problem: str, name: str, recheck: tuple[str, ...]) -> Repair:
    def start(client: Any) -> None:
        found = client.containers.get(name)
        if found.status != "running":  # never a restart of one that runs
            found.start()

    return Repair(problem, ["docker", "start", name], start, recheck, starts=True)


def _build(tag: str, repo: Path) -> Repair:
    def build(client: Any) -> None:
        for step in client.api.build(
            path=str(repo), dockerfile=BASE_DOCKERFILE, tag=tag, rm=True, decode=True
        ):
            if isinstance(step, dict) and step.get("error"):
                raise RuntimeError(str(step["error"]).strip())
        client.images.get(tag)  # raises ImageNotFound if the build made nothing

    command = ["docker", "build", "-t", tag, "-f", str(repo / BASE_DOCKERFILE), str(repo)]
    return Repair("image.missing", command, build, ("image.base",))
