"""What is at host:port: nothing, something that is not PostgreSQL, a PostgreSQL we cannot log into, or one we can.

Connection checks go through psycopg; the password is passed as a parameter and never appears in messages.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from typing import Iterable, List, Optional

import psycopg

# libpq reports a rejected login only as text (psycopg leaves sqlstate unset on connection errors); these
# are the server's wordings for "this login is not accepted" as opposed to "this is not a usable server".
_LOGIN_REJECTED = (
    "authentication failed",
    "no password supplied",
    "no pg_hba.conf entry",
    "does not exist",
    "permission denied for database",
)

CONNECT_TIMEOUT = 5


@dataclass(frozen=True)
class Probe:
    """The outcome of looking at host:port.

    state: "absent" (nothing listening), "login_ok", "login_failed" (a PostgreSQL rejected our login),
    or "unusable" (something listens but no PostgreSQL session could be had).
    detail: the reason, for messages (no secrets).
    version: server_version when logged in.
    """

    state: str
    detail: str = ""
    version: Optional[str] = None


def listening(host: str, port: int) -> bool:
    """True when something accepts TCP connections at host:port."""
    try:
        with socket.create_connection((host, port), timeout=CONNECT_TIMEOUT):
            return True
    except OSError:
        return False


def connect(host: str, port: int, user: str, password: str, dbname: str = "postgres") -> psycopg.Connection:
    """An autocommit connection for administration (raises psycopg.OperationalError on failure).

    Only the given password is tried: never PGPASSWORD or a ~/.pgpass entry, so a check says what the
    configured password file is worth.
    """
    return psycopg.connect(
        host=host,
        port=port,
        user=user,
        password=password,
        passfile=os.devnull,
        dbname=dbname,
        connect_timeout=CONNECT_TIMEOUT,
        gssencmode="disable",
        application_name="stagecraft-bootstrap",
        autocommit=True,
    )


def _one_line(err: BaseException) -> str:
    return " ".join(str(err).split()) or type(err).__name__


def look(host: str, port: int, user: str, password: Optional[str]) -> Probe:
    """Look at host:port and try to log in as `user` (with no password when None)."""
    if not listening(host, port):
        return Probe("absent")
    try:
        # Without a password the attempt still tells a PostgreSQL (which asks for one) from anything else.
        with connect(host, port, user, password or "") as conn:
            version = conn.execute("SHOW server_version").fetchone()[0]
    except psycopg.OperationalError as err:
        message = _one_line(err)
        if any(words in message.lower() for words in _LOGIN_REJECTED):
            if password is None:
                message = f"no admin password file; {message}"
            return Probe("login_failed", message)
        return Probe("unusable", message)
    return Probe("login_ok", version=str(version))


def missing_extensions(host: str, port: int, user: str, password: str, names: Iterable[str]) -> List[str]:
    """Of `names`, those the server does not list in pg_available_extensions, in the order given."""
    wanted = list(names)
    with connect(host, port, user, password) as conn:
        rows = conn.execute(
            "SELECT name FROM pg_available_extensions WHERE name = ANY(%s)", (wanted,)
        ).fetchall()
    available = {row[0] for row in rows}
    return [name for name in wanted if name not in available]
