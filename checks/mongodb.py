"""MongoDB checks: the server answers, its `mongodb` container, and the project's documents."""

from __future__ import annotations

import re
import socket
import time
from typing import Any
from urllib.parse import urlsplit

from doctor.context import Artifact, Context
from doctor.i18n import tr
from doctor.model import Category, Check, Result
from doctor.report.redact import redact_uri

CONTAINER = "mongodb"
DEFAULT_PORT = 27017
START_MONGO = "docker run -d --name mongodb -p 27017:27017 mongo:7"

_REFUSED = re.compile(r"connection refused|errno 111\b|errno 61\b|actively refused", re.I)
_DNS = re.compile(
    r"name or service not known|nodename nor servname|getaddrinfo|name resolution"
    r"|no address associated|dns (?:query|operation|resolution|lookup)|nameservers? failed"
    r"|resolution lifetime|nxdomain",
    re.I,
)
_TIMED_OUT = re.compile(r"timed out", re.I)


def mongo_hosts(uri: str) -> list[str]:
    """The ``host:port`` seeds of a MongoDB URI (``host`` alone for mongodb+srv)."""
    parts = urlsplit(uri)
    hosts = []
    for host in parts.netloc.rpartition("@")[2].split(","):
        if host and parts.scheme == "mongodb" and not re.search(r":\d+$", host):
            host = f"{host}:{DEFAULT_PORT}"
        if host:
            hosts.append(host)
    return hosts


def refused_everywhere(uri: str, timeout: float) -> bool:
    """Whether every seed of a ``mongodb://`` URI refuses TCP connections.

    pymongo reports a refused connection only once server selection gives up (the whole
    probe timeout); a plain connect tells at once that nothing listens. A seed that does
    not answer within ``timeout`` is left to pymongo.
    """
    if urlsplit(uri).scheme != "mongodb":
        return False
    for seed in mongo_hosts(uri):
        host, _, port = seed.rpartition(":")
        try:
            socket.create_connection((host.strip("[]"), int(port)), timeout=timeout).close()
        except ConnectionRefusedError:
            continue
        except (OSError, ValueError):
            return False
        return False
    return True


def nothing_listens(where: str) -> tuple[str, Category, str]:
    """Message, category and hint when no MongoDB listens at ``where``."""
    return (
        tr("Nothing listens at {where} (MongoDB connection refused).", where=where),
        Category.PREREQUISITE,
        tr(
            "Start MongoDB: {command} (if the container exists: docker start mongodb).",
            command=START_MONGO,
        ),
    )


def _first_error(exc: Exception) -> str:
    """A pymongo error without its topology description."""
    return str(exc).split(", Timeout:")[0].split(", full error:")[0]


class MongoPing(Check):
    id = "mongodb.ping"
    layer = "mongodb"
    title = "MongoDB answers"

    def deadline(self, ctx: Context) -> float:
        """Server selection alone may take the whole probe timeout; leave room to report it."""
        return ctx.config.timeout * 2

    def run(self, ctx: Context) -> Result:
        from pymongo.errors import OperationFailure, PyMongoError

        uri = ctx.config.mongo_uri
        hosts = mongo_hosts(uri)
        evidence: dict[str, Any] = {"uri": redact_uri(uri), "hosts": hosts}
        started = time.monotonic()
        if refused_everywhere(uri, ctx.config.timeout / 2):
            evidence["elapsed_ms"] = round((time.monotonic() - started) * 1000)
            evidence["error"] = "connection refused"
            return self.failed(*nothing_listens(", ".join(hosts)), evidence=evidence)
        try:
            client = ctx.mongo
            client.admin.command("ping")
            version = client.admin.command("buildInfo").get("version")
        except PyMongoError as exc:
            if isinstance(exc, OperationFailure):  # the server answered, with an error
                ctx.artifacts[Artifact.MONGO_ANSWERED] = True
            evidence["elapsed_ms"] = round((time.monotonic() - started) * 1000)
            evidence["exception"] = type(exc).__name__
            evidence["error"] = ctx.redactor.redact(_first_error(exc))
            message, category, hint = describe_mongo_error(
                exc, ", ".join(hosts), ctx.config.timeout
            )
            return self.failed(ctx.redactor.redact(message), category, hint, evidence)
        evidence["elapsed_ms"] = round((time.monotonic() - started) * 1000)
        evidence["server_version"] = version
        ctx.artifacts[Artifact.MONGO_VERSION] = version
        ctx.artifacts[Artifact.MONGO_ANSWERED] = True
        return self.passed(
            tr("MongoDB {version} answers at {where}.", version=version, where=", ".join(hosts)),
            evidence,
        )


