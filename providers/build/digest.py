"""Digests of folders: an app's source (what a build depends on) and a build's output (what gets deployed).

Both hash the sorted relative paths and the file contents, so they are the same on every machine and in
every clone for the same files. Symlinks are hashed by their target text, never followed.
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator

SKIPPED_FOLDERS = frozenset({
    "node_modules", ".git", ".hg", ".svn", ".stagecraft", ".vite", ".vite-cache", ".cache", ".parcel-cache",
    ".turbo", ".next", ".nuxt", ".svelte-kit", ".angular", ".expo", ".pytest_cache", "__pycache__",
})
"""Dependency trees, version control and build caches: never part of an app's source."""
_CHUNK = 1 << 20


def source_files(root: Path, output_directory: str) -> Iterator[Path]:
    """The files (and symlinks) of an app's source folder, relative to it, in sorted order.

    Skips ``SKIPPED_FOLDERS`` at any depth and the build's own ``output_directory`` at the top.
    """
    output = Path(output_directory).parts
    for entry in _walk(root, root):
        parts = entry.parts
        if parts[: len(output)] == output:
            continue
        yield entry


def _walk(root: Path, folder: Path) -> Iterator[Path]:
    entries = sorted(os.scandir(folder), key=lambda e: e.name)
    for entry in entries:
        path = Path(entry.path)
        if entry.is_dir(follow_symlinks=False):
            if entry.name not in SKIPPED_FOLDERS:
                yield from _walk(root, path)
        else:
            yield path.relative_to(root)


def tree_digest(root: Path, relative_paths: Iterable[Path]) -> str:
    """sha256 over each relative path and its content (a symlink: its target) in the given order."""
    digest = hashlib.sha256()
    for relative in relative_paths:
        path = root / relative
        digest.update(relative.as_posix().encode() + b"\0")
        if path.is_symlink():
            digest.update(b"link\0" + os.readlink(path).encode() + b"\0")
        else:
            digest.update(b"file\0" + _file_sha256(path).encode() + b"\0")
    return digest.hexdigest()


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


@lru_cache(maxsize=None)
def _cached_source_digest(root: str, output_directory: str) -> str:
    folder = Path(root)
    return tree_digest(folder, source_files(folder, output_directory))


def source_digest(path: Path | str, output_directory: str = "dist") -> str:
    """The digest of an app's source folder: what a build's result depends on, besides its command and values.

    Computed once per folder and output folder per process: the twelve apps of the inventory share one
    source, so a program run hashes it once. Raises ``NotADirectoryError`` naming a missing folder.
    """
    folder = Path(path).absolute()
    if not folder.is_dir():
        raise NotADirectoryError(f"app source folder {folder} does not exist or is not a folder")
    return _cached_source_digest(str(folder), output_directory)


def output_files(root: Path) -> list[Path]:
    """Every file of a build's output, relative to it, sorted (nothing skipped: all of it gets deployed)."""
    found: list[Path] = []
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        found += [(Path(folder) / name).relative_to(root) for name in files]
        found += [(Path(folder) / name).relative_to(root) for name in dirs if (Path(folder) / name).is_symlink()]
    return sorted(found)
