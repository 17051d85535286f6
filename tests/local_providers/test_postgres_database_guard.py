"""`local:PostgresDatabase` never takes over the server's own database or roles (defence in depth behind the settings):
`check` refuses them by name, and `create` refuses, before changing anything, an existing role with server-wide
powers or a database another role owns."""

from __future__ import annotations

import secrets

import psycopg
import pytest
from psycopg import sql

from bootstrap.pg.port_record import recorded
from providers.local.postgres_database import PostgresDatabaseProvider
from tests.engine.dev_stack import ADMIN_PASSWORD_FILE
from tests.machine import database_exists, project_admin_url, role_exists

PROPS = {"name": "app_db", "owner": "app_user", "extensions": [], "host": "127.0.0.1", "port": 5432,
         "admin_user": "stagecraft_admin", "admin_password_file": "/dev/null"}


def _failures(**news) -> dict[str, str]:
    return {f.property: f.reason for f in PostgresDatabaseProvider().check({}, {**PROPS, **news}).failures}


@pytest.mark.parametrize("name", ["postgres", "template0", "template1"])
def test_check_refuses_the_servers_own_database(name):
    assert "server's own database" in _failures(name=name)["name"]


def test_check_refuses_the_admin_role_as_owner():
    assert "locking you out" in _failures(owner="stagecraft_admin")["owner"]


def test_check_accepts_a_database_and_role_of_the_stacks_own():
    assert _failures() == {}


@pytest.fixture
def privileged_role():
    """A role with CREATEDB and a known password on the project's server (dropped afterwards)."""
    role, password = f"sc_priv_{secrets.token_hex(4)}", secrets.token_urlsafe(16)
    with psycopg.connect(project_admin_url(), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN CREATEDB PASSWORD {}").format(sql.Identifier(role),
                                                                               sql.Literal(password)))
    yield role, password
    with psycopg.connect(project_admin_url(), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


def test_create_refuses_a_role_with_server_wide_powers_and_leaves_its_password(privileged_role):
    role, password = privileged_role
    database = f"sc_guard_{secrets.token_hex(4)}"
    props = {**PROPS, "name": database, "owner": role, "port": recorded(ADMIN_PASSWORD_FILE.parent),
             "admin_password_file": str(ADMIN_PASSWORD_FILE)}
    with pytest.raises(ValueError, match="holds createdb"):
        PostgresDatabaseProvider().create(props)
    login = psycopg.conninfo.make_conninfo(project_admin_url(), user=role, password=password)
    with psycopg.connect(login) as conn:
        assert conn.execute("SELECT current_user").fetchone()[0] == role
    assert not database_exists(database)


def test_create_refuses_a_database_another_role_owns_and_changes_nothing():
    database, role = f"sc_owned_{secrets.token_hex(4)}", f"sc_role_{secrets.token_hex(4)}"
    with psycopg.connect(project_admin_url(), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
    try:
        props = {**PROPS, "name": database, "owner": role, "port": recorded(ADMIN_PASSWORD_FILE.parent),
                 "admin_password_file": str(ADMIN_PASSWORD_FILE)}
        with pytest.raises(ValueError, match="belongs to role 'stagecraft_admin'"):
            PostgresDatabaseProvider().create(props)
        assert not role_exists(role)
    finally:
        with psycopg.connect(project_admin_url(), autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(database)))
