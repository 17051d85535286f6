"""Config of a throwaway dev stack: the project's PostgreSQL server, a database of its own, files under tmp."""

from __future__ import annotations

from pathlib import Path

from tests.machine import PROJECT_ROOT

ADMIN_PASSWORD_FILE = PROJECT_ROOT / ".stagecraft" / "postgres" / "admin-password"


def dev_config(tmp: Path, name: str, **postgres_local) -> dict:
    """Dev-stack config whose database and role are `name` and whose bucket and env files live under `tmp`."""
    return {
        "stagecraft:frontend": {"platform": "local"},
        "stagecraft:backend": {"platform": "local"},
        "stagecraft:postgres": {"platform": "local", "database": name, "role": name,
                                "local": {"adminPasswordFile": str(ADMIN_PASSWORD_FILE), **postgres_local}},
        "stagecraft:redis": {"platform": "memory"},
        "stagecraft:storage": {"platform": "local", "localRoot": str(tmp / "buckets")},
        "stagecraft:envFiles": {"directory": str(tmp / "env")},
    }
