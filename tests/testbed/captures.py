"""Read the bytes recorded from the real stack (``tests/captures``, else the shared copy).

JSON replies (``NN-*.json``) have ``status``, ``headers`` as ``[name, value]`` pairs and
``body``; stream heads (``*.headers.json``) have ``status`` and ``headers``; stream bodies
(``*.raw``) are the bytes as received; ``backend.log`` is the backend's console.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_CANDIDATES = (
    Path(__file__).resolve().parents[1] / "captures",
    Path("/work/shared/real-stack/captures"),
)
CAPTURES = next((path for path in _CANDIDATES if path.is_dir()), _CANDIDATES[0])
DIRECTORIES = {"v1": "v1-765d572", "v2": "v2-225d0d9"}
PROFILES = tuple(DIRECTORIES)


@dataclass(frozen=True)
class Reply:
    """A recorded answer: its status, its headers in order, and its body (JSON or None)."""

    status: int
    headers: list[tuple[str, str]]
    body: Any = None


def _path(profile: str, name: str) -> Path:
    return CAPTURES / DIRECTORIES[profile] / name


def reply(profile: str, name: str) -> Reply:
    """``NN-name.json`` or ``NN-name.headers.json`` of the profile's capture."""
    recorded = json.loads(_path(profile, f"{name}.json").read_text(encoding="utf-8"))
    headers = [(str(key), str(value)) for key, value in recorded["headers"]]
    return Reply(recorded["status"], headers, recorded.get("body"))


def raw(profile: str, name: str) -> bytes:
    """A recorded stream body, as received."""
    return _path(profile, f"{name}.raw").read_bytes()


def backend_log(profile: str) -> list[str]:
    return _path(profile, "backend.log").read_text(encoding="utf-8").splitlines()


def comparable(headers: Any) -> list[tuple[str, str]]:
    """Headers as lowercase ``(name, value)`` pairs in order, without ``date``."""
    pairs = []
    for name, value in headers:
        name = name.decode() if isinstance(name, bytes) else name
        value = value.decode() if isinstance(value, bytes) else value
        if name.lower() != "date":
            pairs.append((name.lower(), value))
    return pairs


def log_shape(line: str) -> str:
    """A backend log line with its variable parts (times, ids, counts, errors) replaced."""
    substitutions = (
        (r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}", "<time>"),
        (r"(收到 SSE 訊息 #)\d+: .*", r"\1<n>: <line>"),
        (r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<uuid>"),
        (r"[0-9a-f]{24}", "<oid>"),
        (r"127\.0\.0\.1:\d+", "<client>"),
        (r"(共|:) \d+ 行", r"\1 <n> 行"),
        (r"狀態碼: \d+", "狀態碼: <status>"),
        (r'"HTTP/1\.1 \d{3} [A-Za-z ]+"', '"HTTP/1.1 <status>"'),
        (r'HTTP/1\.1" \d{3} [A-Za-z ]+$', 'HTTP/1.1" <status>'),
        (r"(失敗|錯誤): .*", r"\1: <error>"),
    )
    for pattern, replacement in substitutions:
        line = re.sub(pattern, replacement, line)
    return line
