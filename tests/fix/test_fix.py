"""``--fix`` with a real Docker engine: each repair really happens, then checks out; without a
yes nothing changes."""

from __future__ import annotations

import contextlib
import io
import os
import secrets
import shutil
import tarfile
from collections.abc import Callable, Iterator
from pathlib import Path

import docker
import docker.errors
import pytest

from doctor.cli import main
from doctor.testbed import Stack, doctor_args
from doctor.testbed.docker_ai import BUSYBOX, LABEL
from doctor.testbed.net import closed_port
from tests.cli.test_terminal import on_a_terminal, read_until
from tests.helpers import FAST


@pytest.fixture
def network(docker_client: docker.DockerClient) -> Iterator[str]:
    """A network name of this test's own (the fix creates it); removed afterwards."""
    name = f"sse-doctor-fix-{secrets.token_hex(3)}"
    yield name
    for found in docker_client.networks.list(names=[name]):
        found.reload()
        for container in found.containers:
            with contextlib.suppress(docker.errors.APIError):
                found.disconnect(container, force=True)
        found.remove()


@pytest.fixture
def stopped(stack_factory: Callable[..., Stack]) -> Stack:
    """A Docker stack whose project container was killed (exit 137)."""
    return stack_factory(faults=("container-stopped",), docker=True)


def doctor(stack: Stack, *extra: str, **overrides: object) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["run", *doctor_args(stack, *extra, **{**FAST, **overrides})])
    return code, out.getvalue()


def state(client: docker.DockerClient, name: str) -> str:
    return str(client.containers.get(name).status)


def test_yes_starts_the_container_creates_the_network_and_checks_again(
    stopped: Stack, network: str, docker_client: docker.DockerClient
) -> None:
    code, out = doctor(stopped, "--fix", "--yes", docker_network=network)
    assert state(docker_client, stopped.container_name) == "running"
    attached = docker_client.networks.get(network).attrs
    assert docker_client.containers.get(stopped.container_name).id in attached["Containers"]
    repairs = out.split("\nRepairs\n", 1)[1].splitlines()
    assert f"  $ docker network create {network}" in repairs
    assert f"  $ docker network connect {network} {stopped.container_name}" in repairs
    assert f"  $ docker start {stopped.container_name}" in repairs
    assert sum(1 for line in repairs if line.strip().startswith("applied at ")) == 3
    before = next(i for i, line in enumerate(repairs) if line.startswith("  containers.project"))
    assert "before ✗ Container" in repairs[before] and "Exited (137)" in repairs[before]
    assert "after  ✓ Container" in repairs[before + 1] and "is running" in repairs[before + 1]
    assert any("ai_server.health" in line for line in repairs)
    assert code == 1  # the testbed's backend runs on the host: network.path still fails


@pytest.mark.parametrize("extra", [["--fix"], ["--fix", "--dry-run"]])
def test_without_a_yes_nothing_changes(
    extra: list[str], stopped: Stack, network: str, docker_client: docker.DockerClient
) -> None:
    code, out = doctor(stopped, *extra, docker_network=network)
    assert code == 1
    assert state(docker_client, stopped.container_name) == "exited"
    assert docker_client.networks.list(names=[network]) == []
    repairs = out.split("\nRepairs\n", 1)[1]
    assert f"$ docker start {stopped.container_name}" in repairs
    assert "applied" not in repairs
    decision = "dry-run at " if "--dry-run" in extra else "not confirmed at "
    assert repairs.count(decision) == 3
    if "--dry-run" not in extra:
        assert "there is no terminal to say yes at; --yes applies" in repairs


def test_a_yes_at_the_terminal_applies_and_a_no_does_not(
    stopped: Stack, network: str, docker_client: docker.DockerClient
) -> None:
    args = ["run", "--fix", *doctor_args(stopped, docker_network=network, **FAST)]
    shown = b""
    with on_a_terminal(*args) as (leader, process):
        for answer in (b"y", b"y", b"n"):  # create the network, connect, but do not start
            shown += read_until(leader, b"[y/N]: ", 60)
            assert shown.endswith(b"[y/N]: ")
            os.write(leader, answer + b"\r")
        shown += read_until(leader, b"network.docker", 60)
        assert process.wait(timeout=60) == 1
    assert f"Run `docker start {stopped.container_name}`?".encode() in shown
    assert docker_client.networks.list(names=[network]) != []
    assert state(docker_client, stopped.container_name) == "exited"
    assert b"declined at " in shown


