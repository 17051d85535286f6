"""The real PostgreSQL database behind each emulated Supabase project.

Each project gets its own database on a real server (the project's own, 127.0.0.1:54329, unless told otherwise),
named `sbemu_<ref>`, holding the `extensions` schema a Supabase database has (Supabase installs extensions
there; platform-apis.md §6 `create extension ... with schema extensions`). SQL sent to the Management API's
query endpoint runs there as the server's admin role, so `create extension vector` really installs pgvector.
"""

from __future__ import annotations

import datetime as _dt
import decimal
import uuid
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

PREFIX = "sbemu_"


class QueryFailed(Exception):
    """PostgreSQL refused the SQL; the message is the server's."""


class ProjectDatabases:
    """Creates, queries and drops the per-project databases on one server."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url

    def database_name(self, ref: str) -> str:
        """The database that backs project `ref`."""
        return PREFIX + ref

    def url(self, ref: str) -> str:
        """Admin connection URL of project `ref`'s database."""
        return psycopg.conninfo.make_conninfo(self.admin_url, dbname=self.database_name(ref))

    def create(self, ref: str) -> None:
        """Create the project's database with its `extensions` schema."""
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.database_name(ref))))
        with psycopg.connect(self.url(ref), autocommit=True) as conn:
            conn.execute("CREATE SCHEMA IF NOT EXISTS extensions")

    def drop(self, ref: str) -> None:
        """Drop the project's database (connections are closed first)."""
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(self.database_name(ref))))

    def query(self, ref: str, statement: str, parameters: list[Any] | None = None, *,
              read_only: bool = False) -> list[dict[str, Any]]:
        """Run `statement` in the project's database; the rows of its last result, JSON-ready."""
        try:
            # A client-side cursor sends the simple query protocol, so one call may hold several statements.
            with psycopg.connect(self.url(ref), autocommit=not read_only, row_factory=dict_row,
                                 cursor_factory=psycopg.ClientCursor) as conn:
                if read_only:
                    conn.execute("SET TRANSACTION READ ONLY")
                cursor = conn.execute(statement, parameters or None)
                rows: list[dict[str, Any]] = []
                while True:
                    if cursor.description:
                        rows = cursor.fetchall()
                    if not cursor.nextset():
                        break
        except psycopg.Error as exc:
            state = getattr(exc, "sqlstate", None) or ""
            detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise QueryFailed(f"ERROR:  {state}: {detail}" if state else f"ERROR:  {detail}") from None
        return [{k: _json_ready(v) for k, v in row.items()} for row in rows]

    def extensions(self, ref: str) -> list[str]:
        """The extensions installed in project `ref`'s database, sorted."""
        return sorted(r["extname"] for r in self.query(ref, "SELECT extname FROM pg_extension"))


def _json_ready(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [_json_ready(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_ready(v) for k, v in value.items()}
    if isinstance(value, (_dt.date, _dt.datetime, _dt.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, (bytes, memoryview)):
        return "\\x" + bytes(value).hex()
    return str(value)
