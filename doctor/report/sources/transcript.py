"""``sse-transcript.txt``: every SSE line with its receive time, after the response head."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from doctor.context import Artifact
from doctor.i18n import tr
from doctor.model import Status
from doctor.report.sources.common import result_of

if TYPE_CHECKING:
    from doctor.session import RunRecord


def _field(obj: Any, name: str) -> Any:
    """An attribute or a key: artifacts may be objects or plain dicts."""
    if isinstance(obj, Mapping):
        return obj.get(name)
    return getattr(obj, name, None)


def _clock(when: Any) -> str:
    """``HH:MM:SS.mmm`` of an ISO time, a datetime or an epoch, like the guide's script."""
    try:
        if isinstance(when, datetime):
            moment = when
        elif isinstance(when, (int, float)):
            moment = datetime.fromtimestamp(when)
        else:
            moment = datetime.fromisoformat(str(when).replace("Z", "+00:00"))
    except (ValueError, OverflowError, OSError):
        return str(when)
    return f"{moment:%H:%M:%S}.{moment.microsecond // 1000:03d}"


def transcript_text(record: RunRecord) -> str:
    """Every SSE line with its receive time, ``[HH:MM:SS.mmm] line``, after the response head."""
    lines: list[str] = []
    observation = record.artifacts.get(Artifact.SSE_OBSERVATION)
    if observation is not None:
        url = _field(observation, "url")
        if url:
            lines.append(f"GET {url}")
        status = _field(observation, "status_code")
        lines.append(f"HTTP {status if status is not None else '-'}")
        for name, value in (_field(observation, "headers") or {}).items():
            lines.append(f"{name}: {value}")
        end = _field(observation, "end")
        if end is not None:
            lines.append(tr("Ended: {end}", end=getattr(end, "value", end)))
        error = _field(observation, "error")
        if error:
            lines.append(tr("Error: {error}", error=error))
        lines.append("")
    transcript = record.artifacts.get(Artifact.SSE_TRANSCRIPT)
    if transcript:
        lines += [f"[{_clock(at)}] {text}" for at, text in transcript]
        lines.append(tr("Stream ended: {count} lines received.", count=len(transcript)))
    else:
        lines.append(_no_transcript(record))
    return "\n".join(lines) + "\n"


def _no_transcript(record: RunRecord) -> str:
    result = result_of(record, "sse.stream")
    if result is None:
        return tr("The SSE stream was not observed: the sse.stream check did not run.")
    if result.status == Status.SKIP:
        return tr("The SSE stream was not observed: {reason}", reason=result.message)
    return tr("No SSE line was received. sse.stream: {message}", message=result.message)
