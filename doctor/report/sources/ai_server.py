"""The AI Server over HTTP (``--ai-url``), how an AI Server answer is written down, and its
``/tasks`` scoped to the watched run.

``tasks.txt`` holds the run's entry of ``/tasks`` (or, when the list does not show it, the
``ai_server.tasks`` check's answer for ``/tasks/<run>``); ``tasks-all.txt`` the whole list,
bounded: one AI Server may hold many runs, and only one is the report's.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from doctor.clients.http import strict_json
from doctor.i18n import tr
from doctor.report.sources.common import Content, decode, why

if TYPE_CHECKING:
    from doctor.context import Context

MAX_BODY_BYTES = 256 << 10
AI_PATHS = ("health", "tasks")
TASKS, TASKS_ALL = "tasks.txt", "tasks-all.txt"


def answer_text(command: str, answer: Any) -> str:
    """A ``checks.ai_server.Answer``: the command, facts, then the body or why there is none."""
    head = f"$ {command}\n{_facts(answer)}\n"
    if answer.body is None:
        return f"{head}{answer.reason}\n"
    cut = ""
    if len(answer.body) > MAX_BODY_BYTES:
        cut = "\n" + tr(
            "(cut at {kib} KiB of its {bytes} bytes)",
            kib=MAX_BODY_BYTES >> 10,
            bytes=len(answer.body),
        )
    return f"{head}\n{decode(answer.body[:MAX_BODY_BYTES])}{cut}\n"


def _facts(answer: Any) -> str:
    return " ".join(
        f"{key}={answer.evidence[key]}"
        for key in ("exit_code", "status", "elapsed_ms")
        if key in answer.evidence
    )


def ai_get(ctx: Context, path: str) -> tuple[str, Any]:
    """``GET --ai-url/<path>``: the command as shown, and the answer."""
    from doctor.clients.ai_fetch import http_get

    url = str(ctx.config.ai_url)
    return f"GET {url}/{path}", http_get(ctx.http, url, f"/{path}", ctx.config.timeout)


def ai_over_http(ctx: Context, path: str) -> str:
    return answer_text(*ai_get(ctx, path))


def tasks_files(
    base: str, fetched: Any, run_id: str | None, fallback: str | None = None
) -> dict[str, Content]:
    """``<base>/tasks.txt`` (the run's entry) and ``<base>/tasks-all.txt`` (every task).

    ``fetched`` is ``(command, answer)`` of ``/tasks``, the text saying why there is none,
    or the exception that stopped it; ``fallback`` the run's ``/tasks/<run>`` answer."""
    if isinstance(fetched, BaseException):
        return {f"{base}/{TASKS}": tr("Could not read it: {reason}", reason=why(fetched)) + "\n"}
    if not isinstance(fetched, tuple):
        return {f"{base}/{TASKS}": str(fetched)}
    command, answer = fetched
    return {
        f"{base}/{TASKS}": _scoped(command, answer, run_id, fallback),
        f"{base}/{TASKS_ALL}": answer_text(command, answer),
    }


def _scoped(command: str, answer: Any, run_id: str | None, fallback: str | None) -> str:
    if not run_id:
        return tr("No run was watched: every task is in {file}.", file=TASKS_ALL) + "\n"
    head = f"$ {command}  # " + tr("the entry of run {run}", run=run_id) + f"\n{_facts(answer)}\n"
    if answer.body is None:
        return f"{head}{answer.reason}\n"
    entries = task_entries(answer.body)
    mine = [e for e in entries or () if run_id in (e.get("task_id"), e.get("id"), e.get("run_id"))]
    if mine:
        shown = mine[0] if len(mine) == 1 else mine
        count = tr(
            "{mine} of the {total} tasks it lists (all of them are in {file}):",
            mine=len(mine),
            total=len(entries or ()),
            file=TASKS_ALL,
        )
        return f"{head}{count}\n\n{json.dumps(shown, ensure_ascii=False, indent=2)}\n"
    if fallback:
        said = tr("The list does not show it; GET /tasks/{run} answered:", run=run_id)
        return f"{head}{said}\n\n{fallback.rstrip()}\n"
    if entries is None:
        return head + tr("The answer is no task list: see {file}.", file=TASKS_ALL) + "\n"
    return (
        head
        + tr(
            "Run {run} is not among the {total} tasks it lists: the AI Server does not know it "
            "(its tasks live in memory and are lost when it restarts).",
            run=run_id,
            total=len(entries),
        )
        + "\n"
    )


def task_entries(body: bytes) -> list[Mapping[str, Any]] | None:
    """The tasks of a ``/tasks`` answer: ``{"tasks": [...]}``, ``{"tasks": {id: …}}``, a
    list, or a mapping of id to task; None when it is none of these."""
    try:
        data = strict_json(body)
    except ValueError:
        return None
    if isinstance(data, Mapping) and "tasks" in data:
        data = data["tasks"]
    if isinstance(data, Mapping):
        return [
            {"task_id": key, **value} if isinstance(value, Mapping) else {"task_id": key}
            for key, value in data.items()
        ]
    if isinstance(data, list):
        return [entry for entry in data if isinstance(entry, Mapping)]
    return None
