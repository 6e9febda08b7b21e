"""Backend checks against the testbed and small loopback servers, through the real CLI."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from doctor.cli import main
from doctor.clients.http_errors import category_for_status, describe_http_error, json_or_problem
from doctor.config import Config, validate
from doctor.model import Category, Status
from doctor.session import run_doctor
from doctor.testbed import Stack, doctor_args
from doctor.testbed.net import closed_port
from tests.helpers import results_by_id

TIMEOUT = 1.0
BACKEND_CHECKS = ("backend.liveness", "backend.login", "backend.projects", "backend.project")
Responder = Callable[[str, str, str], tuple[int, str, bytes]]
"""(method, path, request content type) -> (status, content type, body)."""


def doctor_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict, str, float]:
    """Run `sse-doctor run --json` in-process: exit code, report, all output, seconds taken."""
    started = time.monotonic()
    code = main(["run", "--json", "--no-docker", "--timeout", str(TIMEOUT), *args])
    elapsed = time.monotonic() - started
    captured = capsys.readouterr()
    return code, json.loads(captured.out), captured.out + captured.err, elapsed


@pytest.fixture
def loopback_server() -> Iterator[Callable[[Responder], str]]:
    """`serve(respond)` starts an HTTP server on loopback answering with `respond`."""
    servers: list[ThreadingHTTPServer] = []

    def serve(respond: Responder) -> str:
        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                self.rfile.read(length)
                status, content_type, body = respond(
                    self.command, self.path, self.headers.get("content-type", "")
                )
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer

            def log_message(self, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


HTML_PAGE = b"<html><head><title>Welcome to nginx!</title></head><body>It works</body></html>"


def test_healthy_stack_passes_and_chooses_the_only_ready_project(
    stack: Stack, capsys: pytest.CaptureFixture[str]
) -> None:
    code, report, output, _ = doctor_json(
        capsys, *doctor_args(stack), "--only", "backend", "--only", "mongodb"
    )
    by_id = results_by_id(report)
    assert [by_id[cid]["status"] for cid in BACKEND_CHECKS] == ["pass"] * 4
    assert by_id["backend.projects"]["evidence"]["chosen"] == stack.project_id
    assert report["target"]["project_id"] == stack.project_id
    assert by_id["backend.liveness"]["evidence"]["status"] == 200
    assert "body" not in by_id["backend.login"]["evidence"]
    assert code == 0
    assert stack.token.split(".")[0] not in output


def test_hanging_backend_times_out_and_its_dependants_are_skipped(
    stack_factory: Callable[..., Stack], capsys: pytest.CaptureFixture[str]
) -> None:
    stack = stack_factory(faults=("backend-hang",))
    code, report, _, elapsed = doctor_json(capsys, *doctor_args(stack))
    by_id = results_by_id(report)
    liveness = by_id["backend.liveness"]
    assert (liveness["status"], liveness["category"]) == ("fail", "timeout")
    assert [by_id[cid]["status"] for cid in BACKEND_CHECKS[1:]] == ["skip"] * 3
    assert report["diagnosis"][0]["category"] == "timeout"
    assert code == 1
    assert elapsed < TIMEOUT * 1.5 + 5


@pytest.mark.parametrize("fault", ["forbidden", "not-found"])
def test_project_refused_by_the_backend_is_a_403_404_finding(
    fault: str, stack_factory: Callable[..., Stack], capsys: pytest.CaptureFixture[str]
) -> None:
    stack = stack_factory(faults=(fault,))
    code, report, _, _ = doctor_json(capsys, *doctor_args(stack))
    project = results_by_id(report)["backend.project"]
    assert (project["status"], project["category"]) == ("fail", "http-403-404")
    assert stack.project_id in project["message"]
    assert "--project" in project["hint"]
    assert report["diagnosis"][0]["category"] == "http-403-404"
    assert code == 1


def test_another_users_project_is_a_403_404_finding(
    stack: Stack, capsys: pytest.CaptureFixture[str]
) -> None:
    args = doctor_args(stack, project=stack.other_project_id)
    code, report, _, _ = doctor_json(capsys, *args, "--only", "backend")
    by_id = results_by_id(report)
    assert "not among" in by_id["backend.projects"]["message"]
    project = by_id["backend.project"]
    assert (project["status"], project["category"]) == ("fail", "http-403-404")
    assert project["evidence"]["status"] == 403
    assert code == 1


def test_a_project_that_is_not_ready_must_be_provisioned(
    stack: Stack, capsys: pytest.CaptureFixture[str]
) -> None:
    args = doctor_args(stack, project=stack.pending_project_id)
    code, report, _, _ = doctor_json(capsys, *args, "--only", "backend")
    project = results_by_id(report)["backend.project"]
    assert (project["status"], project["category"]) == ("fail", "prerequisite")
    assert "PENDING, not READY" in project["message"]
    assert code == 1


def test_wrong_password_is_named_as_wrong_credentials(
    stack: Stack, capsys: pytest.CaptureFixture[str]
) -> None:
    args = doctor_args(stack, password="not-the-password")
    code, report, output, _ = doctor_json(capsys, *args, "--only", "backend")
    login = results_by_id(report)["backend.login"]
    assert login["status"] == "fail"
    assert "wrong credentials" in login["message"]
    assert login["category"] not in ("timeout", "prerequisite")
    assert login["evidence"]["status"] == 401
    assert "not-the-password" not in output
    assert code == 1


def test_a_given_token_is_validated_instead_of_logging_in(
    stack: Stack, capsys: pytest.CaptureFixture[str]
) -> None:
    args = doctor_args(stack, email="", password="", token=stack.token)
    code, report, output, _ = doctor_json(capsys, *args, "--only", "backend")
    by_id = results_by_id(report)
    assert "given token" in by_id["backend.login"]["message"]
    assert [by_id[cid]["status"] for cid in BACKEND_CHECKS] == ["pass"] * 4
    assert stack.token not in output
    assert code == 0


def test_a_rejected_token_is_a_permission_finding(
    stack: Stack, capsys: pytest.CaptureFixture[str]
) -> None:
    args = doctor_args(stack, email="", password="", token="expired-token-1234")
    code, report, output, _ = doctor_json(capsys, *args, "--only", "backend")
    login = results_by_id(report)["backend.login"]
    assert (login["status"], login["category"]) == ("fail", "http-403-404")
    assert "--token" in login["hint"]
    assert "expired-token-1234" not in output
    assert code == 1


def test_without_credentials_and_terminal_the_login_is_skipped(
    stack: Stack, capsys: pytest.CaptureFixture[str]
) -> None:
    args = doctor_args(stack, email="", password="")
    code, report, _, _ = doctor_json(capsys, *args, "--only", "backend")
    login = results_by_id(report)["backend.login"]
    assert login["status"] == "skip"
    assert "--email" in login["message"] and "SSE_DOCTOR_TOKEN" in login["message"]
    assert code == 0


def test_on_a_terminal_the_login_asks_for_email_and_hidden_password(stack: Stack) -> None:
    asked: list[tuple[str, bool]] = []

    def ask(question: str, choices: Sequence[str], secret: bool) -> str:
        asked.append((question, secret))
        return stack.password if secret else stack.email

    config = validate(
        Config(
            backend_url=stack.backend_url,
            mongo_uri=stack.mongo_uri,
            timeout=TIMEOUT,
            no_docker=True,
            only=("backend",),
        )
    )
    record, ctx = run_doctor(config, ask)
    ctx.close()
    statuses = {r.check_id: r.status for r in record.results}
    assert [statuses[cid] for cid in BACKEND_CHECKS] == [Status.PASS] * 4
    assert asked == [("Email", False), ("Password", True)]
    assert stack.password not in ctx.redactor.redact(f"echo {stack.password}")


def test_nothing_listening_anywhere_fails_fast_naming_prerequisites(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, report, output, elapsed = doctor_json(
        capsys,
        "--backend-url",
        f"http://127.0.0.1:{closed_port()}",
        "--mongo-uri",
        f"mongodb://127.0.0.1:{closed_port()}",
        "--ai-url",
        f"http://127.0.0.1:{closed_port()}",
        "--email",
        "someone@example.com",
        "--password",
        "secret-password",
    )
    liveness = results_by_id(report)["backend.liveness"]
    assert (liveness["status"], liveness["category"]) == ("fail", "prerequisite")
    assert "Nothing listens at 127.0.0.1:" in liveness["message"]
    assert "uvicorn app.main:app --reload --port 8000" in liveness["hint"]
    assert report["diagnosis"][0]["category"] == "prerequisite"
    assert "Traceback" not in output
    assert code == 1
    assert elapsed < 2 * TIMEOUT + 0.5


def test_html_instead_of_the_api_is_a_clear_finding(
    loopback_server: Callable[[Responder], str], capsys: pytest.CaptureFixture[str]
) -> None:
    url = loopback_server(lambda method, path, content_type: (200, "text/html", HTML_PAGE))
    code, report, output, _ = doctor_json(
        capsys,
        "--backend-url",
        url,
        "--email",
        "someone@example.com",
        "--password",
        "secret-password",
        "--only",
        "backend",
    )
    by_id = results_by_id(report)
    assert by_id["backend.liveness"]["status"] == "pass"
    login = by_id["backend.login"]
    assert (login["status"], login["category"]) == ("fail", "prerequisite")
    assert login["message"] == f"Expected JSON from {url}/api/v1/auth/login, got text/html."
    assert "Traceback" not in output
    assert report["diagnosis"][0]["category"] == "prerequisite"
    assert code == 1


def test_form_login_items_list_and_an_html_project_page(
    loopback_server: Callable[[Responder], str], capsys: pytest.CaptureFixture[str]
) -> None:
    token = "form-login-token-5f1d2c"

    def respond(method: str, path: str, content_type: str) -> tuple[int, str, bytes]:
        if path == "/health":
            return 404, "application/json", b'{"detail": "Not Found"}'
        if path == "/openapi.json":
            return 200, "application/json", b'{"openapi": "3.1.0"}'
        if path == "/api/v1/auth/login":
            if content_type.startswith("application/json"):
                return 422, "application/json", b'{"detail": [{"loc": ["body", "username"]}]}'
            return 200, "application/json", json.dumps({"token": token}).encode()
        if path == "/api/v1/projects":
            items = [{"_id": "p-1", "status": "READY"}, {"_id": "p-2", "status": "PENDING"}]
            return 200, "application/json", json.dumps({"items": items}).encode()
        return 200, "text/html; charset=utf-8", HTML_PAGE

    url = loopback_server(respond)
    code, report, output, _ = doctor_json(
        capsys, "--backend-url", url, "--email", "a@example.com", "--password", "pw-1234"
    )
    by_id = results_by_id(report)
    assert "no /health" in by_id["backend.liveness"]["message"]
    login = by_id["backend.login"]
    assert login["status"] == "pass" and login["evidence"]["form"] is True
    assert by_id["backend.projects"]["evidence"]["chosen"] == "p-1"
    project = by_id["backend.project"]
    assert (project["status"], project["category"]) == ("fail", "prerequisite")
    assert project["message"].startswith(
        f"Expected JSON from {url}/api/v1/projects/p-1, got text/html: <html><head><title>"
    )
    assert token not in output
    assert code == 1


def test_status_categories_follow_the_guide() -> None:
    assert {code: category_for_status(code) for code in (401, 403, 404, 502, 503, 504)} == {
        401: Category.HTTP_403_404,
        403: Category.HTTP_403_404,
        404: Category.HTTP_403_404,
        502: Category.HTTP_503,
        503: Category.HTTP_503,
        504: Category.HTTP_503,
    }
    assert category_for_status(500) is None and category_for_status(200) is None


def test_refused_unresolvable_and_silent_servers_are_told_apart() -> None:
    refused_url = f"http://127.0.0.1:{closed_port()}/health"
    with httpx.Client(timeout=TIMEOUT) as client:
        with pytest.raises(httpx.ConnectError) as refused:
            client.get(refused_url)
        silent = socket.create_server(("127.0.0.1", 0))
        silent_url = f"http://127.0.0.1:{silent.getsockname()[1]}/health"
        with silent, pytest.raises(httpx.ReadTimeout) as hung:
            client.get(silent_url)
    unresolved = httpx.ConnectError("[Errno -2] Name or service not known")
    unresolved.__cause__ = socket.gaierror(-2, "Name or service not known")

    problem = describe_http_error(refused.value, refused_url, TIMEOUT)
    assert problem.category is Category.PREREQUISITE
    assert problem.evidence["error"] == "connection-refused"
    problem = describe_http_error(hung.value, silent_url, TIMEOUT)
    assert problem.category is Category.TIMEOUT
    assert problem.message == f"{silent_url} did not answer within 1 s."
    problem = describe_http_error(unresolved, "http://backend.internal:8000/", TIMEOUT)
    assert problem.evidence["error"] == "dns" and "backend.internal" in problem.message


def test_json_with_a_wrong_content_type_still_counts_as_json() -> None:
    headers = {"content-type": "text/plain"}
    response = httpx.Response(200, text='{"status": "READY"}', headers=headers)
    assert json_or_problem(response, "http://x/projects/1") == ({"status": "READY"}, None)


def two_ready_projects(method: str, path: str, content_type: str) -> tuple[int, str, bytes]:
    """A backend whose account has two READY projects."""
    if path == "/api/v1/auth/login":
        return 200, "application/json", b'{"access_token": "two-ready-token-77aa"}'
    if path == "/api/v1/projects":
        items = [{"id": "p-1", "name": "one", "status": "READY"}]
        items.append({"id": "p-2", "name": "two", "status": "READY"})
        return 200, "application/json", json.dumps(items).encode()
    if path.startswith("/api/v1/projects/"):
        body = {"id": path.rsplit("/", 1)[1], "status": "READY"}
        return 200, "application/json", json.dumps(body).encode()
    return 200, "application/json", b'{"status": "ok"}'


def test_several_ready_projects_without_a_terminal_name_them_and_project(
    loopback_server: Callable[[Responder], str], capsys: pytest.CaptureFixture[str]
) -> None:
    url = loopback_server(two_ready_projects)
    args = ["--backend-url", url, "--email", "a@example.com", "--password", "pw-1234"]
    code, report, _, _ = doctor_json(capsys, *args, "--only", "backend")
    projects = results_by_id(report)["backend.projects"]
    assert projects["status"] == "skip"
    assert "p-1, p-2" in projects["message"] and "--project" in projects["message"]
    assert code == 0


def test_on_a_terminal_the_project_is_chosen_from_the_list(
    loopback_server: Callable[[Responder], str],
) -> None:
    url = loopback_server(two_ready_projects)
    shown: list[Sequence[str]] = []

    def ask(question: str, choices: Sequence[str], secret: bool) -> str:
        shown.append(choices)
        return "2"

    config = Config(backend_url=url, email="a@example.com", password="pw-1234", only=("backend",))
    record, ctx = run_doctor(validate(config), ask)
    ctx.close()
    statuses = {r.check_id: r.status for r in record.results}
    assert [statuses[cid] for cid in BACKEND_CHECKS] == [Status.PASS] * 4
    assert shown == [["p-1  one  [READY]", "p-2  two  [READY]"]]
    assert ctx.project_id == "p-2"


def test_a_wrong_api_prefix_is_named_as_such(stack: Stack, capsys) -> None:
    code, report, _, _ = doctor_json(capsys, *doctor_args(stack, api_prefix="/api/v2"))
    login = results_by_id(report)["backend.login"]
    assert (login["status"], login["category"]) == ("fail", "prerequisite")
    assert "does not exist on the backend (HTTP 404)" in login["message"]
    assert "--api-prefix" in login["hint"]
    assert code == 1
