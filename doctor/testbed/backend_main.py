"""The testbed backend as a container's main process: ``python -m doctor.testbed.backend_main``.

This is how compose runs the real backend (service ``api``, container ``refactor-api``): in a
container on ``refactor-network``, where Docker's DNS resolves ``refactor-project-<id>``.
Here the backend calls the AI Server by that name through the container's own resolver (no
lookup table), writes its log to standard output (what ``docker logs`` shows) and to a
bind-mounted file, and reaches the testbed's MongoDB over a bind-mounted Unix socket (the
host's loopback is not reachable from a container). ``--answer-dns`` answers every DNS
query that Docker's DNS forwards (a name it does not know) with NXDOMAIN, at once, from
the container's own 127.0.0.1:53, like an outside resolver that knows no such name; no
query ever leaves the container.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import threading
from pathlib import Path

from doctor.testbed.backend import AI_PORT, BackendConfig, create_app
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


def nxdomain(query: bytes) -> bytes:
    """The answer to a DNS query: its id and question, RCODE 3 (no such name); b"" for a
    query that is not one question."""
    end = 12
    while end < len(query) and query[end]:  # the question's name, label by label
        end += 1 + query[end]
    end += 5  # the closing zero byte, QTYPE and QCLASS
    if len(query) < end or query[4:6] != b"\0\1":
        return b""
    flags = 0x8000 | (query[2] & 0x79) << 8 | 0x0080 | 3  # QR, opcode and RD kept, RA, NXDOMAIN
    return query[:2] + flags.to_bytes(2, "big") + b"\0\1" + b"\0" * 6 + query[12:end]


def answer_dns(address: tuple[str, int] = ("127.0.0.1", 53)) -> None:
    """Answer every query at ``address`` with NXDOMAIN, in a daemon thread."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(address)

    def serve() -> None:
        while True:
            query, peer = sock.recvfrom(4096)
            reply = nxdomain(query)
            if reply:
                sock.sendto(reply, peer)

    threading.Thread(target=serve, name="nxdomain", daemon=True).start()


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
