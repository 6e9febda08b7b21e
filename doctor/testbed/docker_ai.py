"""The AI Server in real Docker: a busybox image built FROM scratch, one container per stack."""

from __future__ import annotations

import fcntl
import hashlib
import io
import json
import tarfile
import tempfile
import threading
from pathlib import Path

import docker
import docker.errors
from docker.models.containers import Container

from doctor.testbed.net import LOOPBACK, HealthProbe, wait_until

BUSYBOX = Path("/bin/busybox")
IMAGE_REPO = "sse-doctor-testbed"
LABEL = "sse-doctor.testbed"
DOCKERFILE = f"""FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
LABEL {LABEL}="1"
""".encode()
HTTPD = ["httpd", "-f", "-p", "8000", "-h", "/www"]
IDLE = ["sleep", "3600"]
READY_DEADLINE_S = 10.0

_build_lock = threading.Lock()


def image_tag() -> str:
    """The content-addressed tag of the testbed image: busybox plus Dockerfile."""
    digest = hashlib.sha256(BUSYBOX.read_bytes() + DOCKERFILE).hexdigest()[:12]
    return f"{IMAGE_REPO}:{digest}"


def _tar(files: dict[str, bytes], mode: int = 0o644) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), mode
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def ensure_image(client: docker.DockerClient) -> str:
    """Build the testbed image unless it exists; safe across threads and processes."""
    tag = image_tag()
    lock_path = Path(tempfile.gettempdir()) / f"{IMAGE_REPO}.build.lock"
    with _build_lock, lock_path.open("w") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            client.images.get(tag)
        except docker.errors.ImageNotFound:
            context = _tar({"Dockerfile": DOCKERFILE, "busybox": BUSYBOX.read_bytes()}, 0o755)
            client.images.build(fileobj=io.BytesIO(context), custom_context=True, tag=tag, rm=True)
    return tag


def set_base_tag(client: docker.DockerClient, image: str, base_tag: str, *, present: bool) -> bool:
    """Make `base_tag` exist (pointing at `image`) or not exist; True if it was created.

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
    """A container `refactor-project-<id>` whose busybox httpd serves /health and /tasks.

    `mode` is "running" (httpd on 8000), "idle" (running, but only `sleep`) or
    "stopped" (killed, so it exited with code 137).
    """

    def __init__(
        self,
        client: docker.DockerClient,
        image: str,
        name: str,
        env: dict[str, str],
        mode: str,
    ) -> None:
        self._client = client
        self._create = {
            "image": image,
            "command": IDLE if mode == "idle" else HTTPD,
            "name": name,
            "environment": env,
            "labels": {LABEL: "1"},
            "ports": {"8000/tcp": (LOOPBACK, None)},
        }
        self._mode = mode
        self._probe = HealthProbe()
        self.container: Container | None = None

    def start(self, tasks: list[dict]) -> None:
        """Create the container with its files, start it and wait for the mode's state."""
        self.container = self._client.containers.create(**self._create)
        self.publish(tasks)
        self.container.start()
        if self._mode == "stopped":
            self.container.kill()
            self.container.wait(timeout=READY_DEADLINE_S)
        elif self._mode == "running":
            url = f"{self._host_url()}/health"
            wait_until(
                lambda: self._probe(url), f"AI Server in {self.container.name}", READY_DEADLINE_S
            )

    def _host_url(self) -> str | None:
        """The AI Server's published loopback URL, or None if the container is not running."""
        assert self.container is not None
        self.container.reload()
        bindings = (self.container.attrs["NetworkSettings"]["Ports"] or {}).get("8000/tcp")
        if self.container.status != "running" or not bindings:
            return None
        return f"http://{LOOPBACK}:{bindings[0]['HostPort']}"

    def healthy(self) -> bool:
        """Running, and /health answers on the published port."""
        try:
            url = self._host_url()
        except docker.errors.DockerException:
            return False
        return url is not None and self._probe(f"{url}/health")

    def publish(self, tasks: list[dict]) -> None:
        """Write /www/health and /www/tasks into the container."""
        assert self.container is not None
        files = {
            "www/health": json.dumps({"status": "healthy"}).encode(),
            "www/tasks": json.dumps(tasks, ensure_ascii=False).encode(),
        }
        self.container.put_archive("/", _tar(files))

    def stop(self) -> None:
        self._probe.close()
        if self.container is not None:
            self.container.remove(force=True)
