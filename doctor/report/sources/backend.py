"""``backend-log.txt``: the backend log's ``[SSE]`` lines with their context."""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from doctor.i18n import tr
from doctor.report.sources.common import gather, why

if TYPE_CHECKING:
    from doctor.config import Config

LOG_CONTEXT = 3
MAX_LOG_READ_BYTES = 64 << 20
"""Only the end of a longer ``--backend-log`` is read: that is where a broken stream shows."""
LOG_READ_SECONDS = 30.0
"""The longest the log may take to read (a hung network file system must not hang the report)."""


def backend_log_text(config: Config, run_id: str | None, container: str | None, tail: Any) -> str:
    """The ``[SSE]`` lines (and the run's and container's) with context, from each source."""
    # An id from the backend could hold a line end; such a needle can match no line anyway.
    needles = tuple(n for n in ("[SSE]", run_id, container) if n and n.isprintable())
    parts = []
    if config.backend_log:
        parts.append(_filtered(Path(config.backend_log), needles, str(config.backend_log)))
    if config.backend_container:
        source = tr("container {name}", name=config.backend_container)
        if isinstance(tail, BaseException):
            reason = why(tail)
            parts.append(
                tr("Cannot read the log of {source}: {reason}", source=source, reason=reason) + "\n"
            )
        elif tail is not None:
            parts.append(_filtered(io.BytesIO(str(tail).encode("utf-8")), needles, source))
    if not parts:
        return (
            tr("No backend log was given: pass --backend-log FILE or --backend-container NAME.")
            + "\n"
        )
    return "\n".join(parts)


def _filtered(log: Path | BinaryIO, needles: tuple[str, ...], source: str) -> str:
    from doctor.report.backend_log import filter_backend_log

    def read() -> Any:
        return filter_backend_log(
            log, needles=needles, context=LOG_CONTEXT, max_read_bytes=MAX_LOG_READ_BYTES
        )

    found = gather({"log": read}, LOG_READ_SECONDS)["log"]
    if isinstance(found, BaseException):
        return tr("Cannot read {source}: {reason}", source=source, reason=why(found)) + "\n"
    head = tr(
        "Source: {source}; {matched} matching lines in {size} bytes; looking for: {needles}",
        source=source,
        matched=found.matched_lines,
        size=found.bytes_scanned,
        needles=", ".join(needles),
    )
    if found.bytes_skipped:
        head += "\n" + tr(
            "(only the last {mib} MiB were read; the {skipped} bytes before them were not)",
            mib=MAX_LOG_READ_BYTES >> 20,
            skipped=found.bytes_skipped,
        )
    if found.truncated:
        head += "\n" + tr(
            "(the {lines} oldest selected lines were left out at the size limit)",
            lines=found.omitted_lines,
        )
    body = found.text if found.matched_lines else tr("No line matches.") + "\n"
    return f"{head}\n\n{body}"
