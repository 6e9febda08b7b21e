"""`sse-doctor report`: the bundle's files, its redaction, and a stack that is down."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import stat
import tarfile
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import docker
import pytest

from doctor.cli import main
from doctor.testbed import Stack
from doctor.testbed.docker_ai import ensure_image
from doctor.testbed.net import LOOPBACK, closed_port

FAST = ["--timeout", "1", "--stream-timeout", "5", "--idle-timeout", "2", "--lang", "en"]
FIXED_FILES = {
    "summary.md",
    "results.json",
    "run.txt",
    "sse-transcript.txt",
    "backend-log.txt",
    "docker-ps.txt",
    "environment.txt",
    "manifest.json",
}
SECTIONS = (
    "## Environment",
    "## Steps to reproduce",
    "## Expected",
    "## Actual",
    "## Attached",
)
UTC_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
TEST_LABEL = "sse-doctor.test"
JWT_SHAPE = re.compile(rb"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]+")
ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
NAME_PATTERN = re.compile(r"sse-doctor-report-(\d{8}T\d{6}Z)\.tar\.gz")


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def make_jwt() -> str:
    claims = {"sub": secrets.token_hex(12), "exp": 4102444800}
    header = _b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    return f"{header}.{_b64url(json.dumps(claims).encode())}.{_b64url(secrets.token_bytes(32))}"


def alnum(n: int, alphabet: str = ALNUM) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(n))


def bundle_root(path: Path) -> str:
    """The one top-level directory of the bundle ``path``: its name without ``.tar.gz``."""
    return path.name.removesuffix(".tar.gz")


def read_bundle(path: Path) -> dict[str, bytes]:
    """Every regular member of the archive, by its name under the one top-level directory;
    checks each member's mode and path (every member lies under that directory)."""
    root = bundle_root(path)
    files = {}
    with tarfile.open(path, "r:gz") as archive:
        members = archive.getmembers()
        assert members[0].name == root and members[0].isdir(), members[0].name
        for member in members:
            assert not member.name.startswith("/") and ".." not in member.name.split("/")
            assert member.name == root or member.name.startswith(f"{root}/"), member.name
            if member.isdir():
                assert stat.S_IMODE(member.mode) == 0o700, member.name
                continue
            assert member.isfile() and stat.S_IMODE(member.mode) == 0o600, member.name
            files[member.name.removeprefix(f"{root}/")] = archive.extractfile(member).read()
    return files


def check_manifest(files: dict[str, bytes]) -> dict:
    manifest = json.loads(files["manifest.json"])
    listed = {entry["name"]: entry for entry in manifest["files"]}
    assert set(listed) == set(files) - {"manifest.json"}
    for name, entry in listed.items():
        assert entry["size"] == len(files[name])
        assert entry["sha256"] == hashlib.sha256(files[name]).hexdigest()
    return manifest


def report(tmp_path: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, Path, str]:
    out = tmp_path / f"bundle-{secrets.token_hex(4)}.tar.gz"
    code = main(["report", *FAST, "-o", str(out), *args])
    captured = capsys.readouterr()
    return code, out, captured.out + captured.err


def wait_for_log(container: docker.models.containers.Container, marker: bytes) -> None:
    """Follow the container's output until ``marker`` shows (the client's timeout bounds it)."""
    seen = b""
    for chunk in container.logs(stream=True, follow=True):
        seen += chunk
        if marker in seen:
            return
    raise AssertionError(f"{container.name} ended without logging {marker!r}")


@pytest.fixture
def start_container(docker_client: docker.DockerClient) -> Iterator[Callable[..., object]]:
    """Start a busybox container from the testbed image; removed after the test."""
    started = []

    def start(name: str, script: str, env: dict[str, str]) -> object:
        container = docker_client.containers.run(
            ensure_image(docker_client),
            ["sh", "-c", script],
            name=name,
            environment=env,
            labels={TEST_LABEL: "report"},
            detach=True,
        )
        started.append(container)
        wait_for_log(container, b"ready")
        return container

    yield start
    for container in started:
        container.remove(force=True)


