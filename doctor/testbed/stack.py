"""start_stack: bring the whole modelled stack up, yield its coordinates, tear it down."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import secrets
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pymongo
from bson import ObjectId

from doctor.testbed.ai_server import AIServer, Settings
from doctor.testbed.backend import CONTAINER_PREFIX, BackendConfig, create_app
from doctor.testbed.faults import HOST_BACKEND_FAULTS, LIVE_RUN_FAULTS, validate
from doctor.testbed.hang import hanging_port
from doctor.testbed.mongo import NxMongo, RefusingMongo
from doctor.testbed.net import LOOPBACK, closed_port
from doctor.testbed.profiles import Profile, profile
from doctor.testbed.proxy import Proxy
from doctor.testbed.server import BackendServer
from doctor.testbed.store import DATABASE, User, new_project, new_user
from doctor.testbed.team import (
    API_PREFIX,
    MakeAI,
    settle_team,
    start_run,
    start_team,
    validate_team,
    wait_run,
)
from doctor.testbed.tokens import TokenSigner
from doctor.testbed.upstream import BackendLog

POSTGRES_URL = "postgresql://langgraph:langgraph_secret@postgres:5432/langgraph"


@dataclasses.dataclass(frozen=True)
class Stack:
    """Where a running testbed stack lives and what it contains."""

    profile: str
    backend_url: str
    api_prefix: str
    email: str
    username: str
    password: str
    token: str
    mongo_uri: str
    mongo_db: str
    project_id: str
    """The project the faults are about (the READY one unless a project fault says else)."""
    ready_project_id: str
    not_ready_project_id: str
    foreign_project_id: str
    run_id: str
    """A run of the project: finished, unless a fault needs it still going."""
    container_prefix: str
    container_name: str
    ai_url: str | None
    """The AI Server over HTTP (``--ai-url``), when it runs in this process."""
    base_image: str
    docker: bool
    log_path: Path
    faults: frozenset[str]
    llm_api_key: str | None
    network: str | None = None
    """The Docker network the stack created (``refactor-network`` in the real stack)."""
    backend_container: str | None = None
    """The container the backend runs in, on ``network``; None: on this host."""
    team: dict[str, str] = dataclasses.field(default_factory=dict)
    """The team's projects (``start_stack(team=…)``): project id -> state."""

    @property
    def login(self) -> str:
        """The login name this profile's backend asks for (email at v1, username at v2)."""
        return self.email if self.profile == "v1" else self.username


def doctor_args(stack: Stack, *extra: str, **overrides: object) -> list[str]:
    """``sse-doctor`` options pointing at ``stack``; ``name=value`` adds or replaces one
    (``stream_timeout=5`` gives ``--stream-timeout 5``), ``name=None`` drops it."""
    options: dict[str, object] = {
        "backend-url": stack.backend_url,
        "email": stack.email,
        "username": stack.username if stack.profile == "v2" else None,
        "password": stack.password,
        "project": stack.project_id,
        "run": stack.run_id,
        "mongo-uri": stack.mongo_uri,
        "base-image": stack.base_image,
        "container-prefix": stack.container_prefix,
    }
    options.update({name.replace("_", "-"): value for name, value in overrides.items()})
    pairs = [(f"--{name}", str(value)) for name, value in options.items() if value is not None]
    return [*(part for pair in pairs for part in pair), *extra]


@dataclasses.dataclass
class _Seed:
    email: str
    username: str
    password: str
    user_id: str
    ready: str
    not_ready: str
    foreign: str


def _seed(uri: str, chosen: Profile) -> _Seed:
    """A user with a READY and a CREATED project, and another user's READY project."""
    with pymongo.MongoClient(uri, serverSelectionTimeoutMS=2000) as client:
        db = client[DATABASE]
        user = new_user(db, "tester@example.com", "tester")
        other = new_user(db, "other@example.com", "other")
        field = chosen.prompt_field
        ready = new_project(db, user, "legacy sample", "READY", field)
        not_ready = new_project(db, user, "still being created", "CREATED", field)
        foreign = new_project(db, other, "someone else's project", "READY", field)
    return _Seed(user.email, user.username, user.password, user.id, ready, not_ready, foreign)


