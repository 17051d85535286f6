"""Prints how the cost of a no-op `pulumi up` and of `pulumi destroy` grows with the number of apps.

A dev stack with N frontends (config `stagecraft:frontend.apps`, generated apps) runs as a throwaway copy on this
clone's server, for N = 12, 120 and 240 by default. Each round creates the three stacks, times a no-op `up` of
each, then times the `destroy` of each (the order alternating between rounds); the figures are medians over
rounds. The marginal cost per app from 120 to 240 apps should be at most 1.2 times the one from 12 to 120: more
means some step's cost grows with the size of the stack (a quadratic term). `destroy` runs with the engine
settings `make destroy` uses (bootstrap/dev-destroy.env). Run with `make bench`.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Dict, List

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.timing import Samples, timed, verdict  # noqa: E402
from tests.engine.cli import ProjectCopy, Result  # noqa: E402
from tests.engine.dev_stack import dev_config  # noqa: E402

GOAL = 1.2
FIRST_DEV_PORT = 20000


def apps(count: int) -> List[dict]:
    """`count` frontends as `stagecraft:frontend.apps` takes them (distinct names and dev ports)."""
    return [{"name": f"app-{n:03d}", "devPort": FIRST_DEV_PORT + n,
             "framework": "react19-vite7"} for n in range(count)]


def dev_destroy_env() -> Dict[str, str]:
    """The engine settings `make destroy` adds (bootstrap/dev-destroy.env: KEY=VALUE lines, # comments)."""
    pairs = (line.split("=", 1) for line in (ROOT / "bootstrap" / "dev-destroy.env").read_text().splitlines()
             if line.strip() and not line.lstrip().startswith("#"))
    return {key.strip(): value.strip() for key, value in pairs}


def destroy_as_make_does(stack: ProjectCopy, *flags: str) -> Result:
    """`pulumi destroy` of `stack` with the settings of `make destroy`."""
    args = ["destroy", "--yes", "--skip-preview", "-s", stack.stack, "--non-interactive", *flags]
    done = subprocess.run(["pulumi", *args], cwd=stack.root, env={**stack.env, **dev_destroy_env()},
                          capture_output=True, text=True, timeout=1800)
    return Result(args, done.returncode, done.stdout, done.stderr)


def stack_with(tmp: Path, count: int) -> ProjectCopy:
    folder = tmp / f"apps-{count}"
    config = dev_config(folder, f"bench_apps_{count}_{secrets.token_hex(3)}")
    config["stagecraft:frontend"] = {"platform": "local", "apps": apps(count)}
    return ProjectCopy(folder / "project", "dev", config)


def _marginal(samples: Samples, kind: str, small: int, middle: int, large: int) -> tuple:
    """Marginal seconds per app below and above `middle`, from each round's own figures (medians)."""
    lows, highs = [], []
    for a, b, c in zip(samples.times[f"{kind} {small}"], samples.times[f"{kind} {middle}"],
                       samples.times[f"{kind} {large}"]):
        lows.append((b - a) / (middle - small))
        highs.append((c - b) / (large - middle))
    return statistics.median(lows), statistics.median(highs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="rounds (medians are reported)")
    parser.add_argument("--sizes", type=int, nargs=3, default=[12, 120, 240], metavar=("SMALL", "MIDDLE", "LARGE"))
    args = parser.parse_args()
    sizes = sorted(args.sizes)

    samples = Samples()
    state_bytes: Dict[int, int] = {}
    with tempfile.TemporaryDirectory(prefix="stagecraft-bench-apps-") as tmp_name:
        for round_number in range(args.rounds):
            order = sizes if round_number % 2 == 0 else list(reversed(sizes))
            stacks = {count: stack_with(Path(tmp_name) / f"round-{round_number}", count) for count in sizes}
            try:
                for count in order:
                    stacks[count].up().check()
                    state_bytes[count] = len(stacks[count].export())
                for count in order:
                    samples.add(f"up {count}", timed(lambda: stacks[count].up("--expect-no-changes")))
                for count in order:
                    samples.add(f"destroy {count}", timed(lambda: destroy_as_make_does(stacks[count])))
            finally:
                for stack in stacks.values():
                    stack.destroy()  # a no-op for those already destroyed; cleans up after a failed round

    small, middle, large = sizes
    print(f"dev stack with N apps: {args.rounds} rounds; {os.cpu_count()} cores")
    for kind, label in (("up", "no-op pulumi up"), ("destroy", "pulumi destroy")):
        for count in sizes:
            print(f"{label + f' ({count} apps):':32} {samples.spread(f'{kind} {count}')}  "
                  f"(state {state_bytes[count] / 1e6:.2f} MB)")
        low, high = _marginal(samples, kind, small, middle, large)
        if low > 0 and high > 0:
            judged = f"ratio {high / low:.2f} (goal <= {GOAL}: {verdict(high / low, GOAL)})"
        else:
            noise = max(max(samples.times[f"{kind} {n}"]) - min(samples.times[f"{kind} {n}"]) for n in sizes)
            judged = (f"no ratio: a marginal cost is not above zero, i.e. within the run-to-run spread "
                      f"({noise:.2f} s = {noise / (middle - small) * 1000:.1f} ms per app below {middle}); "
                      "more rounds narrow it")
        print(f"  marginal per app: {low * 1000:.1f} ms ({small}->{middle}), {high * 1000:.1f} ms "
              f"({middle}->{large}); {judged}")


if __name__ == "__main__":
    main()
