"""The backend's log, wherever it is: a file (``--backend-log``), or its container's output.

The container is ``--backend-container``, else the one the Docker checks found running the
backend (``Artifact.BACKEND_CONTAINER``). Both reads are bounded: the file's last
``MAX_BYTES``, and the container's output since a moment (the run's start) and at most
``MAX_LINES`` lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from doctor.context import Artifact
from doctor.i18n import tr

if TYPE_CHECKING:
    from doctor.context import Context

MAX_BYTES = 16 << 20
MAX_LINES = 20_000


@dataclass(frozen=True)
class BackendLog:
    """The text of the backend's log, and where it came from."""

    source: str
    text: str


def container_name(ctx: Context) -> str | None:
    """The backend's container: the option's, or the one the Docker checks found."""
    found = ctx.artifacts.get(Artifact.BACKEND_CONTAINER)
    return ctx.config.backend_container or (found if isinstance(found, str) else None)


def read_backend_log(ctx: Context, since: datetime | None) -> BackendLog | None:
    """The backend's log (a file's end, or its container's output since ``since``); None
    when the doctor knows of neither. OSError and docker's errors say why a read failed."""
    if ctx.config.backend_log:
        from doctor.report.backend_log import open_regular

        with open_regular(ctx.config.backend_log) as log:
            size = log.seek(0, 2)
            log.seek(max(0, size - MAX_BYTES))
            data = log.read(MAX_BYTES)
        return BackendLog(str(ctx.config.backend_log), data.decode("utf-8", "replace"))
    name = container_name(ctx)
    if name is None or ctx.config.no_docker:
        return None
    moment = int((since or datetime.now(timezone.utc)).timestamp())
    data = ctx.docker.api.logs(name, stdout=True, stderr=True, since=moment, tail=MAX_LINES)
    return BackendLog(tr("container {name}", name=name), data.decode("utf-8", "replace"))


def run_started(created_at: str | None) -> datetime | None:
    """A run's ``created_at`` (naive UTC, as the backend gives it) as an aware time."""
    if not created_at:
        return None
    try:
        moment = datetime.fromisoformat(created_at.removesuffix("Z"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
