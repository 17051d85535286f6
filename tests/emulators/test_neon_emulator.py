"""NeonEmulator over HTTP with raw httpx calls: seeded project, branches, endpoints, roles, databases."""

from __future__ import annotations

import pytest

from tests.emulators import NeonEmulator
from tests.emulators.control import run_action
from tests.emulators.support import loopback_client

AUTH = {"Authorization": "Bearer neon-test-key"}
ENDPOINT = {"type": "read_write", "autoscaling_limit_min_cu": 0.25, "autoscaling_limit_max_cu": 1}


def _served(emu: NeonEmulator):
    project_id = emu.add_project("stagecraft")
    with emu.serve() as base_url, loopback_client(base_url, headers=AUTH) as client:
        yield emu, client, project_id
    assert emu.response_mismatches == []


@pytest.fixture
def neon():
    """An account on the Free plan (the default)."""
    yield from _served(NeonEmulator())


@pytest.fixture
def paid_neon():
    """An account on the Launch plan."""
    yield from _served(NeonEmulator(plan="launch"))


def create_branch(client, project_id, name="uat", **extra):
    response = client.post(f"/projects/{project_id}/branches", json={"branch": {"name": name, **extra}})
    assert response.status_code == 201, response.text
    return response.json()


def create_endpoint(client, project_id, branch_id, **changes):
    response = client.post(f"/projects/{project_id}/endpoints", json={"endpoint": {"branch_id": branch_id, **ENDPOINT, **changes}})
    assert response.status_code == 201, response.text
    return response.json()


# ---- project seed, auth, prefixes -------------------------------------------------------------


def test_seeded_project_has_main_branch_owner_role_database_and_endpoint(neon):
    emu, client, project_id = neon
    main = emu.default_branch_id(project_id)
    summary = (
        [b["name"] for b in emu.objects("branches")],
        [r["name"] for r in emu.objects("roles")],
        [(d["name"], d["owner_name"]) for d in emu.objects("databases")],
        [(e["branch_id"], e["type"]) for e in emu.objects("endpoints")],
    )
    assert summary == (["main"], ["neondb_owner"], [("neondb", "neondb_owner")], [(main, "read_write")])


def test_project_is_readable(neon):
    _, client, project_id = neon
    assert client.get(f"/projects/{project_id}").json()["project"]["name"] == "stagecraft"


def test_request_without_bearer_key_is_401_general_error(neon):
    _, client, project_id = neon
    response = client.get(f"/projects/{project_id}", headers={"Authorization": ""})
    assert (response.status_code, sorted(response.json())) == (401, ["code", "message", "request_id"])


def test_unknown_project_is_404(neon):
    _, client, _ = neon
    assert client.get("/projects/no-such-project/branches").status_code == 404


def test_documented_api_v2_prefix_works_too(neon):
    _, client, project_id = neon
    assert client.get(f"/api/v2/projects/{project_id}").status_code == 200


# ---- branches ----------------------------------------------------------------------------------


def test_branch_without_parent_is_created_from_the_default_branch(neon):
    emu, client, project_id = neon
    branch = create_branch(client, project_id)["branch"]
    assert branch["parent_id"] == emu.default_branch_id(project_id)


def test_new_branch_inherits_the_parent_roles_and_databases(neon):
    _, client, project_id = neon
    created = create_branch(client, project_id)
    assert ([r["name"] for r in created["roles"]], [d["name"] for d in created["databases"]]) == (
        ["neondb_owner"], ["neondb"],
    )


def test_branch_creation_answers_with_a_running_create_branch_operation(neon):
    _, client, project_id = neon
    operations = create_branch(client, project_id)["operations"]
    assert [(op["action"], op["status"]) for op in operations] == [("create_branch", "running")]


def test_branch_is_init_until_read_then_ready(neon):
    _, client, project_id = neon
    created = create_branch(client, project_id)["branch"]
    read = client.get(f"/projects/{project_id}/branches/{created['id']}").json()["branch"]
    assert (created["current_state"], read["current_state"]) == ("init", "ready")


