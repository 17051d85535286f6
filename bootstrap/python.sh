#!/usr/bin/env bash
# Creates the project's virtualenv (.venv) with every pinned package, and the project root on its path.
# Idempotent: a venv whose recorded hash matches requirements.lock and pyproject.toml is left as it is.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/.venv"
python="${STAGECRAFT_PYTHON:-python3}"

if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "stagecraft needs Python 3.11 or newer; '$python' is $("$python" --version 2>&1). Set STAGECRAFT_PYTHON to a newer interpreter." >&2
  exit 1
fi

stamp="$venv/.stagecraft-lock"
want="$(sha256sum "$root/requirements.lock" "$root/pyproject.toml" | sha256sum | cut -d' ' -f1)"
# The venv's pip.conf keeps provider SDKs out of the language host's plugin prefetch (bootstrap/plugin_prefetch.py).
prefetch="$root/bootstrap/plugin_prefetch.py"
# The console scripts pyproject.toml declares ([project.scripts], e.g. `stagecraft`), written as pip would write
# them: the project itself is not installed as a package (see the .pth below).
console_scripts() {
  "$venv/bin/python" - "$root/pyproject.toml" "$venv/bin" <<'PY'
import os, sys, tomllib
with open(sys.argv[1], "rb") as stream:
    scripts = tomllib.load(stream).get("project", {}).get("scripts", {})
for name, target in scripts.items():
    module, function = target.split(":")
    path = os.path.join(sys.argv[2], name)
    text = f"#!{sys.executable}\nimport sys\nfrom {module} import {function}\nsys.exit({function}())\n"
    if not os.path.exists(path) or open(path).read() != text:
        with open(path, "w") as stream:
            stream.write(text)
        os.chmod(path, 0o755)
PY
}
if [ -x "$venv/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
  "$venv/bin/python" "$prefetch"
  console_scripts
  exit 0
fi

# A changed lock rebuilds the venv from nothing, so no package of an earlier lock lingers.
rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$root/requirements.lock"
# A .pth entry makes the project's packages importable from any working directory, as the dynamic provider
# process needs (it unpickles providers by module path), without building the project as a package.
site="$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
echo "$root" > "$site/stagecraft-project.pth"
"$venv/bin/python" "$prefetch"
console_scripts
echo "$want" > "$stamp"
echo "python: .venv ready ($("$venv/bin/python" --version))"
