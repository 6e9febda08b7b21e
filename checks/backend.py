"""Backend checks: it answers (and what its API looks like), and the login works."""

from __future__ import annotations

from typing import Any

import httpx

from doctor.clients.contract import Contract, from_openapi
from doctor.clients.http import Answer
from doctor.clients.http_errors import (
    HttpProblem,
    describe_http_error,
    detail,
    json_or_problem,
    response_evidence,
)
from doctor.context import Context
from doctor.i18n import ntr, tr
from doctor.model import Check, Result

START_BACKEND = "cd backend && uvicorn app.main:app --reload --port 8000"
GUIDE_ACCOUNT = ("test_sse@example.com", "test_sse", "testpass123456")
"""The guide's default test account: email, username, password."""
SERVER_ERRORS = (500, 502, 503, 504)


def problem_for_error(problem: HttpProblem) -> str:
    """The catalogue id of a request that got no HTTP answer from the backend."""
    kind = problem.evidence.get("error")
    if kind in ("read-timeout", "write-timeout", "pool-timeout"):
        return "backend.hang"
    if kind in ("not-http", "too-large", "undecodable"):
        return "backend.not-api"
    return "backend.down"


def request(check: Check, ctx: Context, method: str, url: str, **kwargs: Any) -> Answer | Result:
    """The answer, or the failed result naming why none came."""
    try:
        return ctx.fetch(method, url, **kwargs)
    except httpx.HTTPError as exc:
        problem = describe_http_error(exc, url, ctx.config.timeout)
        problem_id = problem_for_error(problem)
        hint = problem.hint
        if problem_id == "backend.down":
            hint = tr("Start the backend: {command}", command=START_BACKEND)
        elif problem.evidence.get("error") in ("too-large", "undecodable"):
            hint = tr(
                "The backend's API answers in small JSON documents: check --backend-url and "
                "--api-prefix, and what answers there."
            )
        elif problem_id == "backend.hang":
            hint = tr(
                "The backend takes connections but does not answer: it is stuck, not a "
                "network problem. Restart it and read its log."
            )
        return check.found(problem_id, problem.message, problem.evidence, hint)


def unexpected(check: Check, answer: Answer, url: str, body: bool = True) -> Result:
    """A failed result for a status the caller does not handle itself."""
    evidence = {"url": url, **response_evidence(answer, body=body)}
    said = detail(answer)
    status = answer.status_code
    if status in (404, 405):
        return check.found(
            "backend.not-api",
            tr("{url} does not exist on the backend (HTTP {status}).", url=url, status=status),
            evidence,
            tr("Check --backend-url and --api-prefix."),
        )
    if status in SERVER_ERRORS:
        return check.found(
            "backend.error",
            tr(
                "{url} answered HTTP {status}: {detail}",
                url=url,
                status=status,
                detail=said or answer.text[:80] or "-",
            ),
            evidence,
            tr("Read the backend's log for the exception (is its MongoDB up?)."),
        )
    return check.found(
        "backend.not-api",
        tr("{url} answered HTTP {status}.", url=url, status=status),
        evidence,
    )


class BackendLiveness(Check):
    """Finds the backend at --backend-url and reads its API from /openapi.json: the login
    field, the run paths and so the stack's version."""

    id = "backend.liveness"
    layer = "backend"
    title = "Backend answers"

    def run(self, ctx: Context) -> Result:
        base, prefix = ctx.config.backend_url, ctx.config.api_prefix
        answer = request(self, ctx, "GET", f"{base}/openapi.json")
        if isinstance(answer, Result):
            return answer
        contract = None
        if answer.is_success:
            data, problem = json_or_problem(answer, f"{base}/openapi.json", show_body=False)
            contract = None if problem else from_openapi(data, prefix)
        contract = contract or Contract(source="probes")
        evidence: dict[str, Any] = {"openapi": answer.status_code, "contract": contract.source}
        paths = [contract.health_path] if contract.health_path else [f"{prefix}/health", "/health"]
        statuses: dict[str, int] = {}
        for path in paths:
            health = request(self, ctx, "GET", base + path)
            if isinstance(health, Result):
                return health
            statuses[path] = health.status_code
            if health.is_success and health.content_type == "application/json":
                contract = _with_health(contract, path)
                break
        ctx.contract = contract
        evidence.update(health=statuses, api=contract.describe())
        if not health.is_success:
            evidence["answer"] = response_evidence(health)
        if contract.version:
            evidence["version"] = contract.version
        if not contract.health_path and contract.source != "openapi":
            return self.found(
                "backend.not-api",
                tr(
                    "Something answers at {url}, but neither /openapi.json nor a health path "
                    "({statuses}) does as the backend would.",
                    url=base,
                    statuses=", ".join(f"{p} {s}" for p, s in statuses.items()),
                ),
                evidence,
                tr(
                    "Check --backend-url; the backend is started with: {command}",
                    command=START_BACKEND,
                ),
            )
        where = contract.health_path or "/openapi.json"
        return self.passed(
            tr(
                "The backend answers at {url} ({path}); its API: {api}.",
                url=base,
                path=where,
                api=contract.describe(),
            ),
            evidence,
        )


