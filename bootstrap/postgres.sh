#!/usr/bin/env bash
# The project's local PostgreSQL: `bash bootstrap/postgres.sh ensure|status|stop|url [options]`.
# Makes sure the venv exists (bootstrap/python.sh), then runs bootstrap/postgres.py with it.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bash "$root/bootstrap/python.sh" >&2
exec "$root/.venv/bin/python" "$root/bootstrap/postgres.py" "$@"
