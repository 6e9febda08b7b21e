"""The backend's MongoDB documents: users and projects in ``refactor_agent``, as the real
backend stores them (there is no runs or task_logs collection: tasks live in the AI Server)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from bson import ObjectId

DATABASE = "refactor_agent"
PROMPT = "檢視我的資料夾結構，並整理一個將此專案重構成 typescript 的計畫"


def naive_utc() -> datetime:
    """What the backend stores: UTC without a zone, to the millisecond as Mongo keeps it."""
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def password_hash(password: str) -> str:
    return hashlib.sha256(password.encode()).hexdigest()


@dataclass(frozen=True)
class User:
    id: str
    email: str
    username: str
    password: str


def user_document(email: str, username: str, password: str) -> dict[str, Any]:
    now = naive_utc()
    return {
        "_id": ObjectId(),
        "email": email,
        "username": username,
        "password_hash": password_hash(password),
        "is_active": True,
        "created_at": now,
        "updated_at": now,
    }


def project_document(owner: User, title: str, status: str, prompt_field: str) -> dict[str, Any]:
    """A project as V1 (``init_prompt``) or V2 (``spec``, ``title``, …) stores it."""
    now = naive_utc()
    document: dict[str, Any] = {
        "_id": ObjectId(),
        "repo_url": "https://github.com/example/legacy-sample.git",
        "branch": "main",
        prompt_field: PROMPT,
        "status": status,
        "container_id": None,
        "owner_id": owner.id,
        "owner_email": owner.email,
        "created_at": now,
        "updated_at": now,
        "last_error": None,
    }
    if prompt_field == "spec":
        document.update(
            title=title,
            description="seeded by the sse-doctor testbed",
            project_type="REFACTOR",
            refactor_thread_id=None,
        )
    return document


def new_user(db: Any, email: str, username: str) -> User:
    password = secrets.token_urlsafe(12)
    document = user_document(email, username, password)
    db.users.insert_one(document)
    return User(str(document["_id"]), email, username, password)


def new_project(db: Any, owner: User, title: str, status: str, prompt_field: str) -> str:
    document = project_document(owner, title, status, prompt_field)
    db.projects.insert_one(document)
    return str(document["_id"])


def project_response(document: dict[str, Any], docker_status: Any = None) -> dict[str, Any]:
    """``ProjectResponse``: the document without owner fields, times without a zone."""
    shown = {
        key: value
        for key, value in document.items()
        if key not in ("_id", "owner_id", "owner_email")
    }
    for key in ("created_at", "updated_at"):
        if isinstance(shown.get(key), datetime):
            shown[key] = shown[key].isoformat()
    return {"id": str(document["_id"]), **shown, "docker_status": docker_status}
