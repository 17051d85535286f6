"""`stagecraft`: the project's command line. One registry of subcommands, each a `tools.ops.command.Command`.

    stagecraft compare --stacks uat,beta,preprod
    stagecraft failover --config failover.yaml [--once]
    stagecraft db-sync --from uat --to beta
    stagecraft pr-summary --pr 12 --results out/pr-check
    stagecraft sweep [--dry-run]
    stagecraft usage [--json usage.json]
    stagecraft env -s preprod [--out env] [--eas-json apps/mobile/eas.json]
    stagecraft rollback -s uat [--to 12]

Bad input ends with one line on standard error and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from typing import Optional, Sequence

from tools.ops.command import Command
from tools.ops.errors import OperationsError


def commands() -> tuple[Command, ...]:
    """Every subcommand, in the order `stagecraft --help` lists them. Add new ones here."""
    from tools.delivery.affected import COMMAND as affected_stacks
    from tools.delivery.health_check import COMMAND as health_check
    from tools.delivery.neon_branches import register as register_neon_sweep
    from tools.delivery.pr_summary import COMMAND as pr_summary
    from tools.delivery.rollback import COMMAND as rollback
    from tools.delivery.sweep import COMMAND as sweep
    from tools.ops.compare_command import COMMAND as compare
    from tools.ops.db_sync_command import COMMAND as db_sync
    from tools.ops.env_command import COMMAND as env
    from tools.ops.failover_command import COMMAND as failover
    from tools.ops.usage_command import COMMAND as usage

    register_neon_sweep()  # `stagecraft sweep` also removes Neon branches whose stack is gone
    return (compare, failover, db_sync, usage, env, pr_summary, sweep, affected_stacks, health_check, rollback)


def parser(registry: Sequence[Command]) -> argparse.ArgumentParser:
    """The top-level parser with one sub-parser per command."""
    top = argparse.ArgumentParser(prog="stagecraft", description="Operate stagecraft's environments.")
    subparsers = top.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in registry:
        sub = subparsers.add_parser(command.name, help=command.help, description=command.help)
        command.configure(sub)
        sub.set_defaults(_run=command.run)
    return top


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run one subcommand; returns the exit status."""
    args = parser(commands()).parse_args(argv)
    try:
        return args._run(args)
    except OperationsError as exc:
        print(f"stagecraft {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"stagecraft {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
