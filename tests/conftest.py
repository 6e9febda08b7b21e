"""Shared fixtures: testbed stacks (with or without Docker), the Docker client, and small
HTTP servers on loopback."""

from __future__ import annotations

import contextlib
import secrets
import threading
from collections.abc import Callable, Iterable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import docker
import docker.errors
import pytest

from doctor.clients import docker_host
from doctor.testbed import Stack, hang, start_stack
from doctor.testbed.docker_ai import ensure_image

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


Responder = Callable[[str, str, bytes], tuple[int, str, bytes]]
"""(method, path, request body) -> (status, content type, body)."""


@pytest.fixture
def loopback_server() -> Iterator[Callable[[Responder], str]]:
    """`serve(respond)` starts an HTTP server on loopback answering with `respond`."""
    servers: list[ThreadingHTTPServer] = []

    def serve(respond: Responder) -> str:
        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                status, content_type, payload = respond(self.command, self.path, body)
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = _answer

            def log_message(self, *args: object) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def hanging_port() -> Iterator[int]:
    """A loopback port that takes connections and never answers them."""
    with hang.hanging_port() as port:
        yield port


@pytest.fixture
def mongo_image(docker_client: docker.DockerClient) -> Iterator[str]:
    """The testbed image tagged as ``mongo:*``; the tag and its containers removed after."""
    tag = f"mongo:sse-doctor-test-{secrets.token_hex(4)}"
    docker_client.images.get(ensure_image(docker_client, "wget")).tag(tag)
    yield tag
    for container in docker_client.containers.list(all=True, filters={"ancestor": tag}):
        container.remove(force=True)
    with contextlib.suppress(docker.errors.ImageNotFound):
        docker_client.images.remove(tag, noprune=True)
