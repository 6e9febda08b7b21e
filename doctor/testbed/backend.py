"""The backend: a FastAPI app modelled on the real one at the guide's commit (v1) and today (v2).

Users and projects live in MongoDB (pymongo's AsyncMongoClient, as in the real backend);
runs live in the project's AI Server, which the backend reaches by container name through
httpx (see ``doctor.testbed.upstream``). Paths, bodies, status codes, ``detail`` texts and
log lines follow REAL-STACK: e.g. no token gives 403 ``Not authenticated``, a bad one 401
``Invalid token: …``, and the stream is always HTTP 200 once access passes, failures
arriving in-band as ``event: error`` / ``data: HTTP 錯誤: …``.

(No ``from __future__ import annotations`` here: FastAPI reads the routes' annotations,
which name dependency types defined inside ``create_app``.)
"""

import contextlib
import dataclasses
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timezone
from http import HTTPStatus
from typing import Annotated, Any

import httpx
from bson import ObjectId
from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, create_model
from starlette.responses import StreamingResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from doctor.testbed.profiles import Profile
from doctor.testbed.sse import EventSourceResponse
from doctor.testbed.store import DATABASE, password_hash, project_response
from doctor.testbed.tokens import TokenError, TokenSigner
from doctor.testbed.upstream import BackendLog, ContainerNames

CONTAINER_PREFIX = "refactor-project-"
AI_PORT = 8000


@dataclasses.dataclass(frozen=True)
class BackendConfig:
    """Everything the app needs."""

    profile: Profile
    mongo_uri: str
    signer: TokenSigner
    log: BackendLog
    lookup: Callable[[str], tuple[str, int] | None]
    """Container name -> the AI Server's address, or None where the name does not resolve."""
    docker_status: Callable[[str], Any] = lambda container_id: None
    ping_interval: float = 15.0
    """The V1 EventSourceResponse's own pings."""


class AccessLog:
    """ASGI middleware writing uvicorn's access line when a response starts."""

    def __init__(self, app: ASGIApp, log: BackendLog) -> None:
        self.app = app
        self.log = log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def logged(message: Message) -> None:
            if message["type"] == "http.response.start":
                host, port = scope.get("client") or ("-", 0)
                status = message["status"]
                phrase = HTTPStatus(status).phrase
                self.log.access(f"{host}:{port}", scope["method"], scope["path"], status, phrase)
            await send(message)

        await self.app(scope, receive, logged)


def _naive_now() -> str:
    return datetime.now(timezone.utc).replace(tzinfo=None).isoformat()


def _failure_prefix(exc: Exception) -> str:
    """``HTTP 錯誤`` for httpx's errors, ``Stream 轉發失敗`` for anything else."""
    return "HTTP 錯誤" if isinstance(exc, httpx.HTTPError) else "Stream 轉發失敗"


def _login_model(field: str) -> type[BaseModel]:
    """``LoginRequest``: ``{email, password}`` at V1, ``{username, password}`` at V2."""
    return create_model("LoginRequest", **{field: (str, ...), "password": (str, ...)})


