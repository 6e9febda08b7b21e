"""The two versions of the stack the testbed models: the guide's commit and today's main.

``v1`` is 765d572 (the commit the SSE guide was written for), ``v2`` is 55a61f4. They
differ in the login field, the access errors, the project fields, the stream proxy
(V1 re-wraps every upstream line in an EventSourceResponse, V2 passes the bytes through),
the run status mapping and the stop/resume endpoints.
"""

from __future__ import annotations

from dataclasses import dataclass

PROFILES = ("v1", "v2")


@dataclass(frozen=True)
class Profile:
    name: str
    commit: str
    login_field: str
    """``email`` at V1, ``username`` from a48445a on."""
    bad_login: str
    missing_project: str
    """The agent routes' 404 ``detail`` for a project that does not exist."""
    foreign_project: tuple[int, str]
    """Status and ``detail`` of the agent routes for someone else's project."""
    prompt_field: str
    """The project's prompt: ``init_prompt`` at V1, ``spec`` at V2."""
    rewraps_stream: bool
    """V1: each upstream line becomes the data of an event of its own."""
    statuses: tuple[tuple[str, str], ...]
    """AI Server task status -> backend run status; anything else is RUNNING."""
    can_stop: bool


V1 = Profile(
    name="v1",
    commit="765d572",
    login_field="email",
    bad_login="Incorrect email or password",
    missing_project="專案不存在或無權限",
    foreign_project=(404, "專案不存在或無權限"),
    prompt_field="init_prompt",
    rewraps_stream=True,
    statuses=(
        ("pending", "RUNNING"),
        ("running", "RUNNING"),
        ("success", "DONE"),
        ("failed", "FAILED"),
    ),
    can_stop=False,
)
V2 = Profile(
    name="v2",
    commit="55a61f4",
    login_field="username",
    bad_login="Incorrect username or password",
    missing_project="專案不存在",
    foreign_project=(403, "無權限訪問此專案"),
    prompt_field="spec",
    rewraps_stream=False,
    statuses=(*V1.statuses, ("stopped", "STOPPED")),
    can_stop=True,
)


def profile(name: str) -> Profile:
    """The profile called ``name`` (``v1`` or ``v2``); ValueError otherwise."""
    for known in (V1, V2):
        if known.name == name:
            return known
    raise ValueError(f"unknown testbed profile {name!r}; known: {', '.join(PROFILES)}")
