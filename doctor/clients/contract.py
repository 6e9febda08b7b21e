"""What the backend's API looks like, learned from its ``/openapi.json`` (or probed).

The real backend changed between the guide's commit and today: the login body's field
(``email`` at 765d572, ``username`` from a48445a), the stop and resume endpoints (added in
a48445a). FastAPI serves ``/openapi.json`` in both, so the doctor reads it once and asks
the backend in its own terms. Where there is no OpenAPI document, the known forms are
tried in this order: health at ``<prefix>/health`` then ``/health``; the login field the
options give (``--username``, else ``--email``), corrected only by a 422 that names the
missing field; a run started at ``POST …/agent/run``, then ``POST …/agent/runs``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from doctor.i18n import tr

RUN_STARTS = ("/agent/run", "/agent/runs")
"""Where a run is started, below ``/projects/{id}``, in the order they are tried."""
GUIDE_COMMIT = "765d572"
MAIN_COMMIT = "55a61f4"


@dataclass(frozen=True)
class Contract:
    """The backend's API as far as the doctor knows it (None: not known)."""

    source: str
    """``openapi`` or ``probes``."""
    login_field: str | None = None
    """``username`` or ``email``."""
    login_form: bool = False
    """The login takes a form (OAuth2) instead of JSON."""
    health_path: str | None = None
    run_start: str | None = None
    runs_list: bool | None = None
    stop: bool | None = None
    resume: bool | None = None

    @property
    def version(self) -> str | None:
        """Which of the known versions this API is, when the OpenAPI document tells."""
        if self.source != "openapi":
            return None
        if self.login_field == "email" and self.stop is False:
            return GUIDE_COMMIT
        if self.login_field == "username" and self.stop:
            return MAIN_COMMIT
        return None

    def describe(self) -> str:
        """``login by username; run starts at POST /agent/run; stop and resume exist``."""
        parts = []
        if self.login_field:
            parts.append(tr("login by {field}", field=self.login_field))
        if self.run_start:
            parts.append(tr("run starts at POST {path}", path=self.run_start))
        extras = [name for name in ("stop", "resume") if getattr(self, name)]
        if extras:
            parts.append(tr("{names} exist", names=tr(" and ").join(extras)))
        elif self.stop is False:
            parts.append(tr("no stop or resume"))
        if self.version == GUIDE_COMMIT:
            parts.append(tr("the API of {commit}, the guide's commit", commit=GUIDE_COMMIT))
        elif self.version == MAIN_COMMIT:
            parts.append(tr("the API of {commit} (today's main)", commit=MAIN_COMMIT))
        return "; ".join(parts) or tr("nothing learned")


def from_openapi(document: Any, prefix: str) -> Contract | None:
    """The contract an OpenAPI document describes; None when it is not one."""
    paths = document.get("paths") if isinstance(document, dict) else None
    if not isinstance(paths, dict):
        return None
    project = f"{prefix}/projects/{{project_id}}"
    run = f"{project}/agent/runs/{{run_id}}"
    field, form = _login(document, paths.get(f"{prefix}/auth/login"))
    health = next((p for p in (f"{prefix}/health", "/health") if "get" in paths.get(p, {})), None)
    starts = [path for path in RUN_STARTS if "post" in (paths.get(f"{project}{path}") or {})]
    return Contract(
        source="openapi",
        login_field=field,
        login_form=form,
        health_path=health,
        run_start=starts[0] if starts else None,
        runs_list="get" in (paths.get(f"{project}/agent/runs") or {}),
        stop="post" in (paths.get(f"{run}/stop") or {}),
        resume="post" in (paths.get(f"{run}/resume") or {}),
    )


def _login(document: dict[str, Any], operation: Any) -> tuple[str | None, bool]:
    """The login's identifying field and whether it is a form, from its request body."""
    body = (operation or {}).get("post", {}).get("requestBody", {}).get("content", {})
    if not isinstance(body, dict):
        return None, False
    form = "application/x-www-form-urlencoded" in body and "application/json" not in body
    media = body.get("application/json") or body.get("application/x-www-form-urlencoded") or {}
    names = _properties(document, media.get("schema", {}))
    for name in ("username", "email"):
        if name in names:
            return name, form
    return None, form


def _properties(document: dict[str, Any], schema: Any) -> set[str]:
    """The property names of a schema, following one ``$ref`` into the components."""
    if isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = document.get("components", {}).get("schemas", {}).get(name, {})
    properties = schema.get("properties") if isinstance(schema, dict) else None
    return set(properties) if isinstance(properties, dict) else set()
