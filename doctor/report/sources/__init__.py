"""What the bug-report bundle collects, and how each collection is bounded in time.

``gather`` runs collection steps at once for at most ``deadline(config)``, which follows
the probe timeout; a source that is down gives ``Unavailable`` or the exception it raised,
and the bundle shows a line saying why instead of failing. The sources: the Docker view
(``docker ps``, and per container inspect, logs, ``/health`` and ``/tasks``), the
backend's ``[SSE]`` log lines, the environment, the SSE transcript, the MongoDB version
and the AI Server over HTTP.
"""
