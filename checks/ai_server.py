"""The AI Server in the project's container: ``/health`` and ``/tasks`` (its task_logs).

Both are fetched through ``doctor.clients.ai_fetch``: ``docker exec … wget`` inside the container,
or HTTP with ``--ai-url``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, NamedTuple

import docker
import docker.errors

from checks.containers import find_container, not_running_message
from doctor.clients.ai_fetch import (
    AI_PORT,
    SHOWN_BYTES,
    Answer,
    fetch_deadline,
    http_get,
    wget_in_container,
)
from doctor.config import Config
from doctor.context import Artifact, Context
from doctor.i18n import tr
from doctor.model import Category, Check, Result

BODY_LIMIT = 64 * 1024
"""How much of each body is kept for the report."""


class ContainerTarget(NamedTuple):
    """The AI Server inside a running container, asked through ``docker exec``."""

    client: docker.DockerClient
    container: str

    @property
    def where(self) -> str:
        return tr("inside {name}", name=self.container)

    def get(self, ctx: Context, path: str) -> Answer:
        try:
            return wget_in_container(self.client, self.container, path, ctx.config.timeout)
        except docker.errors.APIError as exc:
            reason = str(exc.explanation or exc)[:SHOWN_BYTES]
            return Answer(None, reason, Category.HTTP_503, {"via": "docker exec"})

    def by_hand(self, path: str) -> str:
        """The guide's command to ask the same thing by hand."""
        return f"docker exec {self.container} wget -O- http://localhost:{AI_PORT}{path}"

    def hint(self, path: str, answer: Answer) -> str:
        if answer.category is None:
            return tr(
                "Publish the AI Server's port {port} and pass --ai-url to ask it over HTTP.",
                port=AI_PORT,
            )
        return tr(
            "Try it by hand: `{command}`; read the AI Server's log: `docker logs {name}`.",
            command=self.by_hand(path),
            name=self.container,
        )


class HttpTarget(NamedTuple):
    """The AI Server outside Docker, at ``--ai-url``."""

    url: str

    @property
    def where(self) -> str:
        return tr("at {url}", url=self.url)

    def get(self, ctx: Context, path: str) -> Answer:
        return http_get(ctx, self.url, path)

    def by_hand(self, path: str) -> str:
        return f"curl {self.url}{path}"

    def hint(self, path: str, answer: Answer) -> str:
        return tr("Is the AI Server running? Try `{command}`.", command=self.by_hand(path))


Target = ContainerTarget | HttpTarget


class AIServerCheck(Check):
    """What both AI Server checks share: finding the AI Server and their deadline."""

    layer = "ai_server"

    def deadline(self, ctx: Context) -> float:
        return fetch_deadline(ctx.config.timeout)

    def target(self, ctx: Context) -> Target | Result:
        """The place to ask, or the result that says why there is none."""
        if ctx.config.ai_url:
            return HttpTarget(ctx.config.ai_url)
        if ctx.config.no_docker:
            return self.skipped(
                tr(
                    "Not checked: --no-docker leaves out the container; "
                    "pass --ai-url to ask the AI Server over HTTP."
                )
            )
        name = ctx.container_name
        if name is None:
            return self.skipped(tr("No project was chosen: give --project."))
        try:
            client = ctx.docker
        except docker.errors.DockerException:
            return self.skipped(tr("The Docker engine does not answer; see docker.engine."))
        facts = find_container(client, name)
        seen = ctx.artifacts.get(Artifact.PROJECT_CONTAINER)
        if facts is None or facts["state"] != "running":
            reported = isinstance(seen, Mapping) and seen.get("name") == name
            if reported and (not seen.get("exists") or seen.get("state") != "running"):
                return self.skipped(
                    tr("Container {name} is not running; see containers.project.", name=name),
                    {"container": name},
                )
            message = (
                tr("Container {name} does not exist.", name=name)
                if facts is None
                else not_running_message(facts)
            )
            return self.failed(message, Category.HTTP_503, evidence={"container": name})
        return ContainerTarget(client, name)


class AIServerHealth(AIServerCheck):
    id = "ai_server.health"
    title = "AI Server answers /health"
    after = ("docker.engine", "containers.project")

    def waits_for(self, config: Config) -> tuple[str, ...]:
        """Over HTTP (``--ai-url``) the container does not matter: no need to wait for it."""
        return () if config.ai_url else self.after

    def run(self, ctx: Context) -> Result:
        target = self.target(ctx)
        if isinstance(target, Result):
            return target
        answer = target.get(ctx, "/health")
        ctx.artifacts[Artifact.AI_HEALTH] = _kept(answer)
        evidence = dict(answer.evidence)
        if answer.body is None:
            message = tr(
                "AI Server {where} does not answer /health: {reason}.",
                where=target.where,
                reason=_clause(answer.reason),
            )
            return self.failed(message, answer.category, target.hint("/health", answer), evidence)
        shown = answer.body[:SHOWN_BYTES].decode("utf-8", errors="replace")
        evidence["body"] = shown
        return self.passed(
            tr(
                "AI Server {where} answers /health: {body}",
                where=target.where,
                body=" ".join(shown.split())[:80],
            ),
            evidence,
        )


def _clause(reason: str | None) -> str:
    return (reason or "").strip().rstrip(".")


