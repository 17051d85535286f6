"""Folders the `local` platforms write into must be folders: a path through an existing file (`envFiles.directory`
set to a file) would make `up` fail after creating the database, the secret and the bucket (issue 8: "fails after
creating 20 resources"), and a fix that moves the folder must not land on another file.
"""

from __future__ import annotations

from pathlib import Path

from settings.fixes import key_of, rm_command, set_command, value_word
from settings.problems import Problem


def absolute(project_root: Path, path: str) -> Path:
    """A configured path: as given when absolute, else under the project (as components/environment.py reads it)."""
    candidate = Path(path)
    return candidate if candidate.is_absolute() else project_root / candidate


def blocking_file(path: Path) -> Path | None:
    """The existing non-folder on the way to `path` (or `path` itself), if any."""
    for candidate in [*reversed(path.parents), path]:
        if candidate.exists() and not candidate.is_dir():
            return candidate
    return None


def folder_problem(loc: tuple[str, ...], configured: str, default: str, is_set: bool, project_root: Path,
                   below: str, stack: str) -> Problem | None:
    """The problem with the folder `configured` (holding `below` under it) when a file is in the way, else None."""
    target = absolute(project_root, configured) / below
    blocker = blocking_file(target)
    if blocker is None:
        return None
    key = key_of(loc)
    if is_set and blocking_file(absolute(project_root, default) / below) is None:
        fix = rm_command(key, stack)
    else:
        base = configured.rstrip("/") or "folder"
        alternative = next(f"{base}-{n}" for n in range(1, 1000)
                           if blocking_file(absolute(project_root, f"{base}-{n}") / below) is None)
        fix = set_command(key, value_word(alternative), stack)
    return Problem(key, f"{str(blocker)!r} is a file, not a folder, so nothing can be written to {str(target)!r} "
                        f"(the file is left as it is)", fix)
