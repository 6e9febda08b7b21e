"""The AI Server in the project's container: ``/health``, the run in ``/tasks``, and its own
stream of the run, compared event by event with what the backend forwarded.

Everything is asked through ``doctor.clients.ai_fetch``: inside the container with
``docker exec`` (python3, curl or wget, whichever the image has), or over HTTP with
``--ai-url``.
"""

from __future__ import annotations

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
    get_in_container,
    http_get,
    http_stream,
)
from doctor.clients.http import strict_json
from doctor.config import Config
from doctor.context import Artifact, Context
from doctor.i18n import tr
from doctor.model import Check, Result, Status
from doctor.stream.observer import ObservedEvent
from doctor.stream.parser import SSEParser

BODY_LIMIT = 64 * 1024
"""How much of each body is kept for the report."""


class ContainerTarget(NamedTuple):
    """The AI Server inside a running container, asked through ``docker exec``."""

    client: docker.DockerClient
    container: str

    @property
    def where(self) -> str:
        return tr("inside {name}", name=self.container)

    def get(self, ctx: Context, path: str, seconds: float | None = None) -> Answer:
        try:
            return get_in_container(
                self.client, self.container, path, ctx.config.timeout, seconds=seconds
            )
        except docker.errors.APIError as exc:
            reason = str(exc.explanation or exc)[:SHOWN_BYTES]
            return Answer(None, reason, None, {"via": "docker exec"})

    def by_hand(self, path: str, via: str = "wget") -> str:
        """The command to ask the same thing by hand: the guide's wget, or curl (V2)."""
        url = f"http://localhost:{AI_PORT}{path}"
        if via.endswith("wget"):
            return f"docker exec {self.container} wget -O- {url}"
        return f"docker exec {self.container} curl -s {url}"


class HttpTarget(NamedTuple):
    """The AI Server outside Docker, at ``--ai-url``."""

    url: str

    @property
    def where(self) -> str:
        return tr("at {url}", url=self.url)

    def get(self, ctx: Context, path: str, seconds: float | None = None) -> Answer:
        if seconds is not None:
            return http_stream(ctx.http, f"{self.url}{path}", seconds)
        return http_get(ctx.http, self.url, path, ctx.config.timeout)

    def by_hand(self, path: str, via: str = "http") -> str:
        return f"curl {self.url}{path}"


Target = ContainerTarget | HttpTarget


class AIServerCheck(Check):
    """What the AI Server checks share: finding the AI Server, and their deadline."""

    layer = "ai_server"

    def deadline(self, ctx: Context) -> float:
        return 3 * fetch_deadline(ctx.config.timeout)

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
        seen = ctx.results.get("containers.project")
        if seen is not None and seen.problem in ("container.missing", "container.stopped"):
            return self.skipped(
                tr("Container {name} is not running; see containers.project.", name=name),
                {"container": name},
            )
        facts = find_container(client, name)
        running_before = seen is not None and seen.status is Status.PASS
        if running_before and (facts is None or facts["state"] != "running"):
            return self.skipped(
                tr(
                    "Container {name} stopped during the run: {state}; see sse.stream.",
                    name=name,
                    state=not_running_message(facts) if facts else tr("removed"),
                ),
                {"container": name, **({"exit_code": facts["exit_code"]} if facts else {})},
            )
        if facts is None or facts["state"] != "running":
            message = (
                tr("Container {name} does not exist.", name=name)
                if facts is None
                else not_running_message(facts)
            )
            problem = "container.missing" if facts is None else "container.stopped"
            return self.found(problem, message, {"container": name})
        return ContainerTarget(client, name)


