"""The testbed backend as a container's main process: ``python -m doctor.testbed.backend_main``.

This is how compose runs the real backend (service ``api``, container ``refactor-api``): in a
container on ``refactor-network``, where Docker's DNS resolves ``refactor-project-<id>``.
Here the backend calls the AI Server by that name through the container's own resolver (no
lookup table), writes its log to standard output (what ``docker logs`` shows) and to a
bind-mounted file, and reaches the testbed's MongoDB over a bind-mounted Unix socket (the
host's loopback is not reachable from a container). ``--answer-dns``: see
``doctor.testbed.nxdomain``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from doctor.testbed.backend import AI_PORT, BackendConfig, create_app
from doctor.testbed.nxdomain import answer_dns
from doctor.testbed.profiles import profile
from doctor.testbed.proxy import Proxy
from doctor.testbed.tokens import TokenSigner
from doctor.testbed.upstream import BackendLog

KEY_ENV = "SSE_DOCTOR_TESTBED_TOKEN_KEY"
"""The token signer's key (hex), shared with the stack that issues the tokens."""
PORT = 8000


class TeeLog(BackendLog):
    """The backend's log lines to its file and to standard output (``docker logs``)."""

    def _write(self, line: str) -> None:
        super()._write(line)
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def main(argv: list[str] | None = None) -> None:
    import uvicorn

    parser = argparse.ArgumentParser(prog="backend_main")
    parser.add_argument("--profile", default="v2")
    parser.add_argument("--mongo-uri", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--ping-interval", type=float, default=15.0)
    parser.add_argument("--fault", action="append", default=[])
    parser.add_argument("--answer-dns", action="store_true")
    args = parser.parse_args(argv)
    if args.answer_dns:
        answer_dns()
    log = TeeLog(Path(args.log))
    config = BackendConfig(
        profile=profile(args.profile),
        mongo_uri=args.mongo_uri,
        signer=TokenSigner(key=bytes.fromhex(os.environ[KEY_ENV])),
        log=log,
        lookup=lambda name: (name, AI_PORT),  # the name as it is: Docker's DNS resolves it
        ping_interval=args.ping_interval,
    )
    app = Proxy(create_app(config), frozenset(args.fault))
    uvicorn.run(app, host="0.0.0.0", port=PORT, log_config=None, access_log=False, http="h11")


if __name__ == "__main__":
    main()
