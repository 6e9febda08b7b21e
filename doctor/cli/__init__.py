"""The ``sse-doctor`` command line: one module per command, the group and entry point in main.

Importing this package imports nothing else: ``main`` imports the command line when it is
called, so that Ctrl+C while Python imports it is one line and exit 130, not a traceback.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence
from typing import Any

__all__ = ["cli", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    """The ``sse-doctor`` entry point: :func:`doctor.cli.main.main`, imported when called."""
    try:
        entry_point = _command_line().main
    except KeyboardInterrupt:
        sys.stderr.write("sse-doctor: aborted\n")
        return 130
    return entry_point(argv)


_MAIN = main


def __getattr__(name: str) -> Any:
    if name == "cli":
        return _command_line().cli
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _command_line() -> Any:
    """The module ``doctor.cli.main``."""
    module = importlib.import_module("doctor.cli.main")
    globals()["main"] = _MAIN  # importing the submodule made the name ``main`` point at it
    return module
