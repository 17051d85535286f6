"""The operating-system account the server runs as.

PostgreSQL refuses to run as root. As root the bootstrap uses an unprivileged system account
(`stagecraft-pg`, created when missing); otherwise it runs the server as the current user. An existing data
directory decides: the server always runs as the account that owns it.
"""

from __future__ import annotations

import os
import pwd
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List

from .errors import BootstrapError

SYSTEM_USER = "stagecraft-pg"


@dataclass(frozen=True)
class Account:
    """An OS account: name and ids."""

    name: str
    uid: int
    gid: int

    @property
    def is_self(self) -> bool:
        """True when this is the account the bootstrap itself runs as."""
        return self.uid == os.geteuid()

    def run(self, argv: List[str], *, cwd: Path) -> subprocess.CompletedProcess:
        """Run a program as this account with a minimal environment; output is captured, never raised on."""
        kwargs: Dict[str, Any] = {}
        if not self.is_self:
            kwargs.update(user=self.uid, group=self.gid, extra_groups=[])
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C"}
        if "TZ" in os.environ:
            env["TZ"] = os.environ["TZ"]
        return subprocess.run(
            argv,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            **kwargs,
        )

    def can_use(self, path: Path, *, write: bool = False) -> bool:
        """True when this account can reach `path` (and write to it when asked)."""
        if self.is_self:
            return os.access(path, os.W_OK | os.X_OK if write else os.X_OK)
        test = ["test", "-w" if write else "-x", str(path)]
        return self.run(test, cwd=Path("/")).returncode == 0

    def closed_at(self, path: Path) -> str:
        """Why this account cannot reach `path`: the first of / ... `path` it cannot enter (or run), with its
        mode and owner, for messages; empty when it can reach `path`."""
        for step in [*reversed(path.parents), path]:
            if not self.can_use(step):
                try:
                    info = step.stat()
                    owner = pwd.getpwuid(info.st_uid).pw_name
                except (OSError, KeyError):
                    return f"{step} is closed to it"
                return f"{step} (mode {info.st_mode & 0o7777:04o}, owner {owner}) is closed to it"
        return ""


def _by_uid(uid: int) -> Account:
    try:
        entry = pwd.getpwuid(uid)
    except KeyError:
        raise BootstrapError(f"uid {uid} has no account on this machine") from None
    return Account(name=entry.pw_name, uid=entry.pw_uid, gid=entry.pw_gid)


def _system_account() -> Account:
    try:
        entry = pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        result = subprocess.run(
            ["useradd", "--system", "--user-group", "--no-create-home", "--home-dir", "/nonexistent",
             "--shell", "/usr/sbin/nologin", "--comment", "stagecraft local PostgreSQL", SYSTEM_USER],
            capture_output=True,
            text=True,
        )
        if result.returncode != 0 and "already exists" not in result.stderr:
            raise BootstrapError(
                f"cannot create the system user {SYSTEM_USER!r} to run PostgreSQL as (PostgreSQL refuses to "
                f"run as root): {result.stderr.strip()}; create it (`useradd --system {SYSTEM_USER}`) or run "
                "this as an ordinary user"
            ) from None
        entry = pwd.getpwnam(SYSTEM_USER)
    return Account(name=entry.pw_name, uid=entry.pw_uid, gid=entry.pw_gid)


def for_data_dir(data_dir: Path) -> Account:
    """The account to run the server of `data_dir` as (creating the system user as root when needed)."""
    euid = os.geteuid()
    owner = data_dir.stat().st_uid if data_dir.exists() else None
    if owner is not None and owner != 0:
        if euid in (0, owner):
            return _by_uid(owner)
        raise BootstrapError(
            f"the data directory {data_dir} belongs to uid {owner}, not to you (uid {euid}); run this as "
            "that user, or give another --state-dir (STAGECRAFT_PG_STATE_DIR)"
        )
    if euid != 0:
        return _by_uid(euid)
    return _system_account()
