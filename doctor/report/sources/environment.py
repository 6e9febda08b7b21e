"""``environment.txt``: versions of the tool, Python, OS, libraries, Docker, MongoDB."""

from __future__ import annotations

import json
import platform
import sys
from importlib import metadata
from typing import TYPE_CHECKING, Any

from doctor import __version__
from doctor.i18n import tr
from doctor.report.sources.common import why

if TYPE_CHECKING:
    from doctor.config import Config
    from doctor.report.sources.docker import DockerView

LIBRARIES = ("click", "httpx", "docker", "pymongo", "rich")


def environment_text(config: Config, view: DockerView, mongo: str) -> str:
    """Versions of the tool, Python, OS, libraries, Docker and MongoDB, and the config."""
    libraries = ", ".join(f"{name} {_dist_version(name)}" for name in LIBRARIES)
    engine_line = view.problem or tr("Docker engine: {engine}", engine=engine_text(config, view))
    lines = [
        f"sse-doctor: {__version__}",
        f"Python: {platform.python_version()} ({platform.python_implementation()}, "
        f"{sys.executable})",
        tr("OS: {os}", os=platform.platform()),
        tr("Libraries: {libraries}", libraries=libraries),
        engine_line,
        tr("MongoDB server: {mongo}", mongo=mongo),
        "",
        tr("Effective configuration:"),
    ]
    for key, value in config.public().items():
        lines.append(f"  {key} = {json.dumps(value, ensure_ascii=False, default=str)}")
    return "\n".join(lines) + "\n"


def engine_text(config: Config, view: DockerView) -> str:
    """``27.3.1 (API 1.47, linux/amd64) at unix:///var/run/docker.sock``, or why none."""
    from doctor.clients.docker_host import locate_docker_host

    if view.problem:
        return view.problem
    v = view.version
    return tr(
        "{version} (API {api}, {os}/{arch}) at {host}",
        version=v.get("Version"),
        api=v.get("ApiVersion"),
        os=v.get("Os"),
        arch=v.get("Arch"),
        host=locate_docker_host(config.docker_host).shown,
    )


def _dist_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "-"


def mongo_version(value: Any) -> str:
    if isinstance(value, BaseException):
        return tr("not reachable: {reason}", reason=why(value))
    return str(value)