def describe_mongo_error(
    exc: Exception, where: str, timeout: float
) -> tuple[str, Category, str | None]:
    """Message, category and hint for a pymongo error while reaching ``where``.

    Rejected credentials, an unresolvable host (also a mongodb+srv:// SRV lookup) and
    nothing listening are told apart; they need different fixes.
    """
    from pymongo.errors import (
        ConfigurationError,
        OperationFailure,
        ServerSelectionTimeoutError,
    )

    text = str(exc)
    error = _first_error(exc)
    if isinstance(exc, OperationFailure) and exc.code == 18:
        return (
            tr("MongoDB rejected the credentials in --mongo-uri."),
            Category.PREREQUISITE,
            tr(
                "Check the user name, password and authSource in --mongo-uri "
                "(or SSE_DOCTOR_MONGO_URI)."
            ),
        )
    if _DNS.search(text):
        return (
            tr("Cannot resolve the MongoDB host {where}.", where=where),
            Category.PREREQUISITE,
            tr(
                "Check the host name in --mongo-uri; a mongodb+srv:// URI needs DNS SRV "
                "records for _mongodb._tcp.<host>."
            ),
        )
    if isinstance(exc, ConfigurationError):
        return (
            tr("--mongo-uri is not usable: {error}", error=error),
            Category.PREREQUISITE,
            tr("Fix --mongo-uri (or SSE_DOCTOR_MONGO_URI)."),
        )
    if _REFUSED.search(text):
        return nothing_listens(where)
    # Not refused and not a DNS failure: the server took the connection but no usable
    # answer came in time ("No servers found yet" when the handshake never finished).
    silent = isinstance(exc, ServerSelectionTimeoutError) or _TIMED_OUT.search(text)
    if silent or type(exc).__name__ in ("NetworkTimeout", "ExecutionTimeout"):
        return (
            tr(
                "MongoDB at {where} did not answer within {seconds:g} s.",
                where=where,
                seconds=timeout,
            ),
            Category.TIMEOUT,
            Category.TIMEOUT.hint,
        )
    return (
        tr("MongoDB at {where} is not usable: {error}", where=where, error=error),
        Category.PREREQUISITE,
        nothing_listens(where)[2],
    )


class MongoContainer(Check):
    id = "mongodb.container"
    layer = "mongodb"
    title = "MongoDB container"
    depends_on = ("docker.engine",)
    after = ("mongodb.ping",)
    uses_docker = True

    def __init__(self, name: str = CONTAINER) -> None:
        self.name = name
        """The container the guide starts MongoDB in."""

    def run(self, ctx: Context) -> Result:
        import docker.errors
        import requests

        answered = Artifact.MONGO_ANSWERED in ctx.artifacts
        try:
            container = ctx.docker.containers.get(self.name)
        except docker.errors.NotFound:
            if answered:
                return self.warned(
                    tr(
                        "No container named {name}, but MongoDB answers: it runs outside Docker.",
                        name=self.name,
                    ),
                    evidence={"container": None},
                )
            return self.failed(
                tr("No container named {name}, and MongoDB does not answer.", name=self.name),
                Category.PREREQUISITE,
                tr("Start MongoDB: {command}", command=START_MONGO),
                {"container": None},
            )
        except (docker.errors.DockerException, requests.RequestException) as exc:
            return self.warned(
                tr("Cannot inspect container {name}: {error}", name=self.name, error=exc),
                evidence={"exception": type(exc).__name__},
            )
        return self._judge(container.attrs, answered)

    def _judge(self, attrs: dict[str, Any], answered: bool) -> Result:
        state = attrs.get("State") or {}
        status = state.get("Status", "unknown")
        image = (attrs.get("Config") or {}).get("Image", "")
        ports = ((attrs.get("NetworkSettings") or {}).get("Ports") or {}).get("27017/tcp") or []
        published = [f"{p.get('HostIp') or '0.0.0.0'}:{p.get('HostPort')}" for p in ports]
        evidence = {
            "container": self.name,
            "status": status,
            "exit_code": state.get("ExitCode"),
            "image": image,
            "published_27017": published,
        }
        if status != "running":
            return self.failed(
                tr(
                    "Container {name} exists but is {status} (exit code {code}).",
                    name=self.name,
                    status=status,
                    code=state.get("ExitCode"),
                ),
                Category.PREREQUISITE,
                tr("Start it: docker start {name}", name=self.name),
                evidence,
            )
        if image.split("@")[0].rsplit("/", 1)[-1].split(":")[0] != "mongo":
            return self.warned(
                tr(
                    "Container {name} runs image {image}, not mongo:*.",
                    name=self.name,
                    image=image,
                ),
                evidence=evidence,
            )
        if not published:
            message = tr(
                "Container {name} runs {image} but does not publish port 27017.",
                name=self.name,
                image=image,
            )
            hint = tr(
                "Re-create it with the port published: docker rm -f mongodb && {command}",
                command=START_MONGO,
            )
            if answered:
                return self.warned(message, hint=hint, evidence=evidence)
            return self.failed(message, Category.PREREQUISITE, hint, evidence)
        return self.passed(
            tr(
                "Container {name} is running {image}, port 27017 published on {ports}.",
                name=self.name,
                image=image,
                ports=", ".join(published),
            ),
            evidence,
        )