def _with_health(contract: Contract, path: str) -> Contract:
    from dataclasses import replace

    return replace(contract, health_path=path)


class BackendLogin(Check):
    """Logs in by email or username, as the backend asks, or checks --token."""

    id = "backend.login"
    layer = "backend"
    title = "Login"
    depends_on = ("backend.liveness",)

    def run(self, ctx: Context) -> Result:
        if ctx.token:
            return self._check_token(ctx)
        contract = ctx.contract or Contract(source="probes")
        field = _login_field(ctx, contract)
        name = ctx.config.username if field == "username" else ctx.config.email
        password = ctx.config.password
        if not (name and password) and ctx.interactive:
            name, password = _ask(ctx, field, name, password)
        if field == "username" and not name and ctx.config.email:
            return self.found(
                "auth.username-required",
                tr(
                    "The backend logs in by username ({source}), and only --email was given.",
                    source=_source(contract),
                ),
                {"login_field": field, "contract": contract.source},
                tr("Pass --username (or SSE_DOCTOR_USERNAME): sse-doctor does not guess one."),
            )
        if field == "email" and not name and ctx.config.username:
            return self.found(
                "auth.email-required",
                tr(
                    "The backend logs in by email ({source}), and only --username was given.",
                    source=_source(contract),
                ),
                {"login_field": field, "contract": contract.source},
                tr("Pass --email (or SSE_DOCTOR_EMAIL)."),
            )
        if not (name and password):
            return self.skipped(
                tr(
                    "No credentials: give --{field} and --password (or SSE_DOCTOR_{upper} and "
                    "SSE_DOCTOR_PASSWORD), or a token with --token.",
                    field=field,
                    upper=field.upper(),
                )
            )
        return self._login(ctx, contract, field, name, password)

    def _login(
        self, ctx: Context, contract: Contract, field: str, name: str, password: str
    ) -> Result:
        url = ctx.config.api("/auth/login")
        body = {field: name, "password": password}
        sent = {"data": body} if contract.login_form else {"json": body}
        answer = request(self, ctx, "POST", url, **sent)
        if isinstance(answer, Result):
            return answer
        evidence = {"url": url, "login_field": field, **response_evidence(answer, body=False)}
        said = detail(answer)
        if said:
            evidence["detail"] = said
        if answer.status_code == 401:
            return self.found(
                "auth.bad-credentials",
                tr(
                    "The backend refused the login of {name}: {detail} (HTTP 401).",
                    name=name,
                    detail=said or "-",
                ),
                evidence,
                tr("Check --{field} and --password.", field=field),
            )
        if answer.status_code == 422:
            return self._unprocessable(answer, field, evidence)
        if not answer.is_success:
            return unexpected(self, answer, url, body=False)
        data, problem = json_or_problem(answer, url, show_body=False)
        token = data.get("access_token") if isinstance(data, dict) else None
        if problem or not isinstance(token, str) or not token:
            return self.found(
                "backend.not-api",
                tr("The login answer from {url} holds no access_token.", url=url),
                evidence,
                tr("Check --api-prefix: is {url} the backend's login?", url=url),
            )
        ctx.set_token(token)
        ctx.user = name
        return self.passed(
            tr("Logged in as {name} (login by {field}).", name=name, field=field), evidence
        )

    def _unprocessable(self, answer: Answer, field: str, evidence: dict[str, Any]) -> Result:
        """A 422: the body lacks a field the backend asks for; it names which one."""
        wanted = _missing_field(answer)
        problem = {"username": "auth.username-required", "email": "auth.email-required"}
        if wanted in problem and wanted != field:
            return self.found(
                problem[wanted],
                tr(
                    "The backend asks for {wanted}, not {field}, to log in (HTTP 422).",
                    wanted=wanted,
                    field=field,
                ),
                evidence,
                tr("Pass --{wanted}.", wanted=wanted),
            )
        return self.found(
            "backend.not-api",
            tr(
                "The login was refused as malformed (HTTP 422): {detail}",
                detail=evidence.get("detail", "-"),
            ),
            evidence,
        )

    def _check_token(self, ctx: Context) -> Result:
        url = ctx.config.api("/auth/me")
        answer = request(self, ctx, "GET", url, headers=ctx.auth_headers())
        if isinstance(answer, Result):
            return answer
        evidence = {"url": url, **response_evidence(answer, body=False)}
        if answer.status_code in (401, 403):
            said = detail(answer) or "-"
            evidence["detail"] = said
            return self.found(
                "auth.token-invalid",
                tr(
                    "The backend refused the given token: {detail} (HTTP {status}).",
                    detail=said,
                    status=answer.status_code,
                ),
                evidence,
                tr("Pass a fresh --token, or log in with --username/--email and --password."),
            )
        if not answer.is_success:
            return unexpected(self, answer, url, body=False)
        data, _ = json_or_problem(answer, url, show_body=False)
        if isinstance(data, dict):
            ctx.user = str(data.get("username") or data.get("email") or "") or None
        return self.passed(
            tr("The given token is accepted (user {name}).", name=ctx.user or "?"), evidence
        )


