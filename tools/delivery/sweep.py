"""`stagecraft sweep`: destroy and remove the `pr-<n>` stacks whose pull request is closed, and nothing else.

Pull requests come from GitHub (`GET /repos/{owner}/{repo}/pulls?state=all`, every page), stacks from the engine
(`pulumi stack ls --json`). A `pr-<n>` stack is removed only when pull request n exists and is closed: an open one
keeps its stack, and a number GitHub does not know is reported and left alone (never guessed). Each removal is
`pulumi destroy --yes` then `pulumi stack rm --yes`; a stack whose destroy fails keeps its state (nothing is lost)
and the command exits 1 after trying the others. If the pull requests cannot be listed, nothing is touched.

Other orphans (e.g. Neon branches that no stack owns) are swept by functions appended to `EXTRA_SWEEPS`: each gets
the pull requests' states and the stacks that remain, and returns report lines.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Tuple

from tools.ops.command import Command

from .github_api import GitHubClient, GitHubSettings
from .pulumi_cli import PROJECT_ROOT, PulumiCli

PR_STACK = re.compile(r"^pr-([1-9][0-9]*)$")


@dataclass(frozen=True)
class SweepContext:
    """What an extra sweep may base its decisions on."""

    pull_states: Mapping[int, str]
    """Every pull request of the repository: number -> `open` or `closed`."""
    stacks: Tuple[str, ...]
    """The stacks that exist after the `pr-<n>` sweep."""
    dry_run: bool


EXTRA_SWEEPS: List[Callable[[SweepContext], List[str]]] = []
"""Further sweeps (orphaned Neon branches, ...), run after the stacks; each returns lines for the report."""


@dataclass(frozen=True)
class SweepPlan:
    """Which `pr-<n>` stacks go, which stay, and which are left alone because their PR is unknown."""

    remove: Tuple[str, ...]
    keep: Tuple[str, ...]
    unknown: Tuple[str, ...]


def plan(stacks: List[str], pull_states: Mapping[int, str]) -> SweepPlan:
    """Decide for every `pr-<n>` stack (other stacks are not considered at all)."""
    remove, keep, unknown = [], [], []
    for stack in sorted(stacks):
        match = PR_STACK.match(stack)
        if not match:
            continue
        state = pull_states.get(int(match.group(1)))
        (remove if state == "closed" else keep if state == "open" else unknown).append(stack)
    return SweepPlan(tuple(remove), tuple(keep), tuple(unknown))


def pull_states(client: GitHubClient) -> Dict[int, str]:
    """number -> state of every pull request."""
    return {int(p["number"]): str(p["state"]) for p in client.paginate(client.repo_path("pulls"), {"state": "all"})}


def sweep(cli: PulumiCli, states: Mapping[int, str], *, dry_run: bool = False, out: Any = sys.stdout) -> int:
    """Carry out the plan; returns the exit status (1 when a stack could not be removed)."""
    decided = plan(cli.stack_names(), states)
    for stack in decided.keep:
        out.write(f"keep    {stack}: pull request #{stack[3:]} is open\n")
    for stack in decided.unknown:
        out.write(f"ignore  {stack}: no pull request #{stack[3:]} in the repository; left alone\n")
    failed = 0
    for stack in decided.remove:
        if dry_run:
            out.write(f"would remove {stack}: pull request #{stack[3:]} is closed\n")
            continue
        destroyed = cli.run("destroy", "--yes", "--skip-preview", "-s", stack)
        if not destroyed.ok:
            failed += 1
            out.write(f"FAILED  {stack}: destroy failed ({destroyed.reason()}); the stack and its state are kept\n")
            continue
        removed = cli.run("stack", "rm", "--yes", "-s", stack)
        if not removed.ok:
            failed += 1
            out.write(f"FAILED  {stack}: destroyed, but `pulumi stack rm` failed ({removed.reason()})\n")
            continue
        out.write(f"removed {stack}: pull request #{stack[3:]} is closed (destroyed, stack removed)\n")
    remaining = tuple(cli.stack_names())
    context = SweepContext(pull_states=dict(states), stacks=remaining, dry_run=dry_run)
    for extra in EXTRA_SWEEPS:
        for line in extra(context):
            out.write(line.rstrip("\n") + "\n")
    return 1 if failed else 0


def configure(parser: argparse.ArgumentParser) -> None:
    """The arguments of `stagecraft sweep`."""
    parser.add_argument("--repository", help="owner/name (default: GITHUB_REPOSITORY)")
    parser.add_argument("--dry-run", action="store_true", help="say what would be removed, remove nothing")
    parser.add_argument("--project-dir", type=Path, default=PROJECT_ROOT,
                        help="the Pulumi project whose stacks are swept (default: this project)")


def run(args: argparse.Namespace, out: Any = None) -> int:
    """List the pull requests, then sweep the stacks (nothing is touched if the listing fails)."""
    stream = out or sys.stdout
    cli = PulumiCli(cwd=args.project_dir)
    with GitHubClient(GitHubSettings.from_env(args.repository)) as client:
        states = pull_states(client)
    return sweep(cli, states, dry_run=args.dry_run, out=stream)


COMMAND = Command(name="sweep", help="destroy and remove the pr-<n> stacks whose pull request is closed",
                  configure=configure, run=run)
