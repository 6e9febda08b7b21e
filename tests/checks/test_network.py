"""Where each part runs, the Docker network and the backend's path to the container, on the
real engine: the backend on the host, in a container on the network, the project container
on another network, the network missing, and the busybox-only way to ask."""

from __future__ import annotations

import contextlib
import json
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import docker
import docker.errors
import pytest

from checks.network import _host_hint, hosts_entries
from doctor.config import Config, validate
from doctor.context import Artifact
from doctor.session import run_doctor
from doctor.testbed import Stack, doctor_args
from doctor.testbed.docker_ai import LABEL, ensure_image
from doctor.testbed.net import closed_port
from tests.helpers import FAST, doctor_json, finding_ids, results_by_id


def unique(prefix: str) -> str:
    """A name no other stack on this (shared) engine uses."""
    return f"{prefix}-{secrets.token_hex(4)}"


def args(stack: Stack, *extra: str, **overrides: object) -> list[str]:
    network = overrides.pop("docker_network", stack.network or unique("sse-doctor-absent"))
    return doctor_args(stack, *extra, **{**FAST, "docker_network": network, **overrides})


def artifacts(stack: Stack, **fields: Any) -> dict[str, Any]:
    """The artifacts of a doctor run on ``stack`` (the Docker and container layers only)."""
    settings: dict[str, Any] = {
        "backend_url": stack.backend_url,
        "username": stack.username,
        "email": stack.email,
        "password": stack.password,
        "project": stack.project_id,
        "run": stack.run_id,
        "mongo_uri": stack.mongo_uri,
        "base_image": stack.base_image,
        "docker_network": stack.network or "refactor-network",
        "timeout": 2.0,
        "only": ("docker", "container"),
    }
    config = validate(Config(**{**settings, **fields}))
    _record, ctx = run_doctor(config)
    ctx.close()
    return ctx.artifacts


@pytest.fixture
def network_stack(stack_factory: Callable[..., Stack]) -> Callable[..., Stack]:
    """`make(**kw)`: a Docker stack on a network of its own, its backend in a container."""

    def make(**kw: Any) -> Stack:
        kw.setdefault("backend_container", unique("sse-doctor-api"))
        return stack_factory(docker=True, network=unique("sse-doctor-net"), **kw)

    return make


def test_a_backend_on_the_host_cannot_resolve_container_names(stack_factory) -> None:
    # The testbed's own backend runs on this host and resolves names from a table; with
    # the table emptied it fails as a real one on the host always does.
    stack = stack_factory(("container-unresolvable",), docker=True)
    code, document = doctor_json(*args(stack))
    results = results_by_id(document)
    parts = results["docker.parts"]
    assert parts["status"] == "pass" and parts["evidence"]["backend"] == {"runs_on": "host"}
    assert "runs on the host" in parts["message"]
    path = results["network.path"]
    assert (path["status"], path["problem"]) == ("fail", "network.host-backend")
    assert f"{stack.container_name} is not in /etc/hosts" in path["message"]
    assert "docker compose up -d api" in path["hint"] and "never on Docker Desktop" in path["hint"]
    address = path["evidence"]["address"]
    assert address and f"`{address} {stack.container_name}`" in path["hint"]
    assert results["sse.stream"]["problem"] == "network.container-unresolvable"
    first = document["diagnosis"][0]
    assert first["id"] == "network.host-backend" and first["severity"] == "problem"
    assert {"network.path", "sse.stream"} <= set(first["checks"])
    assert "network.container-unresolvable" not in finding_ids(document)
    assert code == 1
    assert artifacts(stack)[Artifact.BACKEND_CONTAINER] is None


