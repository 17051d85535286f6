# Source this file (`. bootstrap/env.sh`) to run `pulumi` for this project from a shell or a script:
# it makes the engine available (see bootstrap/engine.sh), puts it and the project's venv on PATH, and sets
# the offline settings. It sets no passphrase: the Makefile passes the documented one for the dev stack only.
_stagecraft_root="$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")/.." && pwd)"
_stagecraft_engine_bin="$(bash "$_stagecraft_root/bootstrap/engine.sh" | tail -n 1)" || return 1
export PATH="$_stagecraft_engine_bin:$_stagecraft_root/.venv/bin:$PATH"
export PULUMI_SKIP_UPDATE_CHECK=1
case "$_stagecraft_engine_bin" in
  */stagecraft/engine/*)
    # The offline build has no way to download provider plugins; asking would only time out.
    export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=1 ;;
esac
# Local file state inside the project unless the user has chosen a backend (pulumi login / PULUMI_BACKEND_URL).
if [ -z "${PULUMI_BACKEND_URL:-}" ] && [ ! -s "${PULUMI_HOME:-$HOME/.pulumi}/credentials.json" ]; then
  mkdir -p "$_stagecraft_root/.stagecraft/state"
  export PULUMI_BACKEND_URL="file://$_stagecraft_root/.stagecraft/state"
fi
unset _stagecraft_root _stagecraft_engine_bin
