"""MongoDB checks: the server answers, its `mongodb` container, and the project's documents."""

from __future__ import annotations

import re
import socket
import time
from typing import Any
from urllib.parse import urlsplit

import docker.errors

from doctor.context import Artifact, Context
from doctor.i18n import tr
from doctor.model import Category, Check, Result, Status
from doctor.report.redact import redact_uri

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


def uri_has_credentials(uri: str) -> bool:
    return "@" in urlsplit(uri).netloc


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
    """MongoDB at --mongo-uri answers a ping (and says its version)."""

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
            message, _, hint = nothing_listens(", ".join(hosts))
            return self.found("mongodb.down", message, evidence, hint)
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
            problem = _PROBLEMS.get(category, "mongodb.down")
            if isinstance(exc, OperationFailure) and exc.code == 18:
                problem = "mongodb.auth"
                message += " " + tr(
                    "That is the doctor's view: the backend may connect with other credentials."
                )
                return self.found(problem, message, evidence, hint, status=Status.WARN)
            return self.found(problem, ctx.redactor.redact(message), evidence, hint)
        except Exception as exc:  # a wire-protocol server pymongo cannot finish a login with
            if not uri_has_credentials(uri):
                raise
            ctx.artifacts[Artifact.MONGO_ANSWERED] = True
            evidence.update(exception=type(exc).__name__, error=str(exc)[:200])
            return self.found(
                "mongodb.auth",
                tr(
                    "The server at {where} answered, but the login with --mongo-uri's "
                    "credentials did not complete ({error}). That is the doctor's view: the "
                    "backend may connect with other credentials.",
                    where=", ".join(hosts),
                    error=f"{type(exc).__name__}: {exc}"[:120],
                ),
                evidence,
                status=Status.WARN,
            )
        evidence["elapsed_ms"] = round((time.monotonic() - started) * 1000)
        evidence["server_version"] = version
        ctx.artifacts[Artifact.MONGO_VERSION] = version
        ctx.artifacts[Artifact.MONGO_ANSWERED] = True
        return self.passed(
            tr("MongoDB {version} answers at {where}.", version=version, where=", ".join(hosts)),
            evidence,
        )


_PROBLEMS = {Category.TIMEOUT: "mongodb.timeout", Category.PREREQUISITE: "mongodb.down"}


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
    """MongoDB's container, found by what it is: the image ``mongo:*``, or the port it
    publishes (the URI's), whatever its name (``mongodb``, ``refactor-mongodb``,
    ``app-mongo-1``…)."""

    id = "mongodb.container"
    layer = "mongodb"
    title = "MongoDB container"
    depends_on = ("docker.engine",)
    after = ("mongodb.ping",)
    uses_docker = True

    def run(self, ctx: Context) -> Result:
        answered = Artifact.MONGO_ANSWERED in ctx.artifacts
        ports = {
            int(host.rpartition(":")[2])
            for host in mongo_hosts(ctx.config.mongo_uri)
            if ":" in host
        }
        found = find_mongo_containers(ctx.docker, ports)
        if not found:
            if answered:
                return self.passed(
                    tr("No MongoDB container: MongoDB runs outside Docker (it answers)."),
                    {"containers": []},
                )
            return self.found(
                "mongodb.down",
                tr(
                    "No MongoDB container (image mongo:* or publishing port {ports}), and "
                    "MongoDB does not answer.",
                    ports=", ".join(map(str, sorted(ports))) or DEFAULT_PORT,
                ),
                {"containers": []},
                tr("Start MongoDB: {command}", command=START_MONGO),
            )
        facts = found[0]
        ctx.artifacts[Artifact.MONGO_CONTAINER] = facts["name"]
        evidence = {"containers": [f["name"] for f in found], **facts}
        if facts["status"] != "running":
            return self.found(
                "mongodb.container-stopped",
                tr(
                    "MongoDB's container {name} ({image}) exists but is {status} "
                    "(exit code {code}).",
                    name=facts["name"],
                    image=facts["image"],
                    status=facts["status"],
                    code=facts["exit_code"],
                ),
                evidence,
                tr("Start it: docker start {name}", name=facts["name"]),
            )
        published = ", ".join(facts["published"]) or tr("no port published")
        return self.passed(
            tr(
                "MongoDB runs in container {name} ({image}; {ports}).",
                name=facts["name"],
                image=facts["image"],
                ports=published,
            ),
            evidence,
        )


