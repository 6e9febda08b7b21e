"""Read all results together and name the causes, one finding per catalogue problem.

Evidence rules:

- a finding is made only from a result that saw its problem (the checks name problems by
  what they observed; see ``doctor.catalogue``);
- a stream that passed demotes the problems that did not affect it (MongoDB, Docker and
  the base image as the doctor sees them, the container with ``--ai-url``, the network) to
  warnings; a stream whose backend resolved the container's name (its error is a refused
  or cut connection to it) demotes the problems that would have kept the name from
  resolving;
- the stream not observed to a verdict (no run, or every way to it skipped) is the
  inconclusive ``sse.not-tested``, and the doctor's own cut of a healthy-looking stream is
  ``sse.observation-cut``: neither is a fault of the stack.

Findings come problems first (most upstream layer first), then warnings, then the
inconclusive ones.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from doctor.catalogue import BY_ID
from doctor.i18n import tr
from doctor.model import Category, Check, Result, Status, layer_rank

PROBLEM, WARNING, INCONCLUSIVE = "problem", "warning", "inconclusive"
SEVERITIES = (PROBLEM, WARNING, INCONCLUSIVE)
OFF_THE_PATH = ("mongodb.", "docker.", "image.", "container.", "network.")
"""Problems a working stream shows did not matter to it: the doctor's view of them (a
stream that came through crossed the network, whatever the doctor saw of it)."""
_AI_GONE = {
    "network.container-unresolvable",
    "sse.upstream-unreachable",
    "sse.upstream-cut",
    "ai.down",
    "ai.timeout",
    "run.not-found",
    "sse.events-lost",
    "sse.no-status",
}
NAME_PROBLEMS = frozenset(
    {
        "network.missing",
        "network.host-backend",
        "network.container-elsewhere",
        "network.backend-elsewhere",
        "network.container-unresolvable",
    }
)
"""Problems that keep the backend from resolving the container's name."""
RESOLVED = frozenset({"sse.upstream-unreachable", "sse.upstream-cut"})
"""Stream problems that show the backend resolved the name (and then failed to connect)."""
_UNRESOLVABLE = {"network.container-unresolvable", "run.not-found", "sse.events-lost"}
EXPLAINS: dict[str, set[str]] = {
    "container.missing": _AI_GONE | {"container.stopped"},
    "container.stopped": _AI_GONE,
    "container.restarting": _AI_GONE,
    "sse.upstream-unreachable": {"ai.down", "ai.timeout", "run.not-found", "sse.events-lost"},
    "network.container-unresolvable": {"run.not-found", "sse.events-lost"},
    # Why the backend cannot resolve the container (after the entry above, which folds in
    # what the unresolvable name explains): the first of these that was seen.
    "network.host-backend": _UNRESOLVABLE,
    "network.missing": _UNRESOLVABLE,
    "network.container-elsewhere": _UNRESOLVABLE,
    "network.backend-elsewhere": _UNRESOLVABLE,
    "env.api-key-missing": {"agent.no-api-key"},
    "env.postgres-url-missing": {"agent.postgres"},
    "postgres.localhost": {"agent.postgres"},
    "postgres.unreachable": {"agent.postgres"},
    "sse.upstream-cut": {"ai.down", "ai.timeout", "run.not-found", "sse.events-lost"},
    "run.not-found": {"sse.events-lost"},
    "sse.flood": {"sse.events-lost"},
    "mongodb.down": {"backend.error"},
}
"""A cause and the problems it produces downstream: one finding shows both."""


@dataclass(frozen=True)
class Finding:
    """One cause: its problem id, how bad, what was seen, the checks that show it, the fix."""

    id: str
    category: Category | None
    severity: str
    basis: str
    title: str
    checks: tuple[str, ...]
    hint: str
    evidence: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class _Seen:
    """A problem one result shows."""

    id: str
    status: Status
    title: str
    hint: str | None
    check: Check
    result: Result


def diagnose(results: Sequence[Result], checks: Sequence[Check]) -> list[Finding]:
    """The findings of a run, one per problem id, most severe and most upstream first."""
    if not results:
        return [_nothing_checked()]
    by_id = {check.id: check for check in checks}
    seen = [s for result in results if (c := by_id.get(result.check_id)) for s in _seen(c, result)]
    stream = next((r for r in results if r.check_id == "sse.stream"), None)
    stream_passed = stream is not None and (
        stream.status is Status.PASS
        or (stream.status is Status.WARN and not _inconclusive(stream.problem or ""))
    )
    resolved = stream_passed or any(
        item.id in RESOLVED and item.check.id == "sse.stream" for item in seen
    )
    grouped: dict[str, list[_Seen]] = {}
    for item in seen:
        grouped.setdefault(item.id, []).append(item)
    _merge_explained(grouped)
    findings = [
        _finding(problem_id, members, stream_passed, resolved)
        for problem_id, members in grouped.items()
    ]
    if stream is not None and stream.status is Status.SKIP and not grouped:
        findings.append(_not_tested(stream, results))
    order = {problem.id: i for i, problem in enumerate(BY_ID.values())}

    def rank(finding: Finding) -> tuple[int, int, int]:
        layer = (
            min(layer_rank(by_id[c].layer) for c in finding.checks if c in by_id)
            if finding.checks
            else 99
        )
        return SEVERITIES.index(finding.severity), layer, order.get(finding.id, len(order))

    return sorted(findings, key=rank)


