"""Prints how close the emulated uat stack's `pulumi up` comes to its physical limit, its critical path.

Serves the emulated accounts of tests/engine/emulated_uat.py on loopback with a fixed latency per request
(default 100 ms) and runs `pulumi up` of the uat dynamic resources on the real engine, then a no-op `up` (the
engine's own floor for this program), then a destroy, in each round. The critical path is the longest
chain of requests each sent soon after the previous one was answered (benchmarks/critical_path.py, from the
emulators' timestamped request logs). The goal: `up` minus the no-op floor at most 1.05 times the critical path
(medians over rounds). Run it with `make bench`; figures are for reading, not for asserting.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.critical_path import MAX_GAP, critical_path, marks, requests_since  # noqa: E402
from benchmarks.timing import timed, verdict  # noqa: E402
from tests.engine.emulated_uat import EmulatedAccounts, uat_dynamic_stack  # noqa: E402

GOAL = 1.05


def one_round(latency: float, max_gap: float, readiness_polls: int = 0) -> dict:
    """One up / no-op up / destroy of a fresh emulated uat stack; its figures."""
    with ExitStack() as stack, tempfile.TemporaryDirectory() as tmp:
        accounts = EmulatedAccounts(stack)
        emulators = accounts.emulators()
        project = uat_dynamic_stack(Path(tmp), accounts)
        for emulator in emulators.values():
            emulator.set_latency(latency)
            emulator.set_readiness_delay(readiness_polls)
        before = marks(emulators)
        up_wall = timed(project.up)
        sent = requests_since(emulators, before)
        before, writes_before = marks(emulators), accounts.writes()
        noop_wall = timed(lambda: project.up("--expect-no-changes"))
        noop_requests = len(requests_since(emulators, before))
        noop_writes = accounts.writes() - writes_before
        for emulator in emulators.values():
            emulator.set_latency(0)
        project.destroy().check()
    chain = critical_path(sent, max_gap)
    return {"apis": sorted(emulators), "up": up_wall, "noop": noop_wall, "requests": len(sent), "latency_sum": sum(r.seconds for r in sent),
            "chain": chain, "critical": sum(r.seconds for r in chain), "noop_requests": noop_requests,
            "noop_writes": noop_writes}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.1, help="seconds added to every API request")
    parser.add_argument("--rounds", type=int, default=3, help="rounds (medians are reported)")
    parser.add_argument("--readiness-polls", type=int, default=0,
                        help="reads before a new or changed resource reports ready (platforms that take a while)")
    parser.add_argument("--max-gap", type=float, default=MAX_GAP,
                        help="most seconds between an answer and a request that depends on it")
    args = parser.parse_args()

    rounds = [one_round(args.latency, args.max_gap, args.readiness_polls) for _ in range(args.rounds)]

    def median(key: str) -> float:
        return statistics.median(r[key] for r in rounds)

    ratio = statistics.median((r["up"] - r["noop"]) / r["critical"] for r in rounds)
    chain = min(rounds, key=lambda r: abs(r["critical"] - median("critical")))["chain"]
    print(f"emulated uat stack ({', '.join(rounds[0]['apis'])} emulated), {args.latency * 1000:.0f} ms per request, "
          f"{args.readiness_polls} reads before ready, {args.rounds} rounds (medians)")
    print(f"pulumi up:        {median('up'):6.2f} s wall; {median('requests'):.0f} API requests, "
          f"{median('latency_sum'):.2f} s in requests if sent one by one")
    print(f"no-op pulumi up:  {median('noop'):6.2f} s wall (the floor); {median('noop_requests'):.0f} API requests, "
          f"{median('noop_writes'):.0f} writes")
    print(f"critical path:    {median('critical'):6.2f} s in {len(chain)} requests (the longest chain of requests each "
          f"sent at most {args.max_gap * 1000:.0f} ms after the previous one was answered):")
    for request in chain:
        print(f"    {request.api:8} {request.method:6} {request.path} -> {request.status} "
              f"({request.seconds * 1000:.0f} ms)")
    print(f"up minus the floor: {median('up') - median('noop'):.2f} s = {ratio:.2f} x the critical path "
          f"(goal <= {GOAL}: {verdict(ratio, GOAL)})")


if __name__ == "__main__":
    main()