def start_stack(
    faults: Iterable[str] = (),
    *,
    profile_name: str = "v2",
    docker: bool = False,
    log_path: str | os.PathLike[str] | None = None,
    base_image: str = "refactor-base:sse-doctor-testbed",
    step_gap: float = 0.02,
    ping_interval: float = 0.5,
    tools: str = "python",
    network: str | None = None,
    backend_container: str | None = None,
    ai_network: str | None = None,
    ai_env: Mapping[str, str | None] | None = None,
    team: Iterable[str] = (),
    docker_timeout: float = 60.0,
) -> contextlib.AbstractContextManager[Stack]:
    """Start backend, AI Server and MongoDB with ``faults`` injected; stop them all on exit.

    ``profile_name`` is ``v1`` (the guide's commit) or ``v2`` (today's main). Without
    ``docker`` no Docker engine is needed: the AI Server runs in this process and the
    backend reaches it as if its container name resolved. The backend log goes to
    ``log_path``, or to a temporary file removed on exit. ``step_gap`` paces the agent's
    events, ``ping_interval`` the keepalive comments (15 s in the real stack). With
    ``docker``, ``tools`` picks the container image's flavour: ``python`` (python3, no
    wget, like the V2 image) or ``wget`` (busybox wget and no python3 on the PATH).

    With ``docker``, ``network`` creates that Docker network (removed on exit; one that
    exists already is refused) and the project container joins it, as the backend's
    ``docker create --network refactor-network`` does; ``ai_network`` moves the project
    container to a network of that name (created too) once its run is done, to model a
    container on another network. ``backend_container`` (a name, e.g. ``refactor-api``) runs the
    backend in a container on ``network``, port 8000 published on 127.0.0.1, as compose
    runs it: it resolves ``refactor-project-<id>`` through Docker's DNS and logs to its
    stdout. ``ai_env`` sets (a string) or removes (None) variables of the AI Server's
    container after the faults made its environment.

    ``team`` adds a READY project of the same user per state of
    ``doctor.testbed.team.TEAM_STATES`` (``healthy``, ``stopped``, ``failed``,
    ``forgotten``), each with its own AI Server; ``Stack.team`` maps their ids to states.

    ``docker_timeout`` is how long the engine may take to answer at the start.
    """
    chosen = validate(faults, docker)
    members = validate_team(team)
    if (network or backend_container or ai_network or ai_env) and not docker:
        raise ValueError("network, backend_container, ai_network and ai_env need docker=True")
    if backend_container and not network:
        raise ValueError("backend_container needs a network to run on")
    if backend_container and chosen & HOST_BACKEND_FAULTS:
        needs = ", ".join(sorted(chosen & HOST_BACKEND_FAULTS))
        raise ValueError(f"testbed fault(s) {needs} need the backend on this host")
    if step_gap < 0 or ping_interval <= 0:
        raise ValueError("step_gap must not be negative and ping_interval must be positive")
    if tools not in ("wget", "python"):
        raise ValueError(f"tools must be wget or python, not {tools!r}")
    placing = _Placing(network, backend_container, ai_network, dict(ai_env or {}), members)
    return _running_stack(
        chosen,
        profile(profile_name),
        docker,
        log_path,
        base_image,
        step_gap,
        ping_interval,
        tools,
        placing,
        docker_timeout,
    )


@dataclasses.dataclass(frozen=True)
class _Placing:
    """Where the parts run in Docker, and the AI Server's environment changes."""

    network: str | None
    backend_container: str | None
    ai_network: str | None
    ai_env: dict[str, str | None]
    team: tuple[str, ...] = ()


def _server_args(settings: Settings) -> list[str]:
    """The AI Server's command line in a container, for these settings."""
    args = [
        "--profile", settings.profile,
        "--step-gap", str(settings.step_gap),
        "--ping-interval", str(settings.ping_interval),
        "--poll-interval", str(settings.poll_interval),
        "--answer-dns",  # see doctor.testbed.nxdomain
    ]  # fmt: skip
    if settings.stall:
        args.append("--stall")
    if not settings.start_agents:
        args.append("--hold")
    if settings.kill_after_events is not None:
        args += ["--kill-after-events", str(settings.kill_after_events)]
    return args


