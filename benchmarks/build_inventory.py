"""Prints how long building the whole app inventory takes on this machine: cold and warm.

Every app × variant of the default inventory (settings.inventory.DEFAULT_FRONTENDS: twelve builds of the
stand-in product, examples/product/web) is built the way `pulumi up` builds it: `build:StaticBuild`'s provider,
one thread per app as the dynamic-provider host runs them, at most one build per core. Three figures:

- npm tree: `npm ci` of the app's lockfile into an empty stagecraft cache (npm's own download cache may be warm);
- cold: the twelve builds into an empty build folder, the npm tree already installed;
- warm: the same twelve again, which must build nothing (each artifact exists).

Run: `.venv/bin/python benchmarks/build_inventory.py [--rounds N]`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from providers._node import npm_tree  # noqa: E402
from providers.build import builder, digest  # noqa: E402
from providers.build.static_build import StaticBuildProvider  # noqa: E402
from settings.inventory import DEFAULT_FRONTENDS, FrontendApp  # noqa: E402

API_URL = "https://stagecraft-uat-api.koyeb.app"
DYNAMIC_PROVIDER_THREADS = 4
"""Worker threads of Pulumi's Python dynamic-provider host (pulumi/dynamic/__main__.py, 3.79)."""


def props(app: FrontendApp) -> dict:
    """What the program gives StaticBuild for ``app`` in the uat stack."""
    values = {"VITE_API_URL": API_URL, "VITE_ENVIRONMENT": "uat"}
    if app.variant:
        values["VITE_VARIANT"] = app.variant
    return {"app": app.name, "source": app.source, "root": str(ROOT), "build_command": app.build_command,
            "output_directory": app.output_directory, "env": values,
            "source_digest": digest.source_digest(ROOT / app.source, app.output_directory)}


def artifacts() -> set[str]:
    """The artifact keys in the build folder."""
    folder = builder.build_dir(ROOT)
    return {p.name for p in folder.iterdir() if p.name not in (builder.LOCKS, builder.WORKSPACES)} \
        if folder.is_dir() else set()


def build_all(apps: tuple[FrontendApp, ...]) -> tuple[float, int]:
    """Seconds to build every app concurrently, and how many artifacts were new."""
    before = artifacts()
    started = time.perf_counter()
    with ThreadPoolExecutor(DYNAMIC_PROVIDER_THREADS) as pool:
        list(pool.map(lambda app: StaticBuildProvider().create(props(app)), apps))
    elapsed = time.perf_counter() - started
    return elapsed, len(artifacts() - before)


def time_npm_tree(source: Path) -> float:
    """Seconds for `npm ci` of ``source``'s lockfile into an empty stagecraft cache."""
    saved = os.environ.get(npm_tree.CACHE_VAR)
    with tempfile.TemporaryDirectory() as cache:
        os.environ[npm_tree.CACHE_VAR] = cache
        try:
            started = time.perf_counter()
            npm_tree.ensure_tree(source)
            return time.perf_counter() - started
        finally:
            if saved is None:
                os.environ.pop(npm_tree.CACHE_VAR, None)
            else:
                os.environ[npm_tree.CACHE_VAR] = saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="cold/warm rounds (medians are printed)")
    rounds = parser.parse_args().rounds
    apps = DEFAULT_FRONTENDS
    sources = sorted({app.source for app in apps})
    print(f"inventory: {len(apps)} apps from {len(sources)} source folder(s); {builder.BUILD_SLOTS} build slot(s) "
          f"(cores); Node {npm_tree.node_major(npm_tree.node_bin())}")
    npm_seconds = [time_npm_tree(ROOT / source) for source in sources]
    for source in sources:
        npm_tree.ensure_tree(ROOT / source)  # the machine cache the builds use
    cold, warm = [], []
    for _ in range(rounds):
        with tempfile.TemporaryDirectory() as builds:
            os.environ[builder.BUILD_DIR_VAR] = builds
            seconds, built = build_all(apps)
            if built != len(apps):
                raise SystemExit(f"cold round built {built} artifacts, expected {len(apps)}")
            cold.append(seconds)
            seconds, built = build_all(apps)
            if built:
                raise SystemExit(f"warm round built {built} artifacts, expected none")
            warm.append(seconds)
    print(f"npm tree (npm ci into an empty stagecraft cache): {sum(npm_seconds):.2f} s")
    print(f"cold: {len(apps)} builds in {statistics.median(cold):.2f} s "
          f"(median of {rounds}; min {min(cold):.2f}, max {max(cold):.2f}; "
          f"{statistics.median(cold) / len(apps):.2f} s per app)")
    print(f"warm: nothing built, {statistics.median(warm) * 1000:.0f} ms (median of {rounds})")


if __name__ == "__main__":
    main()
