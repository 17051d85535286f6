"""Preparing pg_restore's SQL for the target."""

import io

from tools.ops.restore_script import prepare, progress_lines, wipe_sql

SCRIPT = """--
-- PostgreSQL database dump
--
\\restrict abc
SET statement_timeout = 0;
SET transaction_timeout = 0;
SELECT pg_catalog.set_config('search_path', '', false);
CREATE SCHEMA catalog;
--
-- Name: vector; Type: EXTENSION; Schema: -; Owner: -
--
CREATE EXTENSION IF NOT EXISTS vector WITH SCHEMA public;
--
-- Name: EXTENSION vector; Type: COMMENT; Schema: -; Owner:
--
COMMENT ON EXTENSION vector IS 'vector data type';
CREATE TABLE public.notes (body text);
COMMENT ON TABLE public.notes IS 'kept';
COPY public.notes (body) FROM stdin;
SET transaction_timeout = 0;
COMMENT ON EXTENSION vector IS 'data, not SQL';
CREATE SCHEMA not_a_schema;
\\.
"""


def _prepare(known=frozenset({"statement_timeout"})):
    out = io.StringIO()
    return prepare(io.StringIO(SCRIPT), set(known), out), out.getvalue()


def test_header_settings_the_target_does_not_know_are_left_out():
    result, text = _prepare()
    assert result.dropped_settings == ["transaction_timeout"]
    assert "SET statement_timeout = 0;" in text and text.count("SET transaction_timeout") == 1


def test_the_extension_comment_is_left_out_and_other_comments_kept():
    _result, text = _prepare()
    assert "COMMENT ON EXTENSION vector IS 'vector data type'" not in text
    assert "COMMENT ON TABLE public.notes IS 'kept';" in text


def test_table_data_is_copied_untouched_even_when_it_looks_like_sql():
    result, text = _prepare()
    data = text.split("FROM stdin;\n", 1)[1]
    assert data == "SET transaction_timeout = 0;\nCOMMENT ON EXTENSION vector IS 'data, not SQL';\nCREATE SCHEMA not_a_schema;\n\\.\n"
    assert result.schemas == ["catalog"]


def test_each_table_announces_itself_for_progress():
    result, text = _prepare()
    assert result.tables == ["public.notes"]
    assert "SELECT 'stagecraft-db-sync: restoring public.notes';" in text
    assert list(progress_lines(io.StringIO("\nstagecraft-db-sync: restoring public.notes\n"))) == ["public.notes"]


def test_the_wipe_drops_the_dumps_schemas_and_empties_public():
    sql = wipe_sql(["catalog", '"Odd Name"'])
    assert "DROP SCHEMA IF EXISTS catalog CASCADE;" in sql and 'DROP SCHEMA IF EXISTS "Odd Name" CASCADE;' in sql
    assert "'public'::regnamespace" in sql and "deptype = 'e'" in sql
