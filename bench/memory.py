"""Peak memory of the doctor against peers that send too much. Goal: under 150 MB.

Each case runs ``sse-doctor run --json`` in a child process and reads its peak resident
set from ``wait4`` (``ru_maxrss`` of that child alone), in the same run as the baseline:

- baseline: a healthy testbed stack, whose stream is a replay of a few dozen lines;
- (a) flood: the testbed's ``flood`` fault sends ``event: log`` events as fast as the
  doctor reads them, for ``--seconds`` (the doctor's --stream-timeout); then the same
  with ``sse-doctor report --json``, which also writes the flood's transcript to a bundle;
- (b) gzip bomb: every backend answer is ``--bomb-mib`` MiB of zeros, gzip-compressed
  (about 1 KiB a MiB), as a hostile or broken server in front of the backend could send.

The stacks and the bomb server run in this process; only the doctor is measured.

Run: ``python bench/memory.py [--seconds S] [--bomb-mib N]``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from doctor.testbed import Stack, doctor_args, start_stack

GOAL_MB = 150.0


def peak_rss(args: list[str]) -> tuple[float, int, dict[str, Any]]:
    """``sse-doctor ARGS`` in a child: its peak RSS in MB, exit status and JSON document
    (``ARGS`` must ask for ``--json``)."""
    child = subprocess.Popen(
        [sys.executable, "-m", "doctor.cli", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={k: v for k, v in os.environ.items() if not k.startswith("SSE_DOCTOR_")},
    )
    assert child.stdout is not None
    out = child.stdout.read()  # read while it runs, so a full pipe never holds it up
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    return usage.ru_maxrss / 1024, child.returncode, json.loads(out)


def stack_run(stack: Stack, **overrides: object) -> list[str]:
    options: dict[str, object] = {"timeout": 2, "idle_timeout": 2, "ai_url": stack.ai_url}
    return ["run", "--json", *doctor_args(stack, "--no-docker", **{**options, **overrides})]


def gzip_bomb(mib: int) -> bytes:
    z = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(1 << 20)
    return b"".join(z.compress(zeros) for _ in range(mib)) + z.flush()


@contextlib.contextmanager
def bomb_server(bomb: bytes) -> Iterator[str]:
    """A loopback server answering every request with ``bomb`` as gzip-encoded JSON."""

    class Bomb(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(bomb)))
            self.end_headers()
            with contextlib.suppress(OSError):  # the doctor stops reading at its limit
                self.wfile.write(bomb)

        do_POST = do_GET

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Bomb)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def finding(document: dict[str, Any]) -> str:
    return ", ".join(f["id"] for f in document["diagnosis"]) or "no finding"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="flood duration, s")
    parser.add_argument("--bomb-mib", type=int, default=1024, help="the bomb, inflated, MiB")
    args = parser.parse_args()
    rows: list[tuple[str, float, int, str]] = []

    with start_stack() as healthy:
        mb, code, document = peak_rss(stack_run(healthy))
        lines = next(r for r in document["results"] if r["id"] == "sse.stream")["evidence"]
        rows.append(
            (f"baseline: healthy stream, {lines['lines']} lines", mb, code, finding(document))
        )
        bomb = gzip_bomb(args.bomb_mib)
        with bomb_server(bomb) as url:
            mb, code, document = peak_rss(stack_run(healthy, backend_url=url))
        what = f"(b) gzip bomb: {args.bomb_mib} MiB from {len(bomb) / (1 << 20):.1f} MiB"
        rows.append((what, mb, code, finding(document)))

    with start_stack(("flood",)) as flooding:
        mb, code, document = peak_rss(stack_run(flooding, stream_timeout=args.seconds))
        stream = next(r for r in document["results"] if r["id"] == "sse.stream")
        flood = stream["evidence"].get("flood") or {}
        what = (
            f"(a) flood for {args.seconds:g} s: {flood.get('lines', 0):,} lines, "
            f"{flood.get('bytes', 0) / (1 << 20):.0f} MiB, {flood.get('lines_per_s', 0):,} lines/s"
        )
        rows.insert(1, (what, mb, code, finding(document)))
        with tempfile.TemporaryDirectory() as directory:
            bundle = os.path.join(directory, "bundle.tar.gz")
            report = stack_run(flooding, stream_timeout=args.seconds)
            mb, code, document = peak_rss(["report", "-o", bundle, *report[1:]])
            size = os.path.getsize(bundle) / (1 << 20)
        what = f"(a) the same flood, `report` (a bundle of {size:.1f} MiB)"
        rows.insert(2, (what, mb, code, finding(document)))

    print("peak RSS of `sse-doctor run --json` in a child process (wait4 ru_maxrss)")
    for what, mb, code, found in rows:
        print(f"  {what:<60} {mb:6.1f} MB  (exit {code}: {found})")
    worst = max(mb for _, mb, _, _ in rows)
    print(f"  goal: every peak < {GOAL_MB:g} MB: {'met' if worst < GOAL_MB else 'NOT met'}")


if __name__ == "__main__":
    main()