def _docker_ai(
    settings: Settings,
    faults: frozenset[str],
    container: str,
    base_image: str,
    tools: str,
    timeout: float,
    exits: contextlib.ExitStack,
    placing: _Placing,
) -> tuple[Any, MakeAI]:
    """The AI Server's container (on its network), the base image tag the faults call for,
    and how to start more AI Server containers (for a team)."""
    # Imported here so that stacks without Docker never load the Docker SDK.
    from doctor.clients.docker_host import docker_client
    from doctor.testbed.docker_ai import DockerAIServer, ensure_image, set_base_tag
    from doctor.testbed.docker_net import create_network

    with contextlib.closing(docker_client(timeout=timeout)) as probe:
        probe.ping()  # an engine that does not answer fails here, within the timeout
    client = docker_client()  # building and cleaning up must not be cut short
    exits.callback(client.close)
    image = ensure_image(client, tools)
    if set_base_tag(client, image, base_image, present="no-base-image" not in faults):
        exits.callback(set_base_tag, client, image, base_image, present=False)
    for name in dict.fromkeys(n for n in (placing.network, placing.ai_network) if n):
        create_network(client, name, exits)
    network = placing.network or placing.ai_network

    def make_ai(name: str, chosen: Settings) -> Any:
        ai = DockerAIServer(client, image, name, dict(chosen.env), _server_args(chosen), network)
        exits.callback(ai.stop)
        ai.start()
        return ai

    return make_ai(container, settings), make_ai


