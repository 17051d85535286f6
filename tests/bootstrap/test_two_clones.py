"""Two clones of the project on one machine (two worktrees, two CI jobs): both `make up` at once without editing
anything, each on a PostgreSQL server and port of its own, and `make destroy` in one leaves the other working;
`make bench` works on a fresh clone.

Slow (two virtualenvs, two servers, two real `pulumi up`). The clones sit in a 0700 folder, so as root both
keep their clusters under /var/lib/stagecraft (README: the dev stack). Their servers take ports from a range of
the tests' own that nothing claims.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Dict, Iterator, List

import psycopg
import pytest

from .conftest import unclaimed_port_range

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"


@functools.lru_cache(maxsize=None)
def _test_ports() -> str:
    """Chosen when the module's first test runs (not at collection: earlier modules' servers claim ports)."""
    return unclaimed_port_range(6)

pytestmark = pytest.mark.engine


def _env() -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STAGECRAFT_PG_", "PULUMI_", "VIRTUAL_ENV"))}
    env["STAGECRAFT_PG_PORTS"] = _test_ports()
    return env


class Clone:
    """A `git clone` of this repository with `shared/` beside it, as a developer or CI has it."""

    def __init__(self, parent: Path) -> None:
        parent.mkdir()
        self.root = parent / "stagecraft"
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(self.root)], check=True)
        if SHARED.exists():
            (parent / "shared").symlink_to(SHARED)
        self.state_dir = self.root / ".stagecraft" / "postgres"

    def make(self, *targets: str) -> subprocess.Popen:
        return subprocess.Popen(["make", "--no-print-directory", *targets], cwd=self.root, env=_env(),
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def pulumi(self, *args: str) -> subprocess.CompletedProcess:
        script = f". bootstrap/env.sh && PULUMI_CONFIG_PASSPHRASE=stagecraft-dev pulumi {' '.join(args)}"
        return subprocess.run(["bash", "-c", script], cwd=self.root, env=_env(), capture_output=True, text=True,
                              timeout=600)

    def port(self) -> int:
        return json.loads((self.state_dir / "port.json").read_text())["port"]

    def admin_url(self) -> str:
        done = subprocess.run([str(self.root / ".venv" / "bin" / "python"), "bootstrap/postgres.py", "url"],
                              cwd=self.root, env=_env(), check=True, capture_output=True, text=True)
        return done.stdout.strip()

    def has_database(self, name: str) -> bool:
        with psycopg.connect(self.admin_url(), autocommit=True) as conn:
            return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is not None

    def remove_server(self) -> None:
        """Stop the clone's server and remove its cluster wherever it lives (the state dir goes with the clone)."""
        python = self.root / ".venv" / "bin" / "python"
        if python.exists():
            subprocess.run([str(python), "bootstrap/postgres.py", "stop"], cwd=self.root, env=_env(),
                           capture_output=True, timeout=120)
        location = self.state_dir / "cluster-location.json"
        if location.exists():
            shutil.rmtree(json.loads(location.read_text())["cluster_dir"], ignore_errors=True)


def _finish(runs: List[subprocess.Popen]) -> List[str]:
    outputs = []
    for run in runs:
        output, _ = run.communicate(timeout=1800)
        assert run.returncode == 0, output[-6000:]
        outputs.append(output)
    return outputs


@pytest.fixture(scope="module")
def clones() -> Iterator[List[Clone]]:
    """Two clones that both ran `make up` at the same time; their servers and clusters are removed after."""
    folder = Path(tempfile.mkdtemp(prefix="stagecraft-two-clones-"))  # 0700: as root, the server account's fallback
    made: List[Clone] = []
    try:
        made.extend([Clone(folder / "first"), Clone(folder / "second")])
        _finish([clone.make("up") for clone in made])
        yield made
    finally:
        for clone in made:
            clone.remove_server()
        shutil.rmtree(folder, ignore_errors=True)


def test_each_clone_runs_its_own_server_on_its_own_port(clones: List[Clone]) -> None:
    first, second = clones

    assert first.port() != second.port()
    first_port, last_port = map(int, _test_ports().split("-"))
    assert {first.port(), second.port()} <= set(range(first_port, last_port + 1))
    assert first.admin_url() != second.admin_url()


@pytest.mark.skipif(os.geteuid() != 0, reason="the server account only differs from the caller as root")
def test_as_root_each_clone_keeps_its_cluster_in_a_home_of_its_own_under_the_system_dir(clones: List[Clone]) -> None:
    homes = [json.loads((clone.state_dir / "cluster-location.json").read_text())["cluster_dir"] for clone in clones]

    assert homes[0] != homes[1]
    assert all(home.startswith("/var/lib/stagecraft/clusters/") for home in homes)


def test_each_clone_deployed_its_dev_database_on_its_own_server(clones: List[Clone]) -> None:
    assert all(clone.has_database("app") for clone in clones)


def test_a_second_make_up_in_a_clone_changes_nothing(clones: List[Clone]) -> None:
    (output,) = _finish([clones[1].make("up")])

    assert "nothing to do" in output
    assert clones[1].pulumi("preview", "-s", "dev", "--expect-no-changes", "--non-interactive").returncode == 0


def test_make_destroy_in_one_clone_leaves_the_other_working(clones: List[Clone]) -> None:
    first, second = clones

    _finish([first.make("destroy")])

    assert not first.has_database("app")
    assert second.has_database("app")
    preview = second.pulumi("preview", "-s", "dev", "--expect-no-changes", "--non-interactive")
    assert preview.returncode == 0, preview.stdout + preview.stderr


def test_make_bench_works_on_a_fresh_clone() -> None:
    folder = Path(tempfile.mkdtemp(prefix="stagecraft-fresh-clone-"))
    fresh = Clone(folder / "fresh")
    try:
        (output,) = _finish([fresh.make("bench", "BENCH_FLAGS=--rounds 1", "BENCH_SCALING_FLAGS=--sizes 2 4 6")])
    finally:
        fresh.remove_server()
        shutil.rmtree(folder, ignore_errors=True)

    assert "preview / floor:" in output and "up / floor:" in output
    assert "marginal per app:" in output
    assert "critical path:" in output
