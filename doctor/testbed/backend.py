"""The backend: a FastAPI app with login, projects, runs and the SSE stream proxy."""

import asyncio
import contextlib
import dataclasses
import json
import logging
from collections.abc import AsyncIterator
from typing import Annotated, Protocol
from urllib.parse import parse_qs

import anyio
from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from doctor.testbed.model import Project, Run, State, User
from doctor.testbed.sse import SSEResponse, StreamPlan, plan_stream
from doctor.testbed.tokens import TokenSigner


class AIServer(Protocol):
    """What the backend needs from the AI Server: a health probe and the task list."""

    def healthy(self) -> bool: ...

    def publish(self, tasks: list[dict]) -> None: ...


class Closing:
    """An asyncio.Event bound to the server's loop that another thread can set."""

    def __init__(self) -> None:
        self.event = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None

    def bind(self) -> None:
        self._loop = asyncio.get_running_loop()

    def set_threadsafe(self) -> None:
        if self._loop is not None:
            with contextlib.suppress(RuntimeError):  # the loop already closed
                self._loop.call_soon_threadsafe(self.event.set)


@dataclasses.dataclass(frozen=True)
class BackendConfig:
    """Everything the app needs: data, faults, collaborators and pacing."""

    state: State
    signer: TokenSigner
    ai: AIServer
    log: logging.Logger
    closing: Closing
    faults: frozenset[str]
    faulted_project_id: str
    container_prefix: str
    api_prefix: str = "/api/v1"
    event_gap: float = 0.02
    slow_gap: float = 1.5


class RequestLog:
    """ASGI middleware writing one `METHOD /path STATUS` line per request."""

    def __init__(self, app: ASGIApp, log: logging.Logger) -> None:
        self.app = app
        self.log = log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def logged_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.log.info("%s %s %s", scope["method"], scope["path"], message["status"])
            await send(message)

        await self.app(scope, receive, logged_send)


def _missing(fields: list[str]) -> JSONResponse:
    detail = [
        {"type": "missing", "loc": ["body", name], "msg": "Field required", "input": None}
        for name in fields
    ]
    return JSONResponse({"detail": detail}, status_code=422)


async def _credentials(request: Request) -> tuple[str, str] | list[str]:
    """(email, password) from a JSON or form body, else the names of the missing fields."""
    raw = await request.body()
    if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        form = {key: values[0] for key, values in parse_qs(raw.decode("utf-8", "replace")).items()}
        names = ("username", "password")
    else:
        try:
            form = json.loads(raw or b"null")
        except ValueError:
            form = None
        names = ("email", "password")
    if not isinstance(form, dict):
        return list(names)
    values = [form.get(name) for name in names]
    missing = [name for name, value in zip(names, values) if not isinstance(value, str)]
    return missing or (values[0], values[1])


