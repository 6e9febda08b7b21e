"""The check model: statuses, layers, categories, results and the Check base class."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any, ClassVar

from doctor.i18n import tr

if TYPE_CHECKING:
    from doctor.config import Config
    from doctor.context import Context


class Status(str, Enum):
    """How a check ended."""

    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    SKIP = "skip"
    ERROR = "error"

    @property
    def ok(self) -> bool:
        """Whether checks that depend on this one may run."""
        return self in (Status.PASS, Status.WARN)


LAYERS: tuple[str, ...] = ("mongodb", "docker", "image", "backend", "container", "ai_server", "sse")
"""Layers from the most upstream to the most downstream; diagnosis names upstream causes first."""


LAYER_NAMES = {
    "mongodb": "MongoDB",
    "docker": "Docker engine",
    "image": "Base image",
    "backend": "Backend API",
    "container": "Containers",
    "ai_server": "AI Server",
    "sse": "SSE stream",
}
"""Each layer's heading in the output."""


def layer_rank(layer: str) -> int:
    """A layer's place in LAYERS; a third-party layer comes after all of them."""
    return LAYERS.index(layer) if layer in LAYERS else len(LAYERS)


class Category(str, Enum):
    """The guide's troubleshooting categories, most fundamental first."""

    PREREQUISITE = "prerequisite"
    TIMEOUT = "timeout"
    HTTP_403_404 = "http-403-404"
    HTTP_503 = "http-503"
    NO_EVENTS = "no-events"
    STREAM_ERROR = "stream-error"
    FINAL_STATUS = "final-status"

    @property
    def title(self) -> str:
        """The guide's wording for this category."""
        return tr(_CATEGORY_TITLES[self])

    @property
    def hint(self) -> str:
        """What the guide says to do about it."""
        return tr(_CATEGORY_HINTS[self])


_CATEGORY_TITLES = {
    Category.PREREQUISITE: "Services not running",
    Category.TIMEOUT: "Connection timeout",
    Category.HTTP_403_404: "403/404 error",
    Category.HTTP_503: "503 error",
    Category.NO_EVENTS: "No events",
    Category.STREAM_ERROR: "Stream did not end normally",
    Category.FINAL_STATUS: "Final status not DONE or FAILED",
}
_CATEGORY_HINTS = {
    Category.PREREQUISITE: (
        "Make sure MongoDB, the backend, the Docker engine and the base image are up."
    ),
    Category.TIMEOUT: "Check the Docker network settings.",
    Category.HTTP_403_404: "Check the project ID and permissions.",
    Category.HTTP_503: "The container may not be started, or the AI Server is not running.",
    Category.NO_EVENTS: "Check whether the AI Server records task_logs correctly.",
    Category.STREAM_ERROR: "Look at the [SSE] lines of the backend log where the stream stopped.",
    Category.FINAL_STATUS: "Query the run again; the Agent may still be working or be stuck.",
}

CRITERIA: tuple[tuple[str, str], ...] = (
    ("sse.connect", "SSE connection established"),
    ("sse.log_event", "`event: log` events received"),
    ("sse.log_data", "log content `data: ...` received"),
    ("sse.status_event", "`event: status` completion event received"),
    ("sse.clean_end", "stream ended normally, not cut off by an error"),
    ("run.final_status", "final status query shows DONE or FAILED"),
)
"""The guide's six success criteria: stable id and English label."""


BASES = ("observed", "inferred")
"""How a result knows what it says: seen on the wire or in Docker, or reasoned from others."""


@dataclass(frozen=True)
class Result:
    """What one check observed."""

    check_id: str
    status: Status
    message: str
    """One sentence a person reads."""
    category: Category | None = None
    hint: str | None = None
    """What to do next, naming the exact command where one exists."""
    evidence: Mapping[str, Any] = field(default_factory=dict)
    """Small observed facts: HTTP status, elapsed ms, container state, a body's first bytes."""
    duration_ms: int = 0
    problem: str | None = None
    """The catalogue id of the problem this result shows (``doctor.catalogue``)."""
    basis: str = "observed"
    """One of BASES: ``observed`` (a status, header, event, state seen) or ``inferred``."""


class Check:
    """A diagnostic probe. Subclasses set the class attributes and implement ``run``.

    ``run`` must not print and should not raise: the runner turns an exception into an
    ``error`` result and a run that outlives ``deadline`` into a ``timeout`` failure.
    Third-party packages add checks by listing a module with a ``CHECKS`` list (or a
    Check subclass) in the ``sse_doctor.checks`` entry-point group.
    """

    id: ClassVar[str]
    layer: ClassVar[str]
    title: ClassVar[str]
    depends_on: ClassVar[tuple[str, ...]] = ()
    """Checks that must pass (or warn) first; otherwise this one is skipped."""
    after: ClassVar[tuple[str, ...]] = ()
    """Checks that, when selected, must finish first, whatever their outcome."""
    needs: ClassVar[tuple[str, ...]] = ()
    """Checks that supply what this one reads (the project, the run): ``--only`` selects
    them too, and this one waits for them."""
    corroborates: ClassVar[bool] = False
    """The check reads a second account of what others observe directly (a log, a replay):
    its result backs a finding up but does not word it."""
    uses_docker: ClassVar[bool] = False
    """Whether the check talks to the Docker engine (``--no-docker`` leaves it out)."""
    source: str = "sse-doctor"
    """The distribution that registered the check; set by the registry."""

    def waits_for(self, config: Config) -> tuple[str, ...]:
        """The checks this run waits for (``after`` and ``needs``); fewer in some setups."""
        return (*self.after, *self.needs)

    def deadline(self, ctx: Context) -> float:
        """Seconds this check may take before the runner reports a timeout."""
        return ctx.config.timeout * 1.5

    def run(self, ctx: Context) -> Result:
        raise NotImplementedError

    def passed(self, message: str, evidence: Mapping[str, Any] | None = None) -> Result:
        return Result(self.id, Status.PASS, message, evidence=dict(evidence or {}))

    def warned(
        self,
        message: str,
        category: Category | None = None,
        hint: str | None = None,
        evidence: Mapping[str, Any] | None = None,
    ) -> Result:
        return Result(self.id, Status.WARN, message, category, hint, dict(evidence or {}))

    def failed(
        self,
        message: str,
        category: Category | None,
        hint: str | None = None,
        evidence: Mapping[str, Any] | None = None,
    ) -> Result:
        return Result(
            self.id,
            Status.FAIL,
            message,
            category,
            hint or _default_hint(category),
            dict(evidence or {}),
        )

    def skipped(self, message: str, evidence: Mapping[str, Any] | None = None) -> Result:
        return Result(self.id, Status.SKIP, message, evidence=dict(evidence or {}))

    def found(
        self,
        problem_id: str,
        message: str,
        evidence: Mapping[str, Any] | None = None,
        hint: str | None = None,
        *,
        status: Status = Status.FAIL,
        basis: str = "observed",
    ) -> Result:
        """A result showing the catalogue's problem ``problem_id`` (its category and fix)."""
        from doctor.catalogue import problem

        entry = problem(problem_id)
        return Result(
            self.id,
            status,
            message,
            entry.category,
            hint or tr(entry.fix),
            dict(evidence or {}),
            problem=problem_id,
            basis=basis,
        )


def _default_hint(category: Category | None) -> str | None:
    return category.hint if category else None
