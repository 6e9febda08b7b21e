"""Backend checks against both testbed profiles and small loopback servers, through the CLI."""

from __future__ import annotations

import json
import time

import pytest

from doctor.clients.contract import from_openapi
from doctor.testbed.hang import silent_url
from doctor.testbed.net import closed_port
from tests.helpers import doctor_json, finding_ids, local_args, results_by_id

BACKEND = ("backend.liveness", "backend.login", "backend.projects", "backend.project")


@pytest.mark.parametrize(
    ("profile", "field", "commit"), [("v1", "email", "765d572"), ("v2", "username", "55a61f4")]
)
def test_each_profile_is_spoken_in_its_own_terms(stack_factory, profile, field, commit) -> None:
    stack = stack_factory(profile_name=profile)
    code, document = doctor_json(*local_args(stack))
    results = results_by_id(document)
    assert code == (0 if profile == "v2" else 1)  # v1's stream is double-framed
    assert [results[c]["status"] for c in BACKEND] == ["pass"] * 4
    liveness = results["backend.liveness"]
    assert f"login by {field}" in liveness["message"]
    assert liveness["evidence"]["version"] == commit
    assert liveness["evidence"]["contract"] == "openapi"
    assert "run starts at POST /agent/run" in liveness["evidence"]["api"]
    assert results["backend.login"]["message"] == f"Logged in as {stack.login} (login by {field})."
    assert document["target"]["user"] == stack.login


def test_the_contract_is_read_from_an_openapi_document() -> None:
    document = {
        "paths": {
            "/api/v1/health": {"get": {}},
            "/api/v1/auth/login": {
                "post": {
                    "requestBody": {
                        "content": {
                            "application/x-www-form-urlencoded": {
                                "schema": {"$ref": "#/components/schemas/Form"}
                            }
                        }
                    }
                }
            },
            "/api/v1/projects/{project_id}/agent/runs": {"get": {}, "post": {}},
        },
        "components": {"schemas": {"Form": {"properties": {"username": {}, "password": {}}}}},
    }
    contract = from_openapi(document, "/api/v1")
    assert contract is not None
    assert (contract.login_field, contract.login_form) == ("username", True)
    assert (contract.health_path, contract.run_start) == ("/api/v1/health", "/agent/runs")
    assert (contract.stop, contract.resume, contract.version) == (False, False, None)
    assert from_openapi(["not", "a", "document"], "/api/v1") is None


def _without_openapi(method: str, path: str, body: bytes) -> tuple[int, str, bytes]:
    """A backend with no /openapi.json that logs in by username (and says so with a 422)."""
    if path == "/api/v1/health":
        return 200, "application/json", b'{"status":"ok"}'
    if path == "/api/v1/auth/login":
        sent = json.loads(body)
        if "username" not in sent:
            missing = {"detail": [{"type": "missing", "loc": ["body", "username"]}]}
            return 422, "application/json", json.dumps(missing).encode()
        return 200, "application/json", b'{"access_token":"abc.def.ghi"}'
    return 404, "application/json", b'{"detail":"Not Found"}'


def test_without_openapi_the_known_forms_are_probed_and_a_422_names_the_field(
    loopback_server,
) -> None:
    url = loopback_server(_without_openapi)
    code, document = doctor_json(
        "--backend-url", url, "--email", "dev@example.com", "--password", "pw-12345",
        "--no-docker", "--timeout", "2", "--only", "backend",
    )  # fmt: skip
    results = results_by_id(document)
    assert results["backend.liveness"]["evidence"]["contract"] == "probes"
    assert results["backend.liveness"]["evidence"]["health"] == {"/api/v1/health": 200}
    assert results["backend.login"]["problem"] == "auth.username-required"
    assert finding_ids(document) == ["auth.username-required"]
    assert code == 1


def test_a_username_backend_given_only_an_email_is_a_finding_not_a_guess(stack) -> None:
    code, document = doctor_json(*local_args(stack, username=None))
    login = results_by_id(document)["backend.login"]
    assert login["problem"] == "auth.username-required"
    assert "logs in by username (its /openapi.json says so)" in login["message"]
    assert "--username" in login["hint"]
    assert code == 1


def test_an_email_backend_given_only_a_username_asks_for_the_email(stack_factory) -> None:
    stack = stack_factory(profile_name="v1")
    code, document = doctor_json(*local_args(stack, email=None, username="tester"))
    assert results_by_id(document)["backend.login"]["problem"] == "auth.email-required"
    assert code == 1


@pytest.mark.parametrize(
    ("profile", "text"),
    [("v1", "Incorrect email or password"), ("v2", "Incorrect username or password")],
)
def test_a_wrong_password_quotes_the_backend(stack_factory, profile, text) -> None:
    stack = stack_factory(profile_name=profile)
    code, document = doctor_json(*local_args(stack, password="not-the-password"))
    login = results_by_id(document)["backend.login"]
    assert (login["problem"], login["category"]) == ("auth.bad-credentials", "http-403-404")
    assert text in login["message"]
    assert "not-the-password" not in json.dumps(document)
    assert code == 1