def _login_field(ctx: Context, contract: Contract) -> str:
    """The field to log in with: the backend's, else what the options give."""
    if contract.login_field:
        return contract.login_field
    return "username" if ctx.config.username and not ctx.config.email else "email"


def _source(contract: Contract) -> str:
    return tr("its /openapi.json says so") if contract.source == "openapi" else tr("it said so")


def _missing_field(answer: Answer) -> str | None:
    """The body field a FastAPI 422 names as missing."""
    try:
        errors = answer.json().get("detail")
    except (ValueError, AttributeError):
        return None
    for error in errors if isinstance(errors, list) else []:
        loc = error.get("loc") if isinstance(error, dict) else None
        if isinstance(loc, list) and len(loc) == 2 and loc[0] == "body":
            return str(loc[1])
    return None


def _ask(
    ctx: Context, field: str, name: str | None, password: str | None
) -> tuple[str | None, str | None]:
    """Ask for what is missing, offering the guide's test account."""
    email, username, guide_password = GUIDE_ACCOUNT
    default = username if field == "username" else email
    if not name:
        label = tr("Username") if field == "username" else tr("Email")
        name = (ctx.ask(tr("{label} [{default}]", label=label, default=default)) or "").strip()
        name = name or default
    if not password:
        password = ctx.ask(tr("Password (Enter: the guide's test account's)"), secret=True)
        password = password or (guide_password if name == default else None)
    if password:
        ctx.redactor.add_secret(password)
    return name, password


class BackendRunLog(Check):
    """What the backend logged about the run's stream, from its log file or container."""

    id = "backend.log"
    layer = "backend"
    title = "Backend log of the run"
    after = ("sse.stream", "docker.parts")  # docker.parts finds the backend's container
    corroborates = True
    needs = ("backend.run",)

    def run(self, ctx: Context) -> Result:
        from doctor.clients.backend_logs import read_backend_log
        from doctor.report.run_log import scope
        from doctor.stream.signatures import upstream_problem

        if not ctx.run_id:
            return self.skipped(tr("No run: nothing to look for in the backend's log."))
        try:
            log = read_backend_log(ctx, _stream_start(ctx))
        except Exception as exc:  # a file or an engine that cannot be read: say why
            return self.warned(
                tr(
                    "Cannot read the backend's log: {error}",
                    error=f"{type(exc).__name__}: {exc}"[:200],
                )
            )
        if log is None:
            return self.skipped(
                tr(
                    "No backend log: pass --backend-log FILE or --backend-container NAME "
                    "(a backend container is found by itself)."
                )
            )
        found = scope(log.text.splitlines(), ctx.run_id)
        evidence: dict[str, Any] = {
            "source": log.source,
            "streams": found.streams,
            "connected": found.connected,
            "ended_lines": found.ended,
            "errors": found.errors[:5],
            "lines": found.lines[-20:],
        }
        if found.errors:
            text = found.errors[-1]
            return self.found(
                upstream_problem(text) or "sse.error-event",
                tr("The backend logged for run {run}: ❌ {text}", run=ctx.run_id, text=text),
                evidence,
            )
        if 404 in found.connected:
            return self.found(
                "run.not-found",
                tr(
                    "The backend logged `✅ SSE 連線已建立，狀態碼: 404` for run {run}: the AI "
                    "Server does not know it, and the backend forwarded its error body.",
                    run=ctx.run_id,
                ),
                evidence,
            )
        if not found.streams:
            return self.warned(
                tr(
                    "{source} has no line about a stream of run {run}: is it this backend's log?",
                    source=log.source,
                    run=ctx.run_id,
                ),
                evidence=evidence,
            )
        return self.passed(
            ntr(
                found.streams,
                "The backend logged {count} stream of run {run}: the AI Server answered "
                "{codes}; ended normally with {lines} lines.",
                "The backend logged {count} streams of run {run}: the AI Server answered "
                "{codes}; ended normally with {lines} lines.",
                run=ctx.run_id,
                codes=", ".join(map(str, found.connected)) or "-",
                lines=", ".join(map(str, found.ended)) or "-",
            ),
            evidence,
        )


def _stream_start(ctx: Context) -> Any:
    """When the doctor's own stream began (its lines are the ones to read), else the run's."""
    from datetime import datetime, timezone

    from doctor.clients.backend_logs import run_started
    from doctor.context import Artifact

    obs = ctx.artifacts.get(Artifact.SSE_OBSERVATION)
    if obs is not None and obs.started_wall:
        return datetime.fromtimestamp(obs.started_wall - 1, timezone.utc)
    return run_started(ctx.run.created_at if ctx.run else None)


CHECKS = [BackendLiveness(), BackendLogin(), BackendRunLog()]
