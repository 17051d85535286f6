"""NeonEmulator's schema-only branches (neon_rules.py): a new root branch with the parent's schema, within the plan's
root-branch allowance."""

from __future__ import annotations

import pytest

from tests.emulators import NeonEmulator
from tests.emulators.support import loopback_client

AUTH = {"Authorization": "Bearer neon-test-key"}


@pytest.fixture
def neon():
    emu = NeonEmulator()
    project_id = emu.add_project("stagecraft")
    with emu.serve() as base_url, loopback_client(base_url, headers=AUTH) as client:
        yield emu, client, project_id
    assert emu.response_mismatches == []


def _schema_only(client, project_id, name, parent_id):
    return client.post(f"/projects/{project_id}/branches",
                       json={"branch": {"name": name, "parent_id": parent_id, "init_source": "schema-only"}})


def test_a_schema_only_branch_is_a_root_with_the_parents_roles_and_databases(neon):
    emu, client, project_id = neon
    main = emu.default_branch_id(project_id)
    reply = _schema_only(client, project_id, "uat", main)
    assert reply.status_code == 201, reply.text
    branch = reply.json()["branch"]
    assert "parent_id" not in branch and branch["init_source"] == "schema-only"
    assert [r["name"] for r in emu.objects("roles") if r["branch_id"] == branch["id"]] == ["neondb_owner"]
    assert [d["name"] for d in emu.objects("databases") if d["branch_id"] == branch["id"]] == ["neondb"]


def test_a_schema_only_branch_needs_the_branch_whose_schema_it_copies(neon):
    _emu, client, project_id = neon
    reply = client.post(f"/projects/{project_id}/branches", json={"branch": {"name": "uat", "init_source": "schema-only"}})
    assert reply.status_code == 400 and "parent_id is required" in reply.text


def test_the_free_plan_holds_three_root_branches_main_included(neon):
    emu, client, project_id = neon
    main = emu.default_branch_id(project_id)
    assert [_schema_only(client, project_id, name, main).status_code for name in ("uat", "qa", "demo")] == [201, 201, 422]
    assert "root branches limit exceeded" in _schema_only(client, project_id, "demo", main).text


def test_a_data_branch_of_a_schema_only_branch_has_it_as_parent(neon):
    emu, client, project_id = neon
    root = _schema_only(client, project_id, "uat", emu.default_branch_id(project_id)).json()["branch"]
    reply = client.post(f"/projects/{project_id}/branches", json={"branch": {"name": "pr-7", "parent_id": root["id"]}})
    assert reply.status_code == 201 and reply.json()["branch"]["parent_id"] == root["id"]
