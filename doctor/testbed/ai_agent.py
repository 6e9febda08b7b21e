"""The AI Server's tasks and the scripted agent that stands in for the LLM.

Standard library only, like ``ai_server.py`` beside it: both files run in a container too.
Each task's logs are kept in memory as the real server keeps them; the agent appends the
real log lines and ``[event] {json}`` entries (ai_content, tool_calls, token_usage,
response_metadata, tools_execution, and todo_update at v2), then sets the final status.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

FINAL = ("success", "failed", "stopped")
V1_NO_KEY = "ANTHROPIC_API_KEY is not set"
V2_NO_KEY = "Anthropic API 未配置。請設定 ANTHROPIC_API_KEY 環境變數"
NO_POSTGRES = "POSTGRES_URL environment variable is not set. PostgreSQL persistence is required."
PLAN = (
    "## 重構計畫 (testbed agent; no LLM was contacted)\n1. 檢視 repo/ 結構\n2. 逐檔重構並補上測試"
)


def naive_utc() -> datetime:
    """The time as ``datetime.utcnow()`` gives it: UTC without a zone."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def utc_now() -> str:
    """Naive UTC in ISO 8601, as the real AI Server writes its timestamps."""
    return naive_utc().isoformat()


@dataclass
class Settings:
    """How the server and its agent behave."""

    profile: str = "v2"
    step_gap: float = 0.02
    """Seconds between two of the agent's events."""
    ping_interval: float = 15.0
    poll_interval: float = 0.5
    """How often a stream looks for new logs (the real server polls every 0.5 s)."""
    stall: bool = False
    """The agent waits in its first LLM call until stopped: only pings flow."""
    start_agents: bool = True
    """False: tasks stay pending (every worker busy), so streams carry only pings."""
    kill_after_events: int | None = None
    """Drop every connection and stop listening once a stream sent this many events."""
    env: Mapping[str, str] = field(default_factory=dict)
    console: bool = False
    """Print each task line to stdout as the real AI Server's logger does (in a container,
    that is what ``docker logs`` shows)."""


@dataclass
class Task:
    task_id: str
    prompt: str
    thread_id: str | None
    status: str = "pending"
    created_at: str = field(default_factory=utc_now)
    started_at: str | None = None
    finished_at: str | None = None
    error_message: str | None = None
    logs: list[dict[str, str]] = field(default_factory=list)
    stop: bool = False

    def public(self, profile: str) -> dict[str, Any]:
        """The task as ``/tasks`` lists it (without its logs)."""
        if profile == "v1":
            head = {"task_id": self.task_id, "status": self.status, "init_prompt": self.prompt}
        else:
            head = {
                "task_id": self.task_id,
                "thread_id": self.thread_id,
                "status": self.status,
                "spec": self.prompt,
            }
        return {
            **head,
            "created_at": self.created_at,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "error_message": self.error_message,
        }

    def detail(self) -> dict[str, Any]:
        return {
            "task_id": self.task_id,
            "status": self.status,
            "created_at": self.created_at,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "error_message": self.error_message,
        }


