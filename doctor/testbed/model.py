"""The testbed's data: users, projects, runs and their task logs, shared by all components."""

from __future__ import annotations

import dataclasses
import secrets
import threading
from datetime import datetime, timedelta, timezone

GUIDE_MESSAGES = ("開始執行 Agent", "初始化 LLM...", "建立 RefactorAgent...")
STEP_MESSAGES = ("分析專案結構...", "產生重構計畫...", "套用程式碼修改...", "執行測試...")


def new_id() -> str:
    """A random 24-hex-digit id, shaped like a MongoDB ObjectId."""
    return secrets.token_hex(12)


def iso_ms(moment: datetime) -> str:
    """ISO-8601 UTC with milliseconds and a Z, e.g. 2024-02-02T10:30:45.000Z."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def task_messages(count: int) -> list[str]:
    """The agent's log messages: the guide's first three, then generic steps."""
    messages = list(GUIDE_MESSAGES)
    step = 0
    while len(messages) < count:
        base = STEP_MESSAGES[step % len(STEP_MESSAGES)]
        messages.append(base if step < len(STEP_MESSAGES) else f"{base} ({step + 1})")
        step += 1
    return messages[:count]


@dataclasses.dataclass
class User:
    id: str
    email: str
    password: str
    name: str


@dataclasses.dataclass
class Project:
    id: str
    owner_id: str
    name: str
    status: str


@dataclasses.dataclass
class TaskLog:
    timestamp: str
    message: str
    id: str = dataclasses.field(default_factory=new_id)


@dataclasses.dataclass
class Run:
    id: str
    project_id: str
    status: str
    created_at: str
    logs: list[TaskLog]
    task_status: str = "success"


class State:
    """Thread-safe in-memory store; the backend writes it, the Mongo endpoint reads it."""

    def __init__(self, log_lines: int, log_gap: float) -> None:
        self.lock = threading.Lock()
        self.log_lines = log_lines
        self.log_gap = log_gap
        self.users: dict[str, User] = {}
        self.projects: dict[str, Project] = {}
        self.runs: dict[str, Run] = {}

    def add_user(self, email: str, name: str) -> User:
        user = User(id=new_id(), email=email, password=secrets.token_urlsafe(12), name=name)
        with self.lock:
            self.users[user.id] = user
        return user

    def add_project(self, owner: User, name: str, status: str) -> Project:
        project = Project(id=new_id(), owner_id=owner.id, name=name, status=status)
        with self.lock:
            self.projects[project.id] = project
        return project

    def add_run(self, project_id: str) -> Run:
        """Create a PENDING run whose agent already recorded its task logs."""
        start = datetime.now(timezone.utc)
        logs = [
            TaskLog(iso_ms(start + timedelta(seconds=i * self.log_gap)), message)
            for i, message in enumerate(task_messages(self.log_lines))
        ]
        run = Run(new_id(), project_id, "PENDING", iso_ms(start), logs)
        with self.lock:
            self.runs[run.id] = run
        return run

    def user_by_email(self, email: str) -> User | None:
        with self.lock:
            return next((u for u in self.users.values() if u.email == email), None)

    def set_run_status(self, run: Run, status: str, *, only_from: str | None = None) -> None:
        with self.lock:
            if only_from is None or run.status == only_from:
                run.status = status

    def tasks(self) -> list[dict]:
        """The AI Server's view: every run as a task with its task logs."""
        with self.lock:
            return [
                {
                    "id": run.id,
                    "project_id": run.project_id,
                    "status": run.task_status,
                    "task_logs": [
                        {"timestamp": log.timestamp, "message": log.message} for log in run.logs
                    ],
                }
                for run in self.runs.values()
            ]
