"""What belongs to a PostgreSQL server itself, never to a stack: its own databases and roles (no driver needed, so
the settings can refuse them without loading one)."""

from __future__ import annotations


SERVER_DATABASES = ("postgres", "template0", "template1")
"""Databases every PostgreSQL server has for itself: the maintenance database and the templates new ones copy."""
CONVENTIONAL_SUPERUSER = "postgres"
"""The bootstrap superuser of most servers (initdb names it after the OS account, usually `postgres`)."""
PRIVILEGED_ATTRIBUTES = ("rolsuper", "rolcreaterole", "rolcreatedb", "rolreplication", "rolbypassrls")
"""`pg_roles` columns of the server-wide powers: a role holding any belongs to whoever runs the server."""


def server_role_problem(role: str, admin_user: str | None) -> str | None:
    """Why `role` is the server's own and not a role the stack may create, adopt and drop (None if it may be)."""
    if admin_user is not None and role == admin_user:
        return (f"{role!r} is the admin role the stack connects as (postgres.local.adminUser); the stack would reset "
                "its password, locking you out of your own server, and drop it on destroy")
    if role == CONVENTIONAL_SUPERUSER:
        return f"{role!r} is the server's superuser; the stack would reset its password and drop it on destroy"
    if role.startswith("pg_"):
        return f"{role!r}: role names starting with pg_ are reserved by PostgreSQL"
    return None