def test_the_mongodb_container_is_started(
    docker_client: docker.DockerClient, mongo_image: str, stack: Stack
) -> None:
    name = f"sse-doctor-fix-mongo-{secrets.token_hex(3)}"
    docker_client.containers.create(mongo_image, ["sleep", "600"], name=name)
    uri = f"mongodb://127.0.0.1:{closed_port()}"
    code, out = doctor(stack, "--only", "mongodb", "--fix", "--yes", mongo_uri=uri)
    assert state(docker_client, name) == "running"
    assert f"  $ docker start {name}" in out
    assert "after  ✓ MongoDB runs in container " + name in out
    assert code == 1  # nothing listens at the URI: mongodb.ping still fails


def test_the_base_image_is_built_from_the_repo(
    docker_client: docker.DockerClient, stack: Stack, tmp_path: Path
) -> None:
    tag = f"refactor-base:sse-doctor-fix-{secrets.token_hex(3)}"
    dockerfile = tmp_path / "devops" / "base-image" / "Dockerfile"
    dockerfile.parent.mkdir(parents=True)
    dockerfile.write_text(f'FROM scratch\nCOPY busybox /bin/busybox\nLABEL {LABEL}="1"\n')
    shutil.copy(BUSYBOX, tmp_path / "busybox")
    try:
        code, out = doctor(
            stack, "--only", "image", "--fix", "--yes", "--repo", str(tmp_path), base_image=tag
        )
        docker_client.images.get(tag)
        assert f"  $ docker build -t {tag} -f {dockerfile} {tmp_path}" in out
        assert "after  ✓ " in out and code == 0
    finally:
        with contextlib.suppress(docker.errors.ImageNotFound):
            docker_client.images.remove(tag, noprune=True)


def test_without_a_repo_the_image_is_not_built_and_says_how(
    docker_client: docker.DockerClient, stack: Stack
) -> None:
    tag = f"refactor-base:sse-doctor-fix-{secrets.token_hex(3)}"
    code, out = doctor(stack, "--only", "image", "--fix", "--yes", base_image=tag)
    assert code == 1
    repairs = out.split("\nRepairs\n", 1)[1]
    assert "image.missing: pass --repo DIR" in repairs and "docker build" not in repairs
    with pytest.raises(docker.errors.ImageNotFound):
        docker_client.images.get(tag)


@pytest.mark.parametrize(
    ("extra", "error"),
    [
        (["--yes"], "--yes: only goes with --fix"),
        (["--fix", "--yes", "--dry-run"], "--dry-run: cannot be combined with --yes"),
        (["--fix", "--json"], "--fix: prints its repairs as text"),
        (["--fix", "--no-docker"], "--fix: repairs through Docker"),
    ],
)
def test_options_that_do_not_fit_are_one_line(
    extra: list[str], error: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", *extra, "--backend-url", "http://127.0.0.1:1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and error in err


def test_the_report_logs_every_repair(
    stopped: Stack, network: str, docker_client: docker.DockerClient, tmp_path: Path
) -> None:
    bundle = tmp_path / "fixed.tar.gz"
    args = doctor_args(stopped, "--fix", "--yes", "-o", str(bundle), docker_network=network, **FAST)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        main(["report", *args])
    assert state(docker_client, stopped.container_name) == "running"
    with tarfile.open(bundle) as archive:
        log = archive.extractfile("fixed/repairs.txt").read().decode()
        summary = archive.extractfile("fixed/summary.md").read().decode()
    assert f"  $ docker start {stopped.container_name}\n    applied at " in log
    assert "containers.project" in log and "after  ✓ Container" in log
    assert "repairs.txt" in summary
    assert "\nRepairs\n" in out.getvalue()
