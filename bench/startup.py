"""Start-up cost: median time of `sse-doctor --help` as a ratio to `python -c pass`.

Goal: at most 4x, and `--help` imports none of docker, pymongo, httpx.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

HEAVY = ("docker", "pymongo", "httpx", "rich")
PROBE = (
    "import sys\n"
    "from doctor.cli import main\n"
    "sys.argv = ['sse-doctor', '--help']\n"
    "try:\n    main()\nexcept SystemExit:\n    pass\n"
    f"print('heavy:' + ','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
)


def median_seconds(argv: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    runs = parser.parse_args().runs
    baseline = median_seconds([sys.executable, "-c", "pass"], runs)
    doctor = median_seconds([sys.executable, "-m", "doctor.cli", "--help"], runs)
    imported = (
        subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)
        .stdout.strip()
        .splitlines()[-1]
        .removeprefix("heavy:")
    )
    print(f"python -c pass      median {baseline * 1000:7.1f} ms")
    print(f"sse-doctor --help   median {doctor * 1000:7.1f} ms")
    print(f"ratio               {doctor / baseline:.2f}x (goal <= 4x)")
    print(f"heavy modules imported by --help: {imported or 'none'}")


if __name__ == "__main__":
    main()
