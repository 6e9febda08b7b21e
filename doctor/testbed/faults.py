"""Fault names the testbed can inject, and their validation."""

from __future__ import annotations

from collections.abc import Iterable

FAULTS: tuple[str, ...] = (
    "forbidden",
    "not-found",
    "container-stopped",
    "ai-down",
    "backend-hang",
    "no-events",
    "cut-stream",
    "no-status",
    "stuck-running",
    "buffered",
    "double-framed",
    "wrong-content-type",
    "gzip",
    "slow-events",
    "mongo-down",
    "mongo-auth",
    "no-base-image",
)


def validate(faults: Iterable[str]) -> frozenset[str]:
    """Return the faults as a frozenset; raise ValueError naming any unknown one."""
    if isinstance(faults, str):
        faults = (faults,)
    chosen = frozenset(faults)
    unknown = sorted(chosen.difference(FAULTS))
    if unknown:
        raise ValueError(
            f"unknown testbed fault(s): {', '.join(unknown)}; known: {', '.join(FAULTS)}"
        )
    return chosen
