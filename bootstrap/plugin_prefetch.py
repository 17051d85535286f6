"""Keeps the Pulumi language host from having the engine fetch provider plugins a stack may never use.

Before every preview and update, the 3.79 Python language host (`GetRequiredPlugins`, in
sdk/python/cmd/pulumi-language-python/main.go) runs `python -m pip list -v --format json` in the project's
virtualenv and reports a resource plugin for every package that ships a `pulumi-plugin.json` with
`"resource": true` (or, lacking one, whose name starts with `pulumi-`). The engine (pkg/engine/plugins.go,
`ensurePluginsAreInstalled`) then tries to download each one it does not have, five attempts with backoff, in
parallel: ~2.5 s per engine run offline (twice per `pulumi up`), and on a connected machine a download of
every provider SDK in the venv, whether the stack uses it or not. 3.79 has no setting that turns this off
(PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION came later).

That list is only a prefetch: when a program registers a resource of a provider, the engine's provider
registry (pkg/resource/deploy/providers/registry.go, `loadProvider`) installs a missing plugin at that moment.
So this writes the virtualenv's own pip configuration (`<venv>/pip.conf`, read by that venv's pip only) to leave
the provider SDKs out of `pip list`, and out of nothing else: imports, `pip freeze` and installs still see them.
A stack then loads exactly the providers its resources use.

Usage: `<venv>/bin/python bootstrap/plugin_prefetch.py` (bootstrap/python.sh runs it).
"""

from __future__ import annotations

import json
import sys
from importlib import metadata
from pathlib import Path
from typing import List

# The language host skips this one by name (it predates pulumi-plugin.json).
_HOST_SKIPS = {"pulumi-policy"}
_MARK = "# written by bootstrap/plugin_prefetch.py"


def _canonical(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def _declares_plugin(dist: metadata.Distribution) -> bool:
    """The language host's rule: does `pip list` showing this package make the engine want a plugin?"""
    name = dist.metadata["Name"]
    plugin_json = Path(str(dist.locate_file(name.replace("-", "_")))) / "pulumi-plugin.json"
    try:
        declared = json.loads(plugin_json.read_text(encoding="utf-8"))
    except OSError:
        return _canonical(name).startswith("pulumi-") and _canonical(name) not in _HOST_SKIPS
    except ValueError:
        return True
    return bool(declared.get("resource")) and _canonical(name) not in _HOST_SKIPS


def provider_sdks() -> List[str]:
    """Installed packages the language host would report a resource plugin for, canonical names, sorted."""
    return sorted({_canonical(d.metadata["Name"]) for d in metadata.distributions() if _declares_plugin(d)})


def pip_conf(names: List[str]) -> str:
    lines = [_MARK, "# The Pulumi language host must not make the engine prefetch these providers' plugins; see the",
             "# docstring of bootstrap/plugin_prefetch.py. Only `pip list` leaves them out.", "[list]"]
    lines.append("exclude =" + "".join(f"\n    {name}" for name in names) if names else "# (none installed)")
    return "\n".join(lines) + "\n"


def main() -> int:
    target = Path(sys.prefix) / "pip.conf"
    if sys.prefix == sys.base_prefix:
        print("plugin_prefetch: run this with the project's virtualenv python", file=sys.stderr)
        return 1
    current = target.read_text(encoding="utf-8") if target.exists() else None
    if current is not None and not current.startswith(_MARK):
        print(f"plugin_prefetch: {target} was not written by this script; left alone", file=sys.stderr)
        return 0
    wanted = pip_conf(provider_sdks())
    if current != wanted:
        target.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
