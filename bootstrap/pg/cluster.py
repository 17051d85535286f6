"""The project's own cluster: create it, start it, tell whether a running server is it, stop it.

"Ours" is checked, never assumed: `cluster.json` in the state directory records the data directory and the
cluster's system identifier (from its pg_control) when the bootstrap creates it, and a server counts as
ours only when the data directory's postmaster.pid names a live postgres process serving that directory.
"""

from __future__ import annotations

import json
import os
import signal
import struct
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

import psutil

from .account import Account
from .binaries import Installation
from .config import Settings
from .errors import BootstrapError

# Loopback TCP only and no Unix socket: nothing but 127.0.0.1 can reach the server, and two clusters on
# different ports never share a socket directory.
SERVER_CONF = """
# --- stagecraft (bootstrap/postgres.py): loopback only, password (SCRAM) logins ---
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
password_encryption = 'scram-sha-256'
"""

HBA_CONF = """# stagecraft (bootstrap/postgres.py): TCP from 127.0.0.1 only, SCRAM passwords for every role.
# TYPE  DATABASE  USER  ADDRESS       METHOD
host    all       all   127.0.0.1/32  scram-sha-256
"""

START_TIMEOUT_S = 120
STOP_TIMEOUT_S = 60


@dataclass(frozen=True)
class Postmaster:
    """A running server of our data directory: its process id and the port it listens on."""

    pid: int
    port: int


def _same_path(a: str, b: Path) -> bool:
    return os.path.realpath(a) == os.path.realpath(b)


def system_identifier(data_dir: Path) -> Optional[int]:
    """The cluster's system identifier (the first field of global/pg_control), or None when unreadable."""
    try:
        with open(data_dir / "global" / "pg_control", "rb") as handle:
            head = handle.read(8)
    except OSError:
        return None
    return struct.unpack("=Q", head)[0] if len(head) == 8 else None


