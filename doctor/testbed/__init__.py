"""A runnable model of the auto-refactor-agent stack, at the guide's commit (v1) and today (v2).

`start_stack` brings up the backend (FastAPI over uvicorn, proxying the stream as the real
one does), the AI Server (in this process, or in a Docker container) and MongoDB
(nx-27017), all on loopback ports, injects faults, and tears everything down on exit.
"""

from doctor.testbed.faults import FAULTS
from doctor.testbed.profiles import PROFILES
from doctor.testbed.stack import Stack, doctor_args, start_stack

__all__ = ["FAULTS", "PROFILES", "Stack", "doctor_args", "start_stack"]
