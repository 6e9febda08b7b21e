"""What checks share: the configuration, lazily created clients and the values they hand on."""

from __future__ import annotations

import contextlib
import functools
import ssl
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from doctor.clients.contract import Contract
from doctor.clients.http import Answer, fetch
from doctor.config import Config
from doctor.model import CRITERIA, Result
from doctor.report.redact import Redactor

if TYPE_CHECKING:
    import docker
    import httpx
    import pymongo


class Artifact:
    """Keys of ``ctx.artifacts``: what checks hand on to later checks and to the report."""

    SSE_OBSERVATION = "sse_observation"
    """The stream check's StreamObservation (its transcript holds every line, bounded)."""
    SSE_EVENTS = "sse_events"
    """The AI Server's events as the backend's stream carried them (unwrapped if double)."""
    AI_STREAM = "ai_stream"
    """The AI Server's own stream of the run, read directly: its events."""
    AI_HEALTH = "ai_health"
    AI_TASKS = "ai_tasks"
    """The AI Server's /health and the run's /tasks entry, as text."""
    PROJECTS = "projects"
    """The project list as the backend answered it: each project's dict, by id."""
    CONTAINERS = "containers"
    """Facts of every project container."""
    PROJECT_CONTAINER = "project_container"
    """Facts of the chosen project's container (``exists`` False when it is missing)."""
    BACKEND_CONTAINER = "backend_container"
    """The backend's container, when the Docker checks found one (None: it runs on the host)."""
    MONGO_CONTAINER = "mongodb_container"
    """The name of MongoDB's container, when one was found."""
    MONGO_VERSION = "mongodb_version"
    MONGO_ANSWERED = "mongodb_answered"
    """Set when a MongoDB server answered, even if only to refuse the credentials."""
    DOCKER_PARTS = "docker_parts"
    """Where each part runs (``docker.parts``): the backend, PostgreSQL, the engine."""
    NETWORK = "docker_network"
    """``--docker-network`` as the engine shows it (``exists`` False when it is missing)."""
    AGENT_ENV = "agent_env"
    """Which of the agent's variables the project container has: names only, never values."""


Asker = Callable[[str, Sequence[str], bool], str]
"""Prompt the user: (question, choices or [], hide input) -> answer. Only on a terminal;
raises EOFError when the input ends (Ctrl+D)."""


class PromptEnded(Exception):
    """The input ended at a prompt (Ctrl+D): the user cancelled; the asking check ends."""


@dataclass
class RunInfo:
    """The run the doctor watches, and what the backend said of it before the stream."""

    run_id: str
    chosen: str
    """How it was chosen: ``--run``, ``newest``, ``new`` or ``prompt``."""
    status: str | None = None
    """RUNNING, DONE, FAILED or STOPPED, before the stream; None when unknown."""
    created_at: str | None = None
    finished_at: str | None = None
    error_message: str | None = None

    @property
    def replay(self) -> bool:
        """The run had finished: its stream replays every log from the AI Server's memory."""
        return self.status in ("DONE", "FAILED", "STOPPED")


