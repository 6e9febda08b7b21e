"""The testbed's Docker network and, on it, the backend in a container (compose's way).

:func:`create_network` makes the user-defined network (``refactor-network`` in the real
stack) that the project container joins. :class:`BackendContainer` runs the testbed backend
itself (``doctor.testbed.backend_main``) in a container on that network, as compose runs
``api`` as ``refactor-api``: it calls ``http://refactor-project-<id>:8000`` through Docker's
own DNS, its stdout is its log (``docker logs``), and its port 8000 is published on
127.0.0.1 only. It runs this machine's Python (the interpreter, the virtual environment and
the source, bind-mounted read-only) in the busybox image, so nothing is pulled.

Every container gets ``dns=["127.0.0.1"]``: a name Docker's DNS does not know is forwarded
to the container's own loopback, where the backend answers NXDOMAIN at once
(``--answer-dns``), and no query leaves the machine.
"""

from __future__ import annotations

import contextlib
import shutil
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import docker
import docker.errors

import doctor
from doctor.testbed.backend_main import KEY_ENV, PORT
from doctor.testbed.docker_ai import LABEL, _library_directories, python_mounts
from doctor.testbed.net import LOOPBACK, HealthProbe, wait_until

if TYPE_CHECKING:
    from doctor.testbed.mongo import NxMongo
    from doctor.testbed.tokens import TokenSigner

READY_DEADLINE_S = 20.0
SOCKET_DIR = "/run/sse-doctor"
LOG_FILE = "/var/log/sse-doctor/backend.log"


def create_network(client: docker.DockerClient, name: str, exits: contextlib.ExitStack) -> Any:
    """Create the bridge network ``name``, removed on exit; refuse one that is not ours."""
    try:
        existing = client.networks.get(name)
    except docker.errors.NotFound:
        existing = None
    if existing is not None:
        raise RuntimeError(f"testbed: network {name!r} exists already; it is not the testbed's")
    network = client.networks.create(name, driver="bridge", labels={LABEL: "1"})
    exits.callback(_remove_network, network)
    return network


def _remove_network(network: Any) -> None:
    with contextlib.suppress(docker.errors.NotFound):
        network.reload()
        for container in network.containers:
            with contextlib.suppress(docker.errors.APIError):
                network.disconnect(container, force=True)
        network.remove()


def python_binds() -> dict[str, dict[str, str]]:
    """Read-only binds giving a container this process's Python: the interpreter's
    installation, the virtual environment, the package ``doctor`` and the shared
    libraries, each at its own path."""
    package = Path(doctor.__file__).resolve().parent
    places = {Path(sys.base_prefix).resolve(), Path(sys.prefix), package}
    binds = {str(place): {"bind": str(place), "mode": "ro"} for place in places}
    for directory in _library_directories(Path(sys.executable).resolve()):
        binds.setdefault(directory, {"bind": directory, "mode": "ro"})
    return binds


class BackendContainer:
    """The testbed backend in the container ``name`` on ``network``, port 8000 published on
    127.0.0.1 at a free port (``url``)."""

    def __init__(
        self,
        client: docker.DockerClient,
        image: str,
        name: str,
        network: str,
        *,
        profile: str,
        token_key: bytes,
        socket_dir: Path,
        log_path: Path,
        ping_interval: float,
        faults: frozenset[str],
    ) -> None:
        self._client = client
        binds = {**python_mounts(), **python_binds()}  # python3 on the PATH, as in the image
        binds[str(socket_dir)] = {"bind": SOCKET_DIR, "mode": "rw"}
        binds[str(log_path)] = {"bind": LOG_FILE, "mode": "rw"}
        mongo = "mongodb://" + f"{SOCKET_DIR}/mongodb.sock".replace("/", "%2F")
        command = [
            str(Path(sys.executable).absolute()), "-m", "doctor.testbed.backend_main",
            "--profile", profile, "--mongo-uri", mongo, "--log", LOG_FILE,
            "--ping-interval", str(ping_interval), "--answer-dns",
            *(part for fault in sorted(faults) for part in ("--fault", fault)),
        ]  # fmt: skip
        source = str(Path(doctor.__file__).resolve().parent.parent)
        self._create: dict[str, Any] = {
            "image": image,
            "name": name,
            "command": command,
            "environment": {
                KEY_ENV: token_key.hex(),
                "PYTHONPATH": source,
                "PYTHONUNBUFFERED": "1",
                "PYTHONDONTWRITEBYTECODE": "1",
            },
            "labels": {LABEL: "1", "com.docker.compose.service": "api"},
            "volumes": binds,
            "network": network,
            "ports": {f"{PORT}/tcp": (LOOPBACK, None)},
            "dns": [LOOPBACK],
        }
        self._probe = HealthProbe()
        self.container: Any = None
        self.url = ""

    @staticmethod
    def mongo_socket(socket_dir: Path) -> str:
        """Where the stack's MongoDB must listen for this container."""
        return str(socket_dir / "mongodb.sock")

    def start(self) -> str:
        """Start it and wait for its API; its URL on this host."""
        self.container = self._client.containers.run(detach=True, **self._create)
        self.container.reload()
        binding = self.container.attrs["NetworkSettings"]["Ports"][f"{PORT}/tcp"][0]
        self.url = f"http://{LOOPBACK}:{binding['HostPort']}"

        def ready() -> bool:
            self.container.reload()
            if self.container.status != "running":
                logs = self.container.logs(tail=20).decode("utf-8", "replace")
                raise RuntimeError(f"testbed: backend container exited:\n{logs}")
            return self._probe(f"{self.url}/api/v1/health")

        wait_until(ready, f"backend in {self.container.name}", READY_DEADLINE_S, 0.05)
        return self.url

    def stop(self) -> None:
        self._probe.close()
        if self.container is not None:
            with contextlib.suppress(docker.errors.NotFound):
                self.container.remove(force=True)
            self.container = None


def backend_in_container(
    profile: str,
    mongo: NxMongo,
    signer: TokenSigner,
    log_path: Path,
    ping_interval: float,
    faults: frozenset[str],
    place: tuple[str | None, str | None],
    exits: contextlib.ExitStack,
) -> str:
    """Run the backend in the container ``place[1]`` on the network ``place[0]``, its
    MongoDB reached over a Unix socket; its URL on this host."""
    from doctor.clients.docker_host import docker_client
    from doctor.testbed.docker_ai import ensure_image

    network, name = place
    assert network and name
    client = docker_client()
    exits.callback(client.close)
    sockets = Path(tempfile.mkdtemp(prefix="sse-doctor-testbed-"))
    exits.callback(shutil.rmtree, sockets, ignore_errors=True)
    mongo.listen_unix(BackendContainer.mongo_socket(sockets))
    backend = BackendContainer(
        client,
        ensure_image(client, "python"),
        name,
        network,
        profile=profile,
        token_key=signer.key,
        socket_dir=sockets,
        log_path=log_path,
        ping_interval=ping_interval,
        faults=faults,
    )
    exits.callback(backend.stop)
    return backend.start()
