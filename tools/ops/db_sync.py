"""Copies one environment's database over another's with PostgreSQL's own tools, all or nothing.

1. Production is refused as a target before anything is read or touched, unless explicitly allowed.
2. The same database as source and target is refused (by URL, then by the servers' own identity).
3. `pg_dump` (custom format, no owners or grants: the environments' roles differ) must be at least as new
   as the source server.
4. The restore runs through `psql --single-transaction` with ON_ERROR_STOP: a wipe of what the dump replaces,
   then the dump's SQL (extensions, tables, vector data, indexes). Any failure rolls it all back, so the
   target is either the source's copy or exactly what it was.
5. Row counts of every table are compared afterwards.
"""

from __future__ import annotations

import os
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping, Optional, Sequence
from urllib.parse import urlsplit

from .errors import OperationsError
from .history import redact
from .pg_tools import Connection, Programs, server_major, split_password
from .restore_script import prepare, progress_lines, wipe_sql
from .targets import NAME

APPLICATION_NAME = "stagecraft-db-sync"
"""The application_name of the restore session (visible in pg_stat_activity)."""

Log = Callable[[str], None]


@dataclass(frozen=True)
class Endpoint:
    """One side of the copy."""

    label: str
    """`stack uat` or the URL with its password hidden."""
    url: str
    stack: Optional[str] = None


def is_url(value: str) -> bool:
    """Whether --from/--to was given as a URL rather than a stack name."""
    return "://" in value


def check_target_allowed(value: str, allow_production: bool, is_production_stack: Callable[[str], bool]) -> None:
    """Refuse a production target unless allowed; runs before anything is read or connected to."""
    if allow_production:
        return
    if is_url(value):
        parts = urlsplit(value)
        names = f"{parts.hostname or ''} {parts.path}".lower()
        if "production" in names:
            raise OperationsError(f"--to {redact(value)} looks like production (its host or database name says so); "
                                  f"nothing was touched. If you really mean to overwrite it, add --allow-production")
        return
    if is_production_stack(value):
        raise OperationsError(f"--to {value}: stack {value!r} is production (by name, by Pulumi.{value}.yaml or by policies/config/{value}.json); "
                              f"nothing was touched. If you really mean to overwrite its database, add --allow-production")


def resolve(value: str, flag: str, read_outputs: Callable[[str], Mapping[str, Any]]) -> Endpoint:
    """A stack name (its `database.connectionUri` output) or a postgresql:// URL."""
    if is_url(value):
        if urlsplit(value).scheme not in ("postgres", "postgresql"):
            raise OperationsError(f"{flag} {redact(value)}: not a postgresql:// URL (or a stack name)")
        return Endpoint(redact(value), value)
    if not NAME.match(value):
        raise OperationsError(f"{flag} {value!r}: neither a stack name nor a postgresql:// URL")
    outputs = read_outputs(value)
    database = outputs.get("database")
    url = database.get("connectionUri") if isinstance(database, Mapping) else None
    if not isinstance(url, str) or not url:
        raise OperationsError(f"{flag} {value}: the stack has no output database.connectionUri (docs/outputs.md)")
    if url == "[secret]":
        raise OperationsError(f"{flag} {value}: the connection URI came back masked; the outputs must be read with "
                              f"--show-secrets (set PULUMI_CONFIG_PASSPHRASE for the stack)")
    return Endpoint(f"stack {value}", url, stack=value)


def _address(url: str) -> tuple[frozenset, int, str]:
    parts = urlsplit(url)
    host = (parts.hostname or "localhost").lower()
    try:
        addresses = frozenset(info[4][0] for info in socket.getaddrinfo(host, None))
    except OSError:
        addresses = frozenset({host})
    if host == "localhost":
        addresses |= {"127.0.0.1", "::1"}
    return addresses, parts.port or 5432, parts.path.lstrip("/")


def same_by_url(source: str, target: str) -> bool:
    """Whether the URLs name the same host (by address), port and database."""
    (a_hosts, a_port, a_db), (b_hosts, b_port, b_db) = _address(source), _address(target)
    return bool(a_hosts & b_hosts) and a_port == b_port and a_db == b_db


@dataclass(frozen=True)
class Server:
    """What the sync needs to know about one side, read over a plain connection."""

    version_num: int
    identity: tuple
    settings: frozenset[str]
    extensions: tuple[str, ...]
    tables: Mapping[str, int]
    """Schema-qualified table -> row count (user schemas only)."""


_TABLES = """
SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p') AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'
   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
 ORDER BY 1
"""


def inspect(url: str, label: str) -> Server:
    """Version, identity, known settings, extensions and row counts of a database."""
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=15, application_name=APPLICATION_NAME) as conn:
            version = conn.execute("SHOW server_version_num").fetchone()[0]
            identity = conn.execute("SELECT current_database(), pg_postmaster_start_time(), "
                                    "(SELECT oid FROM pg_database WHERE datname = current_database()), "
                                    "inet_server_port()").fetchone()
            settings = frozenset(row[0] for row in conn.execute("SELECT name FROM pg_settings"))
            extensions = tuple(row[0] for row in conn.execute("SELECT extname FROM pg_extension ORDER BY 1"))
            tables = [row[0] for row in conn.execute(_TABLES)]
            counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}
    except psycopg.Error as exc:
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise OperationsError(f"{label}: cannot read the database ({redact(reason)})") from None
    return Server(int(version), tuple(identity), settings, extensions, counts)


def _environment(connection: Connection) -> dict[str, str]:
    env = {**os.environ, "PGAPPNAME": APPLICATION_NAME, "PGCONNECT_TIMEOUT": "15"}
    env.pop("PGPASSWORD", None)
    if connection.password is not None:
        env["PGPASSWORD"] = connection.password
    return env