def create_app(config: BackendConfig) -> FastAPI:
    """Build the backend app for one stack."""
    from pymongo import AsyncMongoClient

    profile, log = config.profile, config.log
    state: dict[str, Any] = {}

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        client: Any = AsyncMongoClient(config.mongo_uri, serverSelectionTimeoutMS=1000)
        state["db"] = client[DATABASE]
        log.info("成功連接到 MongoDB: refactor_agent", name="app.database.mongodb")
        yield
        await client.close()

    app = FastAPI(title="AI 舊程式碼智能重構系統 API", version="0.1.0", lifespan=lifespan)
    app.add_middleware(AccessLog, log=log)
    LoginRequest = _login_model(profile.login_field)

    def upstream(timeout: float | None) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            timeout=timeout,
            transport=ContainerNames(config.lookup),
            event_hooks={"response": [log.httpx_response]},
        )

    async def current_user(request: Request) -> dict[str, Any]:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if not scheme:
            raise HTTPException(403, "Not authenticated")
        if scheme.lower() != "bearer" or not token.strip():
            raise HTTPException(403, "Invalid authentication credentials")
        try:
            user_id = config.signer.verify(token.strip())
        except TokenError as exc:
            bearer = {"WWW-Authenticate": "Bearer"}
            raise HTTPException(401, f"Invalid token: {exc}", bearer) from None
        user = None
        if ObjectId.is_valid(user_id):
            user = await state["db"].users.find_one({"_id": ObjectId(user_id)})
        if user is None:
            raise HTTPException(401, "User not found", {"WWW-Authenticate": "Bearer"})
        return user

    User = Annotated[dict, Depends(current_user)]

    async def find_project(project_id: str) -> dict[str, Any] | None:
        if not ObjectId.is_valid(project_id):
            return None
        return await state["db"].projects.find_one({"_id": ObjectId(project_id)})

    async def agent_project(project_id: str, user: User) -> dict[str, Any]:
        """The agent routes' access check: V1 one 404 for both, V2 404 or 403."""
        project = await find_project(project_id)
        if project is None:
            raise HTTPException(404, profile.missing_project)
        if project["owner_id"] != str(user["_id"]):
            raise HTTPException(*profile.foreign_project)
        return project

    Project = Annotated[dict, Depends(agent_project)]

    def run_status(task_status: str) -> str:
        return dict(profile.statuses).get(task_status, "RUNNING")

    def run_json(project_id: str, task: dict[str, Any], run_id: str | None = None) -> dict:
        return {
            "id": run_id or task["task_id"],
            "project_id": project_id,
            "iteration_index": 0,
            "phase": "plan",
            "status": run_status(task["status"]),
            "created_at": task.get("created_at", ""),
            "updated_at": task.get("started_at", task.get("created_at", "")),
            "finished_at": task.get("finished_at"),
            "error_message": task.get("error_message"),
        }

    def ai_url(project_id: str, path: str) -> str:
        return f"http://{CONTAINER_PREFIX}{project_id}:{AI_PORT}{path}"

    @app.get("/")
    def root() -> dict:
        return {"message": "AI 舊程式碼智能重構系統 API", "version": "0.1.0", "docs": "/docs"}

    @app.get("/api/v1/health")
    def health() -> dict:
        return {"status": "ok", "timestamp": _naive_now(), "database": "healthy"}

    @app.post("/api/v1/auth/login")
    async def login(body: LoginRequest) -> Any:  # type: ignore[valid-type]
        name = getattr(body, profile.login_field)
        user = await state["db"].users.find_one({profile.login_field: name})
        if user is None or user["password_hash"] != password_hash(body.password):
            raise HTTPException(401, profile.bad_login, {"WWW-Authenticate": "Bearer"})
        token = config.signer.issue(str(user["_id"]), user["email"])
        return {"access_token": token, "token_type": "bearer", "expires_in": 86400}

    @app.get("/api/v1/auth/me")
    def me(user: User) -> dict:
        return {
            "id": str(user["_id"]),
            "email": user["email"],
            "username": user["username"],
            "is_active": user["is_active"],
            "created_at": user["created_at"].isoformat(),
        }

    @app.get("/api/v1/projects")
    async def projects(user: User, skip: int = 0, limit: int = 100) -> dict:
        cursor = state["db"].projects.find({"owner_id": str(user["_id"])})
        found = await cursor.sort("created_at", -1).skip(skip).limit(limit).to_list()
        return {"total": len(found), "projects": [project_response(p) for p in found]}

    @app.get("/api/v1/projects/{project_id}")
    async def project(project_id: str, user: User, include_docker_status: bool = True) -> dict:
        found = await find_project(project_id)
        if found is None:
            raise HTTPException(404, "專案不存在")
        if found["owner_id"] != str(user["_id"]):
            raise HTTPException(403, "無權限訪問此專案")
        docker = None
        if include_docker_status and found.get("container_id"):
            docker = config.docker_status(found["container_id"])
        return project_response(found, docker)

    @app.post("/api/v1/projects/{project_id}/agent/run")
    async def run(project_id: str, project: Project) -> dict:
        if project["status"] != "READY":
            detail = f"專案狀態必須為 READY，目前為 ProjectStatus.{project['status']}"
            raise HTTPException(400, detail)
        container = f"{CONTAINER_PREFIX}{project_id}"
        body: dict[str, Any] = {profile.prompt_field: project[profile.prompt_field]}
        thread_id = None
        if profile.name == "v2":
            thread_id = project.get("refactor_thread_id")
            if thread_id:
                log.info(f"使用現有的 refactor_thread_id: {thread_id}")
            else:
                thread_id = f"refactor-{project_id}-{uuid.uuid4()}"
                await state["db"].projects.update_one(
                    {"_id": project["_id"]}, {"$set": {"refactor_thread_id": thread_id}}
                )
                log.info(f"生成新的 refactor_thread_id: {thread_id}")
            body.update(thread_id=thread_id, model=None)
        body["verbose"] = True
        try:
            async with upstream(30.0) as client:
                log.info(f"呼叫容器 AI Server: {container}")
                answer = await client.post(ai_url(project_id, "/run"), json=body)
                answer.raise_for_status()
                task = answer.json()
        except httpx.HTTPError as exc:
            log.error(f"AI Server 呼叫失敗: {exc}")
            raise HTTPException(503, f"AI Server 錯誤: {exc}") from None
        started = f"Agent 任務已啟動: project={project_id}, task_id={task['task_id']}"
        log.info(started + (f", thread_id={thread_id}" if thread_id else ""))
        reply = {"run_id": task["task_id"], "project_id": project_id}
        if thread_id:
            reply["thread_id"] = thread_id
        return {
            **reply,
            "status": "RUNNING",
            "iteration_index": 0,
            "phase": "plan",
            "created_at": task.get("created_at", ""),
            "message": "Agent 任務已啟動，正在背景執行",
        }

    @app.get("/api/v1/projects/{project_id}/agent/runs")
    async def runs(project_id: str, project: Project) -> dict:
        try:
            async with upstream(5.0) as client:
                answer = await client.get(ai_url(project_id, "/tasks"))
                answer.raise_for_status()
                tasks = answer.json().get("tasks", [])
        except httpx.HTTPError as exc:
            log.error(f"查詢 Agent Runs 失敗: {exc}")
            return {"total": 0, "runs": []}
        listed = [run_json(project_id, task) for task in tasks]
        return {"total": len(listed), "runs": listed}

    @app.get("/api/v1/projects/{project_id}/agent/runs/{run_id}")
    async def run_detail(project_id: str, run_id: str, project: Project) -> dict:
        try:
            async with upstream(5.0) as client:
                answer = await client.get(ai_url(project_id, f"/tasks/{run_id}"))
                answer.raise_for_status()
                task = answer.json()
        except httpx.HTTPError as exc:
            log.error(f"查詢任務狀態失敗: {exc}")
            raise HTTPException(503, "無法查詢任務狀態") from None
        return run_json(project_id, task, run_id)

    @app.get("/api/v1/projects/{project_id}/agent/runs/{run_id}/stream")
    async def stream(project_id: str, run_id: str, project: Project) -> Any:
        url = ai_url(project_id, f"/tasks/{run_id}/stream")
        if profile.rewraps_stream:
            return EventSourceResponse(_v1_lines(url, run_id), config.ping_interval)
        headers = {"Cache-Control": "no-cache", "Connection": "keep-alive"}
        return StreamingResponse(
            _v2_lines(url, run_id), media_type="text/event-stream", headers=headers
        )

    async def _v1_lines(url: str, run_id: str) -> AsyncIterator[str]:
        """Every non-empty upstream line, each to become an event's data (the double wrap)."""
        count = 0
        try:
            log.info(f"🔗 開始串流 AI Server 日誌: {url}")
            log.print(f"🔗 [DEBUG] 開始連線到: {url}")
            async with upstream(None) as client, client.stream("GET", url) as answer:
                log.info(f"✅ SSE 連線已建立，狀態碼: {answer.status_code}")
                log.print(f"✅ [DEBUG] SSE 連線已建立，狀態碼: {answer.status_code}")
                async for line in answer.aiter_lines():
                    if line:
                        count += 1
                        log.print(f"📨 [DEBUG] 收到 SSE 訊息 #{count}: {line[:100]}")
                        yield line + "\n"
            log.info(f"✅ SSE 串流正常結束: run_id={run_id}, 共 {count} 行")
            log.print(f"✅ [DEBUG] SSE 串流正常結束: {count} 行")
        except Exception as exc:  # the real proxy turns every failure into an error event
            error = f"{_failure_prefix(exc)}: {exc}"
            log.error(f"❌ {error}")
            log.print(f"❌ [DEBUG] {error}")
            yield f"event: error\ndata: {error}\n\n"

    async def _v2_lines(url: str, run_id: str) -> AsyncIterator[bytes]:
        """Every upstream line as it came, blank ones too, ended with ``\\n``."""
        count = 0
        try:
            log.info(f"🔗 開始串流 AI Server 日誌: {url}")
            async with upstream(None) as client, client.stream("GET", url) as answer:
                log.info(f"✅ SSE 連線已建立，狀態碼: {answer.status_code}")
                async for line in answer.aiter_lines():
                    count += 1
                    yield (line + "\n").encode()
            log.info(f"✅ SSE 串流正常結束: run_id={run_id}, 共 {count} 行")
        except Exception as exc:  # the real proxy turns every failure into an error event
            error = f"{_failure_prefix(exc)}: {exc}"
            log.error(f"❌ {error}")
            yield f"event: error\ndata: {error}\n\n".encode()

    if profile.can_stop:

        @app.post("/api/v1/projects/{project_id}/agent/runs/{run_id}/stop")
        async def stop(project_id: str, run_id: str, project: Project) -> Any:
            try:
                async with upstream(5.0) as client:
                    answer = await client.post(ai_url(project_id, f"/tasks/{run_id}/stop"))
                    answer.raise_for_status()
            except httpx.HTTPError as exc:
                log.error(f"停止 Agent Run 失敗: {exc}")
                raise HTTPException(503, f"AI Server 錯誤: {exc}") from None
            log.info(f"Agent Run 已停止: project={project_id}, run_id={run_id}")
            return JSONResponse(answer.json())

        @app.post("/api/v1/projects/{project_id}/agent/runs/{run_id}/resume")
        async def resume(project_id: str, run_id: str, project: Project) -> dict:
            thread_id = project.get("refactor_thread_id")
            if not thread_id:
                raise HTTPException(400, "專案沒有進行中的重構會話，請使用「開始重構」")
            body = {"spec": project["spec"], "thread_id": thread_id, "verbose": True}
            try:
                async with upstream(30.0) as client:
                    answer = await client.post(ai_url(project_id, "/run"), json=body)
                    answer.raise_for_status()
            except httpx.HTTPError as exc:
                log.error(f"恢復 Agent Run 失敗: {exc}")
                raise HTTPException(503, f"AI Server 錯誤: {exc}") from None
            return {
                "run_id": answer.json()["task_id"],
                "old_run_id": run_id,
                "project_id": project_id,
                "thread_id": thread_id,
                "status": "RUNNING",
                "iteration_index": 0,
                "phase": "plan",
                "created_at": "",
                "message": "Agent 任務已恢復，正在背景執行",
            }

    return app