class AIServerHealth(AIServerCheck):
    """GET /health on the AI Server: in its container through ``docker exec``, or at --ai-url."""

    id = "ai_server.health"
    title = "AI Server answers /health"
    after = ("docker.engine", "containers.project")
    needs = ("backend.projects",)

    def waits_for(self, config: Config) -> tuple[str, ...]:
        """Over HTTP (``--ai-url``) neither the container nor the project matters."""
        return () if config.ai_url else super().waits_for(config)

    def run(self, ctx: Context) -> Result:
        target = self.target(ctx)
        if isinstance(target, Result):
            return target
        answer = target.get(ctx, "/health")
        ctx.artifacts[Artifact.AI_HEALTH] = _kept(answer)
        evidence = dict(answer.evidence)
        if answer.body is None or answer.reason:
            problem = "ai.timeout" if answer.timed_out else "ai.down"
            return self.found(
                problem,
                tr(
                    "AI Server {where} does not answer /health: {reason}.",
                    where=target.where,
                    reason=_clause(answer.reason),
                ),
                evidence,
                tr(
                    "Try it by hand: `{command}`; read the AI Server's log.",
                    command=target.by_hand("/health", str(answer.evidence.get("via", ""))),
                ),
            )
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
    """A reason to end a sentence with: without its own full stop (``.`` or ``。``)."""
    return (reason or "").strip().rstrip(".。")


def _kept(answer: Answer) -> str:
    """What the report keeps of an answer: the body's first 64 KiB, or why there is none."""
    if answer.body is not None and not answer.reason:
        return answer.body[:BODY_LIMIT].decode("utf-8", errors="replace")
    return f"{answer.reason}\n"


class AIServerTasks(AIServerCheck):
    """Asks the AI Server for the run's task: a 404 means it has forgotten the run
    (its tasks live in memory, so a restart loses them)."""

    id = "ai_server.tasks"
    title = "AI Server knows the run"
    corroborates = True
    depends_on = ("ai_server.health",)
    after = ("sse.stream",)
    needs = ("backend.run",)

    def run(self, ctx: Context) -> Result:
        target = self.target(ctx)
        if isinstance(target, Result):
            return target
        if not ctx.run_id:
            return self.skipped(tr("No run to look for."))
        path = f"/tasks/{ctx.run_id}"
        answer = target.get(ctx, path)
        evidence = dict(answer.evidence)
        if answer.status == 404:
            ctx.artifacts[Artifact.AI_TASKS] = _kept(answer)
            return self.found(
                "run.not-found",
                tr(
                    "AI Server {where} does not know run {run} (404 Task not found): its tasks "
                    "live in memory and were lost when it restarted.",
                    where=target.where,
                    run=ctx.run_id,
                ),
                evidence,
                tr("Choose a current run: `sse-doctor runs`, then --run ID; or --new-run."),
            )
        if answer.body is None or answer.reason:
            return self.found(
                "ai.down",
                tr(
                    "AI Server {where} does not answer {path}: {reason}.",
                    where=target.where,
                    path=path,
                    reason=_clause(answer.reason),
                ),
                evidence,
            )
        ctx.artifacts[Artifact.AI_TASKS] = _kept(answer)
        try:
            task = strict_json(answer.body)
        except ValueError:
            task = None
        if not isinstance(task, Mapping):
            evidence["body"] = answer.body[:SHOWN_BYTES].decode("utf-8", errors="replace")
            return self.warned(
                tr(
                    "AI Server {where} answered {path} with something other than a task.",
                    where=target.where,
                    path=path,
                ),
                evidence=evidence,
            )
        evidence.update(
            {key: task.get(key) for key in ("status", "created_at", "finished_at", "error_message")}
        )
        return self.passed(
            tr(
                "AI Server {where} knows run {run}: {status}.",
                where=target.where,
                run=ctx.run_id,
                status=task.get("status"),
            ),
            evidence,
        )


