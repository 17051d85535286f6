"""Neon branches that start from production's schema (init_source schema-only), the root-branch lookup, and a PR's
fork: against the Neon emulator."""

from __future__ import annotations

from providers.neon.branch import BranchProvider
from providers.neon.role import RoleProvider
from providers.neon.root_branch import RootBranchProvider

OWNER = "stagecraft/uat"


def _root(neon, project_id):
    return RootBranchProvider().create({"project_id": project_id})


def test_the_root_branch_lookup_finds_main_and_its_compute(neon):
    project_id = neon.add_project("stagecraft")
    created = _root(neon, project_id)
    (endpoint,) = [e for e in neon.objects("endpoints") if e["branch_id"] == created.id]
    assert (created.id, created.outs["name"], created.outs["endpoint_host"]) == (
        neon.default_branch_id(project_id), "main", endpoint["host"])


def test_the_root_branch_lookup_reads_back_unchanged(neon):
    project_id = neon.add_project("stagecraft")
    created = _root(neon, project_id)
    read = RootBranchProvider().read(created.id, created.outs)
    assert (read.id, read.outs) == (created.id, created.outs)


def test_deleting_the_root_branch_lookup_leaves_the_branch(neon):
    project_id = neon.add_project("stagecraft")
    created = _root(neon, project_id)
    RootBranchProvider().delete(created.id, created.outs)
    assert neon.default_branch_id(project_id) == created.id


def test_a_schema_only_branch_reads_back_with_its_schema_source(neon):
    project_id = neon.add_project("stagecraft")
    props = {"project_id": project_id, "name": "uat", "owner": OWNER, "parent_id": neon.default_branch_id(project_id),
             "init_source": "schema-only"}
    created = BranchProvider().create(props)
    (branch,) = [b for b in neon.objects("branches") if b["id"] == created.id]
    assert "parent_id" not in branch  # a root branch: no production data under it
    assert BranchProvider().read(created.id, created.outs).outs == created.outs  # refresh shows no change


def test_a_schema_only_branch_without_its_source_fails_check():
    props = {"project_id": "proj-1", "name": "uat", "owner": OWNER, "init_source": "schema-only"}
    assert "parent_id" in {f.property for f in BranchProvider().check({}, props).failures}


def test_a_pr_fork_adopts_the_role_it_inherits_on_its_own_branch(neon):
    project_id = neon.add_project("stagecraft")
    main = neon.default_branch_id(project_id)
    uat = BranchProvider().create({"project_id": project_id, "name": "uat", "owner": OWNER, "parent_id": main,
                                   "init_source": "schema-only"})
    RoleProvider().create({"project_id": project_id, "branch_id": uat.id, "name": "app", "owner": OWNER})
    fork = BranchProvider().create({"project_id": project_id, "name": "pr-7", "owner": "stagecraft/pr-7",
                                    "parent_id": uat.id})
    role = RoleProvider().create({"project_id": project_id, "branch_id": fork.id, "name": "app",
                                  "owner": "stagecraft/pr-7"})
    assert role.outs["password"]  # the inherited role, read back as this stack's (its branch carries the marker)
