"""The probe history: every probe `compare` (and `failover`) makes, in SQLite or PostgreSQL.

`--history` takes a file path, `sqlite:///relative/path.sqlite` or `sqlite:////absolute/path.sqlite` (SQLAlchemy's
spelling), or `postgresql://…`; both stores
hold the same table and answer the same queries, so uptime and cold-start figures do not depend on which is
used. Times are Unix seconds (float) in both, so no time-zone conversion is involved.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Optional, Sequence
from urllib.parse import unquote, urlsplit

from .errors import OperationsError
from .probe import ProbeResult

TABLE = "stagecraft_probes"
_COLUMNS = ("environment", "url", "started_at", "latency_ms", "ok", "http_status", "error", "health_status",
            "db_ms", "run_id")
_DDL = (
    f"CREATE TABLE IF NOT EXISTS {TABLE} (environment TEXT NOT NULL, url TEXT NOT NULL, "
    "started_at DOUBLE PRECISION NOT NULL, latency_ms DOUBLE PRECISION NOT NULL, ok SMALLINT NOT NULL, "
    "http_status INTEGER, error TEXT NOT NULL, health_status TEXT, db_ms DOUBLE PRECISION, run_id TEXT NOT NULL)",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_environment_started_at ON {TABLE} (environment, started_at)",
)


@dataclass(frozen=True)
class StoredProbe:
    """A probe as the history holds it."""

    environment: str
    started_at: float
    latency_ms: float
    ok: bool
    run_id: str


def redact(url: str) -> str:
    """The URL with any password replaced, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()


class History:
    """A probe store over a DB-API connection; use :func:`open_history` to get one."""

    placeholder = "?"

    def __init__(self, connection: Any, description: str) -> None:
        self._conn = connection
        self.description = description
        """Where the history is (password redacted), for messages."""

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()

    def __enter__(self) -> "History":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _prepare(self) -> None:
        cursor = self._conn.cursor()
        for statement in _DDL:
            cursor.execute(statement)
        self._conn.commit()

    def _query(self, sql: str, params: Sequence[Any]) -> list[tuple]:
        cursor = self._conn.cursor()
        cursor.execute(sql.replace("?", self.placeholder), tuple(params))
        rows = cursor.fetchall()
        self._conn.commit()
        return rows

    def record(self, results: Iterable[ProbeResult], run_id: str) -> int:
        """Store probes under one run id; returns how many."""
        rows = [(r.environment, r.url, r.started_at, r.latency_ms, int(r.ok), r.http_status, r.error,
                 r.health_status, r.db_ms, run_id) for r in results]
        if rows:
            marks = ", ".join([self.placeholder] * len(_COLUMNS))
            cursor = self._conn.cursor()
            cursor.executemany(f"INSERT INTO {TABLE} ({', '.join(_COLUMNS)}) VALUES ({marks})", rows)
            self._conn.commit()
        return len(rows)

    def probes(self, environment: str, since: float, until: float) -> list[StoredProbe]:
        """The environment's probes with since <= started_at <= until, oldest first."""
        rows = self._query(f"SELECT environment, started_at, latency_ms, ok, run_id FROM {TABLE} "
                           "WHERE environment = ? AND started_at >= ? AND started_at <= ? ORDER BY started_at",
                           (environment, since, until))
        return [StoredProbe(row[0], float(row[1]), float(row[2]), bool(row[3]), row[4]) for row in rows]

    def previous_probe_end(self, environment: str, before: float) -> Optional[float]:
        """When the environment's last probe sent before `before` got its answer (None if never probed)."""
        rows = self._query(f"SELECT max(started_at + latency_ms / 1000.0) FROM {TABLE} "
                           "WHERE environment = ? AND started_at < ?", (environment, before))
        return float(rows[0][0]) if rows and rows[0][0] is not None else None


class PostgresHistory(History):
    """The history in a PostgreSQL database."""

    placeholder = "%s"


def _open_sqlite(path: Path, shown: str) -> History:
    if path.is_dir():
        raise OperationsError(f"--history {shown}: is a folder; give a file path such as {path / 'history.sqlite'}")
    if not path.parent.is_dir():
        raise OperationsError(f"--history {shown}: folder {path.parent} does not exist; create it or choose "
                              f"another path")
    try:
        connection = sqlite3.connect(str(path))
        history = History(connection, str(path))
        history._prepare()
    except sqlite3.Error as exc:
        raise OperationsError(f"--history {shown}: cannot open it as a SQLite database ({exc})") from None
    return history


def _open_postgres(url: str) -> History:
    import psycopg

    shown = redact(url)
    try:
        connection = psycopg.connect(url, connect_timeout=10)
    except psycopg.Error as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise OperationsError(f"--history {shown}: cannot connect ({reason.replace(url, shown)})") from None
    history = PostgresHistory(connection, shown)
    try:
        history._prepare()
    except psycopg.Error as exc:
        connection.close()
        raise OperationsError(f"--history {shown}: cannot create the {TABLE} table ({exc})") from None
    return history


def open_history(url: str) -> History:
    """Open (creating the table when needed) the history at `url`; an unusable URL is an OperationsError."""
    parts = urlsplit(url)
    if parts.scheme in ("postgres", "postgresql"):
        return _open_postgres(url)
    if parts.scheme == "sqlite":
        if parts.netloc:
            raise OperationsError(f"--history {url}: a SQLite URL has three slashes and a path, e.g. "
                                  f"sqlite:///out/compare/history.sqlite (relative) or sqlite:////var/lib/history.sqlite")
        return _open_sqlite(Path(unquote(parts.path[1:])), url)
    if parts.scheme and len(parts.scheme) > 1:
        raise OperationsError(f"--history {redact(url)}: unsupported scheme {parts.scheme!r}; use a file path, "
                              f"sqlite:///path/history.sqlite or postgresql://user@host/db")
    return _open_sqlite(Path(url), url)
