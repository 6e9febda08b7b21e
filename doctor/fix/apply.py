"""Carrying the repairs out: each one decided first (yes at the prompt, --yes, or only shown
with --dry-run), every decision and outcome logged with its UTC time, then the checks that
show whether it worked run again, before and after side by side."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len

from doctor.config import LATEST_RUN
from doctor.context import Context
from doctor.i18n import tr
from doctor.model import Result
from doctor.session import RunRecord, run_doctor

if TYPE_CHECKING:
    from doctor.fix.plan import Repair

APPLY, SHOW, REFUSE, DECLINE = "apply", "dry-run", "not confirmed", "declined"
"""What can be decided about a repair."""
SETTLE_PROBES = 3
SETTLE_PAUSE_S = 0.5


@dataclass
class Action:
    """A repair, what was decided, and what came of it."""

    repair: Repair
    decision: str
    outcome: str
    """``applied``, ``failed: <why>``, or the decision when nothing was done."""
    at: str

    @property
    def applied(self) -> bool:
        return self.outcome == "applied"


def carry_out(
    repairs: Sequence[Repair], client: Any, decide: Callable[[Repair], str]
) -> list[Action]:
    """Decide and apply each repair in turn; a failure is logged, never raised."""
    actions = []
    for repair in repairs:
        decision = decide(repair)
        outcome = decision
        if decision == APPLY:
            try:
                repair.apply(client)
                outcome = "applied"
            except Exception as exc:  # the engine's refusal is the outcome to report
                reason = getattr(exc, "explanation", None) or exc
                outcome = "failed: " + " ".join(str(reason).split())[:300]
        stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        actions.append(Action(repair, decision, outcome, stamp))
    return actions


def recheck(ctx: Context, actions: Sequence[Action]) -> RunRecord | None:
    """The checks the applied repairs name, run again (and what they need); None when no
    repair was applied. A container just started may take a moment to answer: while a check
    of such a repair fails, they run again, for at most SETTLE_PROBES times the probe
    timeout."""
    wanted = tuple(dict.fromkeys(c for a in actions if a.applied for c in a.repair.recheck))
    if not wanted:
        return None
    started = {c for a in actions if a.applied and a.repair.starts for c in a.repair.recheck}
    config = replace(
        ctx.config,
        only=wanted,
        skip=(),
        project=ctx.project_id or ctx.config.project,
        run=ctx.run_id or LATEST_RUN,
        new_run=False,
        token=ctx.token or ctx.config.token,
    )
    give_up = time.monotonic() + SETTLE_PROBES * config.timeout
    while True:
        after, after_ctx = run_doctor(config, None)
        after_ctx.close()
        settled = all(r.status.ok for r in after.results if r.check_id in started)
        if settled or time.monotonic() >= give_up:
            return after
        time.sleep(SETTLE_PAUSE_S)


def log_lines(
    actions: Sequence[Action], before: RunRecord, after: RunRecord | None, marks: dict[Any, str]
) -> list[str]:
    """The repairs section: each command with its outcome and time, then before and after."""
    lines = [tr("Repairs")]
    for action in actions:
        lines.append(f"  $ {action.repair.shown}")
        lines.append("    " + tr("{outcome} at {time}", outcome=action.outcome, time=action.at))
    if after is None:
        return lines
    old = {r.check_id: r for r in before.results}
    wanted = dict.fromkeys(c for a in actions if a.applied for c in a.repair.recheck)
    width = max((len(c) for c in wanted), default=0)
    was_label, now_label = _padded(tr("before"), tr("after"))
    for check_id in wanted:
        now = next((r for r in after.results if r.check_id == check_id), None)
        if now is None:
            continue
        was = old.get(check_id)
        lines.append(f"  {check_id:<{width}}  {was_label} {_brief(was, marks)}")
        lines.append(f"  {'':<{width}}  {now_label} {_brief(now, marks)}")
    return lines


def _padded(*labels: str) -> list[str]:
    """The labels padded to one display width (a translation may have wide characters)."""
    room = max(cell_len(label) for label in labels)
    return [label + " " * (room - cell_len(label)) for label in labels]


def _brief(result: Result | None, marks: dict[Any, str]) -> str:
    if result is None:
        return "-"
    return f"{marks[result.status]} {result.message}"
