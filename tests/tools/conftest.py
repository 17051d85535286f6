"""Fixtures of the operations tools' tests: scratch databases on the project's PostgreSQL server."""

from __future__ import annotations

import uuid
from typing import Callable, Iterator
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from tests.machine import project_admin_url


def database_url(admin_url: str, database: str) -> str:
    """The admin URL pointed at another database."""
    parts = urlsplit(admin_url)
    return urlunsplit(parts._replace(path=f"/{database}"))


@pytest.fixture
def scratch_database() -> Iterator[Callable[[str], str]]:
    """Makes uniquely named databases on the project's server (admin role); drops them all at the end."""
    admin = project_admin_url()
    made: list[str] = []

    def make(role: str) -> str:
        name = f"stagecraft_test_{role}_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        made.append(name)
        return database_url(admin, name)

    yield make
    with psycopg.connect(admin, autocommit=True) as conn:
        for name in made:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
