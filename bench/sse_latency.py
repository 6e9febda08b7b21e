"""Benchmark (c): delay between the agent writing a log and sse-doctor recording it.

A local testbed stack (AI Server in this process) runs ``--runs`` new agent runs whose
events come ``--gap`` seconds apart, and the doctor watches each live, as
``sse-doctor run --new-run`` does. A log's write time is its own ``timestamp`` (the
agent's naive UTC clock); its record time is when the ``sse.stream`` check hands the
``data:`` line to its line callback, after reading and parsing the chunk. Only logs
written after the stream's headers came are counted (the AI Server replays earlier ones
at once when the stream opens): the scripted agent's last log, one a run. The delay
covers the AI Server, the backend's proxy and the doctor. Goal: median under 50 ms.

Run: ``python bench/sse_latency.py [--runs N] [--gap S]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from datetime import datetime, timezone

from checks.sse_stream import StreamCheck
from doctor.config import Config
from doctor.registry import load_checks, select
from doctor.session import run_doctor
from doctor.testbed import start_stack

GOAL_MS = 50.0


def written_at(line: str) -> float | None:
    """The epoch time a ``data:`` line's log says it was written, or None."""
    try:
        stamp = json.loads(line.removeprefix("data: "))["timestamp"]
        return datetime.fromisoformat(stamp).replace(tzinfo=timezone.utc).timestamp()
    except (ValueError, KeyError, TypeError):
        return None


def measure(runs: int, gap: float) -> list[float]:
    """Delays in ms, one per log event written while a stream was open."""
    delays: list[float] = []
    seen: list[tuple[float, float]] = []

    def on_line(at: float, text: str) -> None:
        now = time.time()
        written = written_at(text) if text.startswith("data: ") else None
        if written is not None:
            seen.append((written, now))

    with start_stack(step_gap=gap) as stack:
        config = Config(
            backend_url=stack.backend_url,
            api_prefix=stack.api_prefix,
            username=stack.username,
            password=stack.password,
            project=stack.project_id,
            new_run=True,
            mongo_uri=stack.mongo_uri,
            ai_url=stack.ai_url,
            no_docker=True,
            timeout=2.0,
            idle_timeout=max(2.0, 10 * gap),
            stream_timeout=60.0,
        )
        for _ in range(runs):
            stream_check = StreamCheck(on_line=on_line)
            checks = [
                stream_check if check.id == "sse.stream" else check
                for check in select(load_checks(), ["sse.stream"], [])
            ]
            record, ctx = run_doctor(config, checks=checks)
            ctx.close()
            stream = next(r for r in record.results if r.check_id == "sse.stream")
            if stream.status.value != "pass" or stream_check.observer is None:
                raise SystemExit(f"the stream check did not pass: {stream.message}")
            obs = stream_check.observer.observation
            opened = obs.started_wall + (obs.headers_at or 0.0)
            delays += [(now - written) * 1000 for written, now in seen if written >= opened]
            seen.clear()
    return delays


def report_latency(runs: int, gap: float) -> None:
    """Print part (c): the write-to-record delay's median, p95 and maximum."""
    delays = measure(runs, gap)
    if not delays:
        raise SystemExit("no log was written while a stream was open: try a longer --gap")
    median = statistics.median(delays)
    p95 = statistics.quantiles(delays, n=20)[-1] if len(delays) >= 20 else max(delays)
    print(f"(c) write-to-record latency over {len(delays)} live log events of {runs} runs")
    print(f"    median {median:7.2f} ms")
    print(f"    p95    {p95:7.2f} ms")
    print(f"    max    {max(delays):7.2f} ms")
    print(f"    goal: median < {GOAL_MS:g} ms: {'met' if median < GOAL_MS else 'NOT met'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="live runs to watch")
    parser.add_argument("--gap", type=float, default=0.1, help="seconds between events")
    args = parser.parse_args()
    report_latency(args.runs, args.gap)


if __name__ == "__main__":
    main()