def _kept(answer: Answer) -> str:
    """What the report keeps of an answer: the body's first 64 KiB, or why there is none."""
    if answer.body is not None:
        return answer.body[:BODY_LIMIT].decode("utf-8", errors="replace")
    return f"{answer.reason}\n"


class AIServerTasks(AIServerCheck):
    id = "ai_server.tasks"
    title = "AI Server records task_logs"
    depends_on = ("ai_server.health",)
    after = ("sse.stream",)

    def run(self, ctx: Context) -> Result:
        target = self.target(ctx)
        if isinstance(target, Result):
            return target
        answer = target.get(ctx, "/tasks")
        ctx.artifacts[Artifact.AI_TASKS] = _kept(answer)
        evidence = dict(answer.evidence)
        if answer.body is None:
            return self.failed(
                tr(
                    "AI Server {where} does not answer /tasks: {reason}.",
                    where=target.where,
                    reason=_clause(answer.reason),
                ),
                answer.category,
                target.hint("/tasks", answer),
                evidence,
            )
        tasks = parse_tasks(answer.body)
        if tasks is None:
            evidence["body"] = answer.body[:SHOWN_BYTES].decode("utf-8", errors="replace")
            return self.warned(
                tr(
                    "AI Server {where} answered /tasks with something other than a task list.",
                    where=target.where,
                ),
                hint=tr("Look at it by hand: `{command}`.", command=target.by_hand("/tasks")),
                evidence=evidence,
            )
        evidence["tasks"] = len(tasks)
        return self.judge(ctx, target, tasks, evidence)

    def judge(
        self, ctx: Context, target: Target, tasks: list[dict[str, Any]], evidence: dict[str, Any]
    ) -> Result:
        """Compare the run's task_logs with what the stream delivered."""
        run_id = ctx.run_id
        if run_id is None:
            return self.passed(tr("AI Server lists {count} tasks.", count=len(tasks)), evidence)
        task = find_task(tasks, run_id)
        evidence["run_found"] = task is not None
        if task is None:
            return self.warned(
                tr("AI Server has no task for run {run}.", run=run_id),
                Category.NO_EVENTS,
                tr(
                    "The run never reached the AI Server {where}, or it does not keep its tasks: "
                    "look at `{command}`.",
                    where=target.where,
                    command=target.by_hand("/tasks"),
                ),
                evidence,
            )
        recorded = log_count(task)
        delivered = delivered_log_events(ctx)
        evidence["task_logs"] = recorded
        if task.get("status") is not None:
            evidence["task_status"] = task.get("status")
        if delivered is not None:
            evidence["stream_log_events"] = delivered
        stream_done = delivered == 0 or ctx.criteria.get("sse.clean_end") is True
        if recorded == 0:
            message = tr("AI Server recorded no task_logs for run {run}.", run=run_id)
            if stream_done:
                return self.failed(message, Category.NO_EVENTS, evidence=evidence)
            return self.warned(message, Category.NO_EVENTS, evidence=evidence)
        if delivered is not None and recorded > delivered:
            message = tr(
                "AI Server recorded {recorded} task logs for run {run} but the stream delivered "
                "{delivered}: events are lost between the AI Server and the backend.",
                recorded=recorded,
                run=run_id,
                delivered=delivered,
            )
            hint = tr(
                "Read the backend's [SSE] lines (`[INFO] 開始串流 AI Server 日誌: …`, "
                "`[DEBUG] [SSE] event: log`) to see which events it forwarded."
            )
            if stream_done:
                return self.failed(message, Category.NO_EVENTS, hint, evidence)
            return self.warned(message, Category.NO_EVENTS, hint, evidence)
        return self.passed(
            tr(
                "AI Server recorded {recorded} task logs for run {run}.",
                recorded=recorded,
                run=run_id,
            ),
            evidence,
        )


TASK_ID_KEYS = ("id", "task_id", "run_id", "_id")
TASK_LOG_KEYS = ("task_logs", "logs")


def parse_tasks(body: bytes) -> list[dict[str, Any]] | None:
    """The tasks of a ``/tasks`` body: a JSON list, or ``{"tasks": [...]}``; None otherwise."""
    try:
        data = json.loads(body)
    except ValueError:
        return None
    if isinstance(data, Mapping):
        data = data.get("tasks")
    if not isinstance(data, list):
        return None
    return [task for task in data if isinstance(task, dict)]


def find_task(tasks: list[dict[str, Any]], run_id: str) -> dict[str, Any] | None:
    return next((t for t in tasks if any(str(t.get(key)) == run_id for key in TASK_ID_KEYS)), None)


def log_count(task: Mapping[str, Any]) -> int:
    """How many task_logs a task holds (a list, or a count)."""
    for key in TASK_LOG_KEYS:
        value = task.get(key)
        if isinstance(value, list):
            return len(value)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return 0


def delivered_log_events(ctx: Context) -> int | None:
    """How many ``event: log`` events the stream check saw, if it recorded that."""
    observation = ctx.artifacts.get(Artifact.SSE_OBSERVATION)
    if isinstance(observation, Mapping):
        value = observation.get("log_events")
    else:
        value = getattr(observation, "log_events", None)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


CHECKS = [AIServerHealth(), AIServerTasks()]