def test_bundle_and_outputs_hold_none_of_the_planted_secrets(
    stack_factory: Callable[..., Stack],
    start_container: Callable[..., object],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    stack = stack_factory(docker=True)
    mongo_password = f"Mongo-{secrets.token_hex(8)}"
    mongo_port = stack.mongo_uri.rsplit(":", 1)[1].split("/")[0]
    db_password = f"Db-{secrets.token_hex(8)}!x"
    planted = {
        "login password": stack.password,
        "token": stack.token,
        "Anthropic key in the AI Server's env": stack.llm_api_key,
        "MongoDB password": mongo_password,
        "Anthropic key": f"sk-ant-api03-{alnum(40)}",
        "AWS key id": "AKIA" + alnum(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"),
        "AWS secret": alnum(40),
        "GitHub token": f"ghp_{alnum(36)}",
        "database password": db_password,
        "bearer JWT": make_jwt(),
        "stream URL token": secrets.token_urlsafe(24),
        "session cookie": secrets.token_hex(16),
        "private key": base64.b64encode(secrets.token_bytes(48)).decode(),
    }
    assert stack.llm_api_key and len(set(planted.values())) == len(planted)
    extra_name = f"refactor-project-planted-{secrets.token_hex(4)}"
    start_container(
        extra_name,
        "env; echo ready; exec sleep 3600",
        {
            "ANTHROPIC_API_KEY": planted["Anthropic key"],
            "AWS_ACCESS_KEY_ID": planted["AWS key id"],
            "AWS_SECRET_ACCESS_KEY": planted["AWS secret"],
            "GITHUB_TOKEN": planted["GitHub token"],
            "DB_PASSWORD": db_password,
            "DATABASE_URL": f"postgres://app:{db_password}@db:5432/app",
        },
    )
    stack_args = [
        "--backend-url", stack.backend_url,
        "--mongo-uri", f"mongodb://reporter:{mongo_password}@{LOOPBACK}:{mongo_port}/?authSource=admin",
        "--base-image", stack.base_image,
        "--project", stack.project_id,
        "--new-run",
    ]  # fmt: skip
    login = ["--username", stack.username, "--password", stack.password]

    assert main(["run", "--json", *FAST, *stack_args, "--token", stack.token]) == 0
    run_json = capsys.readouterr().out
    assert json.loads(run_json)["schema"] == "sse-doctor/1"
    assert main(["run", "-v", "--no-color", *FAST, *stack_args, *login]) == 0
    run_text = capsys.readouterr().out
    assert "backend.login" in run_text

    ts = "2026-11-27 10:30:45,123"
    stream_path = f"{stack.api_prefix}/projects/{stack.project_id}/agent/runs/{stack.run_id}/stream"
    pem = planted["private key"]
    log = tmp_path / "backend.log"
    log.write_bytes(
        stack.log_path.read_bytes()
        + "\n".join(
            [
                f'{ts} [DEBUG] POST /api/v1/auth/login body={{"email": "{stack.email}", '
                f'"password": "{stack.password}"}}',
                f"{ts} [ERROR] MongoDB 連線失敗: mongodb://reporter:{mongo_password}@mongodb:27017",
                f"{ts} [INFO] GET {stream_path}?token={planted['stream URL token']} 200",
                f"{ts} [DEBUG] [SSE] upstream headers: "
                f"Authorization: Bearer {planted['bearer JWT']}",
                f"{ts} [DEBUG] [SSE] upstream answered: Set-Cookie: session="
                f"{planted['session cookie']}; Path=/; HttpOnly",
                f"{ts} [ERROR] [SSE] cannot load the client key:",
                "-----BEGIN PRIVATE KEY-----",
                pem[:32],
                pem[32:],
                "-----END PRIVATE KEY-----",
                f"{ts} [DEBUG] [SSE] retrying with token {stack.token}",
                "",
            ]
        ).encode()
    )

    code, bundle, printed = report(tmp_path, capsys, *stack_args, *login, "--backend-log", str(log))
    assert code == 0  # the planted MongoDB credentials are only the doctor's view: a warning
    assert stat.S_IMODE(bundle.stat().st_mode) == 0o600
    assert str(bundle) in printed and "review the bundle" in printed
    files = read_bundle(bundle)
    manifest = check_manifest(files)

    texts = {"run --json": run_json.encode(), "run": run_text.encode(), "report": printed.encode()}
    texts.update(files)
    for where, data in texts.items():
        for what, value in planted.items():
            assert value.encode() not in data, f"{what} in {where}"
        assert not JWT_SHAPE.search(data), f"a JWT in {where}"

    extra = f"containers/{extra_name}"
    project = f"containers/{stack.container_name}"
    assert set(files) >= FIXED_FILES
    for name in ("inspect.json", "logs.txt", "health.txt", "tasks.txt"):
        assert f"{project}/{name}" in files and f"{extra}/{name}" in files
    assert b"ANTHROPIC_API_KEY=[REDACTED]" in files[f"{project}/inspect.json"]
    assert b"GITHUB_TOKEN=[REDACTED]" in files[f"{extra}/inspect.json"]
    assert b"GITHUB_TOKEN=[REDACTED]" in files[f"{extra}/logs.txt"]
    assert b'{"status":"healthy"}' in files[f"{project}/health.txt"]
    backend_log = files["backend-log-full.txt"].decode()
    for kept in ("Authorization: Bearer [REDACTED]", "Set-Cookie:", "BEGIN PRIVATE KEY", "?token="):
        assert kept in backend_log
    docker_ps = files["docker-ps.txt"].decode()
    assert extra_name in docker_ps and stack.container_name in docker_ps
    assert "running since " in docker_ps and UTC_TIME.search(docker_ps)
    assert " ago" not in docker_ps and "Up " not in docker_ps  # no relative time

    watched = json.loads(files["results.json"])["target"]["run_id"]
    tasks = files[f"{project}/tasks.txt"].decode()
    every_task = files[f"{project}/tasks-all.txt"].decode()
    others = set(re.findall(r'"task_id": ?"([^"]+)"', every_task)) - {watched}
    assert watched in tasks and len(others) >= 2  # the two runs of `run --new-run` above
    assert not [task for task in others if task in tasks]

    totals = manifest["redactions"]
    for rule in (
        "known-secret",
        "env-secret",
        "api-key-shape",
        "uri-credentials",
        "authorization-header",
        "cookie",
        "token-query",
        "pem-private-key",
    ):
        assert totals[rule] > 0, rule
    by_file = {entry["name"]: entry["redactions"] for entry in manifest["files"]}
    assert by_file["backend-log-full.txt"].get("pem-private-key") == 1
    assert by_file[f"{extra}/inspect.json"].get("env-secret", 0) >= 4

    summary = files["summary.md"].decode()
    positions = [summary.index(section) for section in SECTIONS]
    assert positions == sorted(positions)
    assert "[x] SSE connection established" in summary and len(files["summary.md"]) < 5120
    assert "sse.stream" in files["run.txt"].decode()
    transcript = files["sse-transcript.txt"].decode()
    assert re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z event: log", transcript)


class LeakyProxy(BaseHTTPRequestHandler):
    """A gateway error page that echoes the request's credentials and sets a cookie."""

    cookie = ""
    bearer = ""

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def _answer(self) -> None:
        body = (
            f"502 upstream error. Request headers: Authorization: Bearer {self.bearer}; "
            f"Cookie: sid={self.cookie}"
        ).encode()
        self.send_response(502)
        self.send_header("Set-Cookie", f"sid={self.cookie}; HttpOnly")
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def leaky_proxy() -> Iterator[tuple[str, str, str]]:
    cookie, bearer = secrets.token_hex(20), secrets.token_urlsafe(30)
    handler = type("Handler", (LeakyProxy,), {"cookie": cookie, "bearer": bearer})
    server = ThreadingHTTPServer((LOOPBACK, 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://{LOOPBACK}:{server.server_address[1]}", cookie, bearer
    server.shutdown()
    server.server_close()


def leaky_args(url: str) -> list[str]:
    return [
        "--backend-url", url,
        "--ai-url", url,
        "--mongo-uri", f"mongodb://{LOOPBACK}:{closed_port()}",
        "--no-docker",
    ]  # fmt: skip


def test_response_headers_and_bodies_are_redacted(
    leaky_proxy: tuple[str, str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, cookie, bearer = leaky_proxy
    assert main(["run", "--json", *FAST, *leaky_args(url)]) == 1
    run_json = capsys.readouterr().out
    code, bundle, printed = report(tmp_path, capsys, "-v", *leaky_args(url))
    assert code == 1
    files = read_bundle(bundle)
    manifest = check_manifest(files)
    shown = {name: data.decode() for name, data in files.items()}
    shown.update({"report": printed, "run --json": run_json})
    for where, text in shown.items():
        assert cookie not in text and bearer not in text, where
    assert "502 upstream error" in shown["results.json"] and "502 upstream" in printed
    assert "ai-server/health.txt" in files
    assert manifest["redactions"]["cookie"] > 0
    assert manifest["redactions"]["authorization-header"] > 0


def test_run_text_output_redacts_secrets_that_wrapping_splits(
    leaky_proxy: tuple[str, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    """The text format wraps evidence; a ``Cookie:`` value may land on the next line."""
    url, cookie, bearer = leaky_proxy
    assert main(["run", "-v", "--no-color", *FAST, *leaky_args(url)]) == 1
    run_text = capsys.readouterr().out
    assert "502 upstream error" in run_text
    assert cookie not in run_text and bearer not in run_text


@pytest.mark.parametrize(
    "docker_down", [["--docker-host", "tcp://127.0.0.1:{port}"], ["--no-docker"]]
)
def test_a_stack_that_is_down_still_gets_a_useful_bundle(
    docker_down: list[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    before = datetime.now(timezone.utc).replace(microsecond=0)
    args = [
        "report",
        *FAST,
        "--backend-url", f"http://{LOOPBACK}:{closed_port()}",
        "--mongo-uri", f"mongodb://{LOOPBACK}:{closed_port()}",
        *(arg.format(port=closed_port()) for arg in docker_down),
    ]  # fmt: skip
    assert main(args) == 1
    captured = capsys.readouterr()
    printed = captured.out + captured.err
    (bundle,) = tmp_path.iterdir()
    match = NAME_PATTERN.fullmatch(bundle.name)
    assert match, bundle.name
    stamp = datetime.strptime(match[1], "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
    assert before <= stamp <= datetime.now(timezone.utc) + timedelta(seconds=1)
    assert stat.S_IMODE(bundle.stat().st_mode) == 0o600
    assert bundle.name in printed

    files = read_bundle(bundle)
    check_manifest(files)
    assert set(files) == FIXED_FILES
    summary = files["summary.md"].decode()
    assert all(section in summary for section in SECTIONS)
    assert "`backend.down`" in summary.split("## Actual")[1]
    docker_ps = files["docker-ps.txt"].decode()
    if "--no-docker" in docker_down:
        assert "not examined (--no-docker)" in docker_ps
    else:
        assert "Docker engine not reachable" in docker_ps
    assert "No backend log was given" in files["backend-log.txt"].decode()
    assert "not observed" in files["sse-transcript.txt"].decode()
    environment = files["environment.txt"].decode()
    assert "MongoDB server: not reachable" in environment and "Python: " in environment
    results = json.loads(files["results.json"])
    assert results["exit_code"] == 1 and results["schema"] == "sse-doctor/1"
    assert "\x1b[" not in files["run.txt"].decode()


def test_collection_is_bounded_when_docker_and_mongodb_hang(
    hanging_port: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    started = time.monotonic()
    code, bundle, _ = report(
        tmp_path,
        capsys,
        "--only", "backend.liveness",
        "--backend-url", f"http://{LOOPBACK}:{closed_port()}",
        "--docker-host", f"tcp://{LOOPBACK}:{hanging_port}",
        "--mongo-uri", f"mongodb://{LOOPBACK}:{hanging_port}",
    )  # fmt: skip
    assert time.monotonic() - started < 30  # each round of collection has its own deadline
    assert code == 1
    files = read_bundle(bundle)
    assert set(files) == FIXED_FILES
    assert "Docker engine not reachable" in files["docker-ps.txt"].decode()
    assert "MongoDB server: not reachable" in files["environment.txt"].decode()


def test_backend_container_logs_are_filtered_and_redacted(
    start_container: Callable[..., object],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    jwt = make_jwt()
    name = f"sse-doctor-test-backend-{secrets.token_hex(4)}"
    script = (
        "echo 'INFO startup done'; "
        f"echo '[DEBUG] [SSE] Authorization: Bearer {jwt}'; "
        "echo '[DEBUG] [SSE] event: log'; "
        "for i in 1 2 3 4 5 6 7 8; do echo unrelated line $i; done; "
        "echo ready; exec sleep 3600"
    )
    start_container(name, script, {})
    code, bundle, _ = report(
        tmp_path,
        capsys,
        "--backend-url", f"http://{LOOPBACK}:{closed_port()}",
        "--mongo-uri", f"mongodb://{LOOPBACK}:{closed_port()}",
        "--backend-container", name,
    )  # fmt: skip
    assert code == 1
    files = read_bundle(bundle)
    manifest = check_manifest(files)
    assert "No run was watched" in files["backend-log.txt"].decode()
    backend_log = files["backend-log-full.txt"].decode()
    assert f"Source: container {name}" in backend_log.splitlines()[0]
    assert "[DEBUG] [SSE] event: log" in backend_log and "unrelated line 8" in backend_log
    assert re.search(r"\dT\d\d:\d\d:\d\d\.\d+Z \[DEBUG\]", backend_log)  # --timestamps
    assert all(jwt.encode() not in data for data in files.values())
    assert f"containers/{name}/logs.txt" in files
    assert manifest["redactions"]["authorization-header"] >= 2


def test_an_output_path_that_cannot_be_written_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "missing" / "bundle.tar.gz"
    assert main(["report", *FAST, "--no-docker", "-o", str(target)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--output" in err and str(target) in err
    assert not target.parent.exists()


def test_with_force_an_existing_file_is_replaced_by_a_private_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "bundle.tar.gz"
    target.write_bytes(b"old")
    target.chmod(0o644)
    args = ["--backend-url", f"http://{LOOPBACK}:{closed_port()}", "--no-docker", "--force"]
    assert main(["report", *FAST, *args, "-o", str(target)]) == 1
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert "summary.md" in read_bundle(target)
    assert [p.name for p in tmp_path.iterdir()] == ["bundle.tar.gz"]


def test_json_format_keeps_stdout_a_json_document(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "b.tar.gz"
    args = ["--backend-url", f"http://{LOOPBACK}:{closed_port()}", "--no-docker", "--json"]
    assert main(["report", *FAST, *args, "-o", str(out)]) == 1
    captured = capsys.readouterr()
    assert json.loads(captured.out)["exit_code"] == 1
    assert str(out) in captured.err
