"""Prepares pg_restore's SQL for one transaction on the target.

- A wipe runs first: every schema the dump creates is dropped whole, and `public` (which every database has
  and the dump does not create) is emptied of the tables, views, sequences, routines and types no extension
  owns. Schemas the dump does not know (a platform's own, e.g. Supabase's `auth`) are left alone.
- Session settings in the dump's header that the target server does not know (a newer pg_dump writes
  e.g. `SET transaction_timeout`, which PostgreSQL 16 refuses) are left out.
- `COMMENT ON EXTENSION` after `CREATE EXTENSION` is left out: it needs the extension's owner, which the
  target's role usually is not when the platform installed the extension.
- A `SELECT '<marker> <table>'` before each table's data lets the command show progress (psql prints it;
  the dump's `\\restrict` mode forbids meta-commands such as `\\echo`, rightly, as the dump is data).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, Iterator, TextIO

_SET = re.compile(r"^SET ([a-z_]+) = .*;$")
_COPY = re.compile(r"^COPY (\S+) \(.*\) FROM stdin;$")
_CREATE_SCHEMA = re.compile(r'^CREATE SCHEMA ("(?:[^"]|"")+"|[a-z_][a-z0-9_$]*);$')
PROGRESS_PREFIX = "stagecraft-db-sync: restoring "

WIPE_PUBLIC = r"""
DO $stagecraft_wipe$
DECLARE
  statements text[];
  statement text;
BEGIN
  -- Names are collected before anything is dropped: a CASCADE may take later ones with it (hence IF EXISTS).
  SELECT coalesce(array_agg(format('DROP %s IF EXISTS public.%I CASCADE',
           CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'f' THEN 'FOREIGN TABLE'
                          WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, c.relname)), '{}')
    INTO statements
    FROM pg_class c
   WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
     AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                     AND d.deptype = 'e');
  FOREACH statement IN ARRAY statements LOOP EXECUTE statement; END LOOP;
  SELECT coalesce(array_agg(format('DROP ROUTINE IF EXISTS public.%I(%s) CASCADE', p.proname,
           pg_get_function_identity_arguments(p.oid))), '{}')
    INTO statements
    FROM pg_proc p
   WHERE p.pronamespace = 'public'::regnamespace
     AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                     AND d.deptype = 'e');
  FOREACH statement IN ARRAY statements LOOP EXECUTE statement; END LOOP;
  SELECT coalesce(array_agg(format('DROP %s IF EXISTS public.%I CASCADE',
           CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, t.typname)), '{}')
    INTO statements
    FROM pg_type t
   WHERE t.typnamespace = 'public'::regnamespace AND t.typtype IN ('c', 'd', 'e', 'r')
     AND (t.typtype <> 'c' OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')
     AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid
                     AND d.deptype = 'e');
  FOREACH statement IN ARRAY statements LOOP EXECUTE statement; END LOOP;
END
$stagecraft_wipe$;
"""


def wipe_sql(schemas: Iterable[str]) -> str:
    """The wipe for a dump that creates `schemas` (quoted as in the dump)."""
    drops = "".join(f"DROP SCHEMA IF EXISTS {schema} CASCADE;\n" for schema in schemas)
    return "SET client_min_messages = warning;\n" + drops + WIPE_PUBLIC


@dataclass
class Prepared:
    """What preparing the script found."""

    schemas: list[str] = field(default_factory=list)
    tables: list[str] = field(default_factory=list)
    dropped_settings: list[str] = field(default_factory=list)


def prepare(lines: Iterable[str], known_settings: set[str], out: TextIO) -> Prepared:
    """Copy the script to `out` with the changes listed in the module docstring."""
    result = Prepared()
    in_copy = False
    in_header = True
    after_create_extension = False
    for raw in lines:
        line = raw.rstrip("\n")
        if in_copy:
            out.write(raw)
            in_copy = line != "\\."
            continue
        if in_header and (match := _SET.match(line)):
            if match.group(1) not in known_settings:
                result.dropped_settings.append(match.group(1))
                continue
        elif line and not line.startswith(("--", "SELECT pg_catalog.set_config", "\\restrict")):
            in_header = False
        if after_create_extension and line.startswith("COMMENT ON EXTENSION "):
            continue
        if line and not line.startswith("--"):
            after_create_extension = line.startswith("CREATE EXTENSION ")
        if match := _COPY.match(line):
            result.tables.append(match.group(1))
            marker = f"{PROGRESS_PREFIX}{match.group(1)}".replace("'", "''")
            out.write(f"SELECT '{marker}';\n")
            in_copy = True
        elif match := _CREATE_SCHEMA.match(line):
            result.schemas.append(match.group(1))
        out.write(raw)
    return result


def progress_lines(stream: Iterable[str]) -> Iterator[str]:
    """Table names from psql's output of a prepared script."""
    for line in stream:
        if line.startswith(PROGRESS_PREFIX):
            yield line[len(PROGRESS_PREFIX):].strip()
