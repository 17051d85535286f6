"""Admin connections to a PostgreSQL server, shared by the local PostgreSQL resources (pure helpers)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from providers.local.server_objects import PRIVILEGED_ATTRIBUTES


class PostgresUnavailable(RuntimeError):
    """The server cannot be reached or refuses the admin login; the message says which and how to fix it."""


@dataclass(frozen=True)
class AdminTarget:
    """Where the admin role connects. The password is read from a file at use, never carried in state."""

    host: str
    port: int
    user: str
    password_file: str

    def password(self) -> str:
        path = Path(self.password_file)
        try:
            return path.read_text().strip()
        except OSError as exc:
            raise PostgresUnavailable(
                f"cannot read the PostgreSQL admin password file {path} ({exc.strerror}); run `make up` to "
                f"start the project's server, or set stagecraft:postgres.local.adminPasswordFile to your own"
            ) from None

    def connect(self, dbname: str = "postgres") -> psycopg.Connection:
        try:
            return psycopg.connect(host=self.host, port=self.port, user=self.user, password=self.password(),
                                   dbname=dbname, autocommit=True, connect_timeout=5)
        except psycopg.OperationalError as exc:
            reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
            raise PostgresUnavailable(
                f"PostgreSQL at {self.host}:{self.port} (admin role {self.user!r}) is not usable: {reason}. "
                f"Start it with `bash bootstrap/postgres.sh ensure` (or `make up`), or point "
                f"stagecraft:postgres.local at a running server"
            ) from None


def database_exists(conn: psycopg.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is not None


def role_exists(conn: psycopg.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone() is not None


def installed_extensions(conn: psycopg.Connection) -> list[str]:
    rows = conn.execute("SELECT extname FROM pg_extension WHERE extname <> 'plpgsql' ORDER BY extname").fetchall()
    return [row[0] for row in rows]


def set_role_password(conn: psycopg.Connection, role: str, password: str, *, create: bool) -> None:
    verb = "CREATE ROLE {} LOGIN PASSWORD {}" if create else "ALTER ROLE {} WITH LOGIN PASSWORD {}"
    conn.execute(sql.SQL(verb).format(sql.Identifier(role), sql.Literal(password)))


def reconcile_extensions(conn: psycopg.Connection, wanted: list[str], present: list[str]) -> list[str]:
    """Create the wanted extensions that are missing, drop the present ones no longer wanted (never CASCADE,
    so a column still using one makes the drop fail loudly); returns what is installed afterwards."""
    for ext in sorted(set(wanted) - set(present)):
        conn.execute(sql.SQL("CREATE EXTENSION IF NOT EXISTS {}").format(sql.Identifier(ext)))
    for ext in sorted(set(present) - set(wanted)):
        conn.execute(sql.SQL("DROP EXTENSION IF EXISTS {}").format(sql.Identifier(ext)))
    return installed_extensions(conn)


def privileged_role(conn: psycopg.Connection, role: str) -> list[str]:
    """The server-wide powers an existing role holds (superuser, createrole, ...): such a role belongs to whoever
    runs the server, never to a stack. [] when the role does not exist or holds none."""
    row = conn.execute(f"SELECT {', '.join(PRIVILEGED_ATTRIBUTES)} FROM pg_roles WHERE rolname = %s",
                       (role,)).fetchone()
    return [name.removeprefix("rol") for name, held in zip(PRIVILEGED_ATTRIBUTES, row or ()) if held]
