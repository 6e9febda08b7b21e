"""Benchmark (c): delay between the testbed sending an SSE event and sse-doctor recording it.

A local testbed stack streams ``--events`` log events ``--gap`` seconds apart. The send
time of each event is the time the testbed's backend logged its ``[SSE] data: …`` line,
right after handing the frame to the server (its log has millisecond timestamps, cut
down, so a send time is up to 1 ms early: the delay is overstated by 0.5 ms on average).
The record time is when the ``sse.stream`` check hands that ``data:`` line to its line
callback, after reading and parsing the chunk. Goal: median under 50 ms.

Run: ``python bench/sse_latency.py [--events N] [--gap S]``.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import datetime
from pathlib import Path

from checks.sse_stream import StreamCheck
from doctor.config import Config
from doctor.context import Context
from doctor.stream.observer import ObservedLine
from doctor.testbed import start_stack

GOAL_MS = 50.0
SSE_DATA = "[DEBUG] [SSE] "


def send_times(log_path: Path) -> dict[str, float]:
    """Each ``data:`` line the backend sent -> its send time (epoch seconds)."""
    sent: dict[str, float] = {}
    for entry in log_path.read_text(encoding="utf-8").splitlines():
        stamp, _, rest = entry.partition(" [")
        line = ("[" + rest).removeprefix(SSE_DATA)
        if rest.startswith(SSE_DATA[1:]) and line.startswith("data: "):
            sent[line] = datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S,%f").timestamp()
    return sent


def measure(events: int, gap: float) -> list[float]:
    """Delays in ms, one per delivered event (the log events and the status event)."""
    recorded: dict[str, float] = {}

    def on_line(line: ObservedLine) -> None:
        if line.text.startswith("data: "):
            recorded[line.text] = time.time()

    with start_stack(log_lines=events, event_gap=gap) as stack:
        config = Config(
            backend_url=stack.backend_url,
            token=stack.token,
            project=stack.project_id,
            run=stack.run_id,
            timeout=2.0,
            idle_timeout=max(2.0, 10 * gap),
            stream_timeout=events * gap + 30,
        )
        ctx = Context(config)
        try:
            result = StreamCheck(on_line=on_line).run(ctx)
        finally:
            ctx.close()
        if result.status.value != "pass":
            raise SystemExit(f"the stream check did not pass: {result.message}")
        sent = send_times(stack.log_path)
    return [(recorded[line] - sent[line]) * 1000 for line in recorded if line in sent]


def report_latency(events: int, gap: float) -> None:
    """Print part (c): the send-to-record delay's median, p95 and maximum."""
    delays = measure(events, gap)
    if not delays:
        raise SystemExit("no event could be matched with its send time")
    median = statistics.median(delays)
    p95 = statistics.quantiles(delays, n=20)[-1] if len(delays) >= 20 else max(delays)
    print(f"(c) send-to-record latency over {len(delays)} events, {gap * 1000:g} ms apart")
    print(f"    median {median:7.2f} ms")
    print(f"    p95    {p95:7.2f} ms")
    print(f"    max    {max(delays):7.2f} ms")
    print(f"    goal: median < {GOAL_MS:g} ms: {'met' if median < GOAL_MS else 'NOT met'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200, help="log events to stream")
    parser.add_argument("--gap", type=float, default=0.01, help="seconds between events")
    args = parser.parse_args()
    report_latency(args.events, args.gap)


if __name__ == "__main__":
    main()
