"""The catalogue of problems sse-doctor can name: one stable id per problem, like Django's
check ids. Checks report a problem by its id; the diagnosis gives each id one finding, and
README's table is this catalogue (a test keeps the two in step).

Each entry has the guide's category (None for the two inconclusive verdicts and for a
check that failed unexpectedly), a title a person reads, the evidence that triggers it
and the fix.
"""

from __future__ import annotations

from dataclasses import dataclass

from doctor.model import Category


@dataclass(frozen=True)
class Problem:
    id: str
    category: Category | None
    title: str
    """What the problem is, in a few words."""
    evidence: str
    """What the doctor must have seen to name it."""
    fix: str
    inconclusive: bool = False
    """Not a fault of the stack: the doctor could not see enough (exit 3)."""


P, T, A, S, N, E, F = (
    Category.PREREQUISITE,
    Category.TIMEOUT,
    Category.HTTP_403_404,
    Category.HTTP_503,
    Category.NO_EVENTS,
    Category.STREAM_ERROR,
    Category.FINAL_STATUS,
)

PROBLEMS: tuple[Problem, ...] = (
    Problem("mongodb.down", P, "MongoDB does not answer",
            "connection refused or host not found at --mongo-uri",
            "start MongoDB (docker start <its container>, or "
            "docker run -d -p 27017:27017 mongo:7)"),
    Problem("mongodb.timeout", T, "MongoDB does not answer in time",
            "the server takes the connection but sends no answer within --timeout",
            "restart MongoDB; check what blocks it"),
    Problem("mongodb.auth", P, "MongoDB refuses the doctor's credentials",
            "authentication failed (code 18) for the user in --mongo-uri",
            "fix the user, password or authSource in --mongo-uri; the backend may use others"),
    Problem("mongodb.container-stopped", P, "The MongoDB container is not running",
            "docker inspect shows MongoDB's container exited",
            "docker start <its container>"),
    Problem("mongodb.project-missing", None, "The project is not in MongoDB",
            "refactor_agent.projects (or --mongo-db) holds no document with the project's id",
            "check --mongo-db: it must be the backend's MONGODB_DATABASE"),
    Problem("docker.down", P, "The Docker engine does not answer",
            "no socket, connection refused or no answer at DOCKER_HOST or the current context",
            "start Docker (dockerd, systemctl start docker, or Docker Desktop)"),
    Problem("docker.permission", P, "No permission on the Docker socket",
            "EACCES on the socket", "add the user to the docker group, or use Docker Desktop"),
    Problem("docker.ssh-unavailable", P, "The ssh:// engine cannot be used",
            "--docker-host or DOCKER_HOST is ssh://…, and paramiko is missing, the host key is "
            "unknown, or the login is refused",
            "pip install 'sse-doctor[ssh]'; ssh to the host once (known_hosts), with a key the "
            "ssh agent or ~/.ssh/config names"),
    Problem("image.missing", P, "The base image is not built",
            "docker image inspect finds no refactor-base:latest (or --base-image)",
            "docker build -t refactor-base:latest -f devops/base-image/Dockerfile . "
            "(needed to provision new projects only)"),
    Problem("backend.down", P, "The backend is not running",
            "connection refused or host not found at --backend-url",
            "start the backend (uvicorn app.main:app --port 8000, or compose up)"),
    Problem("backend.hang", T, "The backend is stuck",
            "the backend takes the TCP connection but sends no HTTP answer within --timeout",
            "restart the backend and read its log: something blocks its event loop"),
    Problem("backend.not-api", P, "Something else answers at --backend-url",
            "neither /openapi.json nor a health path answers as FastAPI does, HTML comes back, "
            "or a body longer than 1 MiB (decoded)",
            "check --backend-url and --api-prefix"),
    Problem("backend.error", P, "The backend fails with a server error",
            "HTTP 500 or 503 from login or the project list (e.g. its MongoDB is down)",
            "read the backend's log for the exception"),
    Problem("backend.container-missing", P, "The backend's container does not exist",
            "--backend-container names no container (docker ps -a)",
            "check the name with docker ps -a (compose names it refactor-api)"),
    Problem("auth.bad-credentials", A, "The login is refused",
            "401 Incorrect email or password / Incorrect username or password",
            "check --username or --email and --password"),
    Problem("auth.username-required", A, "The backend logs in by username",
            "its OpenAPI login schema (or a 422) asks for username; only --email was given",
            "pass --username (or SSE_DOCTOR_USERNAME)"),
    Problem("auth.email-required", A, "The backend logs in by email",
            "its OpenAPI login schema (or a 422) asks for email; only --username was given",
            "pass --email (or SSE_DOCTOR_EMAIL)"),
    Problem("auth.token-invalid", A, "The token is refused",
            "401 Invalid token: … (expired, or signed with another JWT_SECRET_KEY)",
            "log in again, or pass a fresh --token"),
    Problem("project.not-found", A, "The project does not exist",
            "404 專案不存在 (at 765d572: 專案不存在或無權限, which also covers another "
            "user's project)",
            "check --project against `sse-doctor runs` or the project list"),
    Problem("project.forbidden", A, "The project belongs to another user",
            "403 無權限訪問此專案", "log in as the project's owner, or choose your own project"),
    Problem("project.not-ready", P, "The project is not READY",
            "the project's status is CREATED, PROVISIONING, STOPPED or FAILED (with last_error)",
            "provision the project until it is READY"),
    Problem("project.none", P, "No READY project",
            "the project list is empty or holds no READY project",
            "create and provision a project, or name one with --project"),
    Problem("container.missing", S, "The project's container does not exist",
            "no container refactor-project-<id> (docker ps -a), or the backend reports it "
            "not_found",
            "provision the project again"),
    Problem("container.stopped", S, "The project's container is not running",
            "the container exists but exited (code and OOMKilled from docker inspect)",
            "docker start refactor-project-<id>; docker logs shows why it stopped"),
    Problem("container.restarting", S, "The project's container keeps restarting",
            "restart count above 0, or state restarting", "read docker logs refactor-project-<id>"),
    Problem("network.host-backend", T, "The backend runs on the host, where container names "
            "do not resolve",
            "no container publishes the --backend-url port or is compose's api service, and "
            "/etc/hosts has no entry for refactor-project-<id>",
            "run the backend in compose on refactor-network (docker compose up api); on Linux "
            "only, an /etc/hosts line mapping refactor-project-<id> to its IP on "
            "refactor-network; never on Docker Desktop"),
    Problem("network.missing", T, "The Docker network does not exist",
            "docker network inspect refactor-network (or --docker-network): not found",
            "docker network create refactor-network (or docker compose up, which creates it), "
            "then provision the project again"),
    Problem("network.container-elsewhere", T, "The project's container is not on the network",
            "docker inspect lists its networks, and refactor-network is not one of them",
            "docker network connect refactor-network refactor-project-<id> (the backend's "
            "DOCKER_NETWORK must be refactor-network)"),
    Problem("network.backend-elsewhere", T, "The backend's container is not on the network",
            "docker inspect of the backend's container lists other networks only",
            "docker network connect refactor-network <backend container> (compose puts api on "
            "refactor-network)"),
    Problem("network.unreachable", T, "The backend resolves the container but gets no answer",
            "from the backend, refactor-project-<id> resolves, and GET :8000/health times out "
            "or has no route",
            "docker network inspect refactor-network; read docker logs refactor-project-<id>"),
    Problem("env.api-key-missing", F, "The container has no ANTHROPIC_API_KEY",
            "docker inspect: the project container's environment lacks ANTHROPIC_API_KEY "
            "(or it is empty)",
            "set ANTHROPIC_API_KEY in the backend's .env, then provision the project again"),
    Problem("env.postgres-url-missing", F, "The container has no POSTGRES_URL",
            "at 55a61f4, docker inspect: the project container's environment lacks POSTGRES_URL",
            "set POSTGRES_URL in the backend's .env (postgresql://…@postgres:5432/…), then "
            "provision the project again"),
    Problem("env.unbuffered-missing", N, "The image does not set PYTHONUNBUFFERED",
            "docker image inspect: the base image's environment lacks PYTHONUNBUFFERED=1 (F1)",
            "add ENV PYTHONUNBUFFERED=1 to devops/base-image/Dockerfile and rebuild the image"),
    Problem("postgres.localhost", F, "POSTGRES_URL points at the container itself",
            "POSTGRES_URL's host is localhost (or 127.0.0.1), which inside the project container "
            "is the container, and nothing listens there",
            "set POSTGRES_URL to postgres:5432 on refactor-network, then provision again"),
    Problem("postgres.unreachable", F, "PostgreSQL is not reachable from the container",
            "a TCP connect from inside the project container to POSTGRES_URL's host and port "
            "fails (not resolved, refused or no answer)",
            "start PostgreSQL on refactor-network (compose's postgres, refactor-postgres) and "
            "check POSTGRES_URL's host and port"),
    Problem("ai.down", S, "The AI Server does not answer",
            "GET /health inside the container fails while the container runs",
            "read docker logs refactor-project-<id>: uvicorn did not start or crashed"),
    Problem("ai.timeout", T, "The AI Server does not answer in time",
            "GET /health inside the container gets no answer within --timeout",
            "read docker logs refactor-project-<id>"),
    Problem("run.not-found", A, "The AI Server does not know the run",
            "a 200 stream whose body is {\"detail\":\"Task not found\"}, an AI /tasks without it, "
            "or 503 無法查詢任務狀態 while the AI Server answers /health",
            "tasks live in the AI Server's memory and are lost when it restarts: "
            "choose a current run (sse-doctor runs) or start one"),
    Problem("run.failed", F, "The run FAILED",
            "the run detail says FAILED; the title carries its error_message",
            "read the run's error_message and the AI Server's log"),
    Problem("agent.no-api-key", F, "The agent has no Anthropic API key",
            "error_message ANTHROPIC_API_KEY is not set / Anthropic API 未配置",
            "set ANTHROPIC_API_KEY in the backend's .env, then provision the project again"),
    Problem("agent.postgres", F, "The agent cannot use PostgreSQL",
            "error_message POSTGRES_URL … is not set, or Failed to initialize PostgreSQL "
            "persistence",
            "set POSTGRES_URL to a PostgreSQL the container reaches (postgres:5432 on "
            "refactor-network, not localhost)"),
    Problem("run.stuck", F, "The run never finished",
            "still RUNNING after the stream ended with its status event",
            "query the run again; read the AI Server's log"),
    Problem("run.start-failed", S, "A new run could not be started",
            "POST …/agent/run answered an error that names no known cause",
            "read the answer's detail and the backend's log"),
    Problem("sse.upstream-unreachable", S, "The backend cannot reach the AI Server",
            "event: error with HTTP 錯誤: All connection attempts failed (the name resolves, "
            "nothing listens on 8000), with the container's state and /health",
            "start the AI Server: docker start / docker logs refactor-project-<id>"),
    Problem("network.container-unresolvable", T, "The backend cannot resolve the container",
            "HTTP 錯誤: … Name or service not known / nodename nor servname provided / "
            "Temporary failure in name resolution",
            "run the backend on refactor-network (compose), or start the container"),
    Problem("sse.upstream-cut", E, "The AI Server died mid-stream",
            "event: error with HTTP 錯誤: peer closed connection without sending complete "
            "message body, after some events",
            "read docker logs and docker inspect refactor-project-<id> (exit code, OOMKilled)"),
    Problem("sse.error-event", E, "The backend sent an error event",
            "event: error with any other text", "read the backend's log at that time"),
    Problem("sse.double-framed", E, "The backend wraps the stream twice",
            "events whose data are SSE lines (data: event: log, data: data: {…}): the 765d572 "
            "backend yields raw lines into an EventSourceResponse",
            "forward the AI Server's bytes unchanged (a StreamingResponse), as 55a61f4 does"),
    Problem("sse.keepalive-only", N, "Only keepalive pings, no events",
            "the stream carried only : ping comments for the whole observation while the run "
            "was RUNNING", "the agent never started: read the AI Server's log (F1)"),
    Problem("sse.events-lost", N, "Events are lost between the AI Server and the backend",
            "the AI Server's own stream has events the backend's stream lacks, in the same window",
            "read the backend's [SSE] and 🔗 log lines"),
    Problem("sse.no-events", N, "The stream carried no log events",
            "the stream ended without any named log event",
            "check that the AI Server logs the run's task_logs"),
    Problem("sse.buffered", E, "Something buffers the stream",
            "events released together long after the AI Server's timestamps say they were made",
            "turn buffering off in the proxy (nginx proxy_buffering off / X-Accel-Buffering: no)"),
    Problem("sse.gzip", E, "The stream is compressed",
            "Content-Encoding: gzip on text/event-stream",
            "leave text/event-stream out of compression (nginx gzip_types, middleware)"),
    Problem("sse.wrong-content-type", E, "The stream has the wrong content type",
            "a Content-Type other than text/event-stream", "serve it as text/event-stream"),
    Problem("sse.no-status", E, "The stream ended without its status event",
            "the body ended after events but without event: status or an error event",
            "read the backend's log where the stream ended"),
    Problem("sse.cut", E, "The connection to the backend broke",
            "the HTTP body to the doctor broke off (not an in-band error event)",
            "read the backend's and any proxy's log"),
    Problem("sse.stalled", E, "The stream stalled",
            "keepalive pings came regularly, then nothing at all for longer than two intervals",
            "something between the AI Server and the doctor holds the connection (a paused "
            "container, a partition): read the backend's log"),
    Problem("sse.flood", E, "The stream floods",
            "still sending 1000 lines a second or more when --stream-timeout ended the watch, "
            "more lines than the doctor keeps in memory (the rest spilled to disk)",
            "find what loops or repeats the stream (the AI Server's log, a proxy between)"),
    Problem("sse.no-response", T, "The stream endpoint does not answer",
            "no response headers within --timeout", "read the backend's log"),
    Problem("sse.malformed", E, "The stream is not valid SSE",
            "lines that are no SSE field, or an event not ended by a blank line",
            "frame each event as event:/data: lines and a blank line"),
    Problem("sse.slow", E, "Events are slow",
            "a gap between two events above half --idle-timeout",
            "nothing, if the agent thinks that long; otherwise see what holds events back"),
    Problem("sse.no-cache", E, "The stream may be cached",
            "no Cache-Control: no-cache header", "send Cache-Control: no-cache"),
    Problem("sse.open-after-status", E, "The stream stays open after its status",
            "the server kept the connection open past the status event",
            "end the response after event: status"),
    Problem("sse.not-tested", None, "The stream was not tested",
            "no run was chosen or found, so no stream was observed",
            "name a run (--run ID, --run latest) or start one (--new-run)", inconclusive=True),
    Problem("sse.observation-cut", None, "The doctor stopped watching first",
            "the doctor's --stream-timeout or --idle-timeout ended a stream that looked healthy",
            "run again with a longer --stream-timeout", inconclusive=True),
    Problem("check.timeout", T, "A check got no answer in time",
            "a plugin's check outlived its deadline", "see the check's own documentation"),
    Problem("check.failed", None, "A plugin's check failed",
            "a plugin's check failed without a catalogue id", "see the plugin's documentation"),
    Problem("check.error", None, "A check failed unexpectedly",
            "a check raised an exception", "report it, with the bundle of sse-doctor report"),
)  # fmt: skip

BY_ID = {problem.id: problem for problem in PROBLEMS}


def problem(problem_id: str) -> Problem:
    """The catalogue entry ``problem_id``; KeyError for an id not in the catalogue."""
    return BY_ID[problem_id]
