"""`stagecraft db-sync` between two real databases on the project's PostgreSQL server."""

from __future__ import annotations

import subprocess
import time

import psycopg
import pytest

from tests.machine import PROJECT_ROOT, closed_port
from tools.ops.db_sync import APPLICATION_NAME, Endpoint, check_target_allowed, same_by_url, sync
from tools.ops.errors import OperationsError
from tools.ops.pg_tools import Programs, programs
from tools.ops.policy_pack import is_production_stack

STAGECRAFT = PROJECT_ROOT / ".venv" / "bin" / "stagecraft"

SOURCE_SCHEMA = """
CREATE EXTENSION vector; CREATE EXTENSION pg_trgm; CREATE EXTENSION "uuid-ossp";
CREATE SCHEMA catalog;
CREATE TYPE public.kind AS ENUM ('flower', 'edible');
CREATE TABLE public.products (id uuid PRIMARY KEY DEFAULT uuid_generate_v4(), name text NOT NULL,
                              kind public.kind NOT NULL, embedding vector(3) NOT NULL);
CREATE INDEX products_name_trgm ON public.products USING gin (name gin_trgm_ops);
CREATE INDEX products_embedding ON public.products USING hnsw (embedding vector_l2_ops);
CREATE TABLE catalog.tags (id serial PRIMARY KEY, product uuid REFERENCES public.products, tag text);
INSERT INTO public.products (name, kind, embedding) VALUES
  ('Northern Lights', 'flower', '[0.1,0.2,0.3]'), ('Gummies', 'edible', '[0.9,0.8,0.7]'),
  ('Sour Diesel', 'flower', '[0.11,0.21,0.31]');
INSERT INTO catalog.tags (product, tag) SELECT id, 'featured' FROM public.products WHERE kind = 'flower';
CREATE FUNCTION public.nearest(q vector) RETURNS text LANGUAGE sql AS
  $$ SELECT name FROM public.products ORDER BY embedding <-> q LIMIT 1 $$;
"""
TARGET_SCHEMA = """
CREATE EXTENSION vector; CREATE EXTENSION pg_trgm;
CREATE TABLE public.products (id int PRIMARY KEY, name text, embedding vector(3));
INSERT INTO public.products VALUES (1, 'stale', '[1,1,1]');
CREATE TABLE public.only_in_target (x int); INSERT INTO public.only_in_target VALUES (42);
CREATE FUNCTION public.old_helper() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;
CREATE SCHEMA catalog; CREATE TABLE catalog.tags (legacy text); INSERT INTO catalog.tags VALUES ('old');
"""
SNAPSHOT_TABLES = """
SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind = 'r' AND n.nspname IN ('public', 'catalog') ORDER BY 1
"""


def snapshot(url: str) -> dict:
    """Extensions, tables with all their rows, indexes and functions of the user schemas."""
    with psycopg.connect(url) as conn:
        tables = [row[0] for row in conn.execute(SNAPSHOT_TABLES)]
        return {
            "extensions": sorted(row[0] for row in conn.execute("SELECT extname FROM pg_extension")),
            "rows": {t: [r[0] for r in conn.execute(f"SELECT t::text FROM {t} t ORDER BY 1")] for t in tables},
            "indexes": sorted(r[0] for r in conn.execute(
                "SELECT indexdef FROM pg_indexes WHERE schemaname IN ('public', 'catalog')")),
            "functions": sorted(r[0] for r in conn.execute(
                "SELECT p.oid::regprocedure::text FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace "
                "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')")),
        }


def _database(scratch_database, role: str, sql: str) -> str:
    url = scratch_database(role)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)
    return url


