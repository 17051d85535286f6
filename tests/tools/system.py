"""The Debian programs the operations tests drive for real (nginx, chromium), installed when missing.

`bootstrap/system_packages.sh` is the project's installer; it returns at once when the packages are there.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.machine import PROJECT_ROOT

ARTIFACTS = PROJECT_ROOT / "out" / "test-artifacts"
"""Where tests keep what a person may want to look at afterwards (screenshots)."""


def ensure_packages(*packages: str) -> None:
    """Install the Debian packages with the project's script (a no-op when they are installed)."""
    done = subprocess.run(["bash", str(PROJECT_ROOT / "bootstrap" / "system_packages.sh"), *packages],
                          capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        raise RuntimeError(f"bootstrap/system_packages.sh {' '.join(packages)} failed:\n{done.stderr}")


def program(name: str, *packages: str) -> str:
    """The path of a program, installing its packages first when it is missing."""
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin")
    if found is None:
        ensure_packages(*packages)
        found = shutil.which(name, path="/usr/sbin:/usr/bin")
    if found is None:
        raise RuntimeError(f"{name} is still missing after installing {' '.join(packages)}")
    return found


def artifact_path(name: str) -> Path:
    """A path under out/test-artifacts (created)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / name