class AIServerStream(AIServerCheck):
    """Reads the AI Server's own stream of the run and compares it with the backend's."""

    id = "ai_server.stream"
    title = "AI Server's own stream"
    corroborates = True
    depends_on = ("ai_server.health",)
    after = ("sse.stream",)
    needs = ("backend.run",)

    def run(self, ctx: Context) -> Result:
        target = self.target(ctx)
        if isinstance(target, Result):
            return target
        forwarded = ctx.artifacts.get(Artifact.SSE_EVENTS)
        if not ctx.run_id or forwarded is None:
            return self.skipped(tr("The backend's stream was not read: nothing to compare."))
        path = f"/tasks/{ctx.run_id}/stream"
        answer = target.get(ctx, path, seconds=ctx.config.timeout)
        evidence = dict(answer.evidence)
        if answer.status == 404:
            return self.found(
                "run.not-found",
                tr(
                    "AI Server {where} does not know run {run} (404 Task not found).",
                    where=target.where,
                    run=ctx.run_id,
                ),
                evidence,
            )
        if answer.body is None or (answer.status is not None and answer.status != 200):
            return self.warned(
                tr(
                    "AI Server {where} did not stream {path}: {reason}.",
                    where=target.where,
                    path=path,
                    reason=_clause(answer.reason),
                ),
                evidence=evidence,
            )
        direct = parse_events(answer)
        ctx.artifacts[Artifact.AI_STREAM] = direct
        return self._compare(ctx, target, direct, forwarded, evidence)

    def _compare(
        self,
        ctx: Context,
        target: Target,
        direct: list[ObservedEvent],
        forwarded: list[ObservedEvent],
        evidence: dict[str, Any],
    ) -> Result:
        sent = [ev.event for ev in direct if ev.event != "status"]
        got = [ev.event for ev in forwarded if ev.event not in ("status", "error")]
        complete = any(ev.event == "status" for ev in direct)
        evidence.update(ai_events=len(sent), forwarded_events=len(got), ai_complete=complete)
        if any(ev.event == "error" for ev in forwarded):
            return self.passed(
                tr(
                    "AI Server {where} sent {sent} events for run {run}; the backend forwarded "
                    "{got} before its stream ended in an error (see sse.stream).",
                    where=target.where,
                    sent=len(sent),
                    run=ctx.run_id,
                    got=len(got),
                ),
                evidence,
            )
        window = sent[: len(got)] if not _ended(ctx) else sent
        first_missing = next(
            (i for i, name in enumerate(window) if i >= len(got) or got[i] != name), None
        )
        if first_missing is None:
            return self.passed(
                tr(
                    "AI Server {where} sent {sent} events for run {run}; the backend forwarded "
                    "{got}, the same names in the same order.",
                    where=target.where,
                    sent=len(sent),
                    run=ctx.run_id,
                    got=len(got),
                ),
                evidence,
            )
        evidence["first_missing"] = first_missing + 1
        return self.found(
            "sse.events-lost",
            tr(
                "The AI Server sent {sent} events, the backend forwarded {got}; the first "
                "missing is #{index} (`{name}`).",
                sent=len(window),
                got=len(got),
                index=first_missing + 1,
                name=window[first_missing],
            ),
            evidence,
            tr(
                "Read the backend's log lines for the run "
                "(🔗 開始串流, ✅ SSE 串流正常結束 … 共 N 行)."
            ),
        )


def _ended(ctx: Context) -> bool:
    """The backend's stream reached its end (so every event should be there)."""
    return ctx.criteria.get("sse.status_event") is True or any(
        ev.event == "error" for ev in ctx.artifacts.get(Artifact.SSE_EVENTS, [])
    )


def parse_events(answer: Answer) -> list[ObservedEvent]:
    """The events of a stream body read directly, with their arrival times."""
    parser = SSEParser()
    events: list[ObservedEvent] = []
    chunks = answer.chunks or ((0.0, answer.body or b""),)
    for at, chunk in chunks:
        for event in parser.feed(chunk, at):
            events.append(ObservedEvent(at, event.event, event.data, event.id))
    return events


CHECKS = [AIServerHealth(), AIServerTasks(), AIServerStream()]
