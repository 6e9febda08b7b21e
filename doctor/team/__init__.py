"""Every project at once: ``sse-doctor status``, ``run --all-projects`` and the report that
holds them all."""