def test_a_refused_token_quotes_its_reason_and_a_good_one_names_the_user(stack) -> None:
    code, document = doctor_json(*local_args(stack, token="abc", password=None))
    login = results_by_id(document)["backend.login"]
    assert login["problem"] == "auth.token-invalid"
    assert "Invalid token: Not enough segments" in login["message"]
    code, document = doctor_json(*local_args(stack, token=stack.token, password=None))
    assert results_by_id(document)["backend.login"]["message"].endswith("(user tester).")
    assert code == 0


@pytest.mark.parametrize(
    ("profile", "fault", "problem", "text"),
    [
        ("v1", "foreign-project", "project.forbidden", "無權限訪問此專案"),
        ("v2", "foreign-project", "project.forbidden", "無權限訪問此專案"),
        ("v2", "unknown-project", "project.not-found", "專案不存在"),
        ("v1", "project-not-ready", "project.not-ready", "CREATED"),
    ],
)
def test_project_problems_quote_the_backend(stack_factory, profile, fault, problem, text) -> None:
    stack = stack_factory((fault,), profile_name=profile)
    code, document = doctor_json(*local_args(stack))
    assert results_by_id(document)["backend.project"]["problem"] == problem
    assert finding_ids(document)[0] == problem
    assert text in document["diagnosis"][0]["title"]
    assert code == 1


def _projects(shape: str):
    projects = [{"id": "p1", "status": "READY", "title": "one"}]
    bodies = {
        "list": projects,
        "items": {"items": projects},
        "total": {"total": 1, "projects": projects},
        "other": {"projects_here": projects},
    }

    def respond(method: str, path: str, body: bytes) -> tuple[int, str, bytes]:
        if path == "/api/v1/health":
            return 200, "application/json", b"{}"
        if path == "/api/v1/auth/login":
            return 200, "application/json", b'{"access_token":"tok.en.x"}'
        if path == "/api/v1/projects":
            return 200, "application/json", json.dumps(bodies[shape]).encode()
        return 404, "application/json", b'{"detail":"Not Found"}'

    return respond


@pytest.mark.parametrize("shape", ["list", "items", "total"])
def test_every_known_project_list_shape_is_read(loopback_server, shape) -> None:
    url = loopback_server(_projects(shape))
    args = ["--backend-url", url, "--email", "a@b.c", "--password", "pw-12345", "--no-docker"]
    _, document = doctor_json(*args, "--timeout", "2", "--only", "backend.projects")
    result = results_by_id(document)["backend.projects"]
    assert (result["status"], result["evidence"]["chosen"]) == ("pass", "p1")


def test_an_unknown_project_list_shape_is_named(loopback_server) -> None:
    url = loopback_server(_projects("other"))
    args = ["--backend-url", url, "--email", "a@b.c", "--password", "pw-12345", "--no-docker"]
    code, document = doctor_json(*args, "--timeout", "2", "--only", "backend.projects")
    assert results_by_id(document)["backend.projects"]["problem"] == "backend.not-api"
    assert code == 1


def test_a_closed_port_is_a_backend_that_is_down_and_says_so_at_once() -> None:
    started = time.monotonic()
    url = f"http://127.0.0.1:{closed_port()}"
    code, document = doctor_json("--backend-url", url, "--no-docker", "--timeout", "2")
    assert results_by_id(document)["backend.liveness"]["problem"] == "backend.down"
    assert "backend.down" in finding_ids(document)
    assert code == 1
    assert time.monotonic() - started < 10


def test_a_backend_that_takes_connections_and_never_answers_is_stuck_not_the_network() -> None:
    with silent_url() as url:
        code, document = doctor_json("--backend-url", url, "--only", "backend", "--timeout", "1")
    finding = document["diagnosis"][0]
    assert (finding["id"], finding["category"]) == ("backend.hang", "timeout")
    assert "stuck" in finding["hint"]
    assert "Docker network" not in finding["hint"]
    assert code == 1


def test_a_database_behind_the_backend_that_is_down_is_one_finding(stack_factory) -> None:
    stack = stack_factory(("mongo-down",))
    code, document = doctor_json(*local_args(stack))
    results = results_by_id(document)
    assert results["backend.login"]["problem"] == "backend.error"
    assert results["mongodb.ping"]["problem"] == "mongodb.down"
    assert finding_ids(document) == ["mongodb.down"]
    assert set(document["diagnosis"][0]["checks"]) >= {"mongodb.ping", "backend.login"}
    assert code == 1


def test_html_where_the_api_should_be_is_not_the_backend(loopback_server) -> None:
    page = b"<html><body>Welcome to nginx!</body></html>"
    url = loopback_server(lambda method, path, body: (200, "text/html", page))
    code, document = doctor_json("--backend-url", url, "--only", "backend", "--timeout", "2")
    assert finding_ids(document) == ["backend.not-api"]
    assert code == 1
