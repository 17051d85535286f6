"""`stagecraft db-sync --from STACK|URL --to STACK|URL [--allow-production]`."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .command import Command
from .db_sync import check_target_allowed, resolve, sync
from .pg_tools import programs
from .policy_pack import is_production_stack
from .stack_outputs import read_stack_outputs


def configure(parser: argparse.ArgumentParser) -> None:
    """The arguments of `stagecraft db-sync`."""
    parser.add_argument("--from", dest="source", required=True, metavar="STACK|URL",
                        help="stack whose database.connectionUri to copy, or a postgresql:// URL")
    parser.add_argument("--to", dest="target", required=True, metavar="STACK|URL",
                        help="stack (or URL) whose database is replaced by the copy")
    parser.add_argument("--allow-production", action="store_true",
                        help="allow a production target (named production, or production in its policy config)")


def run(args: argparse.Namespace, out: Any = None) -> int:
    """Check, then copy (see tools/ops/db_sync.py)."""
    stream = out or sys.stdout

    def log(line: str) -> None:
        print(line, file=stream, flush=True)

    check_target_allowed(args.target, args.allow_production, is_production_stack)
    source = resolve(args.source, "--from", read_stack_outputs)
    target = resolve(args.target, "--to", read_stack_outputs)
    summary = sync(source, target, programs(), log)
    settings = f"; left out settings the target does not know: {', '.join(summary.dropped_settings)}" \
        if summary.dropped_settings else ""
    log(f"db-sync: done in {summary.seconds:.1f} s: {summary.tables} tables, {summary.rows} rows, extensions "
        f"{', '.join(summary.extensions)}; row counts checked{settings}")
    return 0


COMMAND = Command("db-sync", "copy one environment's database over another's (pg_dump/pg_restore, all or nothing)",
                  configure, run)
