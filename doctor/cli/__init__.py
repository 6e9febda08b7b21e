"""The ``sse-doctor`` command line: one module per command, the group and entry point in main."""

from doctor.cli.main import cli, main

__all__ = ["cli", "main"]