def test_readiness_delay_holds_branch_and_operation_together(neon):
    emu, client, project_id = neon
    emu.set_readiness_delay(polls=2)
    created = create_branch(client, project_id)
    op_id = created["operations"][0]["id"]
    seen = [client.get(f"/projects/{project_id}/operations/{op_id}").json()["operation"]["status"] for _ in range(3)]
    branch = client.get(f"/projects/{project_id}/branches/{created['branch']['id']}").json()["branch"]
    assert (seen, branch["current_state"]) == (["running", "running", "finished"], "ready")


def test_duplicate_branch_name_is_409(neon):
    _, client, project_id = neon
    create_branch(client, project_id)
    response = client.post(f"/projects/{project_id}/branches", json={"branch": {"name": "uat"}})
    assert (response.status_code, response.json()["message"]) == (409, "branch already exists")


def test_missing_parent_branch_is_400(neon):
    _, client, project_id = neon
    response = client.post(f"/projects/{project_id}/branches", json={"branch": {"name": "pr-1", "parent_id": "br-gone-1"}})
    assert response.status_code == 400


def test_branch_rename_keeps_names_unique(neon):
    _, client, project_id = neon
    create_branch(client, project_id, "uat")
    other = create_branch(client, project_id, "beta")["branch"]
    response = client.patch(f"/projects/{project_id}/branches/{other['id']}", json={"branch": {"name": "uat"}})
    assert response.status_code == 409


def test_list_branches_searches_by_name(neon):
    _, client, project_id = neon
    create_branch(client, project_id, "pr-12")
    create_branch(client, project_id, "uat")
    listed = client.get(f"/projects/{project_id}/branches", params={"search": "pr-"}).json()["branches"]
    assert [b["name"] for b in listed] == ["pr-12"]


def test_deleting_a_branch_removes_its_endpoints_roles_and_databases(neon):
    emu, client, project_id = neon
    branch = create_branch(client, project_id)["branch"]
    create_endpoint(client, project_id, branch["id"])
    client.delete(f"/projects/{project_id}/branches/{branch['id']}")
    leftovers = [o for name in ("endpoints", "roles", "databases") for o in emu.objects(name) if o["branch_id"] == branch["id"]]
    assert leftovers == []


def test_deleted_branch_is_404_on_read_and_204_on_second_delete(neon):
    _, client, project_id = neon
    branch = create_branch(client, project_id)["branch"]
    first = client.delete(f"/projects/{project_id}/branches/{branch['id']}").status_code
    second = client.delete(f"/projects/{project_id}/branches/{branch['id']}").status_code
    assert (first, second, client.get(f"/projects/{project_id}/branches/{branch['id']}").status_code) == (200, 204, 404)


def test_default_branch_cannot_be_deleted(neon):
    emu, client, project_id = neon
    assert client.delete(f"/projects/{project_id}/branches/{emu.default_branch_id(project_id)}").status_code == 400


def test_branch_with_children_cannot_be_deleted(neon):
    _, client, project_id = neon
    parent = create_branch(client, project_id, "staging")["branch"]
    create_branch(client, project_id, "pr-3", parent_id=parent["id"])
    assert client.delete(f"/projects/{project_id}/branches/{parent['id']}").status_code == 400


# ---- endpoints ---------------------------------------------------------------------------------


def test_endpoint_host_is_its_id_under_the_region_domain(neon):
    _, client, project_id = neon
    branch = create_branch(client, project_id)["branch"]
    endpoint = create_endpoint(client, project_id, branch["id"])["endpoint"]
    assert endpoint["host"] == f"{endpoint['id']}.us-east-2.aws.neon.tech"


def test_endpoint_is_init_then_active(neon):
    _, client, project_id = neon
    branch = create_branch(client, project_id)["branch"]
    endpoint = create_endpoint(client, project_id, branch["id"])["endpoint"]
    read = client.get(f"/projects/{project_id}/endpoints/{endpoint['id']}").json()["endpoint"]
    assert (endpoint["current_state"], read["current_state"]) == ("init", "active")


