"""The machine cache the bootstrap shares between clones: where it is, and one lock per cache folder."""

from __future__ import annotations

import fcntl
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Mapping

from .errors import BootstrapError

ENV_CACHE = "STAGECRAFT_CACHE"


def cache_root(env: Mapping[str, str]) -> Path:
    """`${STAGECRAFT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/stagecraft}/postgres` (as bootstrap/engine.sh)."""
    base = env.get(ENV_CACHE)
    if not base:
        xdg = env.get("XDG_CACHE_HOME") or str(Path(env.get("HOME") or Path.home()) / ".cache")
        base = str(Path(xdg) / "stagecraft")
    return Path(base).expanduser().absolute() / "postgres"


@contextmanager
def locked(folder: Path, what: str) -> Iterator[Path]:
    """`folder` (made when missing) held under its `.lock` for the duration; `what` names it in errors."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        lock = open(folder / ".lock", "a+")
    except OSError as err:
        raise BootstrapError(
            f"cannot use the {what} {folder} ({err.strerror}); set {ENV_CACHE} or XDG_CACHE_HOME to a writable "
            "directory"
        ) from None
    with lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield folder
