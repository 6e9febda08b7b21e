"""Backend checks: it answers, the login works, a project is chosen and that project is READY."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

import httpx

from checks.mongodb import START_MONGO
from doctor.clients.http_errors import (
    HttpProblem,
    category_for_status,
    describe_http_error,
    json_or_problem,
    response_evidence,
)
from doctor.config import PROJECT_ID
from doctor.context import Context
from doctor.i18n import tr
from doctor.model import Category, Check, Result

START_BACKEND = (
    "cd backend && source venv/bin/activate && uvicorn app.main:app --reload --port 8000"
)
LIVENESS_PATHS = ("/health", "/openapi.json")
_DATABASE = re.compile(r"database|mongo", re.I)
_WRONG_CREDENTIALS = (400, 401)


def _from_problem(check: Check, problem: HttpProblem) -> Result:
    hint = problem.hint
    if problem.evidence.get("error") == "connection-refused":
        hint = tr("Start the backend: {command}", command=START_BACKEND)
    return check.failed(problem.message, problem.category, hint, problem.evidence)


def _request(
    check: Check, ctx: Context, method: str, url: str, **kwargs: Any
) -> httpx.Response | Result:
    """The response, or a failed result when the request did not get one."""
    try:
        return ctx.http.request(method, url, **kwargs)
    except httpx.HTTPError as exc:
        return _from_problem(check, describe_http_error(exc, url, ctx.config.timeout))


def _status_failure(check: Check, response: httpx.Response, url: str, body: bool = True) -> Result:
    """A failed result for an unexpected status; a 500/503 blaming the database says so.

    The callers handle the statuses that are about the project or the account; a 404 or
    405 left over here means the API is not where --backend-url and --api-prefix say.
    """
    evidence = {"url": url, **response_evidence(response, body=body)}
    status = response.status_code
    if status in (404, 405):
        return check.failed(
            tr("{url} does not exist on the backend (HTTP {status}).", url=url, status=status),
            Category.PREREQUISITE,
            tr("Check --backend-url and --api-prefix."),
            evidence,
        )
    if status in (500, 503) and _DATABASE.search(response.text):
        return check.failed(
            tr(
                "{url} answered {status} naming the database: MongoDB behind the backend "
                "is down or unreachable.",
                url=url,
                status=status,
            ),
            Category.PREREQUISITE,
            tr(
                "Start MongoDB ({command}) and check the backend's MongoDB settings.",
                command=START_MONGO,
            ),
            {**evidence, "service": "mongodb"},
        )
    category = category_for_status(status) or Category.PREREQUISITE
    return check.failed(
        tr("{url} answered HTTP {status}.", url=url, status=status), category, evidence=evidence
    )


class BackendLiveness(Check):
    id = "backend.liveness"
    layer = "backend"
    title = "Backend answers"

    def run(self, ctx: Context) -> Result:
        base = ctx.config.backend_url
        statuses: dict[str, int] = {}
        for path in LIVENESS_PATHS:
            url = base + path
            response = _request(self, ctx, "GET", url)
            if isinstance(response, Result):
                return response
            statuses[path] = response.status_code
            if response.is_success:
                return self._answered(url, response, statuses)
        return self.failed(
            tr(
                "The backend at {url} answers, but GET /health gave {health} and "
                "GET /openapi.json gave {openapi}.",
                url=base,
                health=statuses["/health"],
                openapi=statuses["/openapi.json"],
            ),
            Category.PREREQUISITE,
            tr(
                "Check --backend-url; the backend is started with: {command}", command=START_BACKEND
            ),
            {"statuses": statuses, **response_evidence(response)},
        )

    def _answered(self, url: str, response: httpx.Response, statuses: dict[str, int]) -> Result:
        evidence = {"url": url, **response_evidence(response)}
        health = statuses["/health"]
        if url.endswith("/health"):
            return self.passed(
                tr("The backend answers at {url} (HTTP {status}).", url=url, status=health),
                evidence,
            )
        evidence["health_status"] = health
        if health in (404, 405):
            return self.passed(
                tr("The backend answers at {url} (it has no /health).", url=url), evidence
            )
        return self.warned(
            tr(
                "The backend serves {url}, but GET /health answered {status}.",
                url=url,
                status=health,
            ),
            evidence=evidence,
        )


class BackendLogin(Check):
    id = "backend.login"
    layer = "backend"
    title = "Login"
    depends_on = ("backend.liveness",)

    def run(self, ctx: Context) -> Result:
        if ctx.token:
            return self._check_token(ctx)
        email, password = ctx.config.email, ctx.config.password
        if not (email and password) and ctx.interactive:
            email = email or ctx.ask(tr("Email"))
            password = password or ctx.ask(tr("Password"), secret=True)
            if password:
                ctx.redactor.add_secret(password)
        if not (email and password):
            return self.skipped(
                tr(
                    "No credentials: give --email and --password (or SSE_DOCTOR_EMAIL and "
                    "SSE_DOCTOR_PASSWORD), or a token with --token or SSE_DOCTOR_TOKEN."
                )
            )
        return self._login(ctx, email, password)

    def _login(self, ctx: Context, email: str, password: str) -> Result:
        url = ctx.config.api("/auth/login")
        response = _request(self, ctx, "POST", url, json={"email": email, "password": password})
        as_form = isinstance(response, httpx.Response) and response.status_code == 422
        if as_form:
            form = {"username": email, "password": password}
            response = _request(self, ctx, "POST", url, data=form)
        if isinstance(response, Result):
            return response
        evidence = {"url": url, "form": as_form, **response_evidence(response, body=False)}
        if response.status_code in _WRONG_CREDENTIALS:
            return self.failed(
                tr(
                    "The backend rejected the email or password of {email} (HTTP {status}): "
                    "wrong credentials, not a network problem.",
                    email=email,
                    status=response.status_code,
                ),
                Category.HTTP_403_404,
                tr("Check --email and --password (or SSE_DOCTOR_EMAIL and SSE_DOCTOR_PASSWORD)."),
                evidence,
            )
        if not response.is_success:
            return _status_failure(self, response, url, body=False)
        data, problem = json_or_problem(response, url, show_body=False)
        if problem:
            return _from_problem(self, problem)
        token = next(
            (
                data[key]
                for key in ("access_token", "token")
                if isinstance(data, dict) and isinstance(data.get(key), str) and data[key]
            ),
            None,
        )
        if token is None:
            return self.failed(
                tr("The login answer from {url} holds neither access_token nor token.", url=url),
                Category.PREREQUISITE,
                tr("Check --api-prefix: is {url} the backend's login?", url=url),
                evidence,
            )
        ctx.set_token(token)
        return self.passed(tr("Logged in as {email}.", email=email), evidence)

    def _check_token(self, ctx: Context) -> Result:
        url = ctx.config.api("/projects")
        response = _request(self, ctx, "GET", url, headers=ctx.auth_headers())
        if isinstance(response, Result):
            return response
        evidence = {"url": url, **response_evidence(response, body=False)}
        if response.status_code in (401, 403):
            return self.failed(
                tr(
                    "The backend rejected the given token (HTTP {status}); it may have expired.",
                    status=response.status_code,
                ),
                Category.HTTP_403_404,
                tr(
                    "Pass a fresh token with --token or SSE_DOCTOR_TOKEN, or log in with "
                    "--email and --password instead."
                ),
                evidence,
            )
        if not response.is_success:
            return _status_failure(self, response, url, body=False)
        return self.passed(tr("The given token is used; the backend accepts it."), evidence)


class BackendProjects(Check):
    id = "backend.projects"
    layer = "backend"
    title = "Project list"
    depends_on = ("backend.login",)

    def run(self, ctx: Context) -> Result:
        url = ctx.config.api("/projects")
        response = _request(self, ctx, "GET", url, headers=ctx.auth_headers())
        if isinstance(response, Result):
            return response
        evidence: dict[str, Any] = {"url": url, **response_evidence(response)}
        if response.status_code in (401, 403):
            return self.failed(
                tr(
                    "The backend refused the token for {url} (HTTP {status}).",
                    url=url,
                    status=response.status_code,
                ),
                Category.HTTP_403_404,
                evidence=evidence,
            )
        if not response.is_success:
            return _status_failure(self, response, url)
        data, problem = json_or_problem(response, url)
        if problem:
            return _from_problem(self, problem)
        items = data.get("items") if isinstance(data, dict) else data
        if not isinstance(items, list):
            return self.failed(
                tr('{url} answered neither a list nor {{"items": [...]}}.', url=url),
                Category.PREREQUISITE,
                tr("Check --backend-url and --api-prefix."),
                evidence,
            )
        projects = _projects(items)
        ready = [pid for pid, _, status in projects if status == "READY"]
        evidence.update(projects=len(projects), ready=ready[:10])
        return self._choose(ctx, projects, ready, evidence)

    def _choose(
        self,
        ctx: Context,
        projects: list[tuple[str, str, str]],
        ready: list[str],
        evidence: dict[str, Any],
    ) -> Result:
        given = ctx.config.project
        if given:
            listed = {pid: status for pid, _, status in projects}
            if given in listed:
                message = tr(
                    "Using project {id} (status {status}).", id=given, status=listed[given]
                )
            else:
                message = tr(
                    "Using project {id} as given; it is not among the {count} projects "
                    "listed (the list may be paged).",
                    id=given,
                    count=len(projects),
                )
            return self._chosen(ctx, given, message, evidence)
        if len(ready) == 1:
            message = tr("Using the only READY project, {id}.", id=ready[0])
            return self._chosen(ctx, ready[0], message, evidence)
        if projects and ctx.interactive:
            return self._ask(ctx, projects, evidence)
        if not projects:
            return self.failed(
                tr("The account has no projects."),
                Category.PREREQUISITE,
                tr("Create a project (front end or API) and provision it until it is READY."),
                evidence,
            )
        if not ready:
            return self.failed(
                tr(
                    "None of the {count} projects is READY ({projects}).",
                    count=len(projects),
                    projects=", ".join(f"{pid} {status}" for pid, _, status in projects[:10]),
                ),
                Category.PREREQUISITE,
                tr("Provision a project until it is READY, then name it with --project."),
                evidence,
            )
        return self.skipped(
            tr(
                "{count} projects are READY ({ids}); choose one with --project.",
                count=len(ready),
                ids=", ".join(ready),
            ),
            evidence,
        )

    def _ask(
        self, ctx: Context, projects: list[tuple[str, str, str]], evidence: dict[str, Any]
    ) -> Result:
        choices = [f"{pid}  {name}  [{status}]" for pid, name, status in projects]
        answer = (ctx.ask(tr("Choose a project (number or id)"), choices) or "").strip()
        ids = [pid for pid, _, _ in projects]
        if answer.isdigit() and 1 <= int(answer) <= len(ids):
            answer = ids[int(answer) - 1]
        if not answer:
            return self.skipped(tr("No project was chosen."), evidence)
        message = tr("Using project {id}, chosen at the prompt.", id=answer)
        return self._chosen(ctx, answer, message, evidence)

    def _chosen(
        self, ctx: Context, project_id: str, message: str, evidence: dict[str, Any]
    ) -> Result:
        if not PROJECT_ID.fullmatch(project_id):
            return self.failed(
                tr("{id!r} cannot be part of a container name.", id=project_id),
                Category.HTTP_403_404,
                tr("Check the project ID and permissions (--project)."),
                evidence,
            )
        ctx.project_id = project_id
        evidence["chosen"] = project_id
        return self.passed(message, evidence)


def _projects(items: list[Any]) -> list[tuple[str, str, str]]:
    """(id, name, status) of each project entry that has an id."""
    projects = []
    for item in items:
        if not isinstance(item, dict):
            continue
        pid = item.get("id", item.get("_id"))
        if pid is not None:
            projects.append((str(pid), str(item.get("name", "")), str(item.get("status", ""))))
    return projects


class BackendProject(Check):
    id = "backend.project"
    layer = "backend"
    title = "Project is READY"
    depends_on = ("backend.projects",)

    def run(self, ctx: Context) -> Result:
        project_id = ctx.project_id
        if not project_id:
            return self.skipped(tr("No project was chosen: give --project."))
        url = ctx.config.api(f"/projects/{quote(project_id, safe='')}")
        response = _request(self, ctx, "GET", url, headers=ctx.auth_headers())
        if isinstance(response, Result):
            return response
        evidence: dict[str, Any] = {"url": url, "project_id": project_id}
        evidence.update(response_evidence(response))
        if response.status_code in (401, 403, 404):
            return self.failed(
                tr(
                    "Project {id}: the backend answered {status} (not found, or not "
                    "accessible with this account).",
                    id=project_id,
                    status=response.status_code,
                ),
                Category.HTTP_403_404,
                tr("Check the project ID and permissions (--project)."),
                evidence,
            )
        if not response.is_success:
            return _status_failure(self, response, url)
        data, problem = json_or_problem(response, url)
        if problem:
            return _from_problem(self, problem)
        status = data.get("status") if isinstance(data, dict) else None
        evidence["project_status"] = status
        if status == "READY":
            return self.passed(tr("Project {id} is READY.", id=project_id), evidence)
        return self.failed(
            tr(
                "Project {id} status is {status}, not READY (provision it first).",
                id=project_id,
                status=status,
            ),
            Category.PREREQUISITE,
            tr(
                "Provision the project (front end or API) until it is READY, or choose "
                "another one with --project."
            ),
            evidence,
        )


CHECKS = [BackendLiveness(), BackendLogin(), BackendProjects(), BackendProject()]
