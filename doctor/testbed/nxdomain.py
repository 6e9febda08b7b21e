"""NXDOMAIN for every DNS query, from a container's own 127.0.0.1:53 (standard library only).

The testbed's containers get ``dns=["127.0.0.1"]``: Docker's DNS forwards a name it does not
know to the container's own loopback. With nothing there the lookup waits for Docker's DNS
to give up (seconds); with this answer it fails at once, "Name or service not known", as an
outside resolver that knows no such name makes it fail. No query leaves the container.
"""

from __future__ import annotations

import socket
import threading


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
