"""Fixtures for the local PostgreSQL bootstrap: run bootstrap/postgres.py for real on ports and state
directories of the tests' own, never the clone's own server (its recorded port, .stagecraft/postgres)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List

import pytest

from bootstrap.pg import ports
from bootstrap.pg.cache import cache_root
from bootstrap.pg.probe import listening

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "bootstrap" / "postgres.py"
SEARCHED_PORTS = range(54400, 55000)
"""Where the tests look for ranges of their own: above the default range, below the ephemeral ports."""


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def unclaimed_port_range(size: int) -> str:
    """`first-last` of `size` ports that no clone claims and nothing listens on, for tests whose servers choose
    their own port. A fixed range would not do: a run that was killed leaves its temporary clones behind, and
    their claims hold on to their ports until those folders are deleted."""
    registry = cache_root(os.environ) / "ports"
    run: List[int] = []
    for port in SEARCHED_PORTS:
        taken = registry.is_dir() and ports.claimant(registry, port) is not None
        if taken or listening("127.0.0.1", port):
            run = []
            continue
        run.append(port)
        if len(run) == size:
            return f"{run[0]}-{run[-1]}"
    raise RuntimeError(f"no {size} consecutive ports of {SEARCHED_PORTS.start}-{SEARCHED_PORTS.stop - 1} are free")


@dataclass
class Instance:
    """One state directory and port: how the tests address one project server."""

    state_dir: Path
    port: int

    @property
    def password_file(self) -> Path:
        return self.state_dir / "admin-password"

    def env(self) -> Dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("STAGECRAFT_PG_")}
        env.update(STAGECRAFT_PG_STATE_DIR=str(self.state_dir), STAGECRAFT_PG_PORT=str(self.port))
        return env

    def run(self, *args: str) -> subprocess.CompletedProcess:
        """Run bootstrap/postgres.py with this instance's settings (extra options after the command)."""
        return subprocess.run(
            [sys.executable, str(SCRIPT), *args], env=self.env(), capture_output=True, text=True, timeout=600
        )

    def postmaster_pid(self) -> int:
        return int((self.state_dir / "data" / "postmaster.pid").read_text().splitlines()[0])

    def url(self, database: str = "postgres") -> str:
        result = self.run("url")
        assert result.returncode == 0, result.stderr
        return result.stdout.strip().rsplit("/", 1)[0] + "/" + database


@pytest.fixture(scope="session")
def scratch_root() -> Iterator[Path]:
    """A directory the server account can reach.

    pytest's tmp_path lives under a 0700 directory of the invoking user; as root the server runs as the
    unprivileged stagecraft-pg, which could not reach a data directory there.
    """
    root = Path(tempfile.mkdtemp(prefix="stagecraft-pg-tests-"))
    root.chmod(0o755)
    yield root
    shutil.rmtree(root, ignore_errors=True)


def _stop_all(instances: List[Instance]) -> None:
    for instance in instances:
        if (instance.state_dir / "data" / "postmaster.pid").exists():
            instance.run("stop")


@pytest.fixture
def new_instance(scratch_root: Path) -> Iterator:
    """A factory of fresh instances (own state directory and port); servers they start are stopped after."""
    made: List[Instance] = []

    def make() -> Instance:
        instance = Instance(Path(tempfile.mkdtemp(prefix="instance-", dir=scratch_root)), free_port())
        instance.state_dir.chmod(0o755)
        made.append(instance)
        return instance

    yield make
    _stop_all(made)
    for instance in made:  # its claim on a port ends with its state directory
        shutil.rmtree(instance.state_dir, ignore_errors=True)


@pytest.fixture(scope="module")
def server(scratch_root: Path) -> Iterator[Instance]:
    """A project server brought up by `ensure`, shared by a module's tests and stopped after them."""
    instance = Instance(Path(tempfile.mkdtemp(prefix="shared-", dir=scratch_root)), free_port())
    instance.state_dir.chmod(0o755)
    result = instance.run("ensure")
    assert result.returncode == 0, result.stderr
    yield instance
    _stop_all([instance])
