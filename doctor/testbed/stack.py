"""start_stack: bring the whole modelled stack up, yield its coordinates, tear it down."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import secrets
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from doctor.testbed.ai_server import LocalAIServer
from doctor.testbed.backend import AIServer, BackendConfig, Closing, create_app
from doctor.testbed.faults import validate
from doctor.testbed.hang import HangingListener
from doctor.testbed.model import State
from doctor.testbed.mongo import MongoEndpoint
from doctor.testbed.net import LOOPBACK, closed_port
from doctor.testbed.server import BackendServer
from doctor.testbed.tokens import TokenSigner

API_PREFIX = "/api/v1"
CONTAINER_PREFIX = "refactor-project-"
MONGO_DB = "refactor_agent"
AI_DOWN_FAULTS = frozenset({"container-stopped", "ai-down"})


@dataclasses.dataclass(frozen=True)
class Stack:
    """Where a running testbed stack lives and what it contains."""

    backend_url: str
    api_prefix: str
    email: str
    password: str
    token: str
    mongo_uri: str
    mongo_db: str
    project_id: str
    pending_project_id: str
    other_project_id: str
    run_id: str
    container_prefix: str
    container_name: str | None
    ai_url: str | None
    base_image: str
    docker: bool
    log_path: Path
    faults: frozenset[str]
    llm_api_key: str | None


def doctor_args(stack: Stack, *extra: str, **overrides: object) -> list[str]:
    """``sse-doctor`` options pointing at ``stack``; ``name=value`` adds or replaces one
    (``stream_timeout=5`` gives ``--stream-timeout 5``), ``name=None`` drops it."""
    options: dict[str, object] = {
        "backend-url": stack.backend_url,
        "api-prefix": stack.api_prefix,
        "email": stack.email,
        "password": stack.password,
        "mongo-uri": stack.mongo_uri,
        "mongo-db": stack.mongo_db,
        "base-image": stack.base_image,
        "container-prefix": stack.container_prefix,
    }
    options.update({name.replace("_", "-"): value for name, value in overrides.items()})
    pairs = [(f"--{name}", str(value)) for name, value in options.items() if value is not None]
    return [*(part for pair in pairs for part in pair), *extra]


def _seed(log_lines: int, log_gap: float) -> tuple[State, dict[str, str]]:
    """A user with a READY and a PENDING project and one PENDING run, plus another user."""
    state = State(log_lines, log_gap)
    user = state.add_user("tester@example.com", "Test User")
    other = state.add_user("other@example.com", "Other User")
    ready = state.add_project(user, "sample-refactor", "READY")
    pending = state.add_project(user, "still-provisioning", "PENDING")
    foreign = state.add_project(other, "someone-elses-project", "READY")
    run = state.add_run(ready.id)
    ids = {"user": user.id, "ready": ready.id, "pending": pending.id, "other": foreign.id}
    return state, {**ids, "run": run.id}


def _backend_log(path: Path) -> logging.Logger:
    """A private logger writing the backend's log format to `path`."""
    log = logging.Logger("backend", logging.DEBUG)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s [%(levelname)s] %(message)s"))
    log.addHandler(handler)
    return log


def _start_mongo(state: State, faults: frozenset[str], exits: contextlib.ExitStack) -> str:
    if "mongo-down" in faults:
        return f"mongodb://{LOOPBACK}:{closed_port()}"
    mongo = MongoEndpoint(state, MONGO_DB, require_auth="mongo-auth" in faults)
    exits.callback(mongo.stop)
    if "mongo-auth" in faults:
        return f"mongodb://refactor:wrong-{secrets.token_hex(4)}@{LOOPBACK}:{mongo.port}/?authSource=admin"
    return f"mongodb://{LOOPBACK}:{mongo.port}"


def _start_docker_ai(
    state: State,
    faults: frozenset[str],
    container_name: str,
    base_image: str,
    env: dict[str, str],
    exits: contextlib.ExitStack,
) -> AIServer:
    # Imported here so that stacks without Docker never load the Docker SDK.
    from doctor.clients.docker_host import docker_client
    from doctor.testbed.docker_ai import DockerAIServer, ensure_image, set_base_tag

    client = docker_client()
    exits.callback(client.close)
    image = ensure_image(client)
    if set_base_tag(client, image, base_image, present="no-base-image" not in faults):
        exits.callback(set_base_tag, client, image, base_image, present=False)
    mode = (
        "stopped" if "container-stopped" in faults else "idle" if "ai-down" in faults else "running"
    )
    ai = DockerAIServer(client, image, container_name, env, mode)
    exits.callback(ai.stop)
    ai.start(state.tasks())
    return ai