@contextlib.contextmanager
def _running_stack(
    faults: frozenset[str],
    chosen: Profile,
    docker: bool,
    log_path: str | os.PathLike[str] | None,
    base_image: str,
    step_gap: float,
    ping_interval: float,
    tools: str,
    placing: _Placing,
    docker_timeout: float,
) -> Iterator[Stack]:
    with contextlib.ExitStack() as exits:
        if log_path is None:
            handle, temp_name = tempfile.mkstemp(prefix="sse-doctor-testbed-", suffix=".log")
            os.close(handle)
            exits.callback(Path(temp_name).unlink, missing_ok=True)
            log_path = temp_name
        log = BackendLog(Path(log_path))
        exits.callback(log.close)
        mongo = NxMongo()
        exits.callback(mongo.stop)
        seed = _seed(mongo.uri, chosen)
        container = f"{CONTAINER_PREFIX}{seed.ready}"
        llm_api_key = f"sk-ant-testbed-{secrets.token_hex(16)}"
        env = {"ANTHROPIC_API_KEY": llm_api_key}
        if chosen.name == "v2":
            env["POSTGRES_URL"] = POSTGRES_URL
        for fault, name in (
            ("no-api-key", "ANTHROPIC_API_KEY"),
            ("no-postgres-url", "POSTGRES_URL"),
        ):
            if fault in faults:
                env.pop(name, None)
        for name, value in placing.ai_env.items():
            if value is None:
                env.pop(name, None)
            else:
                env[name] = value
        settings = Settings(
            profile=chosen.name,
            step_gap=1.5 if "slow-events" in faults else 0.1 if "buffered" in faults else step_gap,
            ping_interval=ping_interval,
            poll_interval=0.05,
            stall="agent-stall" in faults,
            start_agents="keepalive-only" not in faults,
            kill_after_events=3 if "ai-killed" in faults else None,
            env=env,
        )
        ai: Any
        make_ai: MakeAI
        if docker:
            ai, make_ai = _docker_ai(
                settings, faults, container, base_image, tools, docker_timeout, exits, placing
            )
            with pymongo.MongoClient(mongo.uri) as client:
                client[DATABASE].projects.update_one(
                    {"_id": ObjectId(seed.ready)}, {"$set": {"container_id": ai.id}}
                )
        else:

            def make_ai(name: str, chosen: Settings) -> Any:
                server = AIServer(chosen).start()
                exits.callback(server.stop)
                return server

            ai = make_ai(container, settings)
        routes: dict[str, Any] = {container: ai}
        owner = User(seed.user_id, seed.email, seed.username, seed.password)
        members = start_team(
            placing.team, mongo.uri, owner, chosen.prompt_field, settings, make_ai, routes
        )

        def lookup(name: str) -> tuple[str, int] | None:
            server = routes.get(name)
            if server is None:
                return None
            return server.address() if docker else (LOOPBACK, server.port)

        signer = TokenSigner()
        config = BackendConfig(
            profile=chosen,
            mongo_uri=mongo.uri,
            signer=signer,
            log=log,
            lookup=lookup,
            docker_status=ai.docker_status if docker else BackendConfig.docker_status,
            ping_interval=ping_interval,
        )
        served = None
        if placing.backend_container:
            from doctor.testbed.docker_net import backend_in_container

            backend_url = backend_in_container(
                chosen.name,
                mongo,
                signer,
                Path(log_path),
                ping_interval,
                faults,
                (placing.network, placing.backend_container),
                exits,
            )
        elif "backend-hang" in faults:
            port = exits.enter_context(hanging_port())
        else:
            served = BackendServer(Proxy(create_app(config), faults))
            exits.callback(served.stop)
            served.start()
            port = served.port
        for server in list(routes.values()):
            exits.callback(server.stop)  # first out: open streams end, the backend stops at once
        if not placing.backend_container:
            backend_url = f"http://{LOOPBACK}:{port}"
        token = signer.issue(seed.user_id, seed.email)
        if served is not None or placing.backend_container:
            run_id = start_run(backend_url, token, seed.ready)
            if not faults & LIVE_RUN_FAULTS:
                wait_run(backend_url, token, seed.ready, run_id)
            settle_team(members, backend_url, token, docker)
        else:  # nothing answers at the backend: the run was started before it hung
            run_id = ai.seed("a run from before the backend hung").task_id if not docker else "-"

        if placing.network and placing.ai_network:  # after the run: the backend saw it
            ai.move(placing.ai_network, placing.network)
        if "unknown-run" in faults:
            ai.restart() if docker else ai.forget()
        if "ai-down" in faults:
            ai.stop_listening() if docker else ai.stop()
        if "container-stopped" in faults:
            ai.kill()
        if "container-unresolvable" in faults:
            routes.clear()
        doctor_mongo = mongo.uri
        if "mongo-down" in faults:
            mongo.stop()
            doctor_mongo = f"mongodb://{LOOPBACK}:{closed_port()}"
        if "mongo-auth" in faults:
            refusing = RefusingMongo()
            exits.callback(refusing.stop)
            secret = secrets.token_hex(4)
            doctor_mongo = f"mongodb://refactor:wrong-{secret}@{LOOPBACK}:{refusing.port}/"
        project_id = seed.ready
        if "foreign-project" in faults:
            project_id = seed.foreign
        elif "unknown-project" in faults:
            project_id = str(ObjectId())
        elif "project-not-ready" in faults:
            project_id = seed.not_ready
        yield Stack(
            profile=chosen.name,
            backend_url=backend_url,
            api_prefix=API_PREFIX,
            email=seed.email,
            username=seed.username,
            password=seed.password,
            token=token,
            mongo_uri=doctor_mongo,
            mongo_db=DATABASE,
            project_id=project_id,
            ready_project_id=seed.ready,
            not_ready_project_id=seed.not_ready,
            foreign_project_id=seed.foreign,
            run_id=run_id,
            container_prefix=CONTAINER_PREFIX,
            container_name=container,
            ai_url=None if docker else f"http://{LOOPBACK}:{ai.port}",
            base_image=base_image,
            docker=docker,
            log_path=Path(log_path),
            faults=faults,
            llm_api_key=env.get("ANTHROPIC_API_KEY"),
            network=placing.network,
            backend_container=placing.backend_container,
            team={m.project_id: m.state for m in members},
        )
