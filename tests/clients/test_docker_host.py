"""Finding the Docker engine like the docker CLI: option, DOCKER_HOST, context, Docker Desktop."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from doctor.clients import docker_host
from doctor.clients.docker_host import locate_docker_host, resolve_docker_host

DESKTOP_SOCKET = "unix:///Users/dev/.docker/run/docker.sock"


def add_context(config_dir: Path, name: str, host: str) -> None:
    """Write contexts/meta/<sha256(name)>/meta.json as `docker context create` does."""
    meta = config_dir / "contexts" / "meta" / hashlib.sha256(name.encode()).hexdigest()
    meta.mkdir(parents=True)
    endpoints = {"docker": {"Host": host, "SkipTLSVerify": False}}
    (meta / "meta.json").write_text(json.dumps({"Name": name, "Endpoints": endpoints}))


def use_context(config_dir: Path, name: str) -> None:
    config_dir.mkdir(parents=True, exist_ok=True)
    (config_dir / "config.json").write_text(json.dumps({"currentContext": name}))


@pytest.fixture
def no_default_socket(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A machine without /var/run/docker.sock, as on macOS with Docker Desktop."""
    monkeypatch.setattr(docker_host, "DEFAULT_SOCKET", tmp_path / "absent" / "docker.sock")


@pytest.fixture
def default_socket(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A machine whose engine listens on the default socket."""
    path = tmp_path / "run" / "docker.sock"
    path.parent.mkdir()
    path.touch()
    monkeypatch.setattr(docker_host, "DEFAULT_SOCKET", path)
    return path


def test_option_wins_over_environment(tmp_path: Path) -> None:
    env = {"DOCKER_HOST": "tcp://10.0.0.1:2375", "HOME": str(tmp_path)}
    found = locate_docker_host("unix:///tmp/other.sock", env)
    assert found == ("unix:///tmp/other.sock", "--docker-host")


def test_docker_host_wins_over_context(tmp_path: Path) -> None:
    config_dir = tmp_path / ".docker"
    add_context(config_dir, "remote", "tcp://10.0.0.2:2376")
    use_context(config_dir, "remote")
    env = {"DOCKER_HOST": "tcp://10.0.0.1:2375", "HOME": str(tmp_path)}
    assert resolve_docker_host(None, env) == "tcp://10.0.0.1:2375"


def test_current_context_from_home(tmp_path: Path) -> None:
    config_dir = tmp_path / ".docker"
    add_context(config_dir, "desktop-linux", DESKTOP_SOCKET)
    use_context(config_dir, "desktop-linux")
    found = locate_docker_host(None, {"HOME": str(tmp_path)})
    assert found == (DESKTOP_SOCKET, "context desktop-linux")


def test_docker_config_and_docker_context_variables(tmp_path: Path) -> None:
    config_dir = tmp_path / "elsewhere"
    add_context(config_dir, "staging", "ssh://deploy@staging")
    env = {"DOCKER_CONFIG": str(config_dir), "DOCKER_CONTEXT": "staging", "HOME": str(tmp_path)}
    assert resolve_docker_host(None, env) == "ssh://deploy@staging"


def test_default_context_uses_default_socket(tmp_path: Path, default_socket: Path) -> None:
    config_dir = tmp_path / ".docker"
    add_context(config_dir, "desktop-linux", DESKTOP_SOCKET)
    use_context(config_dir, "default")
    found = locate_docker_host(None, {"HOME": str(tmp_path)})
    assert found == (None, "default")
    assert found.shown == f"unix://{default_socket}"


@pytest.mark.usefixtures("no_default_socket")
def test_missing_default_socket_falls_back_to_desktop_context(tmp_path: Path) -> None:
    add_context(tmp_path / ".docker", "desktop-linux", DESKTOP_SOCKET)
    assert locate_docker_host(None, {"HOME": str(tmp_path)}) == (
        DESKTOP_SOCKET,
        "context desktop-linux",
    )


@pytest.mark.usefixtures("no_default_socket")
def test_missing_default_socket_falls_back_to_desktop_socket(tmp_path: Path) -> None:
    socket_path = tmp_path / ".docker" / "run" / "docker.sock"
    socket_path.parent.mkdir(parents=True)
    socket_path.touch()
    found = locate_docker_host(None, {"HOME": str(tmp_path)})
    assert found == (f"unix://{socket_path}", "Docker Desktop")


@pytest.mark.usefixtures("no_default_socket")
def test_nothing_found_means_default(tmp_path: Path) -> None:
    assert locate_docker_host(None, {"HOME": str(tmp_path)}) == (None, "default")


@pytest.mark.usefixtures("default_socket")
def test_broken_context_metadata_is_ignored(tmp_path: Path) -> None:
    config_dir = tmp_path / ".docker"
    add_context(config_dir, "broken", "")
    use_context(config_dir, "broken")
    assert locate_docker_host(None, {"HOME": str(tmp_path)}).source == "default"
