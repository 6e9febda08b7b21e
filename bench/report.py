"""Benchmark filter_backend_log against grep on a large generated backend log.

    python bench/report.py            # a 1 GiB log
    python bench/report.py --mb 64    # a smaller one

The log (timestamped [INFO]/[DEBUG] lines of a FastAPI backend, with a few
thousand ``[SSE]`` lines scattered through it) is written to a temporary
directory and deleted afterwards.  With the file in the page cache, the
script times ``filter_backend_log(path)`` (defaults: 3 lines of context,
2 MiB output cap) and ``grep -F '[SSE]' file``, median of several runs of
each, and prints their ratio (goal: at most 2).  It then measures the
filter's peak memory in a fresh process: the tracemalloc peak and the growth
of the peak resident set, as ru_maxrss and VmHWM (goal: under 100 MB).

grep's output goes to a file, not to /dev/null: GNU grep notices that its
output is /dev/null and stops at the first match, which would time nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from doctor.report.backend_log import filter_backend_log

MIB = 1 << 20
SSE_PER_MIB = 3  # about 3000 [SSE] lines in a 1 GiB log

PROJECT = "65b1c2d3e4f5a6b7c8d9e0f1"
CONTAINER = f"refactor-project-{PROJECT}"

ORDINARY = (
    (
        "INFO",
        'uvicorn.access: 127.0.0.1:{port} - "GET /api/v1/projects/{project}/agent/runs/{run} '
        'HTTP/1.1" 200',
    ),
    ("INFO", 'uvicorn.access: 127.0.0.1:{port} - "GET /api/v1/projects HTTP/1.1" 200'),
    ("DEBUG", 'httpx: HTTP Request: GET http://{container}:8000/tasks "HTTP/1.1 200 OK"'),
    ("DEBUG", 'httpx: HTTP Request: GET http://{container}:8000/health "HTTP/1.1 200 OK"'),
    (
        "DEBUG",
        'pymongo.command: {{"find": "task_logs", "filter": {{"run_id": "{run}"}}, '
        '"sort": {{"ts": 1}}, "batchSize": 100}} took {ms}ms',
    ),
    ("DEBUG", "app.services.agent: poll task {run} status=RUNNING logs={n} elapsed={ms}ms"),
    ("INFO", "app.services.docker: container {container} is running (uptime {n}s)"),
    ("DEBUG", "app.core.auth: token verified for user 65a0{n:020d} in {ms}ms"),
    ("INFO", "app.services.agent: 開始串流 AI Server 日誌: {container}, run_id={run}"),
    ("DEBUG", "asyncio: poll 999.880 ms took {ms}.011 ms: 1 events"),
)
SSE = (
    "app.api.sse: [SSE] event: log",
    "app.api.sse: [SSE] data: {iso} 初始化 LLM...",
    "app.api.sse: [SSE] data: {iso} 建立 RefactorAgent...",
    "app.api.sse: [SSE] event: status",
    "app.api.sse: [SSE] data: Task success",
)


def generate(path: Path, size: int, seed: int = 7) -> int:
    """Write a backend log of about *size* bytes; return the number of [SSE] lines."""
    rng = random.Random(seed)
    t0 = 1706869845.0  # 2024-02-02T10:30:45Z
    line_no = 0
    sse_lines = 0
    written = 0
    with path.open("w", encoding="utf-8", newline="\n") as f:
        while written < size:
            lines = []
            block_target = min(MIB, size - written)
            block_bytes = 0
            sse_at = set(rng.sample(range(8000), SSE_PER_MIB))
            i = 0
            while block_bytes < block_target:
                t = t0 + line_no * 0.0037
                stamp = (
                    time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t))
                    + f",{int(t * 1000) % 1000:03d}"
                )
                if i in sse_at:
                    iso = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + ".000Z"
                    level, msg = "DEBUG", rng.choice(SSE).format(iso=iso)
                    sse_lines += 1
                else:
                    level, template = ORDINARY[rng.randrange(len(ORDINARY))]
                    msg = template.format(
                        port=40000 + rng.randrange(20000),
                        project=PROJECT,
                        container=CONTAINER,
                        run=f"{rng.getrandbits(128):032x}",
                        ms=rng.randrange(1, 900),
                        n=rng.randrange(1, 100000),
                    )
                line = f"{stamp} [{level}] {msg}\n"
                lines.append(line)
                block_bytes += len(line.encode())
                line_no += 1
                i += 1
            f.write("".join(lines))
            written += block_bytes
    return sse_lines


def median_time(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _vm_hwm_kib() -> int | None:
    """This process's peak resident set (VmHWM) in KiB, where /proc has it."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def measure_memory(path: Path) -> dict[str, float | int | bool | None]:
    """Run in a fresh process: the filter's tracemalloc peak and peak-RSS growth."""
    maxrss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    hwm_before = _vm_hwm_kib()
    result = filter_backend_log(path)
    maxrss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    hwm_after = _vm_hwm_kib()
    tracemalloc.start()
    filter_backend_log(path)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "maxrss_before_kib": maxrss_before,
        "maxrss_delta_mb": (maxrss_after - maxrss_before) * 1024 / 1e6,
        "hwm_delta_mb": None if hwm_before is None else (hwm_after - hwm_before) * 1024 / 1e6,
        "tracemalloc_peak_mb": peak / 1e6,
        "matched_lines": result.matched_lines,
        "output_bytes": len(result.text.encode()),
        "truncated": result.truncated,
    }


