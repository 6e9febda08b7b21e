"""An ``ssh://`` engine, for real: an sshd on 127.0.0.1 (Debian's openssh-server, started
here with its own host key and config in tmp_path), a key for root, and docker-py's SSH
transport (paramiko), which runs ``docker system dial-stdio`` on the far side."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from doctor.testbed import doctor_args
from doctor.testbed.net import closed_port
from tests.helpers import FAST, doctor_json, results_by_id

SSHD = Path("/usr/sbin/sshd")
READY_DEADLINE_S = 10.0


def _keygen(path: Path) -> str:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path)], check=True)
    return path.with_suffix(".pub").read_text().strip()


class Sshd:
    """sshd -D on a free 127.0.0.1 port, its HOME (with ~/.ssh) for the client side."""

    def __init__(self, root: Path) -> None:
        self.home = root / "home"
        (self.home / ".ssh").mkdir(parents=True, mode=0o700)
        self.host_key = _keygen(root / "host_key")
        (root / "authorized_keys").write_text(_keygen(self.home / ".ssh" / "id_ed25519") + "\n")
        self.port = closed_port()
        config = root / "sshd_config"
        config.write_text(
            f"ListenAddress 127.0.0.1\nHostKey {root / 'host_key'}\nPidFile {root / 'sshd.pid'}\n"
            f"AuthorizedKeysFile {root / 'authorized_keys'}\nPermitRootLogin prohibit-password\n"
            "PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\n"
            "StrictModes no\nAllowTcpForwarding no\nX11Forwarding no\n"
        )
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # its privilege separation dir
        self.log = (root / "sshd.log").open("w")
        command = [str(SSHD), "-D", "-e", "-f", str(config), "-p", str(self.port)]
        self.process = subprocess.Popen(command, stderr=self.log)
        self.url = f"ssh://root@127.0.0.1:{self.port}"

    def wait(self) -> None:
        deadline = time.monotonic() + READY_DEADLINE_S
        while True:
            if self.process.poll() is not None:
                pytest.fail(f"sshd exited: {Path(self.log.name).read_text()}", pytrace=False)
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("sshd did not listen in time", pytrace=False)
                time.sleep(0.02)

    def trust(self) -> None:
        """Put sshd's host key in ~/.ssh/known_hosts, as a first ``ssh`` does."""
        line = f"[127.0.0.1]:{self.port} {self.host_key}\n"
        (self.home / ".ssh" / "known_hosts").write_text(line)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


@pytest.fixture
def sshd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Sshd]:
    if not SSHD.exists():
        pytest.fail("/usr/sbin/sshd is missing: apt-get install openssh-server", pytrace=False)
    server = Sshd(tmp_path)
    try:
        server.wait()
        monkeypatch.setenv("HOME", str(server.home))
        monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
        monkeypatch.delenv("DOCKER_HOST", raising=False)
        yield server
    finally:
        server.stop()


def test_an_ssh_engine_runs_the_docker_checks_on_the_far_side(stack_factory, sshd) -> None:
    sshd.trust()
    stack = stack_factory(docker=True)
    only = ("docker.engine", "containers.project", "ai_server.health", "containers.env")
    argv = doctor_args(stack, docker_host=sshd.url, **FAST)
    code, document = doctor_json(*argv, *(part for check in only for part in ("--only", check)))
    results = results_by_id(document)
    engine = results["docker.engine"]
    assert engine["status"] == "pass", engine["message"]
    assert engine["evidence"]["docker_host"].endswith(f"@127.0.0.1:{sshd.port}")
    assert engine["evidence"]["source"] == "--docker-host"
    assert results["containers.project"]["status"] == "pass"
    health = results["ai_server.health"]  # docker exec through the SSH channel
    assert health["status"] == "pass", health["message"]
    assert json.loads(health["evidence"]["body"]) == {"status": "healthy"}
    assert results["containers.env"]["status"] == "pass"
    assert code == 0
    assert "Accepted publickey for root" in Path(sshd.log.name).read_text()


def test_an_unknown_host_key_is_one_finding_naming_known_hosts(sshd) -> None:
    code, document = doctor_json(
        "--docker-host", sshd.url, "--only", "docker.engine", "--timeout", "2"
    )
    engine = results_by_id(document)["docker.engine"]
    assert (engine["status"], engine["problem"]) == ("fail", "docker.ssh-unavailable")
    assert "not found in known_hosts" in engine["message"]
    assert f"ssh-keyscan -p {sshd.port} 127.0.0.1 >> ~/.ssh/known_hosts" in engine["message"]
    assert code == 1


def test_a_refused_key_is_one_finding(sshd) -> None:
    sshd.trust()
    (sshd.home / ".ssh" / "id_ed25519").unlink()
    _keygen(sshd.home / ".ssh" / "id_ed25519.other")
    (sshd.home / ".ssh" / "id_ed25519.other").rename(sshd.home / ".ssh" / "id_ed25519")
    code, document = doctor_json(
        "--docker-host", sshd.url, "--only", "docker.engine", "--timeout", "2"
    )
    engine = results_by_id(document)["docker.engine"]
    assert (engine["status"], engine["problem"]) == ("fail", "docker.ssh-unavailable")
    assert "the login is refused" in engine["message"] and code == 1


def test_without_paramiko_an_ssh_engine_is_one_line_naming_the_extra() -> None:
    script = (
        "import sys; sys.modules['paramiko'] = None\n"  # as if it were not installed
        "from doctor.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    argv = ["run", "--json", "--docker-host", "ssh://root@127.0.0.1:22", "--only", "docker.engine"]
    proc = subprocess.run(
        [sys.executable, "-c", script, *argv, "--timeout", "1"],
        capture_output=True,
        timeout=60,
        check=False,
        env={k: v for k, v in os.environ.items() if not k.startswith("SSE_DOCTOR_")},
    )
    engine = json.loads(proc.stdout)["results"][0]
    assert engine["problem"] == "docker.ssh-unavailable"
    assert "ssh:// engines need paramiko: pip install 'sse-doctor[ssh]'" in engine["message"]
    assert proc.returncode == 1 and b"Traceback" not in proc.stderr
