"""MongoDB checks against nx-27017, a refusing endpoint and real Docker containers."""

from __future__ import annotations

import json
import secrets

import pytest
from pymongo import MongoClient
from pymongo.errors import ConfigurationError, PyMongoError, ServerSelectionTimeoutError

from checks.mongodb import MongoContainer, describe_mongo_error, mongo_hosts
from doctor.config import Config, validate
from doctor.context import Context
from doctor.model import Category, Result, Status
from doctor.report.redact import uri_password
from doctor.testbed.docker_ai import ensure_image
from doctor.testbed.net import closed_port
from tests.helpers import doctor_json, finding_ids, local_args, results_by_id

TIMEOUT = 1.0
START_MONGO = "docker run -d --name mongodb -p 27017:27017 mongo:7"


def test_the_project_document_is_read_from_refactor_agent(stack) -> None:
    code, document = doctor_json(*local_args(stack, "--only", "mongodb", "--only", "backend"))
    results = results_by_id(document)
    assert results["mongodb.ping"]["message"].startswith("MongoDB 7.0.0 answers at 127.0.0.1:")
    project = results["mongodb.project"]
    assert project["status"] == "pass"
    assert project["evidence"]["database"] == "refactor_agent"
    assert project["evidence"]["status"] == "READY"
    assert "task_logs" not in json.dumps(project)
    assert code == 0


def test_a_project_not_ready_in_mongodb_says_so(stack_factory) -> None:
    stack = stack_factory(("project-not-ready",))
    _, document = doctor_json(*local_args(stack, "--only", "mongodb.project"))
    project = results_by_id(document)["mongodb.project"]
    assert (project["problem"], project["evidence"]["status"]) == ("project.not-ready", "CREATED")


def test_another_database_name_does_not_hold_the_project(stack) -> None:
    code, document = doctor_json(*local_args(stack, "--only", "mongodb.project", mongo_db="other"))
    project = results_by_id(document)["mongodb.project"]
    assert (project["problem"], project["status"]) == ("mongodb.project-missing", "warn")
    assert code == 0


def test_mongodb_down_names_the_guides_command(stack_factory) -> None:
    stack = stack_factory(("mongo-down",))
    code, document = doctor_json(*local_args(stack))
    ping = results_by_id(document)["mongodb.ping"]
    port = stack.mongo_uri.rsplit(":", 1)[1]
    assert ping["problem"] == "mongodb.down"
    assert ping["message"].startswith(f"Nothing listens at 127.0.0.1:{port}")
    assert START_MONGO in ping["hint"]
    assert code == 1


def test_refused_credentials_are_the_doctors_view_and_the_password_never_shown(
    stack_factory,
) -> None:
    stack = stack_factory(("mongo-auth",))
    password = uri_password(stack.mongo_uri)
    assert password and password in stack.mongo_uri
    code, document = doctor_json(*local_args(stack))
    ping = results_by_id(document)["mongodb.ping"]
    assert (ping["problem"], ping["status"]) == ("mongodb.auth", "warn")
    assert "--mongo-uri" in ping["hint"]
    assert password not in json.dumps(document)
    assert code == 0


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
    _, category, _ = describe_mongo_error(silent, "mongo-dns1.internal:27017", TIMEOUT)
    assert category is Category.TIMEOUT


def check_container(mongo_uri: str = Config.mongo_uri) -> Result:
    ctx = Context(validate(Config(mongo_uri=mongo_uri, timeout=2.0)))
    try:
        return MongoContainer().run(ctx)
    finally:
        ctx.close()


@pytest.mark.parametrize("name", ["app-mongo-1", "refactor-mongodb"])
def test_mongodb_is_found_by_its_image_under_any_name(docker_client, mongo_image, name) -> None:
    docker_client.containers.run(mongo_image, ["sleep", "600"], name=name, detach=True)
    result = check_container()
    assert result.status is Status.PASS, result.message
    assert result.evidence["name"] == name
    assert result.evidence["by"] == "image"
    assert f"MongoDB runs in container {name} ({mongo_image}" in result.message


def test_mongodb_is_found_by_the_port_it_publishes_and_a_stopped_one_named(
    docker_client, mongo_image
) -> None:
    port = closed_port()
    image = ensure_image(docker_client, "wget")
    name = f"sse-doctor-test-db-{secrets.token_hex(3)}"
    container = docker_client.containers.create(
        image, ["sleep", "600"], name=name, ports={"27017/tcp": ("127.0.0.1", port)}
    )
    try:
        container.start()
        result = check_container(f"mongodb://127.0.0.1:{port}")
        assert (result.status, result.evidence["by"], result.evidence["name"]) == (
            Status.PASS,
            "port",
            name,
        )
        container.stop(timeout=0)
        stopped = check_container(f"mongodb://127.0.0.1:{port}")
    finally:
        container.remove(force=True)
    assert stopped.problem == "mongodb.container-stopped"
    assert stopped.hint == f"Start it: docker start {name}"


def test_no_container_while_mongodb_answers_is_mongodb_outside_docker(stack) -> None:
    ctx = Context(validate(Config(mongo_uri=stack.mongo_uri, timeout=2.0)))
    try:
        from checks.mongodb import MongoPing

        assert MongoPing().run(ctx).status is Status.PASS
        result = MongoContainer().run(ctx)
    finally:
        ctx.close()
    assert result.status is Status.PASS
    assert "outside Docker" in result.message


def test_no_container_and_no_answer_needs_the_guides_command() -> None:
    result = check_container(f"mongodb://127.0.0.1:{closed_port()}")
    assert result.problem == "mongodb.down"
    assert START_MONGO in (result.hint or "")


def test_a_doctor_without_mongodb_only_fails_mongodb(stack) -> None:
    args = local_args(stack, mongo_uri=f"mongodb://127.0.0.1:{closed_port()}")
    code, document = doctor_json(*args)
    assert finding_ids(document) == ["mongodb.down"]
    assert [c["met"] for c in document["criteria"]] == [True] * 6
    assert document["diagnosis"][0]["severity"] == "warning"
    assert code == 0