class Context:
    """Shared state of one doctor run. Checks read and write it; clients are made on first use."""

    def __init__(self, config: Config, ask: Asker | None = None) -> None:
        self.config = config
        self._ask = ask
        known = (config.password, config.token, *config.uri_secrets())
        self.redactor = Redactor([secret for secret in known if secret])
        self.token: str | None = config.token
        self.user: str | None = None
        """Who the doctor is logged in as (the login name, or the token's user)."""
        self.contract: Contract | None = None
        """The backend's API, as backend.liveness learned it."""
        self.project_id: str | None = config.project
        self.project: dict[str, Any] | None = None
        """The backend's answer for the project: status, docker_status, last_error."""
        self.run: RunInfo | None = None
        self.cancelled = False
        """The user answered ``n`` at a prompt: a neutral end, not a finding."""
        self.criteria: dict[str, bool | None] = {cid: None for cid, _ in CRITERIA}
        self.results: dict[str, Result] = {}
        """The results of the checks that have finished, by check id."""
        self.artifacts: dict[str, Any] = {}
        """Larger observations kept for the report bundle (transcript, /tasks body, …)."""
        self._prompt_seconds = 0.0
        self._prompt_started: float | None = None
        self._prompt_lock = threading.Lock()
        """One prompt at a time."""
        self._prompt_state = threading.Lock()
        """Guards the prompt clock, which the runner reads while a prompt is open."""
        self._client_locks = {name: threading.Lock() for name in ("http", "docker", "mongo")}
        self._clients: dict[str, Any] = {}

    @property
    def interactive(self) -> bool:
        return self._ask is not None

    def ask(self, question: str, choices: Sequence[str] = (), secret: bool = False) -> str | None:
        """Ask the user, one prompt at a time; None when there is no terminal.

        Raises PromptEnded when the input ends instead of an answer (the runner makes the
        check a cancelled skip)."""
        if self._ask is None:
            return None
        with self._prompt_lock:
            with self._prompt_state:
                self._prompt_started = time.monotonic()
            try:
                return self._ask(question, choices, secret)
            except EOFError:
                self.cancelled = True
                raise PromptEnded(question) from None
            finally:
                with self._prompt_state:
                    self._prompt_seconds += time.monotonic() - self._prompt_started
                    self._prompt_started = None

    def prompt_seconds(self) -> float:
        """Time spent waiting for the user so far; deadlines do not count it."""
        with self._prompt_state:
            started, spent = self._prompt_started, self._prompt_seconds
        return spent + (time.monotonic() - started if started is not None else 0.0)

    def set_token(self, token: str) -> None:
        self.token = token
        self.redactor.add_secret(token)

    @property
    def run_id(self) -> str | None:
        return self.run.run_id if self.run else None

    @property
    def container_name(self) -> str | None:
        return self.config.container_name(self.project_id) if self.project_id else None

    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def fetch(self, method: str, url: str, **kwargs: Any) -> Answer:
        """A bounded request with the shared client: a probe's time and a body's size."""
        return fetch(self.http, method, url, total=2 * self.config.timeout, **kwargs)

    def _client(self, name: str, make: Callable[[], Any]) -> Any:
        """The client ``name``, made once; a failure to make it is remembered and raised again."""
        with self._client_locks[name]:
            if name not in self._clients:
                try:
                    self._clients[name] = make()
                except Exception as exc:  # the engine or URI is broken: every caller hears it
                    self._clients[name] = exc
            client = self._clients[name]
        if isinstance(client, Exception):
            raise client
        return client

    @property
    def http(self) -> httpx.Client:
        """One HTTP client, with the probe timeout for every phase."""
        import httpx

        timeout = httpx.Timeout(self.config.timeout)
        # A new connection per request: its socket is what a request's deadline shuts.
        limits = httpx.Limits(max_keepalive_connections=0)
        return self._client(
            "http",
            lambda: httpx.Client(
                timeout=timeout,
                limits=limits,
                headers={"User-Agent": "sse-doctor"},
                verify=tls_context(),
            ),
        )

    @property
    def docker(self) -> docker.DockerClient:
        """The Docker engine client; raises docker.errors.DockerException when unreachable."""
        from doctor.clients.docker_host import docker_client

        return self._client(
            "docker", lambda: docker_client(self.config.docker_host, self.config.timeout)
        )

    @property
    def mongo(self) -> pymongo.MongoClient:
        import pymongo

        ms = int(self.config.timeout * 1000)
        return self._client(
            "mongo",
            lambda: pymongo.MongoClient(
                self.config.mongo_uri,
                serverSelectionTimeoutMS=ms,
                connectTimeoutMS=ms,
                socketTimeoutMS=ms,
                appname="sse-doctor",
                connect=False,
            ),
        )

    def close(self) -> None:
        """Close the clients that were made."""
        clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            if not isinstance(client, Exception):
                with contextlib.suppress(Exception):  # closing must not hide the run's outcome
                    client.close()


@functools.lru_cache(maxsize=1)
def tls_context() -> ssl.SSLContext:
    """The TLS settings every HTTP client shares (SSL_CERT_FILE and SSL_CERT_DIR as httpx
    reads them): made once, since loading the CA certificates costs 30 ms each time."""
    import httpx

    return httpx.create_ssl_context()
