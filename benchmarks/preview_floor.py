"""Prints `pulumi preview -s dev` and a no-op `pulumi up -s dev` against the engine's true floor.

The floor is an empty Python program on the same engine in a virtualenv holding only `pulumi`
(benchmarks/floor.py, cached outside the clone). The dev program runs as a throwaway copy of the dev stack with
a database of its own on this clone's server, so the benchmark needs no deployed stack and touches none. Runs
are paired (each round times all four, alternating the order) and the figures are medians; the goal is each
ratio at most 1.3. Run with `make bench`; figures are for reading, not for asserting.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.floor import FloorProgram, floor_venv  # noqa: E402
from benchmarks.timing import paired_rounds, verdict  # noqa: E402
from tests.engine.cli import ProjectCopy  # noqa: E402
from tests.engine.dev_stack import dev_config  # noqa: E402

GOAL = 1.3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="paired rounds (medians are reported)")
    args = parser.parse_args()

    venv = floor_venv()
    with tempfile.TemporaryDirectory(prefix="stagecraft-bench-") as tmp_name:
        tmp = Path(tmp_name)
        floor = FloorProgram(tmp / "floor", venv)
        floor.up().check()
        dev = ProjectCopy(tmp / "dev", "dev", dev_config(tmp, f"bench_{secrets.token_hex(4)}"))
        dev.up().check()
        try:
            samples = paired_rounds({
                "dev preview": dev.preview,
                "floor preview": floor.preview,
                "dev up": lambda: dev.stack_command("up", "--yes", "--expect-no-changes"),
                "floor up": lambda: floor.run("up", "-s", "dev", "--yes", "--expect-no-changes", "--non-interactive"),
            }, args.rounds)
        finally:
            dev.destroy().check()
        version = dev.run("version").stdout.strip()

    print(f"engine: pulumi {version}; {args.rounds} paired rounds; {os.cpu_count()} cores; floor venv {venv}")
    for kind, command in (("preview", "pulumi preview -s dev"), ("up", "no-op pulumi up --yes -s dev")):
        ratio = samples.paired_ratio(f"dev {kind}", f"floor {kind}")
        print(f"{command + ' (stagecraft):':44} {samples.spread(f'dev {kind}')}")
        print(f"{'  the same on an empty program (floor):':44} {samples.spread(f'floor {kind}')}")
        print(f"  {kind} / floor: {ratio:.2f} (goal <= {GOAL}: {verdict(ratio, GOAL)})")


if __name__ == "__main__":
    main()
