"""A runnable model of the auto-refactor-agent stack with fault injection.

`start_stack` brings up the backend (FastAPI over uvicorn, real SSE), the AI Server
(a local HTTP server, or a busybox container in real Docker) and a MongoDB wire
endpoint, all on loopback ports, and tears everything down on exit.
"""

from doctor.testbed.faults import FAULTS
from doctor.testbed.stack import Stack, doctor_args, start_stack

__all__ = ["FAULTS", "Stack", "doctor_args", "start_stack"]
