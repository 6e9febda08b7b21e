"""The bug-report bundle: what goes in it (``sources``), the paste-ready ``summary``, the
redactor every output passes through (``redact``), the backend log filter
(``backend_log``) and the archive itself (``bundle``)."""
