"""The ``sse-doctor/1`` JSON document."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from doctor import __version__
from doctor.i18n import tr
from doctor.model import CRITERIA

if TYPE_CHECKING:
    from doctor.diagnosis import Finding
    from doctor.session import RunRecord

SCHEMA = "sse-doctor/1"
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def document(record: RunRecord) -> dict[str, Any]:
    """The run as a plain dict, in the schema's field order."""
    return {
        "schema": SCHEMA,
        "tool_version": __version__,
        "started_at": record.started_at,
        "duration_ms": record.duration_ms,
        "target": record.target,
        "results": [
            {
                "id": check.id,
                "layer": check.layer,
                "title": tr(check.title),
                "status": result.status.value,
                "category": result.category.value if result.category else None,
                "problem": result.problem,
                "basis": result.basis,
                "message": result.message,
                "hint": result.hint,
                "evidence": dict(result.evidence),
                "duration_ms": result.duration_ms,
            }
            for check, result in record.pairs()
        ],
        "criteria": criteria_document(record.criteria),
        "diagnosis": [finding_document(finding) for finding in record.diagnosis],
        "not_run": [{"count": count, "why": why} for count, why in record.left_out],
        "cancelled": record.cancelled,
        "interrupted": record.interrupted,
        "summary": record.summary,
        "exit_code": record.exit_code,
    }


def criteria_document(criteria: Mapping[str, bool | None]) -> list[dict[str, Any]]:
    """The six criteria in their order, each met, not met or not evaluated (None)."""
    return [{"id": cid, "label": tr(label), "met": criteria.get(cid)} for cid, label in CRITERIA]


def finding_document(finding: Finding) -> dict[str, Any]:
    """One diagnosis entry, as ``run`` and ``status`` write it."""
    return {
        "id": finding.id,
        "category": finding.category.value if finding.category else None,
        "severity": finding.severity,
        "basis": finding.basis,
        "title": finding.title,
        "checks": list(finding.checks),
        "hint": finding.hint,
        "evidence": dict(finding.evidence),
    }


def plain(value: Any) -> Any:
    """``value`` as JSON can hold it: dicts (string keys), lists, strings, finite numbers,
    booleans and None; an infinite or NaN float as its text (``"inf"``), anything else as
    ``str()``. ``json.dumps`` would write ``Infinity``, which is no JSON."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    return str(value)


def render(record: RunRecord, verbose: int = 0, color: bool = False) -> str:
    """The document as JSON text that is valid UTF-8: a lone surrogate (from a backend's
    ``"\\ud800"``) is written as its ``\\uXXXX`` escape, which JSON allows in a string."""
    return dumps(document(record))


def dumps(value: dict[str, Any], indent: int | None = 2) -> str:
    """``value`` as JSON text (one line when ``indent`` is None), made :func:`plain`, lone
    surrogates escaped."""
    text = json.dumps(plain(value), ensure_ascii=False, indent=indent)
    return _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n"
