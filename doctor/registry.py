"""Find checks through the ``sse_doctor.checks`` entry-point group and select among them."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from importlib.metadata import entry_points
from types import ModuleType

from doctor.config import ConfigError
from doctor.i18n import tr
from doctor.model import LAYER_NAMES, Check, layer_rank

GROUP = "sse_doctor.checks"
PLUGINS_ENV = "SSE_DOCTOR_PLUGINS"
"""Comma-separated entry-point names; when set, only those load."""


def _allowed() -> set[str]:
    return {n.strip() for n in os.environ.get(PLUGINS_ENV, "").split(",") if n.strip()}


def load_checks() -> list[Check]:
    """Every registered check, built-in and third-party, in dependency order."""
    allowed = _allowed()
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


def plugins_left_out() -> tuple[int, str] | None:
    """How many checks ``SSE_DOCTOR_PLUGINS`` leaves out, and the setting (with the names in
    it that no plugin has); None when it is not set or leaves nothing out."""
    allowed = _allowed()
    if not allowed:
        return None
    registered = {ep.name: ep for ep in entry_points(group=GROUP)}
    count = 0
    for name, ep in registered.items():
        if name not in allowed:
            try:
                count += len(_instances(ep.load()))
            except Exception:  # a broken plugin that is not loaded anyway counts as one
                count += 1
    if not count:
        return None
    setting = f"{PLUGINS_ENV}={','.join(sorted(allowed))}"
    unknown = sorted(allowed - registered.keys())
    if unknown:
        setting = tr(
            "{setting} (no plugin is named {names}; registered: {known})",
            setting=setting,
            names=", ".join(unknown),
            known=", ".join(sorted(registered)),
        )
    return count, setting


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
    """Checks named by ``only``, with what they depend on or need, minus those ``skip`` names.

    A name is a check id (``containers.project``), an id prefix (``containers``), a layer
    (``container``) or its heading (``Containers``, any case); an unknown name is an error
    that lists the valid ones.
    """
    by_id = {c.id: c for c in checks}
    named_only = {i for name in only for i in resolve(name, checks, "--only")}
    named_skip = {i for name in skip for i in resolve(name, checks, "--skip")}
    wanted = set(named_only) if only else set(by_id)
    stack = list(wanted)
    while stack:
        check = by_id[stack.pop()]
        for dep in (*check.depends_on, *check.needs):
            if dep in by_id and dep not in wanted:
                wanted.add(dep)
                stack.append(dep)
    return [c for c in checks if c.id in wanted and c.id not in named_skip]


def resolve(name: str, checks: Sequence[Check], option: str) -> set[str]:
    """The ids a selection name stands for; ConfigError naming the valid names when none."""
    key = name.strip().lower()
    found = {
        c.id
        for c in checks
        if c.id == name
        or c.id.startswith(f"{name}.")
        or c.layer == key
        or LAYER_NAMES.get(c.layer, "").lower() == key
    }
    if not found:
        layers = sorted({c.layer for c in checks}, key=layer_rank)
        headings = [LAYER_NAMES[layer] for layer in layers if layer in LAYER_NAMES]
        prefixes = sorted({c.id.split(".")[0] for c in checks})
        raise ConfigError(
            option,
            f"no check or layer named {name!r}; use a layer ({', '.join(layers)}), a heading "
            f"({', '.join(headings)}), an id prefix ({', '.join(prefixes)}) or a check id "
            "(`sse-doctor checks` lists them)",
        )
    return found
