"""The sweep's Neon hook (tools/delivery/neon_branches.py) against the Neon emulator: only branches carrying this
project's stagecraft-owner annotation whose stack is gone are deleted, children first; never main or a foreign one."""

from __future__ import annotations

import json

from providers.neon.client import NeonClient
from tests.providers.conftest import fast_http, neon  # noqa: F401  (the Neon emulator, env pointed at it)
from tools.delivery.neon_branches import judge, register, sweep_neon_branches
from tools.delivery.pulumi_cli import CliResult
from tools.delivery.sweep import EXTRA_SWEEPS, SweepContext

OWNER = "stagecraft-owner"


class FoundationOutputs:
    """Stands in for `pulumi stack export -s foundation` (a checkpoint whose stack exports neon.projectId)."""

    def __init__(self, project_id: str, cwd) -> None:
        self.project_id, self.cwd = project_id, cwd

    def run(self, *args: str) -> CliResult:
        assert args == ("stack", "export", "-s", "foundation"), args
        stack = {"type": "pulumi:pulumi:Stack", "outputs": {"neon": {"projectId": self.project_id}}}
        return CliResult(list(args), 0, json.dumps({"version": 3, "deployment": {"resources": [stack]}}), "")


def _branch(client, project_id, name, owner=None, parent_id=None):
    annotation = {OWNER: owner} if owner else {}
    reply = client.create_branch(project_id, name, parent_id, annotation)
    return reply["branch"]["id"]


def _account(neon):
    """main; uat (stack alive); pr-7 fork of uat (stack gone); pr-8 (gone) with a console-made child; a branch of
    another project's stack; an unmarked console branch."""
    project_id = neon.add_project("stagecraft")
    with NeonClient.from_env() as client:
        uat = _branch(client, project_id, "uat", "stagecraft/uat")
        _branch(client, project_id, "pr-7", "stagecraft/pr-7", parent_id=uat)
        pr8 = _branch(client, project_id, "pr-8", "stagecraft/pr-8", parent_id=uat)
        _branch(client, project_id, "debug-copy", None, parent_id=pr8)
        _branch(client, project_id, "shop-uat", "othershop/uat")
        _branch(client, project_id, "console-made")
    return project_id


def _names(neon):
    return sorted(b["name"] for b in neon.objects("branches"))


def _project_dir(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text("name: stagecraft\nruntime: python\n")
    return tmp_path


def test_only_annotated_branches_of_gone_stacks_are_deleted(neon, tmp_path):
    project_id = _account(neon)
    context = SweepContext(pull_states={}, stacks=("foundation", "uat", "production"), dry_run=False)
    lines = sweep_neon_branches(context, cli=FoundationOutputs(project_id, _project_dir(tmp_path)))
    assert _names(neon) == ["console-made", "debug-copy", "main", "pr-8", "shop-uat", "uat"]
    assert any(line.startswith("deleted neon branch pr-7") for line in lines)
    assert any(line.startswith("blocked neon branch pr-8") and "debug-copy stays" in line for line in lines)


def test_a_dry_run_deletes_nothing(neon, tmp_path):
    project_id = _account(neon)
    context = SweepContext(pull_states={}, stacks=("foundation", "uat"), dry_run=True)
    before = _names(neon)
    lines = sweep_neon_branches(context, cli=FoundationOutputs(project_id, _project_dir(tmp_path)))
    assert _names(neon) == before and any(line.startswith("would delete neon branch pr-7") for line in lines)


def test_a_project_without_a_foundation_stack_sweeps_no_neon_branch():
    assert sweep_neon_branches(SweepContext(pull_states={}, stacks=("uat",), dry_run=False)) == []


def test_children_are_deleted_before_their_parents():
    branches = [({"id": "br-a", "name": "a"}, {OWNER: "stagecraft/a"}),
                ({"id": "br-b", "name": "b", "parent_id": "br-a"}, {OWNER: "stagecraft/b"})]
    assert [v.name for v in judge(branches, "stagecraft", ()) if v.action == "delete"] == ["b", "a"]


def test_the_hook_is_registered_once():
    register()
    register()
    assert EXTRA_SWEEPS.count(sweep_neon_branches) == 1