def _failure(what: str, output: str, connections: Sequence[Connection]) -> str:
    text = output.strip()
    for connection in connections:
        if connection.password:
            text = text.replace(connection.password, "***")
    lines = [line for line in text.splitlines() if line.strip()]
    return f"{what}: {' / '.join(lines[-3:]) if lines else 'no output'}"


@dataclass(frozen=True)
class Summary:
    """What was copied."""

    tables: int
    rows: int
    bytes: int
    seconds: float
    extensions: tuple[str, ...]
    dropped_settings: tuple[str, ...]


def dump(programs: Programs, source: Connection, path: Path, tables: int, log: Log) -> None:
    """pg_dump the source into `path` (custom format), showing each table as it goes."""
    argv = [programs.pg_dump, "--format=custom", "--no-owner", "--no-privileges", "--verbose",
            f"--file={path}", f"--dbname={source.dsn}"]
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                               env=_environment(source))
    assert process.stderr is not None
    seen, tail = 0, []
    for line in process.stderr:
        tail = (tail + [line])[-20:]
        if "dumping contents of table" in line:
            seen += 1
            log(f"  dumped table {seen}/{tables}: {line.rsplit(' ', 1)[-1].strip().strip(chr(34))}")
    if process.wait() != 0:
        raise OperationsError(_failure("pg_dump failed; the target was not touched", "".join(tail), [source]))


def restore(programs: Programs, dump_file: Path, target: Connection, target_settings: frozenset[str],
            folder: Path, tables: int, log: Log) -> tuple[str, ...]:
    """Restore the dump into the target in one transaction; returns the header settings left out."""
    script = folder / "restore.sql"
    done = subprocess.run([programs.pg_restore, "--no-owner", "--no-privileges", f"--file={script}", str(dump_file)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise OperationsError(_failure("pg_restore could not read the dump; the target was not touched", done.stderr, []))
    prepared_path = folder / "prepared.sql"
    with script.open(encoding="utf-8") as lines, prepared_path.open("w", encoding="utf-8") as out:
        prepared = prepare(lines, set(target_settings), out)
    wipe = folder / "wipe.sql"
    wipe.write_text(wipe_sql(prepared.schemas), encoding="utf-8")
    argv = [programs.psql, "--no-psqlrc", "--quiet", "--tuples-only", "--no-align", "--single-transaction",
            "--set=ON_ERROR_STOP=1",
            f"--file={wipe}", f"--file={prepared_path}", f"--dbname={target.dsn}"]
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=_environment(target))
    assert process.stdout is not None and process.stderr is not None
    for index, table in enumerate(progress_lines(process.stdout), start=1):
        log(f"  restoring table {index}/{tables}: {table}")
    errors = process.stderr.read()
    if process.wait() != 0:
        raise OperationsError(_failure("the restore failed and was rolled back; the target is as it was before",
                                       errors, [target]))
    return tuple(prepared.dropped_settings)


def sync(source: Endpoint, target: Endpoint, programs: Programs, log: Log) -> Summary:
    """Copy source over target (checks already passed: see :func:`check_target_allowed`)."""
    if same_by_url(source.url, target.url):
        raise OperationsError(f"--from {source.label} and --to {target.label} are the same database; nothing was touched")
    source_server = inspect(source.url, f"--from {source.label}")
    target_server = inspect(target.url, f"--to {target.label}")
    if source_server.identity == target_server.identity:
        raise OperationsError(f"--from {source.label} and --to {target.label} are the same database on the same server; "
                              f"nothing was touched")
    major = server_major(source_server.version_num)
    if programs.major < major:
        raise OperationsError(f"pg_dump {programs.version} is older than the source server (PostgreSQL {major}); "
                              f"pg_dump must be at least as new. Run `bash bootstrap/python.sh` for the project's "
                              f"PostgreSQL tools; nothing was touched")
    source_conn, target_conn = split_password(source.url), split_password(target.url)
    tables = len(source_server.tables)
    log(f"db-sync: {source.label} (PostgreSQL {major}, {tables} tables, extensions "
        f"{', '.join(source_server.extensions) or 'none'}) -> {target.label} "
        f"(PostgreSQL {server_major(target_server.version_num)}) with pg_dump {programs.version}")
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="stagecraft-db-sync-") as tmp:
        folder = Path(tmp)
        os.chmod(folder, 0o700)
        dump_file = folder / "source.dump"
        dump(programs, source_conn, dump_file, tables, log)
        size = dump_file.stat().st_size
        log(f"db-sync: dump of {size / 1e6:.2f} MB; restoring into {target.label} in one transaction")
        dropped = restore(programs, dump_file, target_conn, target_server.settings, folder, tables, log)
    copied = inspect(target.url, f"--to {target.label}")
    if dict(copied.tables) != dict(source_server.tables):
        differing = sorted(t for t in set(copied.tables) | set(source_server.tables)
                           if copied.tables.get(t) != source_server.tables.get(t))
        raise OperationsError(f"the target's row counts differ from the source's after the restore: "
                              f"{', '.join(differing[:10])}. The source changed while it was copied? Run db-sync again")
    missing = sorted(set(source_server.extensions) - set(copied.extensions))
    if missing:
        raise OperationsError(f"the target lacks extension(s) {', '.join(missing)} after the restore")
    return Summary(tables=tables, rows=sum(source_server.tables.values()), bytes=size,
                   seconds=time.perf_counter() - start, extensions=copied.extensions, dropped_settings=dropped)
