"""Running one static build into a content-addressed artifact folder, atomically, a bounded number at a time.

``<build dir>/<key>/`` holds the output of a build whose key is the sha256 of its source digest, command,
output folder and values. It appears only by a rename of a finished output, so an existing artifact folder
is always complete and is reused instead of built again. The build itself runs in a private workspace (a
copy of the source) with only the build's values and a minimal environment: the provider process holds
platform credentials that a build must never see.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Mapping

from .._http.errors import InvalidSetting, ProviderError
from .._node import npm_tree
from .digest import SKIPPED_FOLDERS, output_files, tree_digest

BUILD_DIR_VAR = "STAGECRAFT_BUILD_DIR"
DEFAULT_BUILD_DIR = Path(".stagecraft") / "builds"
WORKSPACES = ".work"
LOCKS = ".locks"
BUILD_TIMEOUT_SECONDS = 15 * 60
TIMEOUT_VAR = "STAGECRAFT_BUILD_TIMEOUT"
"""Seconds one build may run (default 15 minutes)."""
OUTPUT_TAIL_LINES = 40
PASSED_THROUGH = ("HOME", "LANG", "LC_ALL", "TMPDIR", "TZ")
"""The only variables of the provider's environment a build sees (besides PATH and its own values)."""


def _cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


BUILD_SLOTS = _cores()
"""How many builds run at once in this process (all StaticBuilds of a deployment share one provider process)."""
_slots = threading.BoundedSemaphore(BUILD_SLOTS)


class BuildFailed(ProviderError):
    """A build command failed, timed out, or produced no output folder; the message says which and shows why."""


@dataclass(frozen=True)
class BuildSpec:
    """What one build makes: everything that decides its result, plus where to find and keep things."""

    app: str
    source_dir: Path
    build_command: str
    output_directory: str
    env: Mapping[str, str]
    source_digest: str

    @property
    def key(self) -> str:
        """Content address of the result: sha256 of source digest, command, output folder and values."""
        material = json.dumps(
            [self.source_digest, self.build_command, self.output_directory, sorted(self.env.items())],
            separators=(",", ":"),
        )
        return hashlib.sha256(material.encode()).hexdigest()


@dataclass(frozen=True)
class Artifact:
    """A finished build's folder and what the deploy resources key on."""

    directory: Path
    digest: str
    file_count: int
    size_bytes: int
    built: bool
    """False when the artifact already existed and nothing ran."""


def build_timeout(env: Mapping[str, str] | None = None) -> float:
    """``$STAGECRAFT_BUILD_TIMEOUT`` seconds, or 15 minutes; raises ``InvalidSetting`` for a bad value."""
    raw = (os.environ if env is None else env).get(TIMEOUT_VAR)
    if not raw:
        return BUILD_TIMEOUT_SECONDS
    try:
        seconds = float(raw)
    except ValueError:
        seconds = 0
    if seconds <= 0:
        raise InvalidSetting(f"{TIMEOUT_VAR}={raw!r} must be a positive number of seconds, e.g. {TIMEOUT_VAR}=900")
    return seconds


def build_dir(root: Path, env: Mapping[str, str] | None = None) -> Path:
    """Where artifacts live: ``$STAGECRAFT_BUILD_DIR`` or ``<project root>/.stagecraft/builds``."""
    env = os.environ if env is None else env
    override = env.get(BUILD_DIR_VAR)
    return Path(override).expanduser().absolute() if override else Path(root) / DEFAULT_BUILD_DIR


def describe(directory: Path) -> Artifact:
    """Digest, file count and size of an existing artifact folder."""
    files = output_files(directory)
    size = sum((directory / f).lstat().st_size for f in files)
    return Artifact(directory, tree_digest(directory, files), len(files), size, built=False)


@contextmanager
def key_lock(builds: Path, key: str, *, wait: bool = True) -> Iterator[bool]:
    """Holds the lock of one artifact key (across threads and processes); yields False when ``wait`` is off
    and someone else holds it."""
    locks = builds / LOCKS
    locks.mkdir(parents=True, exist_ok=True)
    with open(locks / f"{key}.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True


def ensure_artifact(spec: BuildSpec, builds: Path) -> Artifact:
    """The artifact of ``spec`` in ``builds``: reused when it exists, otherwise built now (at most
    ``BUILD_SLOTS`` at a time). Raises ``BuildFailed``; a failed build leaves nothing behind."""
    target = builds / spec.key
    if target.is_dir():
        return describe(target)
    # The key lock first: a thread waiting for another's build of the same key must not hold a build slot.
    with key_lock(builds, spec.key), _slots:
        if target.is_dir():  # built by another thread or process while this one waited
            return describe(target)
        _build(spec, builds, target)
    artifact = describe(target)
    return Artifact(artifact.directory, artifact.digest, artifact.file_count, artifact.size_bytes, built=True)


def _build(spec: BuildSpec, builds: Path, target: Path) -> None:
    work_root = builds / WORKSPACES
    work_root.mkdir(parents=True, exist_ok=True)
    workspace = Path(tempfile.mkdtemp(prefix=f"{spec.key}-", dir=work_root))
    try:
        _copy_source(spec.source_dir, workspace, spec.output_directory)
        path = os.environ.get("PATH", os.defpath)
        if (spec.source_dir / "package-lock.json").is_file():
            (workspace / "node_modules").symlink_to(npm_tree.ensure_tree(spec.source_dir), target_is_directory=True)
            tools = dict.fromkeys(str(Path(tool).parent) for tool in (npm_tree.node_bin(), npm_tree.npm_bin()))
            path = os.pathsep.join([*tools, path])
        _run(spec, workspace, _build_env(spec.env, path))
        output = workspace / spec.output_directory
        if not output.is_dir() or not any(output.iterdir()):
            raise BuildFailed(
                f"build of app {spec.app!r}: `{spec.build_command}` succeeded but wrote nothing to "
                f"{spec.output_directory!r}; set the app's outputDirectory to the folder its build writes"
            )
        os.replace(output, target)
    finally:
        shutil.rmtree(workspace, ignore_errors=True)


def _copy_source(source: Path, workspace: Path, output_directory: str) -> None:
    top_output = Path(output_directory).parts[0]

    def ignore(folder: str, names: list[str]) -> set[str]:
        skipped = {n for n in names if n in SKIPPED_FOLDERS}
        if Path(folder) == source and top_output in names:
            skipped.add(top_output)
        return skipped

    shutil.copytree(source, workspace, symlinks=True, ignore=ignore, dirs_exist_ok=True)


def _build_env(values: Mapping[str, str], path: str) -> dict[str, str]:
    env = {name: os.environ[name] for name in PASSED_THROUGH if name in os.environ}
    return {**env, "PATH": path, "CI": "true", "NO_COLOR": "1", **values}


def _run(spec: BuildSpec, workspace: Path, env: dict[str, str]) -> None:
    # Its own session, so a timeout kills the whole tree (a shell's children would otherwise keep the pipe open).
    timeout = build_timeout()
    process = subprocess.Popen(
        spec.build_command, shell=True, cwd=workspace, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, errors="replace", start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
        raise BuildFailed(
            f"build of app {spec.app!r}: `{spec.build_command}` did not finish within {timeout:g} s "
            f"and was stopped; last lines of its output:\n{npm_tree.output_tail(output, OUTPUT_TAIL_LINES)}"
        ) from None
    if process.returncode != 0:
        raise BuildFailed(
            f"build of app {spec.app!r}: `{spec.build_command}` exited with status {process.returncode}; "
            f"last lines of its output:\n{npm_tree.output_tail(output, OUTPUT_TAIL_LINES)}"
        )
