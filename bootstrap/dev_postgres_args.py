"""Prints `bootstrap/postgres.py` options for the server the dev stack is configured to use.

Pulumi.dev.yaml (`stagecraft:postgres.local`) stays the one place that says which server `dev` uses: `make up`
passes these options to `bootstrap/postgres.py ensure`, which starts the project's own server only when that
configured server is the project's default and is not running. An unset port means this clone's own server,
whose port the bootstrap chooses once per clone and records (bootstrap/pg/ports.py); `--config-stack dev` makes
its error advice name the config keys these options came from.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from settings.models import LocalPostgresSettings  # noqa: E402


def main() -> None:
    stack_file = ROOT / "Pulumi.dev.yaml"
    config = (yaml.safe_load(stack_file.read_text()) or {}).get("config") or {}
    local = LocalPostgresSettings.model_validate(((config.get("stagecraft:postgres") or {}).get("local")) or {})
    password_file = Path(local.admin_password_file)
    if not password_file.is_absolute():
        password_file = ROOT / password_file
    args = ["--host", local.host, "--admin-user", local.admin_user, "--admin-password-file", str(password_file),
            "--config-stack", "dev"]
    if local.port is not None:
        args += ["--port", str(local.port)]
    # Without a configured port the bootstrap uses this clone's own port (STAGECRAFT_PG_PORT can still move it).
    print(shlex.join(args))


if __name__ == "__main__":
    main()
