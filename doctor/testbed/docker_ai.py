"""The AI Server in real Docker: one container ``refactor-project-<id>`` per stack.

The image is built FROM scratch with Debian's static busybox, in two flavours: ``wget``
(busybox with its wget, like the V1 image's Alpine) and ``python`` (no wget, ``python3``
on the PATH, like the V2 image). The AI Server itself (``doctor/testbed/ai_server.py``,
standard library only) runs on this machine's Debian Python, bind-mounted read-only with
the shared libraries it needs, so no image has to be pulled.
"""

from __future__ import annotations

import fcntl
import hashlib
import io
import subprocess
import tarfile
import tempfile
import threading
from pathlib import Path
from typing import Any

import docker
import docker.errors
from docker.models.containers import Container

from doctor.testbed.net import LOOPBACK, HealthProbe, wait_until

BUSYBOX = Path("/bin/busybox")
HOST_PYTHON = Path("/usr/bin/python3")
AI_SERVER = Path(__file__).with_name("ai_server.py")
AI_AGENT = Path(__file__).with_name("ai_agent.py")
NXDOMAIN = Path(__file__).with_name("nxdomain.py")
IMAGE_REPO = "sse-doctor-testbed"
LABEL = "sse-doctor.testbed"
PYTHON_HOME = "/opt/python"
TOOLS = ("wget", "python")
READY_DEADLINE_S = 10.0
POSTGRES_ADDRESS = "127.0.0.2"
"""Where ``postgres`` resolves in the container (its own loopback, not 127.0.0.1, so that
``localhost:5432`` stays closed there as in the real container)."""
_build_lock = threading.Lock()


def dockerfile(tools: str) -> bytes:
    """The image's Dockerfile: busybox, then what the flavour adds or removes."""
    steps = [
        "FROM scratch",
        "COPY busybox /bin/busybox",
        'RUN ["/bin/busybox", "--install", "-s", "/bin"]',
        'RUN ["/bin/busybox", "mkdir", "-p", "/usr/local/bin", "/tmp", "/workspace"]',
    ]
    if tools == "python":
        steps += [
            'RUN ["/bin/busybox", "rm", "/bin/wget"]',
            f'RUN ["/bin/busybox", "ln", "-s", "{PYTHON_HOME}/bin/python3", "/usr/local/bin/"]',
            "ENV PYTHONDONTWRITEBYTECODE=1",  # as the V2 image sets it
        ]
    steps += ["ENV PYTHONUNBUFFERED=1", "WORKDIR /workspace", "EXPOSE 8000", f'LABEL {LABEL}="1"']
    return ("\n".join(steps) + "\n").encode()


def image_tag(tools: str) -> str:
    """The content-addressed tag of a flavour: busybox plus its Dockerfile."""
    digest = hashlib.sha256(BUSYBOX.read_bytes() + dockerfile(tools)).hexdigest()[:12]
    return f"{IMAGE_REPO}:{digest}-{tools}"


def _tar(files: dict[str, bytes], mode: int = 0o644) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), mode
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def ensure_image(client: docker.DockerClient, tools: str = "wget") -> str:
    """Build the flavour's image unless it exists; safe across threads and processes."""
    if tools not in TOOLS:
        raise ValueError(f"unknown image flavour {tools!r}; known: {', '.join(TOOLS)}")
    tag = image_tag(tools)
    lock_path = Path(tempfile.gettempdir()) / f"{IMAGE_REPO}.build.lock"
    with _build_lock, lock_path.open("w") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            client.images.get(tag)
        except docker.errors.ImageNotFound:
            context = _tar(
                {"Dockerfile": dockerfile(tools), "busybox": BUSYBOX.read_bytes()}, 0o755
            )
            client.images.build(fileobj=io.BytesIO(context), custom_context=True, tag=tag, rm=True)
    return tag


def python_mounts() -> dict[str, dict[str, str]]:
    """Read-only binds that give a container this machine's Python 3 and its libraries."""
    binary = HOST_PYTHON.resolve()
    version = binary.name.removeprefix("python")
    mounts = {
        str(binary): {"bind": f"{PYTHON_HOME}/bin/python3", "mode": "ro"},
        f"/usr/lib/python{version}": {"bind": f"{PYTHON_HOME}/lib/python{version}", "mode": "ro"},
        str(AI_SERVER): {"bind": "/opt/testbed/ai_server.py", "mode": "ro"},
        str(AI_AGENT): {"bind": "/opt/testbed/ai_agent.py", "mode": "ro"},
        str(NXDOMAIN): {"bind": "/opt/testbed/nxdomain.py", "mode": "ro"},
    }
    for directory in _library_directories(binary):
        mounts[directory] = {"bind": directory, "mode": "ro"}
    return mounts


def _library_directories(binary: Path) -> list[str]:
    """Where the binary's shared libraries and loader live, as ``ldd`` names them."""
    listing = subprocess.run(["ldd", str(binary)], capture_output=True, text=True, check=True)
    directories = set()
    for line in listing.stdout.splitlines():
        path = next((part for part in line.split() if part.startswith("/")), None)
        if path:
            directories.add(str(Path(path).parent))
    return sorted(directories)


