"""Prints the median wall time of `pulumi preview -s dev` against an empty Python program on the same engine.

The ratio says how much of a dev preview is the program's own work and how much is the engine's floor
(starting the CLI, the language host and Python). Run with `make bench`; the numbers are for reading, not
for asserting.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.engine.cli import DEV_PASSPHRASE, engine_env  # noqa: E402


def _time_preview(cwd: Path, env: dict[str, str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(["pulumi", "preview", "-s", "dev", "--non-interactive"], cwd=cwd, env=env, check=True,
                       capture_output=True)
        times.append(time.perf_counter() - start)
    return times


def _empty_program(folder: Path) -> None:
    (folder / "Pulumi.yaml").write_text(
        f"name: empty\nruntime:\n  name: python\n  options:\n    virtualenv: {ROOT / '.venv'}\n")
    (folder / "__main__.py").write_text("import pulumi  # noqa: F401\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="previews per program (median is reported)")
    args = parser.parse_args()

    project_backend = os.environ.get("PULUMI_BACKEND_URL") or f"file://{ROOT / '.stagecraft' / 'state'}"
    dev = _time_preview(ROOT, engine_env(project_backend, DEV_PASSPHRASE), args.runs)
    with tempfile.TemporaryDirectory() as tmp:
        folder, state = Path(tmp) / "empty", Path(tmp) / "state"
        folder.mkdir()
        state.mkdir()
        _empty_program(folder)
        env = engine_env(f"file://{state}", DEV_PASSPHRASE)
        subprocess.run(["pulumi", "stack", "init", "dev", "--non-interactive"], cwd=folder, env=env, check=True,
                       capture_output=True)
        empty = _time_preview(folder, env, args.runs)

    version = subprocess.run(["pulumi", "version"], env=engine_env(project_backend, DEV_PASSPHRASE), capture_output=True,
                             text=True).stdout.strip()
    dev_median, empty_median = statistics.median(dev), statistics.median(empty)
    print(f"engine: pulumi {version}; {args.runs} runs each; {os.cpu_count()} cores")
    print(f"pulumi preview -s dev (stagecraft):                median {dev_median:.2f} s "
          f"(min {min(dev):.2f}, max {max(dev):.2f})")
    print(f"pulumi preview of an empty Python program:        median {empty_median:.2f} s "
          f"(min {min(empty):.2f}, max {max(empty):.2f})")
    print(f"ratio dev / empty: {dev_median / empty_median:.2f}")


if __name__ == "__main__":
    main()