def _start_backend(config: BackendConfig, exits: contextlib.ExitStack) -> int:
    """The backend's port: uvicorn serving the app, or a listener that never answers."""
    if "backend-hang" in config.faults:
        listener = HangingListener()
        listener.start()
        exits.callback(listener.stop)
        return listener.port
    server = BackendServer(create_app(config), config.closing)
    exits.callback(server.stop)
    server.start()
    return server.port


def start_stack(
    faults: Iterable[str] = (),
    *,
    docker: bool = False,
    log_path: str | os.PathLike[str] | None = None,
    base_image: str = "refactor-base:sse-doctor-testbed",
    log_lines: int = 5,
    event_gap: float = 0.02,
    slow_gap: float = 1.5,
) -> contextlib.AbstractContextManager[Stack]:
    """Start backend, AI Server and MongoDB with `faults` injected; stop them all on exit.

    `faults` are names from FAULTS (unknown ones raise ValueError at once). Without
    `docker` no Docker engine is needed; with it the AI Server runs in a container and
    `base_image` is tagged (or, with the no-base-image fault, made absent). The backend
    log goes to `log_path`, or to a temporary file removed on exit. Each run has
    `log_lines` task logs, streamed `event_gap` seconds apart (`slow_gap` with slow-events).
    """
    chosen = validate(faults)
    if log_lines < 0 or event_gap < 0 or slow_gap < 0:
        raise ValueError("log_lines, event_gap and slow_gap must not be negative")
    return _running_stack(chosen, docker, log_path, base_image, log_lines, event_gap, slow_gap)


@contextlib.contextmanager
def _running_stack(
    faults: frozenset[str],
    docker: bool,
    log_path: str | os.PathLike[str] | None,
    base_image: str,
    log_lines: int,
    event_gap: float,
    slow_gap: float,
) -> Iterator[Stack]:
    state, ids = _seed(log_lines, slow_gap if "slow-events" in faults else event_gap)
    signer = TokenSigner()
    user = state.users[ids["user"]]
    container_name = f"{CONTAINER_PREFIX}{ids['ready']}"
    llm_api_key = f"sk-testbed-{secrets.token_hex(16)}" if docker else None

    with contextlib.ExitStack() as exits:
        if log_path is None:
            handle, temp_name = tempfile.mkstemp(prefix="sse-doctor-testbed-", suffix=".log")
            os.close(handle)
            exits.callback(Path(temp_name).unlink, missing_ok=True)
            log_path = temp_name
        path = Path(log_path)
        log = _backend_log(path)
        exits.callback(log.handlers[0].close)

        mongo_uri = _start_mongo(state, faults, exits)
        ai_url = None
        if docker:
            env = {"OPENAI_API_KEY": llm_api_key or "", "PROJECT_ID": ids["ready"]}
            ai: AIServer = _start_docker_ai(state, faults, container_name, base_image, env, exits)
        else:
            local = LocalAIServer(state, running=not faults & AI_DOWN_FAULTS)
            exits.callback(local.stop)
            local.start()
            ai, ai_url = local, local.url

        config = BackendConfig(
            state=state,
            signer=signer,
            ai=ai,
            log=log,
            closing=Closing(),
            faults=faults,
            faulted_project_id=ids["ready"],
            container_prefix=CONTAINER_PREFIX,
            api_prefix=API_PREFIX,
            event_gap=event_gap,
            slow_gap=slow_gap,
        )
        port = _start_backend(config, exits)
        yield Stack(
            backend_url=f"http://{LOOPBACK}:{port}",
            api_prefix=API_PREFIX,
            email=user.email,
            password=user.password,
            token=signer.issue(user.id),
            mongo_uri=mongo_uri,
            mongo_db=MONGO_DB,
            project_id=ids["ready"],
            pending_project_id=ids["pending"],
            other_project_id=ids["other"],
            run_id=ids["run"],
            container_prefix=CONTAINER_PREFIX,
            container_name=container_name if docker else None,
            ai_url=ai_url,
            base_image=base_image,
            docker=docker,
            log_path=path,
            faults=faults,
            llm_api_key=llm_api_key,
        )
