"""`postgres:Extensions`: extensions enabled in a database over SQL (`CREATE EXTENSION`), on any platform.

A database can disappear out of band (its Neon branch deleted, the database dropped). A connection then tells
"gone" apart from "unreachable right now":
- gone: the server answers that the database does not exist (SQLSTATE 3D000, `database "..." does not exist`)
  or the role does not (`role "..." does not exist`), or Neon's proxy answers that the compute endpoint of the host is unknown ("The
  requested endpoint could not be found", what a client of a deleted Neon branch gets);
- unreachable: no answer at all (refused, timed out, name not resolved, connection dropped). Neon hosts resolve
  through a wildcard record to its proxy, so a deleted branch still answers; an unresolved name says nothing.
`read` of a gone database returns an empty id (the resource is gone with it); an unreachable one fails, so a
passing network fault never drops the resource from state. `delete` treats gone as done.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import psycopg
import pulumi
from psycopg import sql
from pulumi.dynamic import CheckFailure, CheckResult, CreateResult, DiffResult, ReadResult, ResourceProvider, UpdateResult

from providers.local.postgres_admin import installed_extensions, reconcile_extensions

_EXTENSION = re.compile(r"^[a-z0-9_-]{1,63}$")


@dataclass(frozen=True)
class ExtensionsArgs:
    """Inputs: the database to connect to (secret URI) and the extensions it must have."""

    connection_uri: pulumi.Input[str]
    """URI of a role that may create the extensions (the database owner on managed platforms); secret."""
    extensions: pulumi.Input[list[str]]
    """Extension names."""


_GONE_SQLSTATES = frozenset({"3D000"})  # invalid_catalog_name
_GONE_MESSAGE = re.compile(r'(database|role) "[^"]*" does not exist|endpoint could not be found')


class DatabaseUnreachable(RuntimeError):
    """No answer from the database's server right now (the database may well still exist)."""


class DatabaseGone(RuntimeError):
    """The server answered that the database (or its role, or its Neon compute endpoint) no longer exists."""


def is_gone(sqlstate: str | None, message: str) -> bool:
    """Whether a failed connection says the database is gone (not merely out of reach); see the module doc."""
    return sqlstate in _GONE_SQLSTATES or _GONE_MESSAGE.search(message.lower()) is not None


def _connect(uri: str) -> psycopg.Connection:
    try:
        return psycopg.connect(uri, autocommit=True, connect_timeout=10)
    except psycopg.OperationalError as exc:
        # The URI carries a password: say where, never what.
        info = psycopg.conninfo.conninfo_to_dict(uri)
        where = f"PostgreSQL at {info.get('host')}:{info.get('port', 5432)} database {info.get('dbname')!r}"
        if is_gone(exc.sqlstate, str(exc)):
            raise DatabaseGone(f"{where} no longer exists (its branch or database was deleted)") from None
        raise DatabaseUnreachable(
            f"cannot connect to {where} to manage its extensions: {type(exc).__name__}; it may be unreachable "
            "right now (network, a compute starting, the server down). Nothing was changed; run pulumi again "
            "once it answers") from None


def _apply(uri: str, wanted: list[str], present: list[str]) -> list[str]:
    with _connect(uri) as conn:
        return reconcile_extensions(conn, wanted, present)


class ExtensionsProvider(ResourceProvider):
    """Creates missing extensions, drops ones no longer wanted, and reads what is installed."""

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        exts = news.get("extensions") or []
        bad = [e for e in exts if not _EXTENSION.match(str(e))]
        failures = [CheckFailure("extensions", f"not extension names: {bad}")] if bad else []
        return CheckResult(news, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = sorted(olds.get("extensions") or []) != sorted(news.get("extensions") or [])
        uri_changed = olds.get("connection_uri") != news.get("connection_uri")
        return DiffResult(changes=changed or uri_changed, replaces=[])

    def create(self, props: dict[str, Any]) -> CreateResult:
        with _connect(props["connection_uri"]) as conn:
            present = installed_extensions(conn)
        installed = _apply(props["connection_uri"], list(props["extensions"]), [e for e in present
                                                                                 if e in props["extensions"]])
        return CreateResult("extensions", {**props, "installed": installed})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        try:
            conn = _connect(props["connection_uri"])
        except DatabaseGone:
            return ReadResult("", {})
        with conn:
            installed = installed_extensions(conn)
        wanted = [e for e in props.get("extensions") or [] if e in installed]
        return ReadResult(id_, {**props, "extensions": wanted, "installed": installed})

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        installed = _apply(news["connection_uri"], list(news["extensions"]), list(olds.get("extensions") or []))
        return UpdateResult({**news, "installed": installed})

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        try:
            conn = _connect(props["connection_uri"])
        except DatabaseGone:
            return  # Its extensions went with it.
        with conn:
            for ext in props.get("extensions") or []:
                try:
                    conn.execute(sql.SQL("DROP EXTENSION IF EXISTS {}").format(sql.Identifier(ext)))
                except psycopg.errors.DependentObjectsStillExist:
                    # Never CASCADE: that would drop the app's columns. Columns still using it keep it installed.
                    pulumi.log.warn(f"extension {ext} is still used by objects in the database; left installed")


class Extensions(pulumi.dynamic.Resource, module="postgres", name="Extensions"):
    """Extensions enabled in one database."""

    installed: pulumi.Output[list[str]]
    """Every extension installed in the database after the operation."""

    def __init__(self, name: str, args: ExtensionsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(additional_secret_outputs=["connection_uri"]))
        super().__init__(ExtensionsProvider(), name, {**vars(args), "installed": None}, opts)
