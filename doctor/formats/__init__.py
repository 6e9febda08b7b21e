"""Output formats: each module renders a RunRecord to a string."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from doctor.session import RunRecord

Renderer = Callable[["RunRecord", int, bool], str]
"""(record, verbosity, colour) -> document."""


def renderer(name: str) -> Renderer:
    """The render function of format ``name`` (text, json, markdown or junit)."""
    return import_module(f"doctor.formats.{name}").render
