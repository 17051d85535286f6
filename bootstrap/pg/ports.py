"""The port of a clone's own server: chosen once per clone, recorded in its state directory, claimed machine-wide.

Two clones on one machine (two worktrees, two CI jobs) each start a server of their own, so each needs a port
of its own that stays the same across restarts (a deployed dev stack records it). The first `ensure` of a
clone picks the first port of the range that nothing listens on and that no other clone has claimed, and
writes it twice:

- `port.json` in the clone's state directory (the record the Pulumi program reads to find "this clone's own
  server"; it names the state directory, so a record that came with a copy of the project is not taken);
- `<cache>/postgres/ports/<port>` naming that state directory (the claim, so that a clone whose server is
  stopped keeps its port: a port is free for another clone only when its claimant's record no longer names it,
  e.g. once that clone is deleted).
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, ContextManager, Iterator, Mapping, Optional

from . import port_record
from .cache import cache_root, locked
from .errors import BootstrapError
from .port_record import RECORD_NAME, recorded

__all__ = ["RECORD_NAME", "recorded", "keep", "choose", "suggestion", "port_range"]
ENV_RANGE = "STAGECRAFT_PG_PORTS"
DEFAULT_RANGE = (54329, 54360)
"""54329 first (the port of every clone before ports were chosen per clone), then the next free one."""


@dataclass(frozen=True)
class PortRange:
    """The ports a clone may choose from, both ends included."""

    first: int
    last: int

    def __iter__(self) -> Iterator[int]:
        return iter(range(self.first, self.last + 1))

    def __str__(self) -> str:
        return f"{self.first}-{self.last}"


def port_range(env: Mapping[str, str]) -> PortRange:
    """The range from STAGECRAFT_PG_PORTS (`first-last`), else the default."""
    raw = (env.get(ENV_RANGE) or "").strip()
    if not raw:
        return PortRange(*DEFAULT_RANGE)
    first, sep, last = raw.partition("-")
    try:
        bounds = PortRange(int(first), int(last) if sep else int(first))
    except ValueError:
        bounds = None
    if bounds is None or not 1024 <= bounds.first <= bounds.last <= 65535:
        raise BootstrapError(
            f"{ENV_RANGE}={raw!r} is not a port range; give `first-last` with 1024 <= first <= last <= 65535, "
            f"e.g. {ENV_RANGE}={DEFAULT_RANGE[0]}-{DEFAULT_RANGE[1]}"
        )
    return bounds


def _real(path: Path) -> str:
    return os.path.realpath(path)


def _write_replacing(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def _registry_locked(env: Mapping[str, str]) -> ContextManager[Path]:
    return locked(cache_root(env) / "ports", "port registry")


def claimant(registry: Path, port: int) -> Optional[str]:
    """The state directory that holds `port`, when its record still names it (a live claim), else None."""
    try:
        state_dir = (registry / str(port)).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    if not state_dir or recorded(Path(state_dir)) != port:
        return None
    return state_dir


def _claim(registry: Path, state_dir: Path, port: int) -> None:
    previous = recorded(state_dir)
    port_record.write(state_dir, port)
    _write_replacing(registry / str(port), _real(state_dir) + "\n")
    if previous is not None and previous != port and claimant(registry, previous) is None:
        (registry / str(previous)).unlink(missing_ok=True)


def keep(state_dir: Path, port: int, env: Mapping[str, str]) -> None:
    """Record `port` as this clone's (the project's own server runs there) and claim it machine-wide."""
    with _registry_locked(env) as registry:
        if recorded(state_dir) == port and claimant(registry, port) == _real(state_dir):
            return
        _claim(registry, state_dir, port)


def _forget_stale_claims(registry: Path) -> None:
    """Drop claims whose clone is gone or has moved on (each test server and CI clone leaves one)."""
    for entry in registry.iterdir():
        if entry.name.isdigit() and claimant(registry, int(entry.name)) is None:
            entry.unlink(missing_ok=True)


def _candidates(registry: Path, state_dir: Path, bounds: PortRange,
                in_use: Callable[[int], bool]) -> Iterator[int]:
    for port in bounds:
        holder = claimant(registry, port)
        if holder is not None and holder != _real(state_dir):
            continue
        if in_use(port):
            continue
        yield port


def choose(state_dir: Path, env: Mapping[str, str], in_use: Callable[[int], bool],
           say: Callable[[str], None]) -> int:
    """Pick, record and claim a port for this clone: the first of the range that is neither listened on nor
    claimed by another clone."""
    bounds = port_range(env)
    with _registry_locked(env) as registry:
        _forget_stale_claims(registry)
        for port in _candidates(registry, state_dir, bounds, in_use):
            _claim(registry, state_dir, port)
            say(f"chose port {port} for this clone's server (recorded in {state_dir / RECORD_NAME})")
            return port
        held = [f"{port} ({claimant(registry, port) or 'in use'})" for port in bounds]
    raise BootstrapError(
        f"no port of {bounds} is free for this clone's server: {', '.join(held)}. Give one with "
        f"`STAGECRAFT_PG_PORT='<free port>' make up`, or another range with `{ENV_RANGE}='<first>-<last>' make up`"
    )


def suggestion(state_dir: Path, env: Mapping[str, str], in_use: Callable[[int], bool],
               avoid: int) -> Optional[int]:
    """A port this clone could move to (not claimed, not listened on), without claiming it; None if none."""
    try:
        bounds = port_range(env)
    except BootstrapError:
        bounds = PortRange(*DEFAULT_RANGE)
    with _registry_locked(env) as registry:
        for port in _candidates(registry, state_dir, bounds, in_use):
            if port != avoid:
                return port
    return None