def set_base_tag(client: docker.DockerClient, image: str, base_tag: str, *, present: bool) -> bool:
    """Make ``base_tag`` exist (pointing at ``image``) or not exist; True if it was created.

    Only tags that are absent or already point at a testbed image are touched, so a
    real base image on the machine is neither overwritten nor removed.
    """
    if base_tag == image:
        raise ValueError(f"base image tag {base_tag!r} must differ from the testbed image tag")
    try:
        current = client.images.get(base_tag)
    except docker.errors.ImageNotFound:
        current = None
    if current is not None and current.labels.get(LABEL) != "1":
        if present:
            return False
        raise RuntimeError(f"refusing to remove {base_tag!r}: it is not a testbed image")
    if present and current is None:
        repository, colon, tag = base_tag.rpartition(":")
        if not colon or "/" in tag:
            repository, tag = base_tag, "latest"
        client.images.get(image).tag(repository, tag)
        return True
    if not present and current is not None:
        client.images.remove(base_tag, noprune=True)
    return False


class DockerAIServer:
    """The container ``name`` running the AI Server on port 8000, which is not published.

    Like the real backend on ``refactor-network``, the testbed backend reaches it at the
    container's own address (a Linux host routes to its bridge networks), so a stopped
    container has no address and a silent one refuses the connection.
    """

    def __init__(
        self,
        client: docker.DockerClient,
        image: str,
        name: str,
        env: dict[str, str],
        server_args: list[str],
        network: str | None = None,
    ) -> None:
        self._client = client
        self._create: dict[str, Any] = {
            "image": image,
            "name": name,
            "environment": env,
            "labels": {LABEL: "1"},
            "volumes": python_mounts(),
            "dns": [LOOPBACK],  # names it cannot resolve are never asked of the outside
            # compose's postgres as the container sees it: the name resolves, 5432 takes TCP
            "extra_hosts": {"postgres": POSTGRES_ADDRESS},
        }
        if network:  # as the backend creates it: docker create --network <DOCKER_NETWORK>
            self._create["network"] = network
        self._command = [
            f"{PYTHON_HOME}/bin/python3",
            "/opt/testbed/ai_server.py",
            *server_args,
            "--postgres",
            f"{POSTGRES_ADDRESS}:5432",
        ]
        self._probe = HealthProbe()
        self.container: Container | None = None

    def start(self) -> None:
        """Create and start the container, and wait for its AI Server."""
        self.container = self._client.containers.create(command=self._command, **self._create)
        self.container.start()
        wait_until(self.healthy, f"AI Server in {self.container.name}", READY_DEADLINE_S)

    @property
    def id(self) -> str:
        assert self.container is not None
        return str(self.container.id)

    def address(self) -> tuple[str, int] | None:
        """The container's address and port 8000, or None when it is not running."""
        if self.container is None:
            return None
        try:
            self.container.reload()
        except docker.errors.DockerException:
            return None
        networks = self.container.attrs["NetworkSettings"]["Networks"] or {}
        ips = [n["IPAddress"] for n in networks.values() if n.get("IPAddress")]
        if self.container.status != "running" or not ips:
            return None
        return ips[0], 8000

    def healthy(self) -> bool:
        address = self.address()
        return address is not None and self._probe(f"http://{address[0]}:{address[1]}/health")

    def restart(self) -> None:
        """Restart the AI Server: every task it held is gone."""
        assert self.container is not None
        self.container.restart(timeout=0)
        wait_until(self.healthy, f"AI Server in {self.container.name}", READY_DEADLINE_S)

    def stop_listening(self) -> None:
        """The AI Server closes its port (SIGUSR1) and the container keeps running."""
        assert self.container is not None
        self.container.kill(signal="SIGUSR1")
        wait_until(lambda: not self.healthy(), "AI Server to stop listening", READY_DEADLINE_S)

    def move(self, to: str, away: str) -> None:
        """Connect the container to the network ``to`` and disconnect it from ``away``."""
        assert self.container is not None
        self._client.networks.get(to).connect(self.container)
        self._client.networks.get(away).disconnect(self.container)
        self.container.reload()

    def kill(self) -> None:
        """SIGKILL the container: it exits with code 137."""
        assert self.container is not None
        self.container.kill()
        self.container.wait(timeout=READY_DEADLINE_S)

    def remove(self) -> None:
        if self.container is not None:
            self.container.remove(force=True)
            self.container = None

    def stop(self) -> None:
        self._probe.close()
        self.remove()

    def docker_status(self, container_id: str) -> dict[str, Any]:
        """The backend's ``docker_status`` of a project: the container's own view."""
        try:
            attrs = self._client.api.inspect_container(container_id)
        except docker.errors.NotFound:
            return {"id": container_id[:12], "status": "not_found", "inconsistent": True}
        return {
            "id": attrs["Id"][:12],
            "name": attrs["Name"].lstrip("/"),
            "status": attrs["State"]["Status"],
            "image": attrs["Config"]["Image"],
        }