def test_second_read_write_endpoint_on_a_branch_is_409(neon):
    _, client, project_id = neon
    branch = create_branch(client, project_id)["branch"]
    create_endpoint(client, project_id, branch["id"])
    response = client.post(f"/projects/{project_id}/endpoints", json={"endpoint": {"branch_id": branch["id"], "type": "read_write"}})
    assert response.status_code == 409


def test_endpoint_with_min_above_max_compute_is_400(neon):
    _, client, project_id = neon
    branch = create_branch(client, project_id)["branch"]
    response = client.post(f"/projects/{project_id}/endpoints", json={"endpoint": {
        "branch_id": branch["id"], "type": "read_write", "autoscaling_limit_min_cu": 2, "autoscaling_limit_max_cu": 1}})
    assert response.status_code == 400


def test_endpoint_update_changes_settings_and_reports_apply_config(neon):
    _, client, project_id = neon
    branch = create_branch(client, project_id)["branch"]
    endpoint = create_endpoint(client, project_id, branch["id"])["endpoint"]
    reply = client.patch(f"/projects/{project_id}/endpoints/{endpoint['id']}",
                         json={"endpoint": {"autoscaling_limit_max_cu": 2}}).json()
    assert (reply["endpoint"]["autoscaling_limit_max_cu"], [op["action"] for op in reply["operations"]]) == (2, ["apply_config"])


def test_endpoint_update_without_changes_has_no_operations(neon):
    _, client, project_id = neon
    branch = create_branch(client, project_id)["branch"]
    endpoint = create_endpoint(client, project_id, branch["id"])["endpoint"]
    reply = client.patch(f"/projects/{project_id}/endpoints/{endpoint['id']}",
                         json={"endpoint": {"autoscaling_limit_max_cu": 1}}).json()
    assert reply["operations"] == []


def test_branch_endpoints_are_listed_per_branch(neon):
    _, client, project_id = neon
    branch = create_branch(client, project_id)["branch"]
    endpoint = create_endpoint(client, project_id, branch["id"])["endpoint"]
    listed = client.get(f"/projects/{project_id}/branches/{branch['id']}/endpoints").json()["endpoints"]
    assert [e["id"] for e in listed] == [endpoint["id"]]


# ---- roles and databases -----------------------------------------------------------------------


def test_role_password_comes_back_on_create_and_through_reveal_only(neon):
    _, client, project_id = neon
    branch = create_branch(client, project_id)["branch"]
    base = f"/projects/{project_id}/branches/{branch['id']}/roles"
    created = client.post(base, json={"role": {"name": "app"}}).json()["role"]
    fetched = client.get(f"{base}/app").json()["role"]
    revealed = client.get(f"{base}/app/reveal_password").json()["password"]
    assert (revealed == created["password"], "password" in fetched) == (True, False)


def test_reset_password_changes_the_revealed_password(neon):
    _, client, project_id = neon
    branch = create_branch(client, project_id)["branch"]
    base = f"/projects/{project_id}/branches/{branch['id']}/roles"
    old = client.post(base, json={"role": {"name": "app"}}).json()["role"]["password"]
    client.post(f"{base}/app/reset_password")
    assert client.get(f"{base}/app/reveal_password").json()["password"] != old


def test_duplicate_role_on_a_branch_is_409(neon):
    _, client, project_id = neon
    branch = create_branch(client, project_id)["branch"]
    base = f"/projects/{project_id}/branches/{branch['id']}/roles"
    client.post(base, json={"role": {"name": "app"}})
    assert client.post(base, json={"role": {"name": "app"}}).status_code == 409


def test_missing_role_is_404_and_its_delete_is_204(neon):
    _, client, project_id = neon
    branch = create_branch(client, project_id)["branch"]
    base = f"/projects/{project_id}/branches/{branch['id']}/roles/ghost"
    assert (client.get(base).status_code, client.delete(base).status_code) == (404, 204)