def _merge_explained(grouped: dict[str, list[_Seen]]) -> None:
    """Fold each problem into the cause that explains it, when both were seen."""
    for cause, effects in EXPLAINS.items():
        if cause in grouped:
            for effect in sorted(effects & grouped.keys()):
                grouped[cause].extend(replace(s, id=cause) for s in grouped.pop(effect))


def _seen(check: Check, result: Result) -> list[_Seen]:
    """The problems a result shows: its own, and those its evidence lists (the stream's)."""
    items = []
    own = result.problem or _legacy_id(result)
    if own and (result.status in (Status.FAIL, Status.ERROR, Status.WARN) or _inconclusive(own)):
        items.append(_Seen(own, result.status, result.message, result.hint, check, result))
    for extra in result.evidence.get("problems", ())[1:]:
        if isinstance(extra, Mapping) and extra.get("id") in BY_ID:
            status = Status(extra.get("status", "fail"))
            items.append(
                _Seen(
                    extra["id"],
                    status,
                    str(extra.get("message", "")),
                    extra.get("hint"),
                    check,
                    result,
                )
            )
    return items


def _legacy_id(result: Result) -> str | None:
    """Results without a problem id (a plugin's): an error, or a failed check."""
    if result.status is Status.ERROR:
        return "check.error"
    if result.status in (Status.FAIL, Status.WARN) and result.category is not None:
        return "check.failed"
    return None


def _inconclusive(problem_id: str) -> bool:
    entry = BY_ID.get(problem_id)
    return entry is not None and entry.inconclusive


def _finding(
    problem_id: str, members: list[_Seen], stream_passed: bool, resolved: bool = False
) -> Finding:
    members.sort(
        key=lambda s: (s.status is Status.WARN, s.check.corroborates, layer_rank(s.check.layer))
    )
    cause = next((s for s in members if _names(s, problem_id)), members[0])
    entry = BY_ID.get(problem_id)
    if entry is not None and entry.inconclusive:
        severity = INCONCLUSIVE
    elif any(s.status in (Status.FAIL, Status.ERROR) for s in members):
        severity = PROBLEM
    else:
        severity = WARNING
    if severity == PROBLEM and stream_passed and problem_id.startswith(OFF_THE_PATH):
        severity = WARNING
    if severity == PROBLEM and resolved and problem_id in NAME_PROBLEMS:
        severity = WARNING
    category = entry.category if entry is not None and entry.category else cause.result.category
    hint = cause.hint or (tr(entry.fix) if entry is not None else "")
    return Finding(
        id=problem_id,
        category=category,
        severity=severity,
        basis=cause.result.basis,
        title=cause.title,
        checks=tuple(dict.fromkeys(s.check.id for s in members)),
        hint=hint,
        evidence=dict(cause.result.evidence) if cause.result.problem == problem_id else {},
    )


def _names(seen: _Seen, problem_id: str) -> bool:
    """Whether the result itself named the problem (not one it explains)."""
    extra = [
        p.get("id") for p in seen.result.evidence.get("problems", ()) if isinstance(p, Mapping)
    ]
    return seen.result.problem == problem_id or problem_id in extra


def _not_tested(stream: Result, results: Sequence[Result]) -> Finding:
    """The stream was never reached: say what stopped the way to it."""
    by_id = {r.check_id: r for r in results}
    reason, current = stream.message, stream
    for _ in range(len(results)):
        blocker = by_id.get(str(current.evidence.get("blocked_by", "")))
        if blocker is None:
            break
        reason, current = blocker.message, blocker
    title = tr("The stream was not tested: {reason}", reason=reason)
    return _not_tested_finding(title, (current.check_id,))


def _nothing_checked() -> Finding:
    title = tr("Nothing was checked: no check was selected, or none is registered.")
    hint = tr("Check --only, --skip and SSE_DOCTOR_PLUGINS; `sse-doctor checks` lists them.")
    return _not_tested_finding(title, (), hint)


def _not_tested_finding(title: str, checks: tuple[str, ...], hint: str | None = None) -> Finding:
    """An ``sse.not-tested`` finding: inconclusive, with the catalogue's fix by default."""
    entry = BY_ID["sse.not-tested"]
    return Finding(
        id=entry.id,
        category=None,
        severity=INCONCLUSIVE,
        basis="observed",
        title=title,
        checks=checks,
        hint=hint if hint is not None else tr(entry.fix),
    )


def exit_code(findings: Sequence[Finding], strict: bool = False) -> int:
    """0 nothing found, 1 a problem (or, with ``strict``, a warning), 3 inconclusive."""
    severities = {finding.severity for finding in findings}
    if PROBLEM in severities or (strict and WARNING in severities):
        return 1
    return 3 if INCONCLUSIVE in severities else 0
