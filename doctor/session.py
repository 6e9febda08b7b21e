"""One doctor run: load and select checks, run them, diagnose, and keep the record."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any

from doctor.config import Config
from doctor.context import Asker, Context
from doctor.diagnosis import Finding, diagnose, exit_code
from doctor.i18n import tr
from doctor.model import Check, Result, Status
from doctor.registry import load_checks, plugins_left_out, select
from doctor.report.redact import Redactor, redact_uri
from doctor.runner import Progress, run_checks


@dataclass
class RunRecord:
    """Everything a format or the report needs about a finished run."""

    started_at: str
    duration_ms: int
    config: Config
    target: dict[str, Any]
    checks: list[Check]
    results: list[Result]
    criteria: dict[str, bool | None]
    diagnosis: list[Finding]
    artifacts: dict[str, Any] = field(default_factory=dict)
    left_out: list[tuple[int, str]] = field(default_factory=list)
    """Checks not run, and why: (how many, ``--no-docker`` / ``--skip …`` / ``--only …``)."""
    cancelled: bool = False
    """The user cancelled at a prompt: nothing is wrong, the stream was not watched."""
    interrupted: bool = False
    """Ctrl+C stopped the run: the results are those so far."""

    @property
    def summary(self) -> dict[str, int]:
        counts = {status.value: 0 for status in Status}
        for result in self.results:
            counts[result.status.value] += 1
        return counts

    @property
    def exit_code(self) -> int:
        """0 nothing found (or cancelled by the user), 1 a problem (a warning too with
        --strict), 3 inconclusive, 130 interrupted."""
        if self.interrupted:
            return 130
        found = [f for f in self.diagnosis if not (self.cancelled and f.id == "sse.not-tested")]
        return exit_code(found, self.config.strict)

    def pairs(self) -> list[tuple[Check, Result]]:
        return list(zip(self.checks, self.results))

    def redacted(self, redactor: Redactor, file: str = "") -> RunRecord:
        """A copy with every message, hint, evidence and target value redacted.

        Render this rather than redacting rendered text only: formats wrap long lines, which
        can split a secret (``Cookie:`` at the end of one line, its value on the next).
        """

        def text(value: str | None) -> str | None:
            return redactor.redact(value, file=file) if value else value

        results = [
            replace(
                result,
                message=text(result.message) or "",
                hint=text(result.hint),
                evidence=redactor.redact_obj(dict(result.evidence), file=file),
            )
            for result in self.results
        ]
        diagnosis = [
            replace(
                finding,
                title=text(finding.title) or "",
                hint=text(finding.hint) or "",
                evidence=redactor.redact_obj(dict(finding.evidence), file=file),
            )
            for finding in self.diagnosis
        ]
        target = redactor.redact_obj(dict(self.target), file=file)
        return replace(self, results=results, diagnosis=diagnosis, target=target)


def selected_checks(config: Config) -> list[Check]:
    """The registered checks that ``--only`` / ``--skip`` (and ``--no-docker``) leave."""
    return choose(config)[0]


def choose(config: Config) -> tuple[list[Check], list[tuple[int, str]]]:
    """The checks to run, and how many were left out for which option."""
    checks = load_checks()
    docker = [c.id for c in checks if c.uses_docker] if config.no_docker else []
    chosen = select(checks, config.only, [*config.skip, *docker])
    ids = {c.id for c in chosen}
    left_out: list[tuple[int, str]] = []
    plugins = plugins_left_out()
    if plugins:
        left_out.append(plugins)
    if docker:
        left_out.append((sum(1 for d in docker if d not in ids), "--no-docker"))
    without_docker = select(checks, config.only, docker) if config.skip else chosen
    if config.skip:
        left_out.append((len(without_docker) - len(chosen), "--skip " + " ".join(config.skip)))
    if config.only:
        everything = select(checks, (), docker)
        left_out.append((len(everything) - len(without_docker), "--only " + " ".join(config.only)))
    return chosen, [(count, why) for count, why in left_out if count]


def run_doctor(
    config: Config,
    ask: Asker | None = None,
    progress: Progress | None = None,
    checks: list[Check] | None = None,
    attach: Callable[[Context], None] | None = None,
) -> tuple[RunRecord, Context]:
    """Run the selected checks against the configured stack. The caller closes the context.

    Ctrl+C ends the run with the results so far (``interrupted``): the checks still to
    come are skipped as interrupted.
    """
    left_out: list[tuple[int, str]] = []
    if checks is None:
        checks, left_out = choose(config)
    ctx = Context(config, ask)
    if attach is not None:
        attach(ctx)
    started_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    started = time.monotonic()
    interrupted = False
    try:
        results = run_checks(checks, ctx, progress)
    except KeyboardInterrupt:
        interrupted = True
        stopped = Result("", Status.SKIP, tr("Not run: interrupted with Ctrl+C."))
        results = [ctx.results.get(c.id) or replace(stopped, check_id=c.id) for c in checks]
    record = RunRecord(
        started_at=started_at,
        duration_ms=round((time.monotonic() - started) * 1000),
        config=config,
        target={
            "backend_url": config.backend_url,
            "user": ctx.user,
            "project_id": ctx.project_id,
            "run_id": ctx.run_id,
            "run": _run_facts(ctx),
            "api": ctx.contract.describe() if ctx.contract else None,
            "mongo_uri": redact_uri(config.mongo_uri),
        },
        checks=checks,
        results=results,
        criteria=dict(ctx.criteria),
        diagnosis=diagnose(results, checks),
        artifacts=dict(ctx.artifacts),  # a timed-out check may still write to ctx's
        left_out=left_out,
        cancelled=ctx.cancelled,
        interrupted=interrupted,
    )
    return record, ctx


def _run_facts(ctx: Context) -> dict[str, Any] | None:
    """How the watched run was chosen and what it was before the stream."""
    run = ctx.run
    if run is None:
        return None
    return {
        "chosen": run.chosen,
        "status_before": run.status,
        "replay": run.replay,
        "created_at": run.created_at,
    }
