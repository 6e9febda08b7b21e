"""Is the base image every project container starts from (``refactor-base:latest``) built?"""

from __future__ import annotations

from datetime import datetime, timezone

import docker.errors

from doctor.context import Context
from doctor.i18n import tr
from doctor.model import Check, Result

BUILD_COMMAND = "docker build -t {tag} -f devops/base-image/Dockerfile ."
"""The guide's command, run from the repository root."""


class BaseImage(Check):
    """The base image (--base-image) that new project containers are created from exists."""

    id = "image.base"
    layer = "image"
    title = "Base image exists"
    depends_on = ("docker.engine",)
    uses_docker = True

    def run(self, ctx: Context) -> Result:
        tag = ctx.config.base_image
        try:
            image = ctx.docker.images.get(tag)
        except docker.errors.ImageNotFound:
            return self.found(
                "image.missing",
                tr(
                    "Base image {tag} does not exist: new projects cannot be provisioned.",
                    tag=tag,
                ),
                {"image": tag},
                tr("Build it from the repository root: `{command}`", command=build_command(tag)),
            )
        created = image.attrs.get("Created", "")
        short_id = image.short_id.removeprefix("sha256:")
        evidence = {"image": tag, "id": short_id, "created": created}
        age = age_since(created)
        if age is None:
            return self.passed(
                tr("Base image {tag} exists (id {id}).", tag=tag, id=short_id), evidence
            )
        evidence["age"] = age
        return self.passed(
            tr(
                "Base image {tag} exists (id {id}, created {age} ago).",
                tag=tag,
                id=short_id,
                age=age,
            ),
            evidence,
        )


def build_command(tag: str) -> str:
    return BUILD_COMMAND.format(tag=tag)


def age_since(timestamp: str, now: datetime | None = None) -> str | None:
    """How long ago an engine timestamp was, compactly (``45s``, ``12m``, ``5h``, ``3d``)."""
    moment = parse_engine_time(timestamp)
    if moment is None:
        return None
    seconds = max(0, int(((now or datetime.now(timezone.utc)) - moment).total_seconds()))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def parse_engine_time(timestamp: str) -> datetime | None:
    """A Docker timestamp (RFC 3339 with nanoseconds, e.g. ``2024-02-02T10:30:45.123456789Z``)."""
    if not timestamp or timestamp.startswith("0001-"):
        return None
    head, _, rest = timestamp.partition(".")
    zone = rest.lstrip("0123456789") if rest else head[19:]
    head = head[:19]
    zone = "+00:00" if zone in ("Z", "") else zone
    try:
        return datetime.fromisoformat(head + zone)
    except ValueError:
        return None


CHECKS = [BaseImage()]
