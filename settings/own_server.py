"""What `stagecraft:postgres.local` means when its port is unset: this clone's own server.

Each clone's bootstrap (bootstrap/postgres.py, run by `make up`) chooses its server a port of its own and records
it in `port.json` beside the admin password file, so two clones on one machine never share a server. A port set
in config always wins (the user's own server).
"""

from __future__ import annotations

from pathlib import Path

from bootstrap.pg.port_record import RECORD_NAME, recorded
from settings.models import LocalPostgresSettings

PORT_KEY = "stagecraft:postgres.local.port"


def resolve_local_server(local: LocalPostgresSettings, project_root: Path) -> LocalPostgresSettings:
    """`local` with an absolute admin password file and, when the port is unset, the port recorded beside that
    file (left unset when there is no record: `missing_port_problem` says what to do)."""
    password_file = Path(local.admin_password_file).expanduser()
    if not password_file.is_absolute():
        password_file = Path(project_root) / password_file
    update: dict = {"admin_password_file": str(password_file)}
    if local.port is None and _own_server_host(local.host):
        update["port"] = recorded(password_file.parent)
    return local.model_copy(update=update)


def _own_server_host(host: str) -> bool:
    """Whether the project's own server (loopback only) can be the one at `host` (as bootstrap/pg/config.py)."""
    return host in ("127.0.0.1", "localhost")


def missing_port_problem(local: LocalPostgresSettings, stack: str) -> str | None:
    """The problem and its fix when a resolved `local` still has no port; None when it has one."""
    if local.port is not None:
        return None
    if not _own_server_host(local.host):
        return (f"{PORT_KEY} is not set; the server at {local.host} is not this clone's own, so its port must be "
                f"given. Fix: pulumi config set --path '{PORT_KEY}' '<port>' -s {stack}. Nothing was changed.")
    record = Path(local.admin_password_file).parent / RECORD_NAME
    return (f"{PORT_KEY} is not set, and no port of this clone's own PostgreSQL is recorded beside "
            f"stagecraft:postgres.local.adminPasswordFile ({record} is missing); run `make up` (it starts this "
            f"clone's server and records its port), or give the port of your own server with pulumi config set --path "
            f"'{PORT_KEY}' '<port>' -s {stack}. Fix: make up. Nothing was changed.")
