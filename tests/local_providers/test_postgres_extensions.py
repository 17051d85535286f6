"""`postgres:Extensions` against a real database on the project's PostgreSQL server."""

from __future__ import annotations

import secrets

import psycopg
import pytest
from psycopg import sql

from providers.local.postgres_admin import installed_extensions
from providers.postgres.extensions import DatabaseUnreachable, ExtensionsProvider, is_gone
from tests.machine import project_admin_url


@pytest.fixture
def database_uri():
    name = f"sc_ext_{secrets.token_hex(4)}"
    admin = project_admin_url()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield psycopg.conninfo.make_conninfo(admin, dbname=name)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _installed(uri: str) -> list[str]:
    with psycopg.connect(uri) as conn:
        return installed_extensions(conn)


def test_create_enables_every_wanted_extension(database_uri):
    result = ExtensionsProvider().create({"connection_uri": database_uri, "extensions": ["vector", "pg_trgm"]})
    assert {"vector", "pg_trgm"} <= set(_installed(database_uri))
    assert {"vector", "pg_trgm"} <= set(result.outs["installed"])


def test_update_adds_and_drops_to_match(database_uri):
    provider = ExtensionsProvider()
    olds = provider.create({"connection_uri": database_uri, "extensions": ["vector", "pg_trgm"]}).outs
    provider.update("extensions", olds, {"connection_uri": database_uri, "extensions": ["vector", "uuid-ossp"]})
    assert set(_installed(database_uri)) == {"vector", "uuid-ossp"}


def test_read_reports_an_extension_dropped_out_of_band(database_uri):
    provider = ExtensionsProvider()
    outs = provider.create({"connection_uri": database_uri, "extensions": ["vector", "pg_trgm"]}).outs
    with psycopg.connect(database_uri, autocommit=True) as conn:
        conn.execute("DROP EXTENSION pg_trgm")
    read = provider.read("extensions", outs)
    assert read.outs["extensions"] == ["vector"]
    assert provider.diff("extensions", read.outs, {**outs}).changes


def test_delete_keeps_an_extension_a_column_still_uses(database_uri):
    provider = ExtensionsProvider()
    outs = provider.create({"connection_uri": database_uri, "extensions": ["vector", "pg_trgm"]}).outs
    with psycopg.connect(database_uri, autocommit=True) as conn:
        conn.execute("CREATE TABLE items (embedding vector(3))")
    provider.delete("extensions", outs)
    assert _installed(database_uri) == ["vector"]


def _drop(uri: str) -> None:
    """Delete the database out of band, as deleting its Neon branch does."""
    name = psycopg.conninfo.conninfo_to_dict(uri)["dbname"]
    with psycopg.connect(project_admin_url(), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


def test_read_after_the_database_was_deleted_out_of_band_reports_gone(database_uri):
    provider = ExtensionsProvider()
    outs = provider.create({"connection_uri": database_uri, "extensions": ["pg_trgm"]}).outs
    _drop(database_uri)
    read = provider.read("extensions", outs)
    assert (read.id, read.outs) == ("", {})


def test_delete_after_the_database_was_deleted_out_of_band_succeeds(database_uri):
    provider = ExtensionsProvider()
    outs = provider.create({"connection_uri": database_uri, "extensions": ["pg_trgm"]}).outs
    _drop(database_uri)
    provider.delete("extensions", outs)


def test_read_of_an_unreachable_server_fails_instead_of_reporting_gone():
    outs = {"connection_uri": "postgresql://app:hunter2-secret@127.0.0.1:1/app", "extensions": ["vector"]}
    with pytest.raises(DatabaseUnreachable) as caught:
        ExtensionsProvider().read("extensions", outs)
    assert "unreachable right now" in str(caught.value)


def test_neons_answer_for_a_deleted_branch_means_gone():
    message = ("connection failed: ERROR: The requested endpoint could not be found, or you don't have access to "
               "it. Please check the provided ID and try again.")
    assert is_gone(None, message)


def test_a_refused_connection_does_not_mean_gone():
    assert not is_gone(None, 'connection failed: connection to server at "127.0.0.1", port 1 failed: Connection refused')


def test_unreachable_database_error_names_the_host_and_never_the_password():
    uri = "postgresql://app:hunter2-secret@127.0.0.1:1/app"
    with pytest.raises(RuntimeError) as caught:
        ExtensionsProvider().create({"connection_uri": uri, "extensions": ["vector"]})
    assert "127.0.0.1:1" in str(caught.value)
    assert "hunter2-secret" not in str(caught.value)


def test_check_refuses_names_that_are_not_extensions():
    result = ExtensionsProvider().check({}, {"connection_uri": "x", "extensions": ["vector; DROP TABLE x"]})
    assert result.failures and result.failures[0].property == "extensions"
