"""The AI Server in real Docker: container states, the base image and cleanup."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import docker
import docker.errors
import httpx
import pytest

from doctor.testbed import Stack, start_stack
from doctor.testbed.docker_ai import LABEL, ensure_image, image_tag


def stream_path(stack: Stack) -> str:
    return f"{stack.api_prefix}/projects/{stack.project_id}/agent/runs/{stack.run_id}/stream"


def wget(container, path: str):
    return container.exec_run(["wget", "-q", "-O-", f"http://localhost:8000{path}"])


def test_healthy_container_serves_the_ai_server(
    stack_factory, docker_client, api, base_image_tag
) -> None:
    stack = stack_factory(docker=True)
    assert stack.docker and stack.ai_url is None and stack.base_image == base_image_tag
    assert stack.container_name == f"refactor-project-{stack.project_id}"
    container = docker_client.containers.get(stack.container_name)
    assert container.status == "running" and container.labels[LABEL] == "1"
    assert container.image.tags and image_tag() in container.image.tags
    bindings = container.attrs["NetworkSettings"]["Ports"]["8000/tcp"]
    assert {binding["HostIp"] for binding in bindings} == {"127.0.0.1"}
    assert f"OPENAI_API_KEY={stack.llm_api_key}" in container.attrs["Config"]["Env"]
    assert (stack.llm_api_key or "").startswith("sk-testbed")

    health = wget(container, "/health")
    assert health.exit_code == 0 and json.loads(health.output) == {"status": "healthy"}
    (task,) = json.loads(wget(container, "/tasks").output)
    assert task["id"] == stack.run_id and len(task["task_logs"]) == 5

    docker_client.images.get(base_image_tag)
    client = api(stack)
    body = client.get(stream_path(stack)).text
    assert body.count("event: log") == 5 and body.endswith("data: Task success\n\n")
    created = client.post(f"/api/v1/projects/{stack.project_id}/agent/runs").json()["run_id"]
    assert created in {t["id"] for t in json.loads(wget(container, "/tasks").output)}


def test_container_stopped_exits_137_and_stream_gives_503(
    stack_factory, docker_client, api
) -> None:
    stack = stack_factory(("container-stopped",), docker=True)
    container = docker_client.containers.get(stack.container_name)
    assert container.status == "exited"
    assert container.attrs["State"]["ExitCode"] == 137
    response = api(stack).get(stream_path(stack))
    assert response.status_code == 503
    assert response.json() == {"detail": "AI Server is not available"}


def test_ai_down_container_runs_without_http(stack_factory, docker_client, api) -> None:
    stack = stack_factory(("ai-down",), docker=True)
    container = docker_client.containers.get(stack.container_name)
    assert container.status == "running"
    assert wget(container, "/health").exit_code != 0
    assert api(stack).get(stream_path(stack)).status_code == 503


def test_no_base_image_removes_only_the_base_tag(
    stack_factory, docker_client, base_image_tag
) -> None:
    absent_tag = f"{base_image_tag}-absent"
    docker_client.images.get(ensure_image(docker_client)).tag(*absent_tag.rsplit(":", 1))
    stack = stack_factory(("no-base-image",), docker=True, base_image=absent_tag)
    assert stack.base_image == absent_tag
    with pytest.raises(docker.errors.ImageNotFound):
        docker_client.images.get(absent_tag)
    docker_client.images.get(image_tag())
    assert docker_client.containers.get(stack.container_name).status == "running"


def test_container_is_removed_on_exit_even_after_an_error(docker_client, base_image_tag) -> None:
    with (
        pytest.raises(RuntimeError, match="boom"),
        start_stack(docker=True, base_image=base_image_tag) as stack,
    ):
        assert docker_client.containers.get(stack.container_name).status == "running"
        raise RuntimeError("boom")
    with pytest.raises(docker.errors.NotFound):
        docker_client.containers.get(stack.container_name)
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{stack.backend_url}/health", timeout=1)
    assert not docker_client.containers.list(
        all=True, filters={"label": f"{LABEL}=1", "name": stack.project_id}
    )
    with pytest.raises(docker.errors.ImageNotFound):  # the tag it made is gone too
        docker_client.images.get(base_image_tag)


def test_concurrent_docker_stacks_share_the_image(stack_factory, docker_client) -> None:
    with ThreadPoolExecutor(2) as pool:
        stacks = list(pool.map(lambda _: stack_factory(docker=True), range(2)))
    names = {stack.container_name for stack in stacks}
    assert len(names) == 2
    images = {docker_client.containers.get(name).image.id for name in names}
    assert images == {docker_client.images.get(image_tag()).id}
