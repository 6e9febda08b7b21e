"""MongoDB checks against the testbed's wire endpoint and real Docker containers."""

from __future__ import annotations

import contextlib
import json
import secrets
import time
from collections.abc import Callable, Iterator

import docker
import docker.errors
import pytest
from pymongo import MongoClient
from pymongo.errors import ConfigurationError, PyMongoError, ServerSelectionTimeoutError

from checks.docker_engine import DockerEngine
from checks.mongodb import (
    MongoContainer,
    MongoPing,
    describe_mongo_error,
    mongo_hosts,
)
from doctor.cli import main
from doctor.config import Config, validate
from doctor.context import Context
from doctor.model import Category, Result, Status
from doctor.report.redact import uri_password
from doctor.runner import run_checks
from doctor.testbed import Stack, doctor_args
from doctor.testbed.docker_ai import IDLE, ensure_image
from doctor.testbed.net import closed_port
from tests.helpers import results_by_id

TIMEOUT = 1.0
START_MONGO = "docker run -d --name mongodb -p 27017:27017 mongo:7"


def doctor_run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, float]:
    """Run `sse-doctor run` in-process: exit code, everything printed, seconds taken."""
    started = time.monotonic()
    code = main(["run", "--timeout", str(TIMEOUT), *args])
    elapsed = time.monotonic() - started
    captured = capsys.readouterr()
    return code, captured.out + captured.err, elapsed


def doctor_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict, str]:
    code, output, _ = doctor_run(capsys, "--json", "--no-docker", *args)
    return code, json.loads(output), output


def test_healthy_mongodb_answers_with_its_version_and_holds_the_run(
    stack: Stack, capsys: pytest.CaptureFixture[str]
) -> None:
    args = doctor_args(stack, "--run", stack.run_id, "--only", "mongodb", "--only", "backend")
    code, report, _ = doctor_json(capsys, *args)
    by_id = results_by_id(report)
    ping, project = by_id["mongodb.ping"], by_id["mongodb.project"]
    assert ping["status"] == "pass"
    assert ping["evidence"]["server_version"] == "7.0.12"
    assert project["status"] == "pass"
    assert project["evidence"]["project_id"] == stack.project_id
    assert project["evidence"]["project_status"] == "READY"
    assert project["evidence"]["task_logs"] == 5
    assert code == 0


def test_with_docker_the_mongodb_container_is_looked_at(
    stack: Stack, docker_client: docker.DockerClient, capsys: pytest.CaptureFixture[str]
) -> None:
    code, output, _ = doctor_run(capsys, "--json", *doctor_args(stack, "--only", "mongodb"))
    by_id = results_by_id(json.loads(output))
    assert by_id["docker.engine"]["status"] == "pass"
    container = by_id["mongodb.container"]
    assert container["status"] in ("pass", "warn"), container["message"]
    assert "container" in container["evidence"]
    assert code == 0


