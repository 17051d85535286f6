"""What the bootstrap's errors tell the user to do, in the terms the settings came in: config keys when `make up`
passed them from the stack config (`--config-stack`), STAGECRAFT_PG_PORT when the port came from there, and
options otherwise, so that the advice works when pasted."""

from __future__ import annotations

from typing import Callable, Mapping

from . import config, ports, probe
from .cluster import Cluster
from .config import Settings
from .errors import BootstrapError

STOP = "`bash bootstrap/postgres.sh stop`"


def where(settings: Settings) -> str:
    """host:port, for messages."""
    return f"{settings.host}:{settings.port}"


def cluster_dirs(settings: Settings) -> str:
    """The directories that hold the project's cluster, for messages."""
    if settings.cluster_dir is None:
        return str(settings.state_dir)
    return f"{settings.state_dir} and {settings.cluster_dir}"


def _config_key(settings: Settings, field: str) -> str:
    return f"'stagecraft:postgres.local.{field}'"


def _config_set(settings: Settings, field: str, value: object) -> str:
    return f"`pulumi config set --path {_config_key(settings, field)} {value} -s {settings.config_stack}`"


def _config_rm(settings: Settings, field: str) -> str:
    return f"`pulumi config rm --path {_config_key(settings, field)} -s {settings.config_stack}`"


def in_use(settings: Settings) -> Callable[[int], bool]:
    """Whether something listens on a port of the settings' host."""
    return lambda port: probe.listening(settings.host, port)


def _other_port(settings: Settings, env: Mapping[str, str]) -> str:
    free = ports.suggestion(settings.state_dir, env, in_use(settings), avoid=settings.port or 0)
    return str(free) if free is not None else "<free port>"


def _move_advice(settings: Settings, env: Mapping[str, str]) -> str:
    """How to give the project's own server another port, in the terms the port was given in."""
    port = _other_port(settings, env)
    if settings.port_source == config.PORT_FROM_OPTION and settings.config_stack:
        return (f"set another port for this clone's server: {_config_set(settings, 'port', port)}, or remove the "
                f"key so that the clone chooses a free one itself: {_config_rm(settings, 'port')}")
    if settings.port_source == config.PORT_FROM_OPTION:
        return f"give the project's own server another port: --port {port}"
    if settings.port_source == config.PORT_FROM_ENV:
        return f"give the project's own server another port: `{config.ENV_PORT}={port} make up`"
    return (f"port {settings.port} is this clone's recorded port ({settings.state_dir / ports.RECORD_NAME}): "
            "stop what listens there and run `make up` again; or, if no dev stack is deployed from this clone "
            f"yet, move this clone's server for good: `{config.ENV_PORT}={port} make up`")


def _use_that_server(settings: Settings) -> str:
    if settings.config_stack:
        return (f"to use that server instead, give its superuser and password file: "
                f"{_config_set(settings, 'adminUser', '<role>')} and "
                f"{_config_set(settings, 'adminPasswordFile', '<file>')}")
    return (f"to use that server, give its superuser with --admin-user and --admin-password-file "
            f"({config.ENV_ADMIN_USER} / {config.ENV_PASSWORD_FILE})")


def own_server_instead(settings: Settings, env: Mapping[str, str]) -> str:
    """How to use the project's own server (it has every extension) instead of the configured one."""
    if settings.config_stack:
        return (f"remove the host and port keys so that `make up` starts this clone's own server with all three: "
                f"{_config_rm(settings, 'host')} and {_config_rm(settings, 'port')}")
    return f"give the project's own server a free port (--port {_other_port(settings, env)}) so it gets all three"


def login_failed(settings: Settings, cluster: Cluster, detail: str, env: Mapping[str, str]) -> BootstrapError:
    """A server at the port rejected the admin login: ours with a lost password, or someone else's."""
    running = cluster.running()
    if running is not None and running.port == settings.port and settings.host_is_local:
        return BootstrapError(
            f"the project's own server on {where(settings)} rejects the admin login as {settings.admin_user} "
            f"({detail}); {settings.password_file} must hold the password the cluster was created with: restore "
            f"it, or run {STOP} and remove {cluster_dirs(settings)} to start over (its databases are lost)"
        )
    return BootstrapError(
        f"a PostgreSQL server is already listening on {where(settings)}, but the admin login as "
        f"{settings.admin_user} failed ({detail}). It is not a server this project started. Either "
        f"{_move_advice(settings, env)}; or, {_use_that_server(settings)}."
    )


def unusable(settings: Settings, detail: str, env: Mapping[str, str]) -> BootstrapError:
    """Something that is not PostgreSQL listens on the port."""
    return BootstrapError(
        f"something is listening on {where(settings)} but no PostgreSQL session could be opened ({detail}); "
        f"{_move_advice(settings, env)}"
    )


def no_port(settings: Settings) -> BootstrapError:
    """A server other than the project's own needs its port given."""
    if settings.config_stack:
        fix = _config_set(settings, "port", "<port>")
    else:
        fix = f"--port <port> ({config.ENV_PORT})"
    return BootstrapError(f"no port is given for the server at {settings.host}; give the port it listens on: {fix}")


def runs_elsewhere(settings: Settings, running: int) -> BootstrapError:
    """The project's own server already runs on another port than the one given."""
    if settings.port_source == config.PORT_FROM_OPTION and settings.config_stack:
        use = (f"use it there: {_config_set(settings, 'port', running)} (or {_config_rm(settings, 'port')}, "
               "which means this clone's own server)")
    elif settings.port_source == config.PORT_FROM_ENV:
        use = f"unset {config.ENV_PORT} to use it there"
    else:
        use = f"use --port {running}"
    return BootstrapError(
        f"the project's own server already runs on port {running}, not {settings.port}; {use}, or stop it first "
        f"({STOP}) to move it to {settings.port}"
    )


def unreachable(settings: Settings) -> BootstrapError:
    """Nothing answers at a host the project cannot start its own server on."""
    instead = (f"remove the host key to use this clone's own server: {_config_rm(settings, 'host')}"
               if settings.config_stack else f"unset --host ({config.ENV_HOST}) to use the project's own")
    return BootstrapError(
        f"no PostgreSQL is reachable at {where(settings)}. The project starts its own server only on 127.0.0.1; "
        f"start yours, or {instead}"
    )