def _stagecraft(*args: str, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([str(STAGECRAFT), "db-sync", *args], capture_output=True, text=True, timeout=300, env=env)


def test_the_target_ends_equal_to_the_source_with_extensions_and_vector_rows(scratch_database):
    source = _database(scratch_database, "src", SOURCE_SCHEMA)
    target = _database(scratch_database, "dst", TARGET_SCHEMA)
    done = _stagecraft("--from", source, "--to", target)
    assert done.returncode == 0, done.stderr
    print("\n" + done.stdout)
    copied = snapshot(target)
    assert copied == snapshot(source)
    assert copied["extensions"] == ["pg_trgm", "plpgsql", "uuid-ossp", "vector"]
    assert "public.only_in_target" not in copied["rows"] and len(copied["rows"]["public.products"]) == 3
    with psycopg.connect(target) as conn:
        assert conn.execute("SELECT public.nearest('[0.1,0.2,0.31]')").fetchone()[0] == "Northern Lights"


@pytest.mark.engine
def test_stacks_are_copied_through_their_connection_uri_outputs(tmp_path, scratch_database):
    from tests.tools.stacks import add_stack, outputs_stack

    source = _database(scratch_database, "src", SOURCE_SCHEMA)
    target = _database(scratch_database, "dst", TARGET_SCHEMA)
    project = outputs_stack(tmp_path / "project", "uatcopy", {"database": {"connectionUri": source}},
                            secrets=("database.connectionUri",))
    add_stack(project, "betacopy", {"database": {"connectionUri": target}}, secrets=("database.connectionUri",))
    done = _stagecraft("--from", "uatcopy", "--to", "betacopy", env=project.env)
    assert done.returncode == 0, done.stderr
    assert "stack uatcopy" in done.stdout and "stack betacopy" in done.stdout
    assert snapshot(target) == snapshot(source)


def test_progress_is_shown_table_by_table(scratch_database):
    source = _database(scratch_database, "src", SOURCE_SCHEMA)
    target = _database(scratch_database, "dst", "")
    done = _stagecraft("--from", source, "--to", target)
    assert done.returncode == 0, done.stderr
    assert "dumped table 2/2" in done.stdout and "restoring table 2/2" in done.stdout
    assert "row counts checked" in done.stdout


def test_no_password_reaches_the_output(scratch_database):
    source = _database(scratch_database, "src", SOURCE_SCHEMA)
    target = _database(scratch_database, "dst", "")
    password = source.split(":")[2].split("@")[0]
    done = _stagecraft("--from", source, "--to", target)
    assert done.returncode == 0 and password not in done.stdout + done.stderr


def test_to_production_without_the_override_is_refused_before_anything_is_touched():
    unreachable = f"postgresql://app:pw@127.0.0.1:{closed_port()}/app"
    done = _stagecraft("--from", unreachable, "--to", "production")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "stack 'production' is production" in done.stderr and "--allow-production" in done.stderr
    assert "nothing was touched" in done.stderr


def test_a_production_looking_url_target_is_refused_without_the_override():
    with pytest.raises(OperationsError, match="looks like production"):
        check_target_allowed("postgresql://app@db.internal/stagecraft-production-app", False, is_production_stack)


def test_a_stack_the_policy_config_marks_production_is_refused():
    with pytest.raises(OperationsError, match="'eu-live' is production"):
        check_target_allowed("eu-live", False, lambda stack: stack == "eu-live")


def test_the_policy_packs_production_flag_is_read():
    assert is_production_stack("production") and not is_production_stack("uat") and not is_production_stack("pr-12")


def test_a_stack_whose_config_declares_production_is_production(tmp_path):
    (tmp_path / "Pulumi.prod-eu.yaml").write_text("config:\n  stagecraft:environment: production\n")
    (tmp_path / "Pulumi.qa.yaml").write_text("config:\n  stagecraft:environment: uat\n")
    assert is_production_stack("prod-eu", tmp_path) and not is_production_stack("qa", tmp_path)


def test_the_override_lets_a_production_target_through_to_the_next_check():
    unreachable = f"postgresql://app:pw@127.0.0.1:{closed_port()}/app"
    done = _stagecraft("--from", unreachable, "--to", unreachable, "--allow-production")
    assert done.returncode == 2 and "same database" in done.stderr


def test_the_same_database_as_source_and_target_is_refused(scratch_database):
    url = _database(scratch_database, "same", SOURCE_SCHEMA)
    other_spelling = url.replace("127.0.0.1", "localhost")
    done = _stagecraft("--from", url, "--to", other_spelling)
    assert done.returncode == 2 and "same database" in done.stderr and "Traceback" not in done.stderr


def test_same_by_url_compares_addresses_ports_and_names():
    assert same_by_url("postgresql://a@localhost/app", "postgresql://b@127.0.0.1:5432/app")
    assert not same_by_url("postgresql://a@127.0.0.1:5432/app", "postgresql://a@127.0.0.1:5433/app")
    assert not same_by_url("postgresql://a@127.0.0.1/app", "postgresql://a@127.0.0.1/other")


def test_a_pg_dump_older_than_the_source_server_is_refused(scratch_database):
    source = _database(scratch_database, "src", "")
    target = _database(scratch_database, "dst", TARGET_SCHEMA)
    old = Programs(pg_dump="/nonexistent/pg_dump", pg_restore="", psql="", major=15, version="15.8")
    with pytest.raises(OperationsError, match="pg_dump 15.8 is older than the source server"):
        sync(Endpoint("src", source), Endpoint("dst", target), old, lambda _line: None)
    assert programs().major >= 18


def test_a_failure_midway_leaves_the_target_as_it_was(scratch_database):
    source = _database(scratch_database, "src", SOURCE_SCHEMA + """
        CREATE TABLE public.events (id bigint PRIMARY KEY, embedding vector(3), note text);
        INSERT INTO public.events SELECT g, format('[%s,%s,%s]', g % 7, g % 11, g % 13)::vector, repeat('x', 40)
          FROM generate_series(1, 400000) g;""")
    target = _database(scratch_database, "dst", TARGET_SCHEMA)
    before = snapshot(target)
    process = subprocess.Popen([str(STAGECRAFT), "db-sync", "--from", source, "--to", target],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    killed = None
    with psycopg.connect(source.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
        deadline = time.monotonic() + 120
        while killed is None and time.monotonic() < deadline and process.poll() is None:
            row = admin.execute("SELECT pid, query FROM pg_stat_activity WHERE application_name = %s "
                                "AND datname = %s AND query LIKE 'COPY public.events%%'",
                                (APPLICATION_NAME, target.rsplit("/", 1)[1])).fetchone()
            if row:
                # The wipe has run and rows are loading: the connection is lost now.
                admin.execute("SELECT pg_terminate_backend(%s)", (row[0],))
                killed = row[1][:40]
            time.sleep(0.005)
    stdout, stderr = process.communicate(timeout=120)
    assert killed, f"the restore of public.events was never seen loading:\n{stdout}\n{stderr}"
    assert process.returncode == 2 and "rolled back" in stderr and "Traceback" not in stderr
    assert snapshot(target) == before