def test_project_check_skips_without_a_database_name(
    stack: Stack, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--mongo-uri", stack.mongo_uri, "--project", stack.project_id, "--only", "mongodb"]
    code, report, _ = doctor_json(capsys, *args)
    project = results_by_id(report)["mongodb.project"]
    assert project["status"] == "skip" and "--mongo-db" in project["message"]
    assert code == 0


def test_a_pending_project_in_mongodb_is_not_ready(
    stack: Stack, capsys: pytest.CaptureFixture[str]
) -> None:
    args = doctor_args(stack, "--project", stack.pending_project_id, "--only", "mongodb")
    code, report, _ = doctor_json(capsys, *args)
    project = results_by_id(report)["mongodb.project"]
    assert (project["status"], project["category"]) == ("fail", "prerequisite")
    assert project["evidence"]["project_status"] == "PENDING"
    assert code == 1


def test_mongodb_down_is_a_prerequisite_with_the_guides_command(
    stack_factory: Callable[..., Stack], capsys: pytest.CaptureFixture[str]
) -> None:
    stack = stack_factory(faults=("mongo-down",))
    code, report, _ = doctor_json(capsys, *doctor_args(stack))
    by_id = results_by_id(report)
    ping = by_id["mongodb.ping"]
    port = stack.mongo_uri.rsplit(":", 1)[1]
    assert (ping["status"], ping["category"]) == ("fail", "prerequisite")
    assert ping["message"].startswith(f"Nothing listens at 127.0.0.1:{port}")
    assert START_MONGO in ping["hint"]
    login = by_id["backend.login"]
    assert login["category"] == "prerequisite" and "MongoDB" in login["message"]
    assert by_id["mongodb.project"]["status"] == "skip"
    assert report["diagnosis"][0]["category"] == "prerequisite"
    assert code == 1


def test_rejected_credentials_are_named_and_the_password_never_shown(
    stack_factory: Callable[..., Stack], capsys: pytest.CaptureFixture[str]
) -> None:
    stack = stack_factory(faults=("mongo-auth",))
    password = uri_password(stack.mongo_uri)
    assert password and password in stack.mongo_uri
    code, report, json_output = doctor_json(capsys, *doctor_args(stack))
    ping = results_by_id(report)["mongodb.ping"]
    assert (ping["status"], ping["category"]) == ("fail", "prerequisite")
    assert ping["message"] == "MongoDB rejected the credentials in --mongo-uri."
    assert "--mongo-uri" in ping["hint"]
    assert report["diagnosis"][0]["category"] == "prerequisite"
    assert code == 1
    text_args = ("--format", "text", "-v", "--no-docker", *doctor_args(stack))
    _, text_output, _ = doctor_run(capsys, *text_args)
    for output in (json_output, text_output):
        assert "credentials" in output
        assert password not in output


def test_pymongos_own_refusal_reads_as_nothing_listening() -> None:
    uri = f"mongodb://127.0.0.1:{closed_port()}"
    client = MongoClient(uri, serverSelectionTimeoutMS=200, connect=False)
    with client, pytest.raises(PyMongoError) as refused:
        client.admin.command("ping")
    message, category, hint = describe_mongo_error(refused.value, mongo_hosts(uri)[0], TIMEOUT)
    assert message == f"Nothing listens at {mongo_hosts(uri)[0]} (MongoDB connection refused)."
    assert category is Category.PREREQUISITE and START_MONGO in hint


def test_dns_failures_and_refusals_are_told_apart() -> None:
    srv = ConfigurationError("The DNS query name does not exist: _mongodb._tcp.db.example.")
    message, category, hint = describe_mongo_error(srv, "db.example", TIMEOUT)
    assert message == "Cannot resolve the MongoDB host db.example."
    assert category is Category.PREREQUISITE and "SRV" in (hint or "")
    silent = ServerSelectionTimeoutError("mongo-dns1.internal:27017: timed out")
    message, category, _ = describe_mongo_error(silent, "mongo-dns1.internal:27017", TIMEOUT)
    assert category is Category.TIMEOUT, message
    bad_uri = ConfigurationError("Unknown option fooBar")
    message, _, _ = describe_mongo_error(bad_uri, "localhost:27017", TIMEOUT)
    assert message.startswith("--mongo-uri is not usable")


@pytest.fixture
def container_name(docker_client: docker.DockerClient) -> Iterator[str]:
    """A unique container name, its container removed after the test."""
    name = f"sse-doctor-test-mongodb-{secrets.token_hex(4)}"
    yield name
    with contextlib.suppress(docker.errors.NotFound):
        docker_client.containers.get(name).remove(force=True)


def check_container(name: str, mongo_uri: str | None = None) -> Result:
    """Run the container check for `name`; with `mongo_uri`, after pinging MongoDB there."""
    ctx = Context(validate(Config(mongo_uri=mongo_uri or Config.mongo_uri, timeout=2.0)))
    try:
        if mongo_uri:
            assert MongoPing().run(ctx).status is Status.PASS
        return MongoContainer(name).run(ctx)
    finally:
        ctx.close()


def test_no_container_while_mongodb_answers_is_only_a_warning(
    stack: Stack, container_name: str
) -> None:
    result = check_container(container_name, stack.mongo_uri)
    assert result.status is Status.WARN
    assert "outside Docker" in result.message


def test_no_container_and_no_answer_needs_the_guides_command(container_name: str) -> None:
    result = check_container(container_name)
    assert (result.status, result.category) == (Status.FAIL, Category.PREREQUISITE)
    assert START_MONGO in (result.hint or "")


@pytest.mark.parametrize("started", [False, True], ids=["stopped", "running"])
def test_container_state_image_and_port(
    started: bool, docker_client: docker.DockerClient, container_name: str
) -> None:
    image = ensure_image(docker_client)
    mongo_tag = f"mongo:sse-doctor-test-{secrets.token_hex(4)}"
    docker_client.images.get(image).tag(mongo_tag)
    try:
        container = docker_client.containers.create(
            mongo_tag, IDLE, name=container_name, ports={"27017/tcp": ("127.0.0.1", None)}
        )
        if started:
            container.start()
        result = check_container(container_name)
    finally:
        docker_client.containers.get(container_name).remove(force=True)
        docker_client.images.remove(mongo_tag, noprune=True)
    assert result.evidence["image"] == mongo_tag
    if started:
        assert result.status is Status.PASS, result.message
        assert result.evidence["published_27017"][0].startswith("127.0.0.1:")
    else:
        assert (result.status, result.category) == (Status.FAIL, Category.PREREQUISITE)
        assert result.evidence["status"] == "created"
        assert result.hint == f"Start it: docker start {container_name}"


def test_a_container_of_another_image_is_a_warning(
    docker_client: docker.DockerClient, container_name: str
) -> None:
    image = ensure_image(docker_client)
    docker_client.containers.run(image, IDLE, name=container_name, detach=True)
    result = check_container(container_name)
    assert result.status is Status.WARN
    assert "not mongo:*" in result.message


def test_a_server_that_refuses_the_credentials_still_answers(
    stack_factory: Callable[..., Stack], docker_client: docker.DockerClient
) -> None:
    stack = stack_factory(faults=("mongo-auth",))
    absent = f"sse-doctor-test-mongodb-{secrets.token_hex(4)}"
    checks = [DockerEngine(), MongoPing(), MongoContainer(name=absent)]
    ctx = Context(validate(Config(mongo_uri=stack.mongo_uri, timeout=TIMEOUT)))
    try:
        _, ping, container = run_checks(checks, ctx)
    finally:
        ctx.close()
    assert ping.status is Status.FAIL
    assert container.status is Status.WARN
    assert "runs outside Docker" in container.message
