"""Node and npm on this machine, and npm package trees installed once per lockfile outside the clone.

``ensure_tree(package_dir)`` runs ``npm ci`` for ``package_dir/package.json`` + its committed
``package-lock.json`` into ``<cache>/npm/<key>/node_modules`` where the key is the sha256 of the lockfile and
the Node major version, so every clone and every build of the same lockfile shares one tree. Concurrent
callers (threads or processes) wait on a file lock; the install runs in a temporary folder that is renamed
into place only when ``npm ci`` succeeded, so a half-finished tree is never used.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Mapping, Optional

from .._http.errors import ProviderError

MIN_NODE_MAJOR = 20
NODE_VAR = "STAGECRAFT_NODE"
NPM_VAR = "STAGECRAFT_NPM"
CACHE_VAR = "STAGECRAFT_CACHE"
NPM_CI = ("ci", "--no-audit", "--no-fund")
OUTPUT_TAIL_LINES = 40
PASSED_TO_NPM = ("HOME", "USER", "LANG", "LC_ALL", "TMPDIR", "TZ", "XDG_CONFIG_HOME", "XDG_CACHE_HOME",
                 "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy",
                 "NODE_EXTRA_CA_CERTS", "SSL_CERT_FILE", "SSL_CERT_DIR", "NPM_TOKEN", "NODE_AUTH_TOKEN")
"""What ``npm ci`` sees of the provider's environment, besides PATH and npm's own ``npm_config_*`` settings: the
install scripts of an app's dependencies run with it, and the provider process holds every platform credential."""
INSTALL_HINT = (
    f"install Node.js {MIN_NODE_MAJOR} or newer with its npm (Debian/Ubuntu: the `nodejs` package from "
    "https://deb.nodesource.com, e.g. `curl -fsSL https://deb.nodesource.com/setup_20.x | bash - && "
    f"apt-get install -y nodejs`; macOS: `brew install node@20`), or point {NODE_VAR} / {NPM_VAR} at the binaries"
)

class NodeToolMissing(ProviderError):
    """Node.js or npm is not installed, or the installed Node is too old."""


class NpmInstallFailed(ProviderError):
    """``npm ci`` failed; the message carries its exit status and the tail of its output."""


def cache_root(env: Optional[Mapping[str, str]] = None) -> Path:
    """``${STAGECRAFT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/stagecraft}``, the machine-wide cache outside any clone."""
    env = os.environ if env is None else env
    base = env.get(CACHE_VAR)
    if not base:
        xdg = env.get("XDG_CACHE_HOME") or str(Path(env.get("HOME") or Path.home()) / ".cache")
        base = str(Path(xdg) / "stagecraft")
    return Path(base).expanduser().absolute()


def _find(tool: str, override_var: str) -> str:
    override = os.environ.get(override_var)
    if override:
        if not (os.path.isfile(override) and os.access(override, os.X_OK)):
            raise NodeToolMissing(f"{override_var}={override} is not an executable file; unset it or {INSTALL_HINT}")
        return override
    found = shutil.which(tool)
    if not found:
        raise NodeToolMissing(f"`{tool}` was not found on PATH; {INSTALL_HINT}")
    return found


def node_bin() -> str:
    """Absolute path of a Node.js >= 20 (``STAGECRAFT_NODE`` or ``node`` on PATH); raises ``NodeToolMissing``."""
    node = _find("node", NODE_VAR)
    major = node_major(node)
    if major < MIN_NODE_MAJOR:
        raise NodeToolMissing(f"{node} is Node.js {major}; stagecraft's builds need {MIN_NODE_MAJOR}+: {INSTALL_HINT}")
    return node


def npm_bin() -> str:
    """Absolute path of npm (``STAGECRAFT_NPM`` or ``npm`` on PATH); raises ``NodeToolMissing``."""
    return _find("npm", NPM_VAR)


def node_major(node: str) -> int:
    """The major version of the Node.js binary ``node`` (``v20.19.1`` -> 20)."""
    try:
        out = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=30, check=True).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        raise NodeToolMissing(f"{node} --version failed ({exc}); {INSTALL_HINT}") from exc
    match = re.match(r"v?(\d+)\.", out.strip())
    if not match:
        raise NodeToolMissing(f"{node} --version printed {out.strip()!r}, not a Node.js version; {INSTALL_HINT}")
    return int(match.group(1))


def tree_key(lockfile: Path, major: int) -> str:
    """The cache key of an installed tree: sha256 of the lockfile's bytes and the Node major version."""
    digest = hashlib.sha256(lockfile.read_bytes())
    digest.update(f"\0node{major}".encode())
    return digest.hexdigest()


_ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def output_tail(output: str, lines: int = OUTPUT_TAIL_LINES) -> str:
    """The last ``lines`` non-empty lines of a tool's output without terminal colour codes, for error messages."""
    kept = [line for line in _ANSI_ESCAPE.sub("", output).splitlines() if line.strip()]
    return "\n".join(kept[-lines:])


def ensure_tree(package_dir: Path) -> Path:
    """The ``node_modules`` folder of ``package_dir``'s lockfile, installing it into the cache once.

    Raises ``FileNotFoundError`` naming the missing file when ``package.json`` or ``package-lock.json`` is
    absent, ``NodeToolMissing`` without Node/npm, ``NpmInstallFailed`` when ``npm ci`` fails.
    """
    package_dir = Path(package_dir).absolute()
    manifest, lockfile = package_dir / "package.json", package_dir / "package-lock.json"
    for required in (manifest, lockfile):
        if not required.is_file():
            raise FileNotFoundError(
                f"{required} is missing; commit it (create the lockfile with `npm install` in {package_dir})"
            )
    node = node_bin()
    npm = npm_bin()
    npm_dir = cache_root() / "npm"
    target = npm_dir / tree_key(lockfile, node_major(node))
    if (target / "node_modules").is_dir():
        return target / "node_modules"
    npm_dir.mkdir(parents=True, exist_ok=True)
    # flock locks belong to the open file description, so this excludes other threads as well as processes.
    with open(npm_dir / f"{target.name}.lock", "w") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        if not (target / "node_modules").is_dir():
            _install(npm, node, manifest, lockfile, target)
    return target / "node_modules"


def _install(npm: str, node: str, manifest: Path, lockfile: Path, target: Path) -> None:
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name[:12]}-", dir=target.parent))
    try:
        shutil.copy2(manifest, staging / "package.json")
        shutil.copy2(lockfile, staging / "package-lock.json")
        env = {name: value for name, value in os.environ.items()
               if name in PASSED_TO_NPM or name.lower().startswith("npm_config_")}
        env["PATH"] = f"{Path(node).parent}{os.pathsep}{os.environ.get('PATH', '')}"
        result = subprocess.run(
            [npm, *NPM_CI], cwd=staging, env=env, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        if result.returncode != 0:
            raise NpmInstallFailed(
                f"`npm {' '.join(NPM_CI)}` for {lockfile} exited with status {result.returncode}; "
                f"last lines of its output:\n{output_tail(result.stdout)}"
            )
        if target.exists():  # a leftover without node_modules (never a complete tree: that returned early)
            shutil.rmtree(target)
        staging.rename(target)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