def test_database_needs_an_existing_owner_role(neon):
    _, client, project_id = neon
    branch = create_branch(client, project_id)["branch"]
    response = client.post(f"/projects/{project_id}/branches/{branch['id']}/databases",
                           json={"database": {"name": "app", "owner_name": "ghost"}})
    assert response.status_code == 400


def test_duplicate_database_on_a_branch_is_409(neon):
    _, client, project_id = neon
    branch = create_branch(client, project_id)["branch"]
    response = client.post(f"/projects/{project_id}/branches/{branch['id']}/databases",
                           json={"database": {"name": "neondb", "owner_name": "neondb_owner"}})
    assert response.status_code == 409


def test_database_rename_moves_it_to_the_new_name(neon):
    _, client, project_id = neon
    branch = create_branch(client, project_id)["branch"]
    base = f"/projects/{project_id}/branches/{branch['id']}/databases"
    client.patch(f"{base}/neondb", json={"database": {"name": "app"}})
    assert (client.get(f"{base}/neondb").status_code, client.get(f"{base}/app").status_code) == (404, 200)


def test_role_change_on_a_branch_with_compute_reports_apply_config(neon):
    _, client, project_id = neon
    branch = create_branch(client, project_id)["branch"]
    create_endpoint(client, project_id, branch["id"])
    reply = client.post(f"/projects/{project_id}/branches/{branch['id']}/roles", json={"role": {"name": "app"}}).json()
    assert [op["action"] for op in reply["operations"]] == ["apply_config"]


# ---- plans ---------------------------------------------------------------------------------------


def test_free_plan_refuses_an_endpoint_that_carries_a_suspend_timeout(neon):
    _, client, project_id = neon
    branch = create_branch(client, project_id)["branch"]
    response = client.post(f"/projects/{project_id}/endpoints", json={"endpoint": {
        "branch_id": branch["id"], "type": "read_write", "suspend_timeout_seconds": 0}})
    assert (response.status_code, response.json()["message"]) == (
        400, "suspend interval changing is not allowed for your account")


def test_free_plan_refuses_a_suspend_timeout_change(neon):
    _, client, project_id = neon
    branch = create_branch(client, project_id)["branch"]
    endpoint = create_endpoint(client, project_id, branch["id"])["endpoint"]
    response = client.patch(f"/projects/{project_id}/endpoints/{endpoint['id']}",
                            json={"endpoint": {"suspend_timeout_seconds": 600}})
    assert response.status_code == 400


def test_free_plan_refuses_autoscaling_above_two_compute_units(neon):
    _, client, project_id = neon
    branch = create_branch(client, project_id)["branch"]
    response = client.post(f"/projects/{project_id}/endpoints", json={"endpoint": {
        "branch_id": branch["id"], "type": "read_write", "autoscaling_limit_max_cu": 4}})
    assert response.status_code == 400


def test_free_plan_endpoint_reads_back_the_default_suspend_timeout(neon):
    _, client, project_id = neon
    branch = create_branch(client, project_id)["branch"]
    endpoint = create_endpoint(client, project_id, branch["id"])["endpoint"]
    read = client.get(f"/projects/{project_id}/endpoints/{endpoint['id']}").json()["endpoint"]
    assert read["suspend_timeout_seconds"] == 0


def test_paid_plan_takes_and_reports_a_suspend_timeout(paid_neon):
    _, client, project_id = paid_neon
    branch = create_branch(client, project_id)["branch"]
    endpoint = create_endpoint(client, project_id, branch["id"], suspend_timeout_seconds=600)["endpoint"]
    read = client.get(f"/projects/{project_id}/endpoints/{endpoint['id']}").json()["endpoint"]
    assert read["suspend_timeout_seconds"] == 600


# ---- operations: the project lock, failures Neon retries, Neon's own operations ------------------


def test_a_held_operation_locks_the_project_with_423_until_it_finishes(neon):
    emu, client, project_id = neon
    emu.hold_operations(project_id, requests=2)
    statuses = [client.post(f"/projects/{project_id}/branches", json={"branch": {"name": "uat"}}).status_code
                for _ in range(3)]
    assert statuses == [423, 423, 201]