class Cluster:
    """The cluster in `settings.data_dir`, run with `install`'s programs as `account`."""

    def __init__(self, settings: Settings, install: Optional[Installation], account: Optional[Account]):
        self.settings = settings
        self.install = install
        self.account = account

    @property
    def data_dir(self) -> Path:
        """PGDATA."""
        return self.settings.data_dir

    def initialized(self) -> bool:
        """True when the data directory holds a cluster."""
        return (self.data_dir / "PG_VERSION").is_file()

    def is_ours(self) -> bool:
        """True when this project created the cluster now in the data directory."""
        try:
            marker = json.loads(self.settings.marker_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        ident = system_identifier(self.data_dir)
        return (
            isinstance(marker, dict)
            and ident is not None
            and marker.get("system_identifier") == ident
            and _same_path(str(marker.get("data_dir", "")), self.data_dir)
        )

    def running(self) -> Optional[Postmaster]:
        """Our server, when one runs: checked against the pidfile, the live process and the marker."""
        if not self.is_ours():
            return None
        try:
            lines = (self.data_dir / "postmaster.pid").read_text(encoding="utf-8").splitlines()
            pid, pid_data_dir, port = int(lines[0]), lines[1], int(lines[3])
        except (OSError, ValueError, IndexError):
            return None
        if not _same_path(pid_data_dir, self.data_dir):
            return None
        try:
            proc = psutil.Process(pid)
            cmdline = proc.cmdline()
            is_postgres = os.path.basename(cmdline[0]) == "postgres" if cmdline else False
        except (psutil.Error, OSError):
            return None
        serves_us = any(
            arg == "-D" and i + 1 < len(cmdline) and _same_path(cmdline[i + 1], self.data_dir)
            for i, arg in enumerate(cmdline)
        )
        return Postmaster(pid=pid, port=port) if is_postgres and serves_us else None

    def _need(self) -> tuple:
        if self.install is None or self.account is None:
            raise RuntimeError("this cluster operation needs the installation and the server account")
        return self.install, self.account

    def _prepare_data_dir(self, account: Account) -> None:
        data = self.data_dir
        if data.exists() and any(data.iterdir()):
            raise BootstrapError(
                f"{data} exists and is not empty, but holds no PostgreSQL cluster (no PG_VERSION); move it away "
                "or give another --state-dir (STAGECRAFT_PG_STATE_DIR)"
            )
        self.settings.state_dir.mkdir(parents=True, exist_ok=True)
        self.settings.cluster_home.mkdir(parents=True, exist_ok=True)
        data.mkdir(mode=0o700, exist_ok=True)
        if not account.is_self:
            os.chown(data, account.uid, account.gid)
        data.chmod(0o700)
        if not account.can_use(data, write=True):
            raise BootstrapError(
                f"the server account {account.name!r} cannot write to {data}: one of its parent directories is "
                "closed to it; open them (chmod o+x) or give a --state-dir (STAGECRAFT_PG_STATE_DIR) it can reach"
            )

    def _password_file_for(self, account: Account, password: str) -> Path:
        # initdb reads the password from a file the server account can open, so it goes beside the data
        # directory (the state directory may be closed to that account); the file lives only while initdb
        # runs (a pipe on stdin is not readable by /dev/stdin after the switch of user).
        path = self.settings.cluster_home / f".initdb-pw-{os.getpid()}"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            if not account.is_self:
                os.fchown(fd, account.uid, account.gid)
            os.write(fd, (password + "\n").encode("utf-8"))
        finally:
            os.close(fd)
        return path

    def initialize(self, password: str, say: Callable[[str], None]) -> None:
        """initdb a new cluster with `password` for the admin user, loopback-only and SCRAM-only."""
        install, account = self._need()
        self._prepare_data_dir(account)
        if not account.can_use(Path(install.program("postgres"))):
            raise BootstrapError(
                f"the server account {account.name!r} cannot run {install.program('postgres')}; open the "
                "directories above it (chmod o+rx) or keep the project somewhere it can reach"
            )
        say(f"creating a cluster in {self.data_dir} (owner {account.name})")
        pwfile = self._password_file_for(account, password)
        try:
            result = account.run(
                [
                    install.program("initdb"),
                    "-D", str(self.data_dir),
                    "-U", self.settings.admin_user,
                    f"--pwfile={pwfile}",
                    "--auth=scram-sha-256",
                    "--encoding=UTF8",
                    "--locale-provider=builtin",
                    "--builtin-locale=C.UTF-8",
                    "--locale=C",
                    "--no-instructions",
                ],
                cwd=self.settings.cluster_home,
            )
        finally:
            pwfile.unlink(missing_ok=True)
        if result.returncode != 0:
            raise BootstrapError(f"initdb failed:\n{(result.stdout + result.stderr).strip()}")
        # Existing files keep their owner (the server account) when rewritten.
        (self.data_dir / "pg_hba.conf").write_text(HBA_CONF, encoding="utf-8")
        with open(self.data_dir / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write(SERVER_CONF)
        marker = {
            "created_by": "bootstrap/postgres.py",
            "data_dir": str(self.data_dir),
            "system_identifier": system_identifier(self.data_dir),
            "account": account.name,
            "postgresql": install.version,
        }
        self.settings.marker_file.write_text(json.dumps(marker, indent=2) + "\n", encoding="utf-8")

    def _log_tail(self, lines: int = 12) -> str:
        try:
            text = self.settings.log_file.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no server log)"
        return "\n".join(text.strip().splitlines()[-lines:])

    def start(self, port: int, say: Callable[[str], None]) -> Postmaster:
        """Start the server on 127.0.0.1:`port` and wait until it accepts connections."""
        install, account = self._need()
        owner = self.data_dir.stat().st_uid
        if owner != account.uid:
            raise BootstrapError(f"{self.data_dir} is owned by uid {owner}, not by the server account {account.name}")
        if not account.is_self and not account.can_use(self.data_dir, write=True):
            raise BootstrapError(
                f"the server account {account.name!r} cannot reach the project's cluster in {self.data_dir}: "
                f"{account.closed_at(self.data_dir)}; open that directory to it (chmod o+x), or move the "
                "project back to where the cluster was created"
            )
        log = self.settings.log_file
        if not log.exists():
            log.touch(mode=0o600)
        if not account.is_self:
            os.chown(log, account.uid, account.gid)
        say(f"starting PostgreSQL {install.version} on 127.0.0.1:{port} (log {log})")
        result = account.run(
            [install.program("pg_ctl"), "start", "-D", str(self.data_dir), "-l", str(log), "-w",
             "-t", str(START_TIMEOUT_S), "-s", "-o", f"-p {port}"],
            cwd=self.settings.cluster_home,
        )
        running = self.running()
        if result.returncode != 0 or running is None:
            output = (result.stdout + result.stderr).strip()
            raise BootstrapError(
                f"the server did not start (pg_ctl: {output or 'no output'}); the end of {log}:\n{self._log_tail()}"
            )
        return running

    def stop(self, say: Callable[[str], None]) -> Optional[int]:
        """Stop our server (fast shutdown) and wait for it to exit; returns its pid, or None if none ran."""
        postmaster = self.running()
        if postmaster is None:
            return None
        say(f"stopping the project's server (pid {postmaster.pid}, port {postmaster.port})")
        try:
            # SIGINT is PostgreSQL's "fast" shutdown: roll back open transactions, then exit cleanly.
            os.kill(postmaster.pid, signal.SIGINT)
        except ProcessLookupError:
            return postmaster.pid
        except PermissionError:
            raise BootstrapError(
                f"not allowed to signal the server (pid {postmaster.pid}); run this as its owner or as root"
            ) from None
        deadline = time.monotonic() + STOP_TIMEOUT_S
        while not _gone(postmaster.pid):
            if time.monotonic() > deadline:
                raise BootstrapError(
                    f"the server (pid {postmaster.pid}) did not stop within {STOP_TIMEOUT_S}s; see "
                    f"{self.settings.log_file}"
                )
            time.sleep(0.02)
        return postmaster.pid


def _gone(pid: int) -> bool:
    # The postmaster is not our child; once it exits it may stay a zombie until whoever adopted it reaps it.
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True
