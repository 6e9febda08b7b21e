"""Built-in checks, one module per layer, registered through the ``sse_doctor.checks``
entry points like any plugin."""
