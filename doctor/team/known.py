"""Checks whose outcome is already known: the login's run found the backend, logged in and
listed the projects once; each project's own run takes those results as given instead of
asking the backend again."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from doctor.clients.contract import Contract
from doctor.context import Artifact, Context
from doctor.i18n import tr
from doctor.model import Check, Result, Status


@dataclass
class Login:
    """What the login's run learned: the backend's API, who is logged in, the projects."""

    results: dict[str, Result]
    token: str
    user: str | None
    contract: Contract | None
    projects: dict[str, dict[str, Any]] = field(default_factory=dict)


class Known(Check):
    """A check that hands on a known result and fills the context as the check would."""

    def __init__(self, check: Check, result: Result, fill: Callable[[Context], None]) -> None:
        self.id, self.layer, self.title = check.id, check.layer, check.title
        self.depends_on = check.depends_on
        self._result, self._fill = result, fill

    def run(self, ctx: Context) -> Result:
        self._fill(ctx)
        return self._result


def given(checks: list[Check], login: Login, project_id: str | None = None) -> list[Check]:
    """``checks`` with the backend's liveness and the login answered from ``login``, and
    with ``project_id`` the project list too (that project chosen from it)."""

    def logged_in(ctx: Context) -> None:
        ctx.contract = login.contract
        ctx.set_token(login.token)
        ctx.user = login.user

    def chosen(ctx: Context) -> None:
        ctx.project_id = project_id
        ctx.artifacts[Artifact.PROJECTS] = login.projects

    listed = Result(
        "backend.projects",
        Status.PASS,
        tr("Project {id} is in the project list.", id=project_id),
        evidence={"chosen": project_id, "projects": len(login.projects)},
    )
    answers = {
        "backend.liveness": (login.results["backend.liveness"], logged_in),
        "backend.login": (login.results["backend.login"], logged_in),
    }
    if project_id is not None:
        answers["backend.projects"] = (listed, chosen)
    return [Known(c, *answers[c.id]) if c.id in answers else c for c in checks]