def create_app(config: BackendConfig) -> FastAPI:
    """Build the backend app for one stack."""
    state, log, faults = config.state, config.log, config.faults

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        config.closing.bind()
        yield

    app = FastAPI(title="auto-refactor-agent backend (testbed)", lifespan=lifespan)
    app.add_middleware(RequestLog, log=log)
    api = config.api_prefix

    def require_database() -> None:
        if "mongo-down" in faults:
            log.error("MongoDB 連線失敗: connection refused")
            raise HTTPException(503, "Database unavailable")

    def current_user(request: Request) -> User:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise HTTPException(401, "Not authenticated", {"WWW-Authenticate": "Bearer"})
        user_id = config.signer.verify(token.strip())
        if user_id is not None:
            require_database()
        user = state.users.get(user_id or "")
        if user is None:
            raise HTTPException(
                401, "Could not validate credentials", {"WWW-Authenticate": "Bearer"}
            )
        return user

    def owned_project(project_id: str, user: Annotated[User, Depends(current_user)]) -> Project:
        if project_id == config.faulted_project_id and "forbidden" in faults:
            raise HTTPException(403, "Not enough permissions")
        project = state.projects.get(project_id)
        if project is None or (project_id == config.faulted_project_id and "not-found" in faults):
            raise HTTPException(404, "Project not found")
        if project.owner_id != user.id:
            raise HTTPException(403, "Not enough permissions")
        return project

    def project_run(run_id: str, project: Annotated[Project, Depends(owned_project)]) -> Run:
        run = state.runs.get(run_id)
        if run is None or run.project_id != project.id:
            raise HTTPException(404, "Run not found")
        return run

    def run_json(run: Run) -> dict:
        return {
            "run_id": run.id,
            "id": run.id,
            "project_id": run.project_id,
            "status": run.status,
            "created_at": run.created_at,
        }

    @app.get("/health")
    def health() -> dict:
        return {"status": "ok"}

    @app.post(f"{api}/auth/login")
    async def login(request: Request) -> Response:
        credentials = await _credentials(request)
        if isinstance(credentials, list):
            return _missing(credentials)
        require_database()
        email, password = credentials
        user = state.user_by_email(email)
        if user is None or user.password != password:
            log.warning("登入失敗: %s", email)
            raise HTTPException(401, "Incorrect email or password", {"WWW-Authenticate": "Bearer"})
        return JSONResponse({"access_token": config.signer.issue(user.id), "token_type": "bearer"})

    @app.get(f"{api}/projects")
    def projects(user: Annotated[User, Depends(current_user)]) -> list[dict]:
        return [
            {"id": p.id, "name": p.name, "status": p.status}
            for p in list(state.projects.values())
            if p.owner_id == user.id
        ]

    @app.get(f"{api}/projects/{{project_id}}")
    def project(project: Annotated[Project, Depends(owned_project)]) -> dict:
        return {"id": project.id, "name": project.name, "status": project.status}

    @app.post(f"{api}/projects/{{project_id}}/agent/runs", status_code=201)
    async def new_run(project: Annotated[Project, Depends(owned_project)]) -> dict:
        if project.status != "READY":
            raise HTTPException(409, f"Project is not READY (status {project.status})")
        run = state.add_run(project.id)
        await anyio.to_thread.run_sync(config.ai.publish, state.tasks())
        log.info("建立 Agent Run: project=%s, run_id=%s", project.id, run.id)
        return {"run_id": run.id, "id": run.id, "status": run.status}

    @app.get(f"{api}/projects/{{project_id}}/agent/runs/{{run_id}}")
    def get_run(run: Annotated[Run, Depends(project_run)]) -> dict:
        return run_json(run)

    @app.get(f"{api}/projects/{{project_id}}/agent/runs/{{run_id}}/stream")
    async def stream(run: Annotated[Run, Depends(project_run)]) -> Response:
        container = f"{config.container_prefix}{run.project_id}"
        if not await anyio.to_thread.run_sync(config.ai.healthy):
            log.error("AI Server 無法連線: %s", container)
            raise HTTPException(503, "AI Server is not available")
        log.info("開始串流 AI Server 日誌: %s, run_id=%s", container, run.id)
        state.set_run_status(run, "RUNNING", only_from="PENDING")
        plan = plan_stream(
            [f"{entry.timestamp} {entry.message}" for entry in run.logs],
            f"Task {run.task_status}",
            faults,
            config.event_gap,
            config.slow_gap,
        )
        return _stream_response(config, run, plan)

    return app


def _stream_response(config: BackendConfig, run: Run, plan: StreamPlan) -> Response:
    """The SSE response for `run`, logging each line and settling the run's status."""
    log = config.log

    def on_frame(item: bytes) -> None:
        for line in item.decode().splitlines():
            if line:
                log.debug("[SSE] %s", line)

    def on_end(complete: bool) -> None:
        if complete and plan.sends_status and "stuck-running" not in config.faults:
            config.state.set_run_status(run, "DONE", only_from="RUNNING")
        if plan.cut:
            log.error("[SSE] 串流中斷: connection reset by AI Server, run_id=%s", run.id)
        log.info("SSE 串流結束: run_id=%s", run.id)

    return SSEResponse(plan, config.closing.event, on_frame, on_end)
