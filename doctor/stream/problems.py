"""One thing a stream shows: a catalogue id, how bad, and what was seen."""

from __future__ import annotations

from dataclasses import dataclass

from doctor.model import Status


@dataclass(frozen=True)
class StreamProblem:
    """One thing the stream shows: a catalogue id, how bad, and what was seen."""

    id: str
    status: Status
    message: str
    hint: str | None = None

    def as_evidence(self) -> dict[str, str]:
        shown = {"id": self.id, "status": self.status.value, "message": self.message}
        return {**shown, "hint": self.hint} if self.hint else shown


def fail(problem_id: str, message: str, hint: str | None = None) -> StreamProblem:
    return StreamProblem(problem_id, Status.FAIL, message, hint)


def warn(problem_id: str, message: str, hint: str | None = None) -> StreamProblem:
    return StreamProblem(problem_id, Status.WARN, message, hint)