def test_the_423_answer_names_the_running_operations(neon):
    emu, client, project_id = neon
    emu.hold_operations(project_id)
    response = client.post(f"/projects/{project_id}/branches", json={"branch": {"name": "uat"}})
    assert response.json()["message"] == "project already has running operations, scheduling of new ones is prohibited"


def test_reads_are_not_locked_and_count_as_time_passing(neon):
    emu, client, project_id = neon
    emu.hold_operations(project_id, requests=2)
    reads = [client.get(f"/projects/{project_id}/branches").status_code for _ in range(2)]
    write = client.post(f"/projects/{project_id}/branches", json={"branch": {"name": "uat"}}).status_code
    assert (reads, write) == ([200, 200], 201)


def test_an_unfinished_operation_of_ours_locks_the_project_until_it_is_done(neon):
    emu, client, project_id = neon
    emu.set_readiness_delay(polls=2)
    created = create_branch(client, project_id)
    op_path = f"/projects/{project_id}/operations/{created['operations'][0]['id']}"
    early = client.post(f"/projects/{project_id}/branches", json={"branch": {"name": "beta"}}).status_code
    polled = [client.get(op_path).json()["operation"]["status"] for _ in range(2)]
    later = client.post(f"/projects/{project_id}/branches", json={"branch": {"name": "beta"}}).status_code
    assert (early, polled, later) == (423, ["running", "running"], 201)


def test_a_failed_operation_is_retried_by_neon_until_it_finishes(neon):
    emu, client, project_id = neon
    emu.fail_next_operation(failures=2, action="create_branch")
    created = create_branch(client, project_id)
    op_path = f"/projects/{project_id}/operations/{created['operations'][0]['id']}"
    seen = [client.get(op_path).json()["operation"] for _ in range(4)]
    assert [op["status"] for op in seen] == ["failed", "failed", "running", "finished"]
    assert seen[-1]["failures_count"] == 2 and "retry_at" in seen[-1]


def test_a_failed_operation_keeps_the_project_locked(neon):
    emu, client, project_id = neon
    emu.fail_next_operation(failures=1)
    created = create_branch(client, project_id)
    client.get(f"/projects/{project_id}/operations/{created['operations'][0]['id']}")
    assert client.post(f"/projects/{project_id}/branches", json={"branch": {"name": "beta"}}).status_code == 423


def test_idling_an_endpoint_suspends_it_as_neon_does(neon):
    emu, client, project_id = neon
    branch = create_branch(client, project_id)["branch"]
    endpoint = create_endpoint(client, project_id, branch["id"])["endpoint"]
    emu.idle_endpoint(endpoint["id"])
    read = client.get(f"/projects/{project_id}/endpoints/{endpoint['id']}").json()["endpoint"]
    actions = [op["action"] for op in client.get(f"/projects/{project_id}/operations").json()["operations"]]
    assert (read["current_state"], "suspended_at" in read, actions[0]) == ("idle", True, "suspend_compute")


def test_control_actions_run_over_http(neon):
    emu, client, project_id = neon
    branch = create_branch(client, project_id)["branch"]
    endpoint = create_endpoint(client, project_id, branch["id"])["endpoint"]
    base = str(client.base_url).rstrip("/")
    assert run_action(base, "idle_endpoint", endpoint_id=endpoint["id"]) == endpoint["id"]
    assert next(e for e in emu.objects("endpoints") if e["id"] == endpoint["id"])["current_state"] == "idle"


# ---- annotations ---------------------------------------------------------------------------------


def test_branch_annotation_is_returned_by_get_and_list(neon):
    _, client, project_id = neon
    created = client.post(f"/projects/{project_id}/branches", json={
        "branch": {"name": "uat"}, "annotation_value": {"stagecraft-owner": "stagecraft/uat"}}).json()["branch"]
    got = client.get(f"/projects/{project_id}/branches/{created['id']}").json()["annotation"]["value"]
    listed = client.get(f"/projects/{project_id}/branches").json()["annotations"][created["id"]]["value"]
    assert got == listed == {"stagecraft-owner": "stagecraft/uat"}
