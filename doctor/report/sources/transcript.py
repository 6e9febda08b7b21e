"""``sse-transcript.txt``: every SSE line with its receive time, after the response head."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from doctor.context import Artifact
from doctor.i18n import tr
from doctor.model import Status
from doctor.report.sources.common import result_of

if TYPE_CHECKING:
    from doctor.session import RunRecord


def transcript_text(record: RunRecord, no_stream: bool = False) -> str:
    """The response head, then every SSE line as ``<UTC time> <line>`` (bounded: the middle
    of a very long stream comes from the observation's spill file)."""
    if no_stream:
        return tr("The SSE stream was not watched, on purpose (--no-stream).") + "\n"
    obs = record.artifacts.get(Artifact.SSE_OBSERVATION)
    if obs is None or not obs.transcript.count:
        head = _head(obs) if obs is not None else []
        return "\n".join([*head, _no_transcript(record)]) + "\n"
    lines = [*_head(obs), *obs.transcript.lines()]
    lines.append(tr("Stream ended: {count} lines received.", count=obs.transcript.count))
    return "\n".join(lines) + "\n"


def _head(obs: Any) -> list[str]:
    lines = [f"GET {obs.url}", f"HTTP {obs.status_code if obs.status_code is not None else '-'}"]
    lines += [f"{name}: {value}" for name, value in obs.headers.items()]
    if obs.end is not None:
        lines.append(tr("Ended: {end}", end=obs.end.value))
    if obs.error:
        lines.append(tr("Error: {error}", error=obs.error))
    return [*lines, ""]


def _no_transcript(record: RunRecord) -> str:
    result = result_of(record, "sse.stream")
    if result is None:
        return tr("The SSE stream was not observed: the sse.stream check did not run.")
    if result.status == Status.SKIP:
        return tr("The SSE stream was not observed: {reason}", reason=result.message)
    return tr("No SSE line was received. sse.stream: {message}", message=result.message)