# Linux carries a process's peak RSS into ru_maxrss of a child it forks and that then
# execs, so a child of this (large) process would start with our peak as its own.  A
# small Python in between starts the measuring process: that one inherits a small peak.
_LAUNCHER = "import subprocess, sys; sys.exit(subprocess.run(sys.argv[1:]).returncode)"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=1024, help="size of the generated log in MiB")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each command")
    parser.add_argument("--dir", type=Path, default=None, help="where to write the log")
    parser.add_argument("--measure-memory", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.measure_memory is not None:  # the child process of the memory measurement
        print(json.dumps(measure_memory(args.measure_memory)))
        return

    grep = shutil.which("grep")
    if grep is None:
        sys.exit("grep is not installed")
    with tempfile.TemporaryDirectory(prefix="sse-doctor-bench-", dir=args.dir) as tmp:
        log = Path(tmp) / "backend.log"
        grep_out = Path(tmp) / "grep.out"
        start = time.perf_counter()
        sse_lines = generate(log, args.mb * MIB)
        size = log.stat().st_size
        took = time.perf_counter() - start
        print(f"generated {size / MIB:.0f} MiB, {sse_lines} [SSE] lines, in {took:.1f} s")

        def run_grep(*flags: str) -> None:
            with grep_out.open("wb") as out:
                subprocess.run([grep, "-F", *flags, "[SSE]", str(log)], stdout=out, check=True)

        def run_grep_devnull() -> None:
            subprocess.run([grep, "-F", "[SSE]", str(log)], stdout=subprocess.DEVNULL, check=True)

        result = filter_backend_log(log)  # warm the page cache (and check the result)
        run_grep()
        if result.matched_lines != sse_lines:
            sys.exit(f"filter found {result.matched_lines} [SSE] lines, expected {sse_lines}")

        t_filter = median_time(lambda: filter_backend_log(log), args.runs)
        t_grep = median_time(run_grep, args.runs)
        t_grep_c3 = median_time(lambda: run_grep("-C3"), args.runs)
        t_devnull = median_time(run_grep_devnull, args.runs)

        child = subprocess.run(
            [
                sys.executable,
                "-c",
                _LAUNCHER,
                sys.executable,
                __file__,
                "--measure-memory",
                str(log),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        mem = json.loads(child.stdout)

    ratio = t_filter / t_grep
    gbps = size / t_filter / 1e9
    print(f"median of {args.runs} runs, warm page cache, {os.cpu_count()} CPUs")
    print(f"  filter_backend_log (context 3)     {t_filter:7.3f} s  ({gbps:.2f} GB/s)")
    print(f"  grep -F '[SSE]' file > file        {t_grep:7.3f} s")
    print(f"  grep -F -C3 '[SSE]' file > file    {t_grep_c3:7.3f} s")
    print(f"  grep -F '[SSE]' file > /dev/null   {t_devnull:7.3f} s  (stops at the first match)")
    verdict = "met" if ratio <= 2 else "NOT met"
    print(f"  ratio filter / grep                {ratio:7.2f}   (goal <= 2: {verdict})")
    print(
        f"  matched {mem['matched_lines']} lines, output {mem['output_bytes'] / MIB:.2f} MiB"
        f"{' (truncated)' if mem['truncated'] else ''}"
    )
    rss = mem["hwm_delta_mb"] if mem["hwm_delta_mb"] is not None else mem["maxrss_delta_mb"]
    peak = max(mem["tracemalloc_peak_mb"], mem["maxrss_delta_mb"], rss)
    print(
        f"  memory: tracemalloc peak {mem['tracemalloc_peak_mb']:.1f} MB, "
        f"ru_maxrss +{mem['maxrss_delta_mb']:.1f} MB "
        f"(from {mem['maxrss_before_kib'] / 1024:.0f} MiB), "
        f"VmHWM +{rss:.1f} MB; goal < 100 MB: {'met' if peak < 100 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
