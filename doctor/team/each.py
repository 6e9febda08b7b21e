"""``run --all-projects``: the full doctor on every READY project, at once, one line each."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

from doctor.config import LATEST_RUN, Config, ConfigError
from doctor.context import Asker, Context
from doctor.diagnosis import INCONCLUSIVE, PROBLEM
from doctor.formats import json as json_format
from doctor.formats.text import ASCII_MARKS, MARKS, finding_heading, shown
from doctor.i18n import ntr, tr
from doctor.model import Status
from doctor.session import RunRecord, choose, run_doctor
from doctor.team.known import given
from doctor.team.survey import for_each, login_and_list, project_title

SCHEMA = "sse-doctor-projects/1"


@dataclass
class ProjectRun:
    """One READY project's doctor run; its context stays open for the report."""

    project_id: str
    title: str
    record: RunRecord
    ctx: Context


@dataclass
class Fleet:
    """The login's record, and a run per READY project (None when the login failed)."""

    login: RunRecord
    runs: list[ProjectRun] | None

    @property
    def exit_code(self) -> int:
        """1 when a project has a problem, else 3 when one is inconclusive (or none is
        READY), else 0; the login's own status when it failed."""
        if self.runs is None:
            return self.login.exit_code or 1
        codes = {run.record.exit_code for run in self.runs}
        if 1 in codes:
            return 1
        return 3 if 3 in codes or not self.runs else 0

    def close(self) -> None:
        for run in self.runs or ():
            run.ctx.close()


def refuse_one_project_options(config: Config) -> None:
    """--all-projects chooses the projects and their newest runs itself."""
    for flag, given_value in (
        ("--project", config.project),
        ("--run", config.run not in (None, LATEST_RUN)),
        ("--new-run", config.new_run),
    ):
        if given_value:
            raise ConfigError(flag, "cannot be combined with --all-projects")


def run_each(config: Config, ask: Asker | None = None) -> Fleet:
    """Log in once, then the whole doctor on every READY project, each its newest run."""
    record, login = login_and_list(config, ask)
    if login is None:
        return Fleet(record, None)
    mine = replace(config, token=login.token, run=LATEST_RUN, new_run=False)
    checks, _ = choose(mine)
    ready = [pid for pid, p in login.projects.items() if p.get("status") == "READY"]

    def one(project_id: str) -> ProjectRun:
        chosen = replace(mine, project=project_id)
        outcome, ctx = run_doctor(chosen, None, checks=given(checks, login, project_id))
        return ProjectRun(project_id, project_title(login.projects[project_id]), outcome, ctx)

    return Fleet(record, for_each(ready, one))


def summary_line(run: ProjectRun, marks: dict[Status, str]) -> str:
    """``✗ <id>  <title>: <the first finding>``, or that nothing was found."""
    findings = run.record.diagnosis
    first = next((f for f in findings if f.severity == PROBLEM), None)
    first = first or next((f for f in findings if f.severity == INCONCLUSIVE), None)
    first = first or next(iter(findings), None)
    if first is None:
        return f"{marks[Status.PASS]} {run.project_id}  {shown(run.title)}: " + tr(
            "No problem found."
        )
    mark = {PROBLEM: Status.FAIL, INCONCLUSIVE: Status.SKIP}.get(first.severity, Status.WARN)
    heading = finding_heading(first)
    return f"{marks[mark]} {run.project_id}  {shown(run.title)}: {heading} ({first.id})"


def render_text(fleet: Fleet, ascii_only: bool = False) -> str:
    """A line per READY project, then the verdict over all of them."""
    marks = ASCII_MARKS if ascii_only else MARKS
    runs = fleet.runs or []
    lines = [summary_line(run, marks) for run in runs]
    problems = sum(1 for run in runs if run.record.exit_code == 1)
    if not runs:
        lines.append(f"{marks[Status.SKIP]} " + tr("No READY project to run the doctor on."))
    elif problems:
        found = ntr(
            problems,
            "{count} of {total} READY projects has a problem",
            "{count} of {total} READY projects have a problem",
            total=len(runs),
        )
        lines += [
            "",
            f"{marks[Status.FAIL]} {found}; "
            + tr("`sse-doctor run --project ID` shows one in full"),
        ]
    else:
        lines += ["", f"{marks[Status.PASS]} " + tr("No READY project has a problem.")]
    return "\n".join(lines) + "\n"


def render_json(fleet: Fleet) -> str:
    """One document: each project's ``sse-doctor/1`` document, redacted by its own run."""
    projects = [
        {
            "id": run.project_id,
            "title": run.title,
            "run": json_format.document(run.record.redacted(run.ctx.redactor)),
        }
        for run in fleet.runs or []
    ]
    document: dict[str, Any] = {
        "schema": SCHEMA,
        "projects": projects,
        "exit_code": fleet.exit_code,
    }
    return json.dumps(document, ensure_ascii=False, indent=2, default=str) + "\n"
