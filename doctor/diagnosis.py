"""Read all results together and name root causes in the guide's categories."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from doctor.model import LAYERS, Category, Check, Result, Status


@dataclass(frozen=True)
class Finding:
    """One root cause: its category, what was seen, the checks that show it, what to do."""

    category: Category
    title: str
    checks: tuple[str, ...]
    hint: str


def diagnose(results: Sequence[Result], checks: Sequence[Check]) -> list[Finding]:
    """One finding per category, the most upstream cause first, failures before warnings.

    The title is the message of the most upstream check that shows the category, so that
    "SSE 503" and "container Exited (137)" read as "the project's container is not running".
    """
    layer_of = {c.id: c.layer for c in checks}
    order = {cid: i for i, cid in enumerate(c.id for c in checks)}
    groups: dict[Category, list[Result]] = {}
    for result in results:
        if result.category is None or result.status not in (Status.FAIL, Status.ERROR, Status.WARN):
            continue
        groups.setdefault(result.category, []).append(result)

    def upstream(result: Result) -> tuple[int, int, int]:
        layer = layer_of.get(result.check_id, "")
        depth = LAYERS.index(layer) if layer in LAYERS else len(LAYERS)
        return (result.status == Status.WARN, depth, order.get(result.check_id, len(order)))

    findings = []
    for category, members in groups.items():
        members.sort(key=upstream)
        cause = members[0]
        findings.append(
            (
                (*upstream(cause)[:2], list(Category).index(category)),
                Finding(
                    category,
                    cause.message,
                    tuple(r.check_id for r in members),
                    cause.hint or category.hint,
                ),
            )
        )
    return [finding for _, finding in sorted(findings, key=lambda pair: pair[0])]
