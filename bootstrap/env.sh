# Source this file (`. bootstrap/env.sh`) to run `pulumi` for this project from a shell or a script:
# it makes the engine available (see bootstrap/engine.sh), puts it and the project's venv on PATH, and sets
# the offline settings. It sets no passphrase: the Makefile passes the documented one for the dev stack only.
_stagecraft_root="$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")/.." && pwd)"
_stagecraft_engine_bin="$(bash "$_stagecraft_root/bootstrap/engine.sh" | tail -n 1)" || return 1
export PATH="$_stagecraft_engine_bin:$_stagecraft_root/.venv/bin:$PATH"
export PULUMI_SKIP_UPDATE_CHECK=1
# No plugin setting here: 3.79 has none that stops its plugin prefetch; the venv's pip.conf does
# (bootstrap/plugin_prefetch.py).
# Local file state inside the project unless the user has chosen a backend (pulumi login / PULUMI_BACKEND_URL).
if [ -z "${PULUMI_BACKEND_URL:-}" ] && [ ! -s "${PULUMI_HOME:-$HOME/.pulumi}/credentials.json" ]; then
  mkdir -p "$_stagecraft_root/.stagecraft/state"
  export PULUMI_BACKEND_URL="file://$_stagecraft_root/.stagecraft/state"
fi
unset _stagecraft_root _stagecraft_engine_bin
