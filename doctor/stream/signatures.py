"""The real stack's failure texts, and the problem each one names.

The backend forwards upstream failures in-band (``event: error`` / ``data: HTTP 錯誤: …``)
and in its 503 details (``AI Server 錯誤: …``); the AI Server puts the agent's failure in
the run's ``error_message``. The same texts mean the same hop in every place.
"""

from __future__ import annotations

UNREACHABLE = ("All connection attempts failed", "Connection refused", "[Errno 111]")
"""The container's name resolved, but nothing listens on port 8000."""
UNRESOLVABLE = (
    "Name or service not known",
    "nodename nor servname provided",
    "Temporary failure in name resolution",
    "No address associated with hostname",
)
"""``refactor-project-<id>`` does not resolve where the backend runs."""
CUT = (
    "peer closed connection without sending complete message body",
    "incomplete chunked read",
    "Server disconnected without sending a response",
)
"""The AI Server's connection broke mid-answer: it died."""
TASK_NOT_FOUND = "Task not found"
RUN_QUERY_FAILED = "無法查詢任務狀態"
"""The backend's 503 when the AI Server cannot be asked about a run, or does not know it."""
NO_API_KEY = ("ANTHROPIC_API_KEY is not set", "Anthropic API 未配置")
POSTGRES = (
    "POSTGRES_URL environment variable is not set",
    "PostgreSQL persistence",
    "PostgreSQL URL is required",
    'relation "checkpoints" does not exist',
)


def upstream_problem(text: str) -> str | None:
    """The problem id an upstream failure text names, or None when it names none."""
    for needles, problem in (
        (UNRESOLVABLE, "network.container-unresolvable"),
        (UNREACHABLE, "sse.upstream-unreachable"),
        (CUT, "sse.upstream-cut"),
    ):
        if any(needle in text for needle in needles):
            return problem
    return None


def agent_problem(error_message: str) -> str:
    """The problem id of a FAILED run's ``error_message``: a known reason, or ``run.failed``."""
    if any(needle in error_message for needle in NO_API_KEY):
        return "agent.no-api-key"
    if any(needle in error_message for needle in POSTGRES):
        return "agent.postgres"
    return "run.failed"
