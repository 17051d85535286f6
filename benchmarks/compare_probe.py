"""Prints how much probing many environments at once costs over probing the slowest one alone.

Serves 45 stand-in health endpoints (tests/tools/health_servers.py) in a child process, with log-normal
latencies whose medians spread from 60 ms to 250 ms, then times `stagecraft compare`'s probe engine
(tools/ops/probe.py) twice: the slowest endpoint alone, then all 45, each endpoint probed 200 times.
The target (issue 11): all of them finish within 1.2 times the slowest one's own time. Run it with
`make bench`; it exits 1 when the ratio is over the target.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.tools.health_servers import Behaviour, lognormal_latencies, serve_in_child  # noqa: E402
from tools.ops.probe import probe_targets  # noqa: E402
from tools.ops.targets import Target  # noqa: E402

TARGET_RATIO = 1.2


def _timed(targets: list[Target], samples: int, concurrency: int) -> tuple[float, int]:
    start = time.perf_counter()
    results = probe_targets(targets, samples, concurrency, timeout=10.0)
    failures = sum(1 for rs in results.values() for r in rs if not r.ok)
    return time.perf_counter() - start, failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoints", type=int, default=45)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=64, help="stagecraft compare's default")
    args = parser.parse_args()
    count = args.endpoints
    behaviours = {f"env{i:02d}": Behaviour(latencies_ms=lognormal_latencies(60 + 190 * i / max(1, count - 1), 0.2, 50, i))
                  for i in range(count)}
    with serve_in_child(behaviours) as urls:
        targets = [Target(name, url) for name, url in urls.items()]
        cpu = time.process_time()
        alone, failed_alone = _timed(targets[-1:], args.samples, args.concurrency)
        together, failed_together = _timed(targets, args.samples, args.concurrency)
        cpu = time.process_time() - cpu
    ratio = together / alone
    print(f"compare probe engine: {args.samples} samples x {count} endpoints = {args.samples * count} probes, "
          f"concurrency {args.concurrency}")
    print(f"  slowest endpoint alone:  {alone:6.2f} s ({failed_alone} failed)")
    print(f"  all {count} endpoints:     {together:6.2f} s ({failed_together} failed)")
    print(f"  ratio: {ratio:.3f} (target <= {TARGET_RATIO})")
    print(f"  prober CPU: {cpu * 1000 / (args.samples * (count + 1)):.2f} ms per probe; machine load average "
          f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    return 0 if ratio <= TARGET_RATIO and not failed_alone and not failed_together else 1


if __name__ == "__main__":
    sys.exit(main())