def test_a_backend_container_on_the_network_reaches_the_project_container(
    network_stack, docker_client: docker.DockerClient
) -> None:
    stack = network_stack()
    code, document = doctor_json(*args(stack))
    results = results_by_id(document)
    backend = results["docker.parts"]["evidence"]["backend"]
    assert backend["name"] == stack.backend_container
    assert backend["by"] == f"port {stack.backend_url.rsplit(':', 1)[1]}"
    assert set(backend["networks"]) == {stack.network}
    net = results["network.docker"]
    assert net["status"] == "pass"
    assert {stack.backend_container, stack.container_name} <= set(net["evidence"]["members"])
    path = results["network.path"]
    assert path["status"] == "pass", path["message"]
    assert path["evidence"]["via"] == "docker exec python3"
    assert path["evidence"]["status"] == 200 and path["evidence"]["address"]
    assert f"{stack.container_name} resolves to {path['evidence']['address']}" in path["message"]
    assert [f for f in document["diagnosis"] if f["severity"] == "problem"] == []
    assert code == 0
    # The backend's container is recorded, and its stdout is the backend's log.
    assert artifacts(stack)[Artifact.BACKEND_CONTAINER] == stack.backend_container
    logs = docker_client.containers.get(stack.backend_container).logs().decode()
    assert f"🔗 開始串流 AI Server 日誌: http://{stack.container_name}:8000/tasks/" in logs
    # ... and backend.log read it there without --backend-container.
    log = results["backend.log"]
    assert log["status"] == "pass", log["message"]
    assert stack.backend_container in log["evidence"]["source"]
    assert log["evidence"]["streams"] >= 1 and 200 in log["evidence"]["connected"]


def test_the_backend_container_is_found_by_its_compose_service_and_the_option_wins(
    network_stack, docker_client: docker.DockerClient
) -> None:
    stack = network_stack()
    elsewhere = f"http://127.0.0.1:{closed_port()}"
    found = artifacts(stack, backend_url=elsewhere)[Artifact.DOCKER_PARTS]["backend"]
    assert (found["name"], found["by"]) == (stack.backend_container, "compose service api")
    named = artifacts(stack, backend_container=stack.container_name)
    assert named[Artifact.BACKEND_CONTAINER] == stack.container_name
    assert named[Artifact.DOCKER_PARTS]["backend"]["by"] == "--backend-container"
    missing = unique("sse-doctor-nosuch")
    code, document = doctor_json(*args(stack, backend_container=missing, only="docker.parts"))
    parts = results_by_id(document)["docker.parts"]
    assert (parts["status"], parts["problem"]) == ("fail", "backend.container-missing")
    assert missing in parts["message"] and code == 1


def test_the_project_container_on_another_network_is_the_cause(network_stack) -> None:
    stack = network_stack(ai_network=unique("sse-doctor-other"))
    code, document = doctor_json(*args(stack))
    results = results_by_id(document)
    net = results["network.docker"]
    assert (net["status"], net["problem"]) == ("fail", "network.container-elsewhere")
    assert stack.network not in net["evidence"]["project_networks"]
    assert f"docker network connect {stack.network} {stack.container_name}" in net["hint"]
    path = results["network.path"]
    assert path["problem"] == "network.container-unresolvable"
    assert "Name or service not known" in path["message"]
    assert results["sse.stream"]["problem"] == "network.container-unresolvable"
    first = document["diagnosis"][0]
    assert first["id"] == "network.container-elsewhere" and first["severity"] == "problem"
    assert {"network.docker", "network.path", "sse.stream"} <= set(first["checks"])
    assert code == 1


def test_a_missing_network_is_named_with_the_command_that_creates_it(stack_factory) -> None:
    stack = stack_factory(docker=True)
    absent = unique("sse-doctor-absent")
    code, document = doctor_json(*args(stack, docker_network=absent))
    net = results_by_id(document)["network.docker"]
    assert (net["status"], net["problem"]) == ("fail", "network.missing")
    assert net["evidence"] == {"network": absent, "exists": False}
    assert f"docker network create {absent}" in net["hint"]
    finding = next(f for f in document["diagnosis"] if f["id"] == "network.missing")
    assert finding["severity"] == "warning"  # the stream came through all the same
    code, document = doctor_json(*args(stack, docker_network=absent, only="network.docker"))
    assert finding_ids(document) == ["network.missing"] and code == 1


