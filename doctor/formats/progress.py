"""Live progress on a terminal (stderr): the checks still running, and the stream's own line.

While ``sse.stream`` reads, its line says how far it got: ``sse.stream: 5 events, 2.5 s,
last event 0.4 s ago, idle limit 30 s``. The display is transient: it is gone once the
run ends, whatever format the result is printed in.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TextIO

from rich.live import Live
from rich.spinner import Spinner
from rich.text import Text

from doctor.formats.text import make_console
from doctor.i18n import ntr, tr
from doctor.model import Check, Result
from doctor.runner import Progress

if TYPE_CHECKING:
    from doctor.context import Context


class LiveProgress:
    """A transient spinner listing the checks still running, with the stream's progress."""

    def __init__(self, file: TextIO | None = None) -> None:
        self.console = make_console(file or sys.stderr, color=True)
        self.running: dict[str, str] = {}
        self.done = 0
        self.ctx: Context | None = None
        self.live = Live(
            console=self.console,
            transient=True,
            refresh_per_second=8,
            get_renderable=self._view,
        )
        self.progress = Progress(on_start=self._started, on_result=self._finished)

    def attach(self, ctx: Context) -> None:
        """Follow this run's context (the stream's observation lives there)."""
        self.ctx = ctx

    def _view(self) -> Spinner:
        names = ", ".join(self.running) or "…"
        line = tr("{done} done; running: {names}", done=self.done, names=names)
        stream = self.stream_line()
        return Spinner("dots", Text(stream or line))

    def stream_line(self) -> str | None:
        """``sse.stream: 5 events, 2.5 s, last event 0.4 s ago, idle limit 30 s``."""
        from doctor.context import Artifact

        if self.ctx is None or "sse.stream" not in self.running:
            return None
        obs = self.ctx.artifacts.get(Artifact.SSE_OBSERVATION)
        if obs is None or not obs.started_wall:
            return None
        now = time.time() - obs.started_wall
        events = ntr(obs.event_total, "{count} event", "{count} events")
        last = obs.events[-1].at if obs.events else None
        ago = (
            tr("last event {seconds:.1f} s ago", seconds=now - last)
            if last is not None
            else tr("no event yet")
        )
        idle = tr("idle limit {seconds:g} s", seconds=self.ctx.config.idle_timeout)
        return f"sse.stream: {events}, {now:.1f} s, {ago}, {idle}"

    def _started(self, check: Check) -> None:
        self.running[check.id] = check.title

    def _finished(self, check: Check, result: Result) -> None:
        self.running.pop(check.id, None)
        self.done += 1

    def __enter__(self) -> LiveProgress:
        self.live.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.live.stop()

    @contextmanager
    def paused(self) -> Iterator[None]:
        """Stop drawing while the user answers a prompt."""
        self.live.stop()
        try:
            yield
        finally:
            self.live.start()
