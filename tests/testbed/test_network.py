"""The testbed's Docker network and its backend in a container, as compose runs the stack."""

from __future__ import annotations

import secrets

import docker
import docker.errors
import httpx
import pytest

from doctor.testbed import start_stack
from doctor.testbed.docker_ai import LABEL
from doctor.testbed.nxdomain import nxdomain


def unique(prefix: str) -> str:
    """A name no other stack on this engine uses (other worktrees share the engine)."""
    return f"{prefix}-{secrets.token_hex(4)}"


def test_the_backend_container_streams_through_dockers_dns(
    stack_factory, docker_client: docker.DockerClient
) -> None:
    network, api = unique("sse-doctor-net"), unique("sse-doctor-api")
    stack = stack_factory(docker=True, network=network, backend_container=api)
    assert (stack.network, stack.backend_container) == (network, api)
    backend = docker_client.containers.get(api)
    project = docker_client.containers.get(stack.container_name)
    assert set(backend.attrs["NetworkSettings"]["Networks"]) == {network}
    assert set(project.attrs["NetworkSettings"]["Networks"]) == {network}
    assert backend.attrs["HostConfig"]["Dns"] == ["127.0.0.1"]
    bindings = backend.attrs["NetworkSettings"]["Ports"]["8000/tcp"]
    assert {binding["HostIp"] for binding in bindings} == {"127.0.0.1"}
    assert stack.backend_url == f"http://127.0.0.1:{bindings[0]['HostPort']}"

    path = f"/api/v1/projects/{stack.project_id}/agent/runs/{stack.run_id}/stream"
    body = httpx.get(
        stack.backend_url + path, headers={"Authorization": f"Bearer {stack.token}"}, timeout=5
    ).text
    assert "event: status" in body and "HTTP 錯誤" not in body
    logs = backend.logs().decode()
    assert f"🔗 開始串流 AI Server 日誌: http://{stack.container_name}:8000/tasks/" in logs
    assert logs.count("🔗 開始串流") == stack.log_path.read_text().count("🔗 開始串流") >= 1


def test_an_unknown_name_fails_at_once_inside_the_backend_container(
    stack_factory, docker_client: docker.DockerClient
) -> None:
    network, api = unique("sse-doctor-net"), unique("sse-doctor-api")
    stack = stack_factory(docker=True, network=network, backend_container=api)
    python = docker_client.containers.get(api).attrs["Config"]["Cmd"][0]
    lookup = "import socket, sys; socket.getaddrinfo(sys.argv[1], 80)"
    result = docker_client.containers.get(api).exec_run(
        [python, "-c", lookup, "refactor-project-nosuchone"]
    )
    assert result.exit_code == 1
    assert b"Name or service not known" in result.output
    assert stack.network == network


def test_the_project_container_on_another_network_is_not_resolved(
    stack_factory, docker_client: docker.DockerClient
) -> None:
    network, elsewhere = unique("sse-doctor-net"), unique("sse-doctor-other")
    stack = stack_factory(
        docker=True, network=network, ai_network=elsewhere, backend_container=unique("api")
    )
    project = docker_client.containers.get(stack.container_name)
    assert set(project.attrs["NetworkSettings"]["Networks"]) == {elsewhere}
    path = f"/api/v1/projects/{stack.project_id}/agent/runs/{stack.run_id}/stream"
    body = httpx.get(
        stack.backend_url + path, headers={"Authorization": f"Bearer {stack.token}"}, timeout=5
    ).text
    assert "data: HTTP 錯誤: [Errno -2] Name or service not known" in body


def test_networks_and_containers_are_removed_on_exit(
    docker_client: docker.DockerClient, base_image_tag: str
) -> None:
    network, api = unique("sse-doctor-net"), unique("sse-doctor-api")
    with (
        pytest.raises(RuntimeError, match="boom"),
        start_stack(
            docker=True, network=network, backend_container=api, base_image=base_image_tag
        ) as stack,
    ):
        assert docker_client.networks.get(network).attrs["Labels"][LABEL] == "1"
        raise RuntimeError("boom")
    for name in (api, stack.container_name):
        with pytest.raises(docker.errors.NotFound):
            docker_client.containers.get(name)
    with pytest.raises(docker.errors.NotFound):
        docker_client.networks.get(network)


def test_a_network_that_exists_already_is_left_alone(
    docker_client: docker.DockerClient, base_image_tag: str
) -> None:
    name = unique("sse-doctor-theirs")
    theirs = docker_client.networks.create(name)
    try:
        with (
            pytest.raises(RuntimeError, match="exists already"),
            start_stack(docker=True, network=name, base_image=base_image_tag),
        ):
            pass
        assert docker_client.networks.get(name).id == theirs.id
    finally:
        theirs.remove()


def test_the_container_only_options_need_docker() -> None:
    with pytest.raises(ValueError, match="need docker=True"):
        start_stack(network="n")
    with pytest.raises(ValueError, match="needs a network"):
        start_stack(docker=True, backend_container="api")
    with pytest.raises(ValueError, match="on this host"):
        start_stack(("backend-hang",), docker=True, network="n", backend_container="api")


def test_nxdomain_answers_the_question_and_drops_the_rest() -> None:
    question = b"\x03foo\x00\x00\x01\x00\x01"
    query = bytes.fromhex("abcd01000001000000000001") + question + b"\x00\x00\x29" + b"\x00" * 8
    answer = nxdomain(query)
    assert answer[:2] == b"\xab\xcd" and answer[3] & 0x0F == 3 and answer[2] & 0x80
    assert answer[4:12] == b"\x00\x01" + b"\x00" * 6 and answer[12:] == question
    assert nxdomain(b"short") == b""
