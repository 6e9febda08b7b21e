"""What every source shares: the content type, bounded parallel steps, and why one failed."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
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
