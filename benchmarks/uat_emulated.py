"""Prints how much of the emulated uat stack's API latency the engine's parallelism hides.

Serves the Koyeb, Neon and Upstash emulators on loopback with a fixed latency per request (default 100 ms),
runs `pulumi up` of the uat dynamic resources (tests/engine/emulated_uat.py) on the real engine, and
prints: the wall time of the `up`, the number of API requests and the sum of their latencies, and, for a
second (no-op) `up`, how many requests and how many writes it made. Then destroys the stack. Run it with
`make bench`; figures are for reading, not for asserting.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.engine.emulated_uat import EmulatedAccounts, uat_dynamic_stack  # noqa: E402


def _timed(action) -> float:
    start = time.perf_counter()
    action().check()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.1, help="seconds added to every API request")
    args = parser.parse_args()

    with ExitStack() as stack, tempfile.TemporaryDirectory() as tmp:
        accounts = EmulatedAccounts(stack)
        project = uat_dynamic_stack(Path(tmp), accounts)
        for emulator in accounts.emulators().values():
            emulator.set_latency(args.latency)

        before = accounts.request_count()
        up_wall = _timed(project.up)
        up_requests = accounts.request_count() - before

        before, writes_before = accounts.request_count(), accounts.writes()
        noop_wall = _timed(lambda: project.up("--expect-no-changes"))
        noop_requests = accounts.request_count() - before
        noop_writes = accounts.writes() - writes_before

        for emulator in accounts.emulators().values():
            emulator.set_latency(0)
        project.destroy().check()

    serial = up_requests * args.latency
    print(f"emulated uat stack (Koyeb + Neon + Upstash dynamic resources), {args.latency * 1000:.0f} ms per request")
    print(f"pulumi up:        {up_wall:6.2f} s wall; {up_requests} API requests, sum of latencies {serial:.2f} s; "
          f"wall / latency sum = {up_wall / serial:.2f}")
    print(f"no-op pulumi up:  {noop_wall:6.2f} s wall; {noop_requests} API requests, {noop_writes} writes")
    # The no-op up makes no request, so its wall time is the engine's own floor for this program.
    beyond_floor = max(up_wall - noop_wall, 0.0)
    print(f"up beyond the no-op floor: {beyond_floor:.2f} s against {serial:.2f} s of latency if sent one by one "
          f"({(1 - beyond_floor / serial) * 100:.0f}% hidden by parallelism)")


if __name__ == "__main__":
    main()
