"""The C toolchain and headers a PGXS build of uuid-ossp needs, installed with apt when running as root."""

from __future__ import annotations

import os
import shutil
import subprocess
from typing import Callable, List, Sequence

from .errors import BootstrapError

# Debian packages that provide what the build uses: the compiler, make, libc headers, libuuid headers.
BUILD_PACKAGES = ("gcc", "make", "libc6-dev", "uuid-dev")


def _compiles(cc: str, source: str, flags: Sequence[str] = ()) -> bool:
    try:
        result = subprocess.run(
            [cc, *flags, "-Werror", "-x", "c", "-c", "-o", os.devnull, "-"],
            input=source,
            capture_output=True,
            text=True,
        )
    except OSError:
        return False
    return result.returncode == 0


def missing_pieces(cc: str) -> List[str]:
    """What of the build's needs this machine lacks, as human-readable names (empty when all is there)."""
    missing = []
    if shutil.which(cc) is None:
        missing.append(f"C compiler ({cc})")
    if shutil.which("make") is None:
        missing.append("make")
    if shutil.which(cc) is not None and not _compiles(cc, "#include <uuid/uuid.h>\nint x;\n"):
        missing.append("libuuid headers (uuid/uuid.h)")
    return missing


def _apt_install(packages: Sequence[str]) -> subprocess.CompletedProcess:
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    return subprocess.run(
        ["apt-get", "install", "-y", "-q", "--no-install-recommends", *packages],
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )


def ensure(cc: str, say: Callable[[str], None]) -> None:
    """Make sure the compiler, make and libuuid headers are there; install them with apt as root."""
    missing = missing_pieces(cc)
    if not missing:
        return
    install_hint = f"apt-get install -y {' '.join(BUILD_PACKAGES)}"
    if os.geteuid() != 0:
        raise BootstrapError(
            f"building uuid-ossp needs {', '.join(missing)}; install them (`sudo {install_hint}`) and run this "
            "again, or point the project at your own PostgreSQL with the three extensions"
        )
    say(f"installing build tools with apt: {' '.join(BUILD_PACKAGES)}")
    result = _apt_install(BUILD_PACKAGES)
    if result.returncode != 0:
        # A machine that never fetched its package lists cannot install anything yet.
        update = subprocess.run(["apt-get", "update", "-q"], capture_output=True, text=True, stdin=subprocess.DEVNULL)
        if update.returncode == 0:
            result = _apt_install(BUILD_PACKAGES)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-6:])
        raise BootstrapError(f"`{install_hint}` failed; fix apt and run this again:\n{tail}")
    still = missing_pieces(cc)
    if still:
        raise BootstrapError(f"after installing {' '.join(BUILD_PACKAGES)} this machine still lacks {', '.join(still)}")


def accepted_flags(cc: str, flags: Sequence[str]) -> List[str]:
    """The subset of `flags` this compiler accepts.

    The wheel's pg_config records the flags of the compiler it was built with; a different local compiler
    may reject some of them (Debian's gcc 12 rejects -Wmissing-variable-declarations), which would fail
    the whole build for a warning option.
    """
    if _compiles(cc, "int x;\n", flags):
        return list(flags)
    return [flag for flag in flags if _compiles(cc, "int x;\n", [flag])]
