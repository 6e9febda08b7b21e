"""Find the Docker engine the way the ``docker`` CLI does: DOCKER_HOST, then the context."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path

DEFAULT_SOCKET = Path("/var/run/docker.sock")


def resolve_docker_host(
    explicit: str | None = None,
    environ: Mapping[str, str] | None = None,
    home: Path | None = None,
) -> str | None:
    """The engine URL to use: the option, DOCKER_HOST, the current context, or None (default)."""
    env = os.environ if environ is None else environ
    if explicit:
        return explicit
    if env.get("DOCKER_HOST"):
        return env["DOCKER_HOST"]
    config_dir = (
        Path(env["DOCKER_CONFIG"])
        if env.get("DOCKER_CONFIG")
        else ((home or Path.home()) / ".docker")
    )
    context = env.get("DOCKER_CONTEXT") or _current_context(config_dir)
    if context and context != "default":
        return _context_host(config_dir, context)
    if DEFAULT_SOCKET.exists():
        return None
    return _context_host(config_dir, "desktop-linux")


def _current_context(config_dir: Path) -> str | None:
    try:
        return json.loads((config_dir / "config.json").read_text()).get("currentContext")
    except (OSError, ValueError, AttributeError):
        return None


def _context_host(config_dir: Path, name: str) -> str | None:
    digest = hashlib.sha256(name.encode()).hexdigest()
    meta = config_dir / "contexts" / "meta" / digest / "meta.json"
    try:
        return json.loads(meta.read_text())["Endpoints"]["docker"]["Host"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
