"""Read all results together and name root causes in the guide's categories."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from doctor.model import Category, Check, Result, Status, layer_rank

AVAILABILITY = frozenset({Category.PREREQUISITE, Category.TIMEOUT})
"""Categories that say a service is down or silent: one cause per service."""
SERVICE_LAYERS = frozenset({"mongodb", "docker", "image", "backend"})
"""Layers that are services of their own; the container, its AI Server and the stream are
one path."""


@dataclass(frozen=True)
class Finding:
    """One root cause: its category, what was seen, the checks that show it, what to do."""

    category: Category
    title: str
    checks: tuple[str, ...]
    hint: str


def diagnose(results: Sequence[Result], checks: Sequence[Check]) -> list[Finding]:
    """One finding per cause, the most upstream first, failures before warnings.

    A cause is a category, except that a service down or silent (``prerequisite``,
    ``timeout``) is a cause per service: MongoDB, Docker, the base image, the backend, or
    the stream path (container, AI Server, stream). A result may name the service it
    blames in ``evidence["service"]`` (the backend's login failing because MongoDB is
    down). The title is the message of the most upstream result of the cause, so that
    "SSE 503" and "container Exited (137)" read as "the project's container is not running".
    """
    layer_of = {c.id: c.layer for c in checks}
    order = {check_id: i for i, check_id in enumerate(c.id for c in checks)}
    causes: dict[tuple[Category, str], list[Result]] = {}
    for result in results:
        if result.category is None or result.status not in (Status.FAIL, Status.ERROR, Status.WARN):
            continue
        causes.setdefault((result.category, _service(result, layer_of)), []).append(result)

    def upstream(result: Result) -> tuple[int, int, int]:
        layer = layer_of.get(result.check_id, "")
        depth = layer_rank(layer)
        return (result.status == Status.WARN, depth, order.get(result.check_id, len(order)))

    findings = []
    for (category, _), members in causes.items():
        members.sort(key=upstream)
        cause = members[0]
        key = (*upstream(cause)[:2], list(Category).index(category))
        finding = Finding(
            category, cause.message, tuple(r.check_id for r in members), cause.hint or category.hint
        )
        findings.append((key, finding))
    return [finding for _, finding in sorted(findings, key=lambda pair: pair[0])]


def _service(result: Result, layer_of: dict[str, str]) -> str:
    """What a result blames, for telling causes of one category apart."""
    if result.category not in AVAILABILITY:
        return ""
    layer = layer_of.get(result.check_id, "")
    return result.evidence.get("service") or (layer if layer in SERVICE_LAYERS else "stream")
