"""The AI Server over HTTP (``--ai-url``), and how an AI Server answer is written down."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from doctor.report.sources.common import decode

if TYPE_CHECKING:
    from doctor.context import Context

MAX_BODY_BYTES = 256 << 10
AI_PATHS = ("health", "tasks")


def answer_text(command: str, answer: Any) -> str:
    """A ``checks.ai_server.Answer``: the command, facts, then the body or why there is none."""
    facts = " ".join(
        f"{key}={answer.evidence[key]}"
        for key in ("exit_code", "status", "elapsed_ms")
        if key in answer.evidence
    )
    head = f"$ {command}\n{facts}\n"
    if answer.body is None:
        return f"{head}{answer.reason}\n"
    return f"{head}\n{decode(answer.body[:MAX_BODY_BYTES])}\n"


def ai_over_http(ctx: Context, path: str) -> str:
    from doctor.clients.ai_fetch import http_get

    url = str(ctx.config.ai_url)
    return answer_text(f"GET {url}/{path}", http_get(ctx.http, url, f"/{path}", ctx.config.timeout))
