"""sse-doctor: diagnose the SSE path of the auto-refactor-agent stack."""

__version__ = "0.1.0"