@pytest.fixture
def busybox_backend(docker_client: docker.DockerClient) -> Iterator[Callable[[str], str]]:
    """`start(network)`: a busybox container without python3 (like the V2 image without
    wget, the other way round) on the network; removed after."""
    started: list[Any] = []

    def start(network: str) -> str:
        container = docker_client.containers.run(
            ensure_image(docker_client, "wget"),
            ["sleep", "600"],
            name=unique("sse-doctor-busybox"),
            network=network,
            dns=["127.0.0.1"],
            detach=True,
        )
        started.append(container)
        return str(container.name)

    yield start
    for container in started:
        with contextlib.suppress(docker.errors.NotFound):
            container.remove(force=True)


def test_without_python3_busybox_wget_and_nslookup_ask_the_same(
    network_stack, busybox_backend
) -> None:
    stack = network_stack()
    name = busybox_backend(stack.network)
    code, document = doctor_json(*args(stack, backend_container=name, only="network.path"))
    path = results_by_id(document)["network.path"]
    assert path["status"] == "pass", path["message"]
    assert path["evidence"]["via"] == "docker exec wget" and path["evidence"]["address"]
    assert path["evidence"]["tried"] == ["python3"]
    assert json.loads(path["evidence"]["body"]) == {"status": "healthy"}
    assert code == 0


def test_without_python3_an_unknown_name_is_unresolvable(
    network_stack, busybox_backend, docker_client: docker.DockerClient
) -> None:
    stack = network_stack()
    other = docker_client.networks.create(unique("sse-doctor-lone"), labels={LABEL: "1"})
    try:
        name = busybox_backend(other.name)
        code, document = doctor_json(*args(stack, backend_container=name, only="network.path"))
    finally:
        docker_client.containers.get(name).remove(force=True)
        other.remove()
    path = results_by_id(document)["network.path"]
    assert (path["status"], path["problem"]) == ("fail", "network.container-unresolvable")
    assert f"{stack.container_name} does not resolve" in path["message"] and code == 1


def test_hosts_entries_and_the_desktop_hint(tmp_path: Path) -> None:
    hosts = tmp_path / "hosts"
    hosts.write_text(
        "127.0.0.1 localhost\n172.18.0.5 refactor-project-a other # note\n#1.2.3.4 x\n"
    )
    assert hosts_entries("refactor-project-a", hosts) == ["172.18.0.5"]
    assert hosts_entries("x", hosts) == [] and hosts_entries("a", tmp_path / "none") == []
    desktop = _host_hint("refactor-project-a", "refactor-network", None, {"desktop": True})
    assert "cannot help" in desktop and "/etc/hosts line" not in desktop
    linux = _host_hint("refactor-project-a", "refactor-network", "172.18.0.5", {"desktop": False})
    assert "`172.18.0.5 refactor-project-a`" in linux and "never on Docker Desktop" in linux


def test_postgresql_is_found_by_its_image_under_any_name(
    docker_client: docker.DockerClient,
) -> None:
    tag = f"postgres:sse-doctor-test-{secrets.token_hex(4)}"
    docker_client.images.get(ensure_image(docker_client, "wget")).tag(tag)
    name = unique("app-db")
    try:
        docker_client.containers.run(tag, ["sleep", "600"], name=name, detach=True)
        url = f"http://127.0.0.1:{closed_port()}"
        code, document = doctor_json("--backend-url", url, "--only", "docker.parts")
    finally:
        with contextlib.suppress(docker.errors.NotFound):
            docker_client.containers.get(name).remove(force=True)
        docker_client.images.remove(tag, noprune=True)
    parts = results_by_id(document)["docker.parts"]
    postgres = parts["evidence"]["postgres"]
    assert (postgres["name"], postgres["by"], postgres["state"]) == (name, "image", "running")
    assert f"PostgreSQL in {name} (running)." in parts["message"]
    assert parts["evidence"]["backend"] == {"runs_on": "host"} and code == 0
