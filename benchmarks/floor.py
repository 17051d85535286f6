"""The engine's true floor: an empty Python program on the same engine, in a virtualenv holding only `pulumi`.

The virtualenv is built once per machine into the cache outside the clone (keyed by the Python and Pulumi
versions), with `pulumi` and its dependencies at the versions requirements.lock pins.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.engine.cli import DEV_PASSPHRASE, Result, engine_env

ROOT = Path(__file__).resolve().parents[1]
_COMPLETE = ".stagecraft-complete"


def _cache() -> Path:
    base = os.environ.get("STAGECRAFT_CACHE") or str(
        Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "stagecraft")
    return Path(base).expanduser() / "bench"


def _pinned_pulumi() -> str:
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if re.match(r"^pulumi==", line.strip()):
            return line.strip()
    raise SystemExit("requirements.lock pins no pulumi version")


def floor_venv() -> Path:
    """The cached virtualenv with only `pulumi` (built on first use)."""
    pin = _pinned_pulumi()
    python = f"py{sys.version_info.major}.{sys.version_info.minor}"
    venv = _cache() / f"floor-venv-{python}-{pin.replace('==', '-')}"
    if (venv / _COMPLETE).exists():
        return venv
    venv.parent.mkdir(parents=True, exist_ok=True)
    with open(venv.parent / ".lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (venv / _COMPLETE).exists():
            return venv
        staging = Path(tempfile.mkdtemp(prefix=".floor-", dir=venv.parent))
        try:
            subprocess.run([sys.executable, "-m", "venv", str(staging)], check=True)
            # The lock as constraints pins pulumi's own dependencies to the versions the project uses.
            subprocess.run([str(staging / "bin" / "python"), "-m", "pip", "install", "--quiet",
                            "--disable-pip-version-check", "-c", str(ROOT / "requirements.lock"), pin], check=True)
            (staging / _COMPLETE).write_text(pin + "\n")
            shutil.rmtree(venv, ignore_errors=True)
            # Renamed whole: the engine runs `<venv>/bin/python` and `python -m pip`, which do not depend on
            # the folder's name (only the venv's console scripts would).
            staging.rename(venv)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return venv


class FloorProgram:
    """An empty Python program (`import pulumi`, nothing registered) with its own file state, on the engine."""

    def __init__(self, root: Path, venv: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        (root / "Pulumi.yaml").write_text(
            f"name: floor\nruntime:\n  name: python\n  options:\n    virtualenv: {venv}\n")
        (root / "__main__.py").write_text("import pulumi  # noqa: F401\n")
        state = root / ".state"
        state.mkdir()
        self.env = engine_env(f"file://{state}", DEV_PASSPHRASE)
        self.run("stack", "init", "dev", "--non-interactive").check()

    def run(self, *args: str) -> Result:
        done = subprocess.run(["pulumi", *args], cwd=self.root, env=self.env, capture_output=True, text=True,
                              timeout=600)
        return Result(list(args), done.returncode, done.stdout, done.stderr)

    def preview(self) -> Result:
        return self.run("preview", "-s", "dev", "--non-interactive")

    def up(self) -> Result:
        """`pulumi up --yes` as `make up` runs it: a preview, then the update."""
        return self.run("up", "-s", "dev", "--yes", "--non-interactive")
