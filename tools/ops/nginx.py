"""The routing as an nginx upstream file, written only when it changes, and nginx reloaded after."""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence

from .errors import OperationsError
from .failover import Route
from .files import write_atomically

HEADER = "# Written by `stagecraft failover`; edit its configuration instead, the next decision rewrites this file.\n"


def render_upstream(name: str, routes: Sequence[Route]) -> str:
    """`upstream <name> { server host:port weight=N [backup] [down]; ... }`."""
    lines = [HEADER, f"upstream {name} {{\n"]
    for route in routes:
        flags = " backup" if route.backend.backup else f" weight={route.backend.weight}"
        flags += " down" if route.down else ""
        lines.append(f"    server {route.backend.server}{flags};  # {route.backend.name}\n")
    lines.append("}\n")
    return "".join(lines)


def write_upstream(path: Path, text: str) -> bool:
    """Write the file if its content differs; returns whether it was written."""
    try:
        if path.read_text(encoding="utf-8") == text:
            return False
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise OperationsError(f"upstreamFile {path}: cannot read it ({exc.strerror or exc})") from None
    if not path.parent.is_dir():
        raise OperationsError(f"upstreamFile {path}: folder {path.parent} does not exist")
    write_atomically(path, text)
    return True


@dataclass(frozen=True)
class Reload:
    """How a reload went."""

    ok: bool
    seconds: float
    output: str


def reload(argv: Optional[Sequence[str]], timeout: float = 30.0) -> Optional[Reload]:
    """Run the reload command (None when none is configured)."""
    if not argv:
        return None
    start = time.perf_counter()
    try:
        done = subprocess.run(list(argv), capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return Reload(False, time.perf_counter() - start, str(exc))
    output = (done.stderr or done.stdout).strip()
    return Reload(done.returncode == 0, time.perf_counter() - start, output[-500:])