class MongoProject(Check):
    id = "mongodb.project"
    layer = "mongodb"
    title = "Project and task_logs in MongoDB"
    depends_on = ("mongodb.ping",)
    after = ("backend.projects", "sse.stream")

    def run(self, ctx: Context) -> Result:
        from bson import ObjectId
        from pymongo.errors import OperationFailure, PyMongoError

        name = ctx.config.mongo_db
        if not name:
            return self.skipped(
                tr("No database name: give --mongo-db to read the project and its task_logs.")
            )
        project_id = ctx.project_id
        if not project_id:
            return self.skipped(tr("No project was chosen: give --project."))
        ids: list[Any] = [project_id]
        if ObjectId.is_valid(project_id):
            ids.append(ObjectId(project_id))
        evidence: dict[str, Any] = {"database": name, "project_id": project_id}
        db = ctx.mongo[name]
        try:
            project = db["projects"].find_one({"_id": {"$in": ids}})
            count = None
            if project is not None and ctx.run_id:
                run_ids: list[Any] = [ctx.run_id]
                if ObjectId.is_valid(ctx.run_id):
                    run_ids.append(ObjectId(ctx.run_id))
                count = db["task_logs"].count_documents({"run_id": {"$in": run_ids}})
        except OperationFailure as exc:
            evidence["error"] = _first_error(exc)
            return self.failed(
                tr(
                    "MongoDB refused to read database {db}: {error}",
                    db=name,
                    error=evidence["error"],
                ),
                Category.PREREQUISITE,
                tr("Check the user's rights on the database in --mongo-uri and --mongo-db."),
                evidence,
            )
        except PyMongoError as exc:
            evidence["error"] = _first_error(exc)
            return self.failed(
                tr("Reading database {db} failed: {error}", db=name, error=evidence["error"]),
                Category.PREREQUISITE,
                evidence=evidence,
            )
        if project is None:
            return self.warned(
                tr(
                    "No project {id} in {db}.projects; is --mongo-db the backend's database?",
                    id=project_id,
                    db=name,
                ),
                evidence=evidence,
            )
        return self._judge(ctx, project.get("status"), count, evidence)

    def _judge(
        self, ctx: Context, status: Any, count: int | None, evidence: dict[str, Any]
    ) -> Result:
        evidence["project_status"] = status
        project_id = evidence["project_id"]
        if status != "READY":
            return self.failed(
                tr(
                    "Project {id} has status {status} in MongoDB, not READY (provision it first).",
                    id=project_id,
                    status=status,
                ),
                Category.PREREQUISITE,
                tr("Provision the project so that its status becomes READY."),
                evidence,
            )
        if count is None:
            return self.passed(
                tr(
                    "Project {id} is READY in MongoDB; no run to count task_logs for.",
                    id=project_id,
                ),
                evidence,
            )
        evidence.update(run_id=ctx.run_id, task_logs=count)
        if count:
            return self.passed(
                tr(
                    "Project {id} is READY in MongoDB; run {run} has {count} task_logs.",
                    id=project_id,
                    run=ctx.run_id,
                    count=count,
                ),
                evidence,
            )
        if ctx.criteria.get("sse.log_event"):
            return self.warned(
                tr(
                    "The stream carried log events, but {db}.task_logs holds none with "
                    "run_id {run}; is --mongo-db the backend's database?",
                    db=evidence["database"],
                    run=ctx.run_id,
                ),
                evidence=evidence,
            )
        return self.failed(
            tr("No task_logs with run_id {run} in MongoDB.", run=ctx.run_id),
            Category.NO_EVENTS,
            evidence=evidence,
        )


CHECKS = [MongoPing(), MongoContainer(), MongoProject()]
