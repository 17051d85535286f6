"""Neon branches no stack owns: the nightly sweep's hook (`tools.delivery.sweep.EXTRA_SWEEPS`).

The foundation's Neon project holds production's root branch `main`, uat's branch and the branches of `pr-<n>` stacks
with their own backend. Every branch stagecraft makes carries the annotation `stagecraft-owner=<project>/<stack>`
(providers/neon/ownership.py). After the `pr-<n>` stacks of closed PRs are gone, this lists the project's branches
(every page) and deletes exactly those that carry the annotation of this project and name a stack that no longer
exists (a stack removed without its destroy finishing, a stack removed by hand). A branch without the annotation
(`main`, anything made in the console or by another tool) or of another project is never touched, nor one whose
stack exists. Children go before their parents (Neon refuses to delete a branch with children); an orphan whose
child is not an orphan is left and reported. `--dry-run` only says what would go.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

import yaml

from providers._http import MissingCredentials, NotFound, ProviderError
from providers.neon.client import NeonClient
from providers.neon.ownership import annotated_owner

from .pulumi_cli import PulumiCli
from .sweep import EXTRA_SWEEPS, SweepContext

FOUNDATION = "foundation"


@dataclass(frozen=True)
class BranchVerdict:
    """What the sweep does with one branch, and why."""

    branch_id: str
    name: str
    action: str
    """`delete`, `keep` or `blocked` (an orphan with a child that is not one)."""
    reason: str


def judge(branches: Sequence[Tuple[Mapping[str, Any], Mapping[str, Any]]], project: str,
          stacks: Sequence[str]) -> List[BranchVerdict]:
    """A verdict per branch (branch, annotation value); deletions ordered children first."""
    verdicts: Dict[str, BranchVerdict] = {}
    for branch, annotation in branches:
        owner = annotated_owner(annotation)
        bid, name = str(branch["id"]), str(branch.get("name"))
        if owner is None:
            verdicts[bid] = BranchVerdict(bid, name, "keep", "no stagecraft-owner annotation: not made by stagecraft")
        elif owner.split("/", 1)[0] != project:
            verdicts[bid] = BranchVerdict(bid, name, "keep", f"owned by {owner}, another project")
        elif owner.split("/", 1)[1] in stacks:
            verdicts[bid] = BranchVerdict(bid, name, "keep", f"owned by stack {owner.split('/', 1)[1]}, which exists")
        else:
            verdicts[bid] = BranchVerdict(bid, name, "delete", f"owned by stack {owner.split('/', 1)[1]}, which is gone")
    parents = {str(b["id"]): b.get("parent_id") for b, _ in branches}
    changed = True
    while changed:  # a branch that stays keeps its parent (Neon refuses to delete a branch with children)
        changed = False
        for bid, parent in parents.items():
            if parent in verdicts and verdicts[bid].action != "delete" and verdicts[parent].action == "delete":
                verdicts[parent] = BranchVerdict(parent, verdicts[parent].name, "blocked",
                                                 f"{verdicts[parent].reason}, but its child {verdicts[bid].name} stays")
                changed = True

    def depth(bid: str) -> int:
        seen, level, parent = set(), 0, parents.get(bid)
        while parent and parent in parents and parent not in seen:
            seen.add(parent)
            level, parent = level + 1, parents.get(parent)
        return level

    return sorted(verdicts.values(), key=lambda v: (v.action != "delete", -depth(v.branch_id), v.name))


def project_name(project_dir: Path) -> str:
    """The Pulumi project's name (what every owner annotation starts with)."""
    return str((yaml.safe_load((project_dir / "Pulumi.yaml").read_text()) or {}).get("name"))


def foundation_project_id(cli: PulumiCli) -> Optional[str]:
    """The Neon project id the foundation stack exports (None when it has none). Read from `pulumi stack export`,
    which needs no passphrase: the id is a plain output, and the sweep's environment holds the PR stacks'."""
    result = cli.run("stack", "export", "-s", FOUNDATION)
    if not result.ok:
        raise ProviderError(f"`pulumi stack export -s {FOUNDATION}` failed: {result.reason()}")
    resources = (json.loads(result.stdout or "{}").get("deployment") or {}).get("resources") or []
    stack = next((r for r in resources if r.get("type") == "pulumi:pulumi:Stack"), {})
    return ((stack.get("outputs") or {}).get("neon") or {}).get("projectId") or None


def sweep_neon_branches(context: SweepContext, cli: Optional[PulumiCli] = None,
                        client: Optional[Callable[[], NeonClient]] = None) -> List[str]:
    """Report lines of the Neon sweep; nothing to do (no lines) for a project without a foundation stack."""
    if FOUNDATION not in context.stacks:
        return []
    cli = cli or PulumiCli()
    project = project_name(cli.cwd)
    try:
        project_id = foundation_project_id(cli)
        if project_id is None:
            return [f"neon    the {FOUNDATION} stack exports no neon.projectId; no branch swept"]
        with (client or NeonClient.from_env)() as neon:
            verdicts = judge(neon.list_branches(project_id), project, context.stacks)
            return [_apply(neon, project_id, verdict, context.dry_run) for verdict in verdicts]
    except MissingCredentials as exc:
        return [f"neon    not swept: {exc}"]
    except ProviderError as exc:
        return [f"FAILED  neon sweep: {exc}"]


def _apply(neon: NeonClient, project_id: str, verdict: BranchVerdict, dry_run: bool) -> str:
    label = f"neon branch {verdict.name} ({verdict.branch_id})"
    if verdict.action != "delete":
        return f"{'keep' if verdict.action == 'keep' else 'blocked':<7} {label}: {verdict.reason}"
    if dry_run:
        return f"would delete {label}: {verdict.reason}"
    try:
        neon.wait_operations(project_id, neon.delete_branch(project_id, verdict.branch_id),
                             f"deletion of branch {verdict.name}")
    except NotFound:
        pass
    return f"deleted {label}: {verdict.reason}"


def register() -> None:
    """Add the Neon sweep to `stagecraft sweep` (once)."""
    if sweep_neon_branches not in EXTRA_SWEEPS:
        EXTRA_SWEEPS.append(sweep_neon_branches)
