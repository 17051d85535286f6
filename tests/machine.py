"""What tests need from this machine: a port nothing listens on, and the project's own PostgreSQL server."""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

import psycopg

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def closed_port() -> int:
    """A loopback port nothing listens on (bound once to pick it, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def project_admin_url() -> str:
    """Admin URL of the project's PostgreSQL server (`bootstrap/postgres.py url`; it holds the password)."""
    done = subprocess.run([str(PROJECT_ROOT / ".venv" / "bin" / "python"), str(PROJECT_ROOT / "bootstrap" / "postgres.py"),
                           "url"], check=True, capture_output=True, text=True)
    return done.stdout.strip()


def database_exists(name: str) -> bool:
    """Whether the project's server holds a database of that name."""
    with psycopg.connect(project_admin_url(), autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is not None


def role_exists(name: str) -> bool:
    """Whether the project's server holds a role of that name."""
    with psycopg.connect(project_admin_url(), autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone() is not None