class Tasks:
    """Every task of this server, guarded by one condition that wakes the streams."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.changed = threading.Condition()
        self.tasks: dict[str, Task] = {}
        self.agents: set[str] = set()
        """Threads whose RefactorAgent exists (v2 reuses it)."""
        self.killed = False

    def start(self, prompt: str, thread_id: str | None, default_thread: bool = False) -> Task:
        """A new pending task; ``default_thread`` gives it ``refactor-<task_id>`` (V2's /run
        without a thread_id)."""
        task_id = str(uuid.uuid4())
        task = Task(
            task_id, prompt, thread_id or (f"refactor-{task_id}" if default_thread else None)
        )
        with self.changed:
            self.tasks[task.task_id] = task
        thread = f" (thread: {task.thread_id})" if task.thread_id else ""
        self._print(task, f"任務已建立{thread}，開始背景執行")
        if self.settings.start_agents:
            threading.Thread(target=self._agent, args=(task,), daemon=True).start()
        return task

    def log(self, task: Task, message: str) -> None:
        with self.changed:
            task.logs.append({"timestamp": utc_now(), "message": message})
            self.changed.notify_all()
        self._print(task, message)

    def _print(self, task: Task, message: str) -> None:
        """``[2026-12-01 18:48:38,783] [INFO] [<task_id>] <message>``, as ai_server.log has it."""
        if self.settings.console:
            stamp = datetime.now().strftime("%Y-%m-%d %H:%M:%S,%f")[:-3]
            print(f"[{stamp}] [INFO] [{task.task_id}] {message}", flush=True)

    def event(self, task: Task, name: str, data: Mapping[str, Any]) -> None:
        self.log(task, f"[{name}] {json.dumps(data, ensure_ascii=False)}")

    def finish(self, task: Task, status: str, error: str | None = None) -> None:
        with self.changed:
            task.status, task.error_message, task.finished_at = status, error, utc_now()
            self.changed.notify_all()

    def _pause(self, task: Task, seconds: float | None) -> bool:
        """Wait ``seconds`` (None: until stopped); False when the task was stopped meanwhile."""
        deadline = None if seconds is None else time.monotonic() + seconds
        with self.changed:
            while not task.stop and not self.killed:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return True
                self.changed.wait(left)
        return False

    def _agent(self, task: Task) -> None:
        """The scripted agent: the real log lines and events, then the final status."""
        v1 = self.settings.profile == "v1"
        env = self.settings.env
        gap = self.settings.step_gap
        with self.changed:
            task.status, task.started_at = "running", utc_now()
        self.log(
            task, "🚀 開始執行 Agent" if v1 else f"🚀 開始執行 Agent (thread: {task.thread_id})"
        )
        if not v1:
            if not env.get("POSTGRES_URL"):
                self.log(task, f"❌ 錯誤: {NO_POSTGRES}")
                self.finish(task, "failed", NO_POSTGRES)
                return
            self.log(task, "🔗 使用 PostgreSQL 持久化")
        reused = not v1 and task.thread_id in self.agents
        if reused:
            self.log(task, "♻️  複用現有 RefactorAgent（延續對話）")
        else:
            self.log(task, "🔧 初始化 LLM..." if v1 else "🔧 初始化 LLM (model=default)...")
            if not env.get("ANTHROPIC_API_KEY"):
                error = f"Agent execution failed: {V1_NO_KEY if v1 else V2_NO_KEY}"
                self.log(task, f"❌ 錯誤: {error}")
                trace = "Traceback (most recent call last):\n  ...\nValueError: "
                self.log(task, f"Traceback: {trace}{error.split(': ', 1)[1]}\n")
                self.finish(task, "failed", error)
                return
            self.log(task, "✅ LLM 初始化完成")
            self.log(task, "🤖 建立 RefactorAgent...")
            self.log(task, "✅ RefactorAgent 建立完成")
            with self.changed:
                self.agents.add(task.thread_id or task.task_id)
        field_name = "init_prompt" if v1 else "spec"
        self.log(task, f"▶️  執行 Agent，{field_name}: {task.prompt[:100]}...")
        if self.settings.stall:
            self._pause(task, None)
        for name, data in _steps(task.task_id, not v1):
            if not self._pause(task, gap):
                break
            self.event(task, name, data)
        if task.stop:
            self.log(task, "⏹️  任務已被使用者停止")
            self.finish(task, "stopped", "Task stopped by user")
            return
        self.log(task, "✅ Agent 執行完成")
        self.finish(task, "success")


def _steps(task_id: str, todo: bool) -> list[tuple[str, dict[str, Any]]]:
    """One tool step and one answer, in the order the real ChunkParser emits them."""
    call = f"call_tb_ls_{task_id[:8]}"
    listing = "['/workspace/agent/', '/workspace/memory/', '/workspace/repo/']"
    steps: list[tuple[str, dict[str, Any]]] = [
        ("ai_content", {"content": "我先檢視專案資料夾結構。"}),
        (
            "tool_calls",
            {"tool_calls": [{"name": "ls", "id": call, "args": {"path": "/workspace/"}}]},
        ),
        ("token_usage", {"input_tokens": 1200, "output_tokens": 25, "total_tokens": 1225}),
        ("response_metadata", {"metadata": {"model_name": "testbed", "stop_reason": "tool_use"}}),
        (
            "tools_execution",
            {
                "results": [
                    {
                        "name": "ls",
                        "tool_call_id": call,
                        "content": listing,
                        "content_length": len(listing),
                    }
                ]
            },
        ),
    ]
    if todo:
        steps.append(("todo_update", {"todos": [{"content": "檢視結構", "status": "completed"}]}))
    steps += [
        ("ai_content", {"content": PLAN}),
        ("token_usage", {"input_tokens": 1300, "output_tokens": 60, "total_tokens": 1360}),
        ("response_metadata", {"metadata": {"model_name": "testbed", "stop_reason": "end_turn"}}),
    ]
    return steps
