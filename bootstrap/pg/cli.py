"""Command line of bootstrap/postgres.py: parse options, resolve settings, run one command."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import List, Optional

from . import commands, config, ports
from .errors import BootstrapError

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--host", help=f"server host (env {config.ENV_HOST}; default {config.DEFAULT_HOST})")
    common.add_argument("--port", help=f"server port (env {config.ENV_PORT}; default: this clone's own port, chosen "
                                       f"once from {ports.DEFAULT_RANGE[0]}-{ports.DEFAULT_RANGE[1]} "
                                       f"(env {ports.ENV_RANGE}) and recorded in the state dir)")
    common.add_argument("--admin-user",
                        help=f"superuser to log in as (env {config.ENV_ADMIN_USER}; default {config.DEFAULT_ADMIN_USER})")
    common.add_argument("--admin-password-file",
                        help=f"file with that user's password (env {config.ENV_PASSWORD_FILE}; "
                             "default <state dir>/admin-password)")
    common.add_argument("--state-dir",
                        help=f"the project's cluster directory (env {config.ENV_STATE_DIR}; "
                             "default .stagecraft/postgres in the project)")
    common.add_argument("--system-dir",
                        help=f"as root, where to keep a PostgreSQL copy and clusters the server account cannot "
                             f"reach in the project (env {config.ENV_SYSTEM_DIR}; default {config.DEFAULT_SYSTEM_DIR})")
    common.add_argument("--config-stack", metavar="STACK",
                        help="the other options come from this stack's stagecraft:postgres.local config (make up "
                             "passes it), so error advice names those config keys")
    parser = argparse.ArgumentParser(
        prog="bootstrap/postgres.py",
        description="The project's local PostgreSQL with vector, pg_trgm and uuid-ossp.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("ensure", parents=[common],
                   help="make a server with the three extensions reachable (start the project's own if none)")
    sub.add_parser("status", parents=[common],
                   help="print whether a server is reachable, its version, and whether the project started it")
    sub.add_parser("stop", parents=[common], help="stop the server this project started (never another)")
    sub.add_parser("url", parents=[common], help="print the admin connection URL (contains the password)")
    return parser


def _say(message: str) -> None:
    print(f"postgres: {message}", file=sys.stderr, flush=True)


def _out(message: str) -> None:
    print(message, flush=True)


def main(argv: Optional[List[str]] = None) -> int:
    """Run one command; returns the process exit code."""
    args = _parser().parse_args(argv)
    try:
        settings = config.resolve(
            PROJECT_ROOT,
            os.environ,
            host=args.host,
            port=args.port,
            admin_user=args.admin_user,
            password_file=args.admin_password_file,
            state_dir=args.state_dir,
            system_dir=args.system_dir,
            config_stack=args.config_stack,
        )
        if args.command == "ensure":
            commands.ensure(settings, os.environ, _say)
            return commands.EXIT_OK
        if args.command == "status":
            return commands.status(settings, _out)
        if args.command == "stop":
            return commands.stop(settings, _say)
        return commands.url(settings, _out)
    except BootstrapError as err:
        print(f"postgres: error: {err}", file=sys.stderr, flush=True)
        return 1
