"""Where the server is and where the project keeps its own cluster, from options, environment and defaults.

Precedence: a command-line option, then its environment variable, then the default. Every value is
validated here so the rest of the bootstrap can trust it.
"""

from __future__ import annotations

import ipaddress
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional

from .errors import BootstrapError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_ADMIN_USER = "stagecraft_admin"
DEFAULT_SYSTEM_DIR = Path("/var/lib/stagecraft")

ENV_HOST = "STAGECRAFT_PG_HOST"
ENV_PORT = "STAGECRAFT_PG_PORT"
ENV_ADMIN_USER = "STAGECRAFT_PG_ADMIN_USER"
ENV_PASSWORD_FILE = "STAGECRAFT_PG_ADMIN_PASSWORD_FILE"
ENV_STATE_DIR = "STAGECRAFT_PG_STATE_DIR"
ENV_SYSTEM_DIR = "STAGECRAFT_PG_SYSTEM_DIR"

PORT_FROM_OPTION = "option"
PORT_FROM_ENV = "env"
PORT_OF_THE_CLONE = "clone"
"""Where the port came from: --port, STAGECRAFT_PG_PORT, or this clone's record (bootstrap/pg/ports.py)."""

# What initdb accepts as a superuser name without quoting surprises; a user's own server may use others,
# but then it is not ours to create.
_ROLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


@dataclass(frozen=True)
class Settings:
    """Resolved connection and location settings for one invocation.

    host, port: where the server is (or is to be started); port is None until `ports` settles this clone's
        (no --port and no STAGECRAFT_PG_PORT).
    port_source: PORT_FROM_OPTION, PORT_FROM_ENV or PORT_OF_THE_CLONE; error advice names the way to change it.
    config_stack: when set, host, port and the admin options came from that stack's `stagecraft:postgres.local`
        (`make up`), so advice names those config keys instead of options.
    admin_user: the superuser the bootstrap logs in as.
    password_file: file holding that user's password (first line).
    state_dir: the project's cluster directory; holds `cluster.json`, the lock and, unless the cluster lives
        elsewhere (cluster_dir), `data/` and `server.log`.
    system_dir: where, as root, the bootstrap keeps what the server account cannot reach in the project
        (a copy of the PostgreSQL installation, clusters); see fallback.py.
    cluster_dir: the directory holding `data/` and `server.log` when it is not the state directory; set
        from the state directory's record by fallback.resolve, never from options.
    """

    host: str
    port: Optional[int]
    admin_user: str
    password_file: Path
    state_dir: Path
    system_dir: Path = DEFAULT_SYSTEM_DIR
    cluster_dir: Optional[Path] = None
    port_source: str = PORT_OF_THE_CLONE
    config_stack: Optional[str] = None

    @property
    def cluster_home(self) -> Path:
        """The directory holding the cluster's `data/` and `server.log`."""
        return self.cluster_dir if self.cluster_dir is not None else self.state_dir

    @property
    def data_dir(self) -> Path:
        """The cluster's PGDATA."""
        return self.cluster_home / "data"

    @property
    def log_file(self) -> Path:
        """The server log written by pg_ctl."""
        return self.cluster_home / "server.log"

    @property
    def marker_file(self) -> Path:
        """Records which cluster this project created (see cluster.py)."""
        return self.state_dir / "cluster.json"

    @property
    def location_file(self) -> Path:
        """Records where the cluster lives when that is not the state directory (see fallback.py)."""
        return self.state_dir / "cluster-location.json"

    @property
    def lock_file(self) -> Path:
        """Serializes bootstrap runs on the same state directory."""
        return self.state_dir / ".lock"

    @property
    def host_is_local(self) -> bool:
        """True when the project's own server (listening on 127.0.0.1) can serve this host."""
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host) == ipaddress.ip_address("127.0.0.1")
        except ValueError:
            return False


def _pick(option: Optional[str], env: Mapping[str, str], name: str) -> Optional[str]:
    if option is not None:
        return option
    value = env.get(name)
    return value if value not in (None, "") else None


def _port(raw: Optional[str]) -> Optional[int]:
    if raw is None:
        return None
    try:
        port = int(raw)
    except ValueError:
        port = -1
    if not 1 <= port <= 65535:
        raise BootstrapError(
            f"port (--port / {ENV_PORT}): {raw!r} is not a TCP port; give a number from 1 to 65535, "
            "e.g. --port 54329"
        )
    return port


def resolve(
    project_root: Path,
    env: Mapping[str, str],
    *,
    host: Optional[str] = None,
    port: Optional[str] = None,
    admin_user: Optional[str] = None,
    password_file: Optional[str] = None,
    state_dir: Optional[str] = None,
    system_dir: Optional[str] = None,
    config_stack: Optional[str] = None,
) -> Settings:
    """Build Settings from command-line values (strings or None), the environment and the defaults."""
    resolved_host = _pick(host, env, ENV_HOST) or DEFAULT_HOST
    if not resolved_host.strip() or any(c.isspace() for c in resolved_host):
        raise BootstrapError(
            f"host (--host / {ENV_HOST}): {resolved_host!r} is not a host name; give e.g. --host {DEFAULT_HOST}"
        )
    user = _pick(admin_user, env, ENV_ADMIN_USER) or DEFAULT_ADMIN_USER
    if not _ROLE_NAME.match(user):
        raise BootstrapError(
            f"admin user (--admin-user / {ENV_ADMIN_USER}): {user!r} is not a plain role name; use letters, "
            f"digits and underscores (not starting with a digit, at most 63), e.g. {DEFAULT_ADMIN_USER}"
        )
    raw_state = _pick(state_dir, env, ENV_STATE_DIR)
    state = Path(raw_state).expanduser() if raw_state else project_root / ".stagecraft" / "postgres"
    raw_password = _pick(password_file, env, ENV_PASSWORD_FILE)
    pw_file = Path(raw_password).expanduser() if raw_password else state / "admin-password"
    raw_system = _pick(system_dir, env, ENV_SYSTEM_DIR)
    system = Path(raw_system).expanduser().absolute() if raw_system else DEFAULT_SYSTEM_DIR
    source = PORT_FROM_OPTION if port is not None else PORT_FROM_ENV if _pick(None, env, ENV_PORT) else PORT_OF_THE_CLONE
    return Settings(
        host=resolved_host,
        port=_port(_pick(port, env, ENV_PORT)),
        port_source=source,
        config_stack=config_stack,
        admin_user=user,
        password_file=pw_file.absolute(),
        state_dir=state.absolute(),
        system_dir=system,
    )


def read_password(settings: Settings) -> Optional[str]:
    """The admin password from the password file, or None when the file does not exist."""
    try:
        text = settings.password_file.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as err:
        raise BootstrapError(
            f"admin password file (--admin-password-file / {ENV_PASSWORD_FILE}) {settings.password_file} "
            f"cannot be read ({err.strerror}); fix its permissions or point at another file"
        ) from None
    password = text.splitlines()[0] if text else ""
    if not password:
        raise BootstrapError(
            f"admin password file (--admin-password-file / {ENV_PASSWORD_FILE}) {settings.password_file} "
            "is empty; put the password on its first line, or delete the file to have one generated"
        )
    return password


def write_password(settings: Settings, password: str) -> None:
    """Write a new admin password file readable by its owner only (created 0600, never wider)."""
    path = settings.password_file
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(password + "\n")
