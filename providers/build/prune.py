"""Removing build artifacts no stack refers to.

``StaticBuild`` never deletes its artifact (the same content may serve another stack or app), so the build
folder only grows. ``prune(build_dir, keep)`` deletes every artifact whose key or folder is not in ``keep``
(e.g. the ``artifact_dir`` outputs of every stack that uses this folder), and workspaces that a stopped build
left behind. An artifact or workspace whose key is being built right now is left alone. Lock files stay: a
build may be waiting on one, and removing it would let a second build of that key start beside the first.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from .builder import LOCKS, WORKSPACES, key_lock


@dataclass
class PruneReport:
    """What ``prune`` removed and kept."""

    removed: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)
    busy: list[Path] = field(default_factory=list)
    """Unreferenced, but a build of the same key was running: left for the next prune."""
    freed_bytes: int = 0


def _keys(keep: Iterable[str | Path]) -> set[str]:
    """Artifact keys from keys or artifact folders (``/x/.stagecraft/builds/<key>``)."""
    return {Path(str(item)).name for item in keep}


def _size(path: Path) -> int:
    return sum(p.lstat().st_size for p in path.rglob("*") if not p.is_dir() or p.is_symlink())


def prune(build_dir: Path, keep: Iterable[str | Path]) -> PruneReport:
    """Delete from ``build_dir`` every artifact not named in ``keep`` (keys or artifact folders) and every
    leftover workspace; returns what was removed, kept, and skipped because a build was running."""
    report = PruneReport()
    build_dir = Path(build_dir)
    if not build_dir.is_dir():
        return report
    wanted = _keys(keep)
    candidates = [(p, p.name) for p in sorted(build_dir.iterdir()) if p.is_dir() and p.name not in (LOCKS, WORKSPACES)]
    workspaces = build_dir / WORKSPACES
    if workspaces.is_dir():
        candidates += [(p, p.name.split("-", 1)[0]) for p in sorted(workspaces.iterdir())]
    for path, key in candidates:
        if path.parent == build_dir and key in wanted:
            report.kept.append(path)
            continue
        with key_lock(build_dir, key, wait=False) as free:
            if not free:
                report.busy.append(path)
                continue
            report.freed_bytes += _size(path)
            shutil.rmtree(path)
            report.removed.append(path)
    return report
