"""Find the Docker engine the way the ``docker`` CLI does: DOCKER_HOST, then the context."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    import docker

DEFAULT_SOCKET = Path("/var/run/docker.sock")
DESKTOP_CONTEXT = "desktop-linux"
"""The context Docker Desktop creates; its socket lives under the user's home."""


class DockerHost(NamedTuple):
    """The engine URL (None: docker-py's default socket) and where the setting came from."""

    url: str | None
    source: str
    """``--docker-host``, ``DOCKER_HOST``, ``context <name>``, ``Docker Desktop`` or ``default``."""

    @property
    def shown(self) -> str:
        """The URL a person reads: the default socket spelled out."""
        return self.url or f"unix://{DEFAULT_SOCKET}"


def resolve_docker_host(
    explicit: str | None = None,
    environ: Mapping[str, str] | None = None,
    home: Path | None = None,
) -> str | None:
    """The engine URL to use: the option, DOCKER_HOST, the current context, or None (default)."""
    return locate_docker_host(explicit, environ, home).url


def locate_docker_host(
    explicit: str | None = None,
    environ: Mapping[str, str] | None = None,
    home: Path | None = None,
) -> DockerHost:
    """Like :func:`resolve_docker_host`, also saying which setting chose the engine.

    Order: ``--docker-host``; ``DOCKER_HOST``; the context named by ``DOCKER_CONTEXT`` or
    ``currentContext`` in ``$DOCKER_CONFIG/config.json`` (default ``~/.docker``); then, when
    ``/var/run/docker.sock`` is missing, Docker Desktop's ``desktop-linux`` context or its
    socket ``~/.docker/run/docker.sock``.
    """
    env = os.environ if environ is None else environ
    if explicit:
        return DockerHost(explicit, "--docker-host")
    if env.get("DOCKER_HOST"):
        return DockerHost(env["DOCKER_HOST"], "DOCKER_HOST")
    user_home = home or Path(env.get("HOME") or Path.home())
    config_dir = Path(env["DOCKER_CONFIG"]) if env.get("DOCKER_CONFIG") else user_home / ".docker"
    context = env.get("DOCKER_CONTEXT") or _current_context(config_dir)
    if context and context != "default":
        host = _context_host(config_dir, context)
        if host:
            return DockerHost(host, f"context {context}")
    if DEFAULT_SOCKET.exists():
        return DockerHost(None, "default")
    host = _context_host(config_dir, DESKTOP_CONTEXT)
    if host:
        return DockerHost(host, f"context {DESKTOP_CONTEXT}")
    desktop_socket = user_home / ".docker" / "run" / "docker.sock"
    if desktop_socket.exists():
        return DockerHost(f"unix://{desktop_socket}", "Docker Desktop")
    return DockerHost(None, "default")


def _current_context(config_dir: Path) -> str | None:
    try:
        return json.loads((config_dir / "config.json").read_text()).get("currentContext")
    except (OSError, ValueError, AttributeError):
        return None


def _context_host(config_dir: Path, name: str) -> str | None:
    digest = hashlib.sha256(name.encode()).hexdigest()
    meta = config_dir / "contexts" / "meta" / digest / "meta.json"
    try:
        host = json.loads(meta.read_text())["Endpoints"]["docker"]["Host"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return host if isinstance(host, str) and host else None


def docker_client(explicit: str | None = None, timeout: float = 60.0) -> docker.DockerClient:
    """A client for the engine the ``docker`` CLI would use (TLS settings from the env).

    An ``ssh://user@host[:port]`` engine goes through docker-py's SSH transport: paramiko
    (the ``ssh`` extra) logs in with the keys ``~/.ssh`` and the agent offer, checks the host
    key against ``~/.ssh/known_hosts`` and runs ``docker system dial-stdio`` there (so the
    docker CLI must be on that host). What keeps it from working is one line, a
    DockerException for which :func:`ssh_unavailable` is true.
    """
    import docker

    settings = docker.utils.kwargs_from_env()  # DOCKER_TLS_VERIFY, DOCKER_CERT_PATH
    host = resolve_docker_host(explicit)
    if host:
        settings["base_url"] = host
    if host and host.startswith("ssh://"):
        return _ssh_client(host, timeout, settings)
    return docker.DockerClient(timeout=timeout, **settings)


def _ssh_client(host: str, timeout: float, settings: dict) -> docker.DockerClient:
    import socket
    from urllib.parse import urlsplit

    import docker
    import docker.errors

    try:
        import paramiko
    except ImportError:
        raise _unavailable(
            f"{host}: ssh:// engines need paramiko: pip install 'sse-doctor[ssh]'"
        ) from None
    parts = urlsplit(host)
    try:  # paramiko's own connect has no timeout: find out first that something listens
        socket.create_connection((parts.hostname, parts.port or 22), timeout=timeout).close()
    except OSError as exc:  # nothing listens, or no answer: the engine is down
        raise docker.errors.DockerException(f"{host}: {exc.strerror or exc}") from exc
    try:
        return docker.DockerClient(timeout=timeout, **settings)
    except paramiko.AuthenticationException as exc:
        raise _unavailable(
            f"{host}: the login is refused ({exc}); ~/.ssh or the ssh agent must hold a key "
            "the host accepts"
        ) from None
    except paramiko.SSHException as exc:
        reason = str(exc)
        if "known_hosts" in reason:
            port = f"-p {parts.port} " if parts.port else ""
            reason += f" (add it: ssh-keyscan {port}{parts.hostname} >> ~/.ssh/known_hosts)"
        raise _unavailable(f"{host}: {reason}") from None
    except OSError as exc:
        raise _unavailable(f"{host}: {exc.strerror or exc}") from None


def _unavailable(message: str) -> Exception:
    """docker-py's DockerException (what every caller handles), marked as an ssh:// engine
    that cannot be used (``ssh_unavailable``)."""
    import docker.errors

    exc = docker.errors.DockerException(message)
    exc.ssh_unavailable = True  # type: ignore[attr-defined]
    return exc


def ssh_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` says an ``ssh://`` engine cannot be used (not that it is down)."""
    return bool(getattr(exc, "ssh_unavailable", False))