def find_mongo_containers(client: Any, ports: set[int]) -> list[dict[str, Any]]:
    """MongoDB's containers: publishing one of ``ports`` first, then by the image ``mongo``."""
    found = []
    for summary in client.api.containers(all=True):
        image = str(summary.get("Image", ""))
        published = [
            f"{p.get('IP') or '0.0.0.0'}:{p['PublicPort']}"
            for p in summary.get("Ports") or ()
            if p.get("PublicPort") and p.get("PrivatePort") == DEFAULT_PORT
        ]
        publishes = any(
            p.get("PublicPort") in ports for p in summary.get("Ports") or () if p.get("PublicPort")
        ) or (summary.get("State") != "running" and _binds(client, summary["Id"], ports))
        if not (publishes or _image_name(image) == "mongo"):
            continue
        names = [str(n).lstrip("/") for n in summary.get("Names") or ()]
        found.append(
            {
                "name": names[0] if names else str(summary.get("Id", ""))[:12],
                "image": image,
                "status": summary.get("State"),
                "exit_code": _exit_code(summary.get("Status", "")),
                "published": published,
                "by": "port" if publishes else "image",
            }
        )
    return sorted(found, key=lambda f: (f["by"] != "port", f["status"] != "running", f["name"]))


def _binds(client: Any, container_id: str, ports: set[int]) -> bool:
    """Whether a stopped container is set to publish one of ``ports`` (once it runs)."""
    try:
        bindings = client.api.inspect_container(container_id)["HostConfig"]["PortBindings"]
    except (KeyError, TypeError, docker.errors.NotFound):
        return False
    return any(
        str(b.get("HostPort")) in {str(p) for p in ports}
        for b in (bindings or {}).get(f"{DEFAULT_PORT}/tcp") or ()
    )


def _image_name(image: str) -> str:
    """``mongo`` for ``mongo:7``, ``docker.io/library/mongo@sha256:…`` and the like."""
    return image.split("@")[0].rsplit("/", 1)[-1].split(":")[0]


def _exit_code(status: str) -> int | None:
    match = re.search(r"Exited \((\d+)\)", status)
    return int(match.group(1)) if match else None


class MongoProject(Check):
    """The project's document in the backend's database (``refactor_agent`` by default)."""

    id = "mongodb.project"
    layer = "mongodb"
    title = "Project in MongoDB"
    depends_on = ("mongodb.ping",)
    needs = ("backend.projects",)

    def run(self, ctx: Context) -> Result:
        from bson import ObjectId
        from pymongo.errors import PyMongoError

        name = ctx.config.mongo_db
        project_id = ctx.project_id
        if not project_id:
            return self.skipped(tr("No project was chosen: give --project."))
        if Artifact.MONGO_VERSION not in ctx.artifacts:
            return self.skipped(tr("MongoDB cannot be read with the doctor's credentials."))
        evidence: dict[str, Any] = {"database": name, "project_id": project_id}
        if not ObjectId.is_valid(project_id):
            return self.skipped(
                tr("{id} is not an ObjectId: the backend has no such project.", id=project_id),
                evidence,
            )
        try:
            project = ctx.mongo[name]["projects"].find_one({"_id": ObjectId(project_id)})
        except PyMongoError as exc:
            evidence["error"] = ctx.redactor.redact(_first_error(exc))
            return self.warned(
                tr("Reading {db}.projects failed: {error}", db=name, error=evidence["error"]),
                hint=tr("Check the user's rights on the database in --mongo-uri and --mongo-db."),
                evidence=evidence,
            )
        if project is None:
            return self.found(
                "mongodb.project-missing",
                tr(
                    "No project {id} in {db}.projects; is --mongo-db the backend's database?",
                    id=project_id,
                    db=name,
                ),
                evidence,
                status=Status.WARN,
            )
        for key in ("status", "container_id", "last_error", "owner_id"):
            if project.get(key) is not None:
                evidence[key] = str(project[key])[:200]
        status = project.get("status")
        if status != "READY":
            return self.found(
                "project.not-ready",
                tr(
                    "Project {id} has status {status} in MongoDB, not READY.",
                    id=project_id,
                    status=status,
                ),
                evidence,
            )
        return self.passed(
            tr("Project {id} is READY in {db}.projects.", id=project_id, db=name), evidence
        )


CHECKS = [MongoPing(), MongoContainer(), MongoProject()]
