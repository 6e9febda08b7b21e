"""What every source shares: the content type, bounded parallel steps, and why one failed."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from doctor.i18n import tr
from doctor.model import Result, Status

if TYPE_CHECKING:
    from doctor.config import Config
    from doctor.session import RunRecord


Content = str | dict[str, Any] | list[Any]
"""A bundle file before redaction: text, or an object written as JSON."""


class Unavailable(Exception):
    """A source that gave nothing; the message says why (no answer in time, no engine)."""


def gather(steps: Mapping[str, Callable[[], Any]], seconds: float) -> dict[str, Any]:
    """Run the steps at once in daemon threads, for at most ``seconds`` in all.

    Each name maps to its step's value, the exception it raised, or ``Unavailable``.
    """
    done: dict[str, Any] = {}

    def work(name: str, step: Callable[[], Any]) -> None:
        try:
            done[name] = step()
        except Exception as exc:
            done[name] = exc

    threads = [
        threading.Thread(target=work, args=item, name=f"report:{item[0]}", daemon=True)
        for item in steps.items()
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + seconds
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    late = Unavailable(tr("no answer within {seconds:g} s", seconds=seconds))
    return {name: done.get(name, late) for name in steps}


def deadline(config: Config) -> float:
    """Time for one round of collection: a probe, or a ``wget`` inside a container."""
    from doctor.clients.ai_fetch import fetch_deadline

    return fetch_deadline(config.timeout)


def why(exc: BaseException) -> str:
    """One line saying what went wrong."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    text = text.split(", Timeout:")[0]  # pymongo appends its whole topology
    if isinstance(exc, Unavailable):
        return text
    return f"{type(exc).__name__}: {text[:300]}" if text else type(exc).__name__


def decode(data: bytes) -> str:
    return data.decode("utf-8", "replace")


def result_of(record: RunRecord, check_id: str) -> Result | None:
    return next((r for c, r in record.pairs() if c.id == check_id), None)


def failed_message(record: RunRecord, check_id: str) -> str | None:
    """The message of a check that ran and did not pass, else None."""
    result = result_of(record, check_id)
    if result is not None and result.status in (Status.FAIL, Status.ERROR):
        return str(result.message)
    return None


_RFC3339 = re.compile(r"(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)(?:[.,]\d+)?\s*(Z|[+-]\d\d:?\d\d)?\Z")


def utc_iso(value: Any) -> str | None:
    """An absolute UTC time as ``2026-12-01T18:48:38Z``: from epoch seconds, or from an
    RFC 3339 / ISO time (Docker's ``StartedAt`` with nanoseconds; a naive time is taken as
    UTC). None for nothing, Docker's ``0001-01-01T00:00:00Z`` (never) or what is no time."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        if value <= 0:
            return None
        moment = datetime.fromtimestamp(value, timezone.utc)
    else:
        match = _RFC3339.match(str(value).strip())
        if match is None:
            return None
        day, clock, zone = match.groups()
        if day.startswith("0001-"):
            return None
        zone = "+00:00" if zone in (None, "Z") else zone
        if ":" not in zone:
            zone = f"{zone[:3]}:{zone[3:]}"
        try:
            moment = datetime.fromisoformat(f"{day}T{clock}{zone}")
        except ValueError:
            return None
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
