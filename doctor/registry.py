"""Find checks through the ``sse_doctor.checks`` entry-point group and select among them."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from importlib.metadata import entry_points
from types import ModuleType

from doctor.config import ConfigError
from doctor.model import LAYERS, Check, layer_rank

GROUP = "sse_doctor.checks"
PLUGINS_ENV = "SSE_DOCTOR_PLUGINS"
"""Comma-separated entry-point names; when set, only those load."""


def load_checks() -> list[Check]:
    """Every registered check, built-in and third-party, in dependency order."""
    allowed = {n.strip() for n in os.environ.get(PLUGINS_ENV, "").split(",") if n.strip()}
    checks: dict[str, Check] = {}
    for ep in sorted(entry_points(group=GROUP), key=lambda e: e.name):
        if allowed and ep.name not in allowed:
            continue
        source = ep.dist.name if ep.dist else ep.value
        try:
            found = _instances(ep.load())
        except Exception as exc:  # a broken plugin is a setup problem, not a crash
            raise ConfigError(GROUP, f"cannot load {ep.name} ({ep.value}): {exc}") from None
        for check in found:
            if check.id in checks:
                raise ConfigError(GROUP, f"two checks are named {check.id!r}")
            check.source = source
            checks[check.id] = check
    return order(checks.values())


def _instances(obj: object) -> list[Check]:
    """The checks an entry point names: a module's CHECKS, a Check class, or a Check."""
    if isinstance(obj, ModuleType):
        obj = getattr(obj, "CHECKS", [])
    if isinstance(obj, type) and issubclass(obj, Check):
        return [obj()]
    if isinstance(obj, Check):
        return [obj]
    found = [c() if isinstance(c, type) else c for c in obj]  # type: ignore[attr-defined]
    for check in found:
        if not isinstance(check, Check) or not isinstance(getattr(check, "id", None), str):
            raise TypeError(f"{check!r} is not a Check with an id")
    return found


def order(checks: Iterable[Check]) -> list[Check]:
    """Dependencies before dependants; otherwise upstream layers first, then by id."""
    pending = sorted(checks, key=_rank)
    known = {c.id for c in pending}
    done: set[str] = set()
    ordered: list[Check] = []
    while pending:
        ready = next(
            (c for c in pending if all(d in done or d not in known for d in _needs(c))), None
        )
        if ready is None:
            cycle = ", ".join(c.id for c in pending)
            raise ConfigError(GROUP, f"circular dependencies among {cycle}")
        ordered.append(ready)
        done.add(ready.id)
        pending.remove(ready)
    return ordered


def _needs(check: Check) -> tuple[str, ...]:
    return (*check.depends_on, *check.after, *check.needs)


def _rank(check: Check) -> tuple[int, str]:
    layer = layer_rank(check.layer)
    return layer, check.id


def select(checks: Sequence[Check], only: Sequence[str], skip: Sequence[str]) -> list[Check]:
    """Checks named by ``only`` (ids or layers, with what they depend on or need) minus
    ``skip``."""
    by_id = {c.id: c for c in checks}
    for option, names in (("--only", only), ("--skip", skip)):
        for name in names:
            if name not in by_id and name not in LAYERS and not _is_layer_of(name, checks):
                raise ConfigError(option, f"no check or layer named {name!r}")
    chosen = [c for c in checks if _matches(c, only)] if only else list(checks)
    wanted = {c.id for c in chosen}
    stack = list(wanted)
    while stack:
        check = by_id[stack.pop()]
        for dep in (*check.depends_on, *check.needs):
            if dep in by_id and dep not in wanted:
                wanted.add(dep)
                stack.append(dep)
    return [c for c in checks if c.id in wanted and not _matches(c, skip)]


def _matches(check: Check, names: Sequence[str]) -> bool:
    return check.id in names or check.layer in names


def _is_layer_of(name: str, checks: Sequence[Check]) -> bool:
    return any(c.layer == name for c in checks)
