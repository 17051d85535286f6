"""`local:PostgresDatabase`: a database, its owner role and its extensions on a PostgreSQL server."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pulumi
from psycopg import sql
from pulumi.dynamic import CheckFailure, CheckResult, CreateResult, DiffResult, ReadResult, ResourceProvider, UpdateResult

from providers.local.postgres_admin import (
    AdminTarget,
    database_exists,
    installed_extensions,
    privileged_role,
    reconcile_extensions,
    role_exists,
    set_role_password,
)
from providers.local.server_objects import SERVER_DATABASES, server_role_problem

_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_EXTENSION = re.compile(r"^[a-z0-9_-]{1,63}$")
_REPLACE_ON = ("name", "owner", "host", "port")


@dataclass(frozen=True)
class PostgresDatabaseArgs:
    """Inputs of a local PostgreSQL database."""

    name: pulumi.Input[str]
    """Database name (also the physical name's last part)."""
    owner: pulumi.Input[str]
    """Login role that owns the database; created with a generated password."""
    extensions: pulumi.Input[list[str]]
    """Extensions enabled in the database (`CREATE EXTENSION`)."""
    host: pulumi.Input[str]
    """Server host."""
    port: pulumi.Input[int]
    """Server port."""
    admin_user: pulumi.Input[str]
    """Role that creates the database and the owner role."""
    admin_password_file: pulumi.Input[str]
    """Absolute path of the file holding the admin password (read at each operation; not a secret in state)."""


def _admin(props: dict[str, Any]) -> AdminTarget:
    return AdminTarget(host=props["host"], port=int(props["port"]), user=props["admin_user"],
                       password_file=props["admin_password_file"])


def _to_outs(props: dict[str, Any], password: str, extensions: list[str]) -> dict[str, Any]:
    uri = (f"postgresql://{quote(props['owner'], safe='')}:{quote(password, safe='')}@"
           f"{props['host']}:{int(props['port'])}/{props['name']}")
    return {
        "name": props["name"],
        "owner": props["owner"],
        "extensions": sorted(extensions),
        "host": props["host"],
        "port": int(props["port"]),
        "admin_user": props["admin_user"],
        "admin_password_file": props["admin_password_file"],
        "password": password,
        "connection_uri": uri,
    }


def _enable_extensions(target: AdminTarget, database: str, wanted: list[str], present: list[str]) -> list[str]:
    with target.connect(database) as conn:
        return reconcile_extensions(conn, wanted, present)


class PostgresDatabaseProvider(ResourceProvider):
    """Creates, adopts, reads, updates and drops one database with its owner role."""

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        failures = []
        for field in ("name", "owner"):
            if not _IDENTIFIER.match(str(news.get(field, ""))):
                failures.append(CheckFailure(field, f"{field} must be a lower-case SQL identifier "
                                                    f"([a-z_][a-z0-9_]*, at most 63 characters)"))
        # Defence in depth (the settings refuse these first): the server's own database and roles are never the
        # stack's to adopt, re-password or drop.
        if news.get("name") in SERVER_DATABASES:
            failures.append(CheckFailure("name", f"{news['name']!r} is the server's own database "
                                                 f"({', '.join(SERVER_DATABASES)}); name the stack's own"))
        owner = news.get("owner")
        problem = server_role_problem(owner, news.get("admin_user")) if isinstance(owner, str) else None
        if problem:
            failures.append(CheckFailure("owner", problem))
        exts = news.get("extensions") or []
        bad = [e for e in exts if not _EXTENSION.match(str(e))]
        if bad:
            failures.append(CheckFailure("extensions", f"not extension names: {bad}"))
        port = news.get("port")
        if not isinstance(port, int | float) or not 1 <= int(port) <= 65535:
            failures.append(CheckFailure("port", "port must be a number from 1 to 65535"))
        return CheckResult(news, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = [k for k in ("name", "owner", "host", "port", "admin_user", "admin_password_file")
                   if olds.get(k) != news.get(k)]
        if sorted(olds.get("extensions") or []) != sorted(news.get("extensions") or []):
            changed.append("extensions")
        replaces = [k for k in changed if k in _REPLACE_ON]
        return DiffResult(changes=bool(changed), replaces=replaces, delete_before_replace=True)

    def create(self, props: dict[str, Any]) -> CreateResult:
        target = _admin(props)
        password = secrets.token_urlsafe(24)
        with target.connect() as conn:
            powers = privileged_role(conn, props["owner"])
            if powers:
                raise ValueError(f"role {props['owner']!r} on {props['host']}:{int(props['port'])} holds "
                                 f"{', '.join(powers)}: it is the server's own, not one a stack may take over (its "
                                 f"password is left as it was); choose another role name")
            owner = conn.execute("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = %s",
                                 (props["name"],)).fetchone()
            if owner is not None and owner[0] != props["owner"]:
                raise ValueError(f"database {props['name']!r} on {props['host']}:{int(props['port'])} belongs to role "
                                 f"{owner[0]!r}, not {props['owner']!r}: it is not this stack's to take over (nothing "
                                 f"was changed); choose another database name")
            # Adopting what a failed earlier run left behind keeps a retried `up` from failing on "exists".
            set_role_password(conn, props["owner"], password, create=not role_exists(conn, props["owner"]))
            if not database_exists(conn, props["name"]):
                conn.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(
                    sql.Identifier(props["name"]), sql.Identifier(props["owner"])))
        with target.connect(props["name"]) as conn:
            present = installed_extensions(conn)
        extensions = _enable_extensions(target, props["name"], list(props.get("extensions") or []), present)
        return CreateResult(f"{props['host']}:{int(props['port'])}/{props['name']}",
                            _to_outs(props, password, extensions))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        target = _admin(props)
        with target.connect() as conn:
            if not database_exists(conn, props["name"]) or not role_exists(conn, props["owner"]):
                return ReadResult("", {})
        with target.connect(props["name"]) as conn:
            extensions = installed_extensions(conn)
        return ReadResult(id_, _to_outs(props, props["password"], extensions))

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        target = _admin(news)
        extensions = _enable_extensions(target, news["name"], list(news.get("extensions") or []),
                                        list(olds.get("extensions") or []))
        return UpdateResult(_to_outs(news, olds["password"], extensions))

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        with _admin(props).connect() as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(props["name"])))
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(props["owner"])))


class PostgresDatabase(pulumi.dynamic.Resource, module="local", name="PostgresDatabase"):
    """A PostgreSQL database with its owner role and extensions, on a server this machine reaches."""

    password: pulumi.Output[str]
    """Generated password of the owner role (secret)."""
    connection_uri: pulumi.Output[str]
    """`postgresql://owner:password@host:port/name` (secret)."""
    extensions: pulumi.Output[list[str]]
    """Extensions installed in the database, as read from `pg_extension`."""

    def __init__(self, name: str, args: PostgresDatabaseArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        props = {**vars(args), "password": None, "connection_uri": None}
        opts = pulumi.ResourceOptions.merge(
            opts, pulumi.ResourceOptions(additional_secret_outputs=["password", "connection_uri"]))
        super().__init__(PostgresDatabaseProvider(), name, props, opts)
