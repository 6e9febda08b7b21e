"""Shared fixtures: testbed stacks (with or without Docker) and the Docker client."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator

import docker
import docker.errors
import pytest

from doctor.clients import docker_host
from doctor.testbed import Stack, start_stack

StackFactory = Callable[..., Stack]


@pytest.fixture(scope="session")
def docker_client() -> Iterator[docker.DockerClient]:
    """A client for the local Docker engine; fails (never skips) when there is none."""
    try:
        client = docker_host.docker_client()
        client.ping()
    except docker.errors.DockerException as exc:
        pytest.fail(
            f"Docker engine not reachable ({exc}). Docker-backed tests need a running dockerd "
            "(CI starts one: see .ci/run); they are not skipped.",
            pytrace=False,
        )
    yield client
    client.close()


@pytest.fixture(scope="session")
def base_image_tag() -> str:
    """The base-image tag docker stacks create, kept apart from a real refactor-base:latest."""
    return "refactor-base:sse-doctor-test"


@pytest.fixture
def stack_factory(request: pytest.FixtureRequest) -> Iterator[StackFactory]:
    """`make(faults=(), docker=False, **kw)` starts a testbed stack, stopped after the test.

    Docker stacks use the `base_image_tag` tag unless `base_image` is given, and fail the
    test with a clear message when no Docker engine is reachable.
    """
    with contextlib.ExitStack() as exits:

        def make(faults: Iterable[str] = (), docker: bool = False, **kw: object) -> Stack:
            if docker:
                request.getfixturevalue("docker_client")
                kw.setdefault("base_image", request.getfixturevalue("base_image_tag"))
            return exits.enter_context(start_stack(faults, docker=docker, **kw))

        yield make


@pytest.fixture
def stack(stack_factory: StackFactory) -> Stack:
    """A healthy stack without Docker."""
    return stack_factory()
