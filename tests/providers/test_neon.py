"""Neon providers: input checks and diffs (no network), then CRUD against the Neon emulator."""

from __future__ import annotations

import pydantic
import pytest

from providers._http import UNKNOWN, ForeignResource, MissingCredentials, WaitTimeout
from providers.neon.branch import BranchProvider
from providers.neon.client import NeonClient
from providers.neon.database import DatabaseProvider
from providers.neon.endpoint import EndpointProvider
from providers.neon.role import RoleProvider
from settings.models import NeonSettings
from tests.emulators import Fault, NeonEmulator

OWNER = "stagecraft/uat"
BRANCH = {"project_id": "proj-1", "name": "uat", "parent_id": None, "owner": OWNER}
ENDPOINT = {"project_id": "proj-1", "branch_id": "br-1", "type": "read_write", "autoscaling_limit_min_cu": 0.25,
            "autoscaling_limit_max_cu": 1.0, "owner": OWNER}
ROLE = {"project_id": "proj-1", "branch_id": "br-1", "name": "app", "owner": OWNER}
DATABASE = {"project_id": "proj-1", "branch_id": "br-1", "name": "app", "owner_name": "app", "owner": OWNER}


def failures(result) -> dict[str, str]:
    return {f.property: f.reason for f in result.failures}


# --- check -----------------------------------------------------------------------------------------------

def test_valid_inputs_pass_check():
    assert BranchProvider().check({}, BRANCH).failures == []
    assert EndpointProvider().check({}, ENDPOINT).failures == []
    assert RoleProvider().check({}, ROLE).failures == []
    assert DatabaseProvider().check({}, DATABASE).failures == []


def test_project_id_outside_neon_id_pattern_fails_check():
    reasons = failures(BranchProvider().check({}, {**BRANCH, "project_id": "Proj_1"}))
    assert "a-z, 0-9 and -" in reasons["project_id"]


def test_read_only_endpoint_fails_check_with_the_allowed_type():
    assert "read_write" in failures(EndpointProvider().check({}, {**ENDPOINT, "type": "read_only"}))["type"]


def test_compute_units_below_a_quarter_fail_check():
    news = {**ENDPOINT, "autoscaling_limit_min_cu": 0.1}
    assert "autoscaling_limit_min_cu" in failures(EndpointProvider().check({}, news))


def test_max_cu_below_min_cu_fails_check():
    news = {**ENDPOINT, "autoscaling_limit_min_cu": 2, "autoscaling_limit_max_cu": 1}
    assert "autoscaling_limit_max_cu" in failures(EndpointProvider().check({}, news))


def test_suspend_timeout_under_a_minute_fails_check():
    news = {**ENDPOINT, "suspend_timeout_seconds": 30}
    assert "suspend_timeout_seconds" in failures(EndpointProvider().check({}, news))


def test_a_zero_suspend_timeout_is_checked_as_unset():
    assert EndpointProvider().check({}, {**ENDPOINT, "suspend_timeout_seconds": 0}).inputs["suspend_timeout_seconds"] is None


def test_owner_that_is_not_project_slash_stack_fails_check():
    assert "<project>/<stack>" in failures(BranchProvider().check({}, {**BRANCH, "owner": "uat"}))["owner"]


def test_neon_settings_refuse_a_suspend_timeout_on_the_free_plan():
    with pytest.raises(pydantic.ValidationError) as err:
        NeonSettings(suspend_timeout_seconds=600)
    (error,) = err.value.errors()
    assert error["loc"] == ("suspendTimeoutSeconds",) and error["type"] == "remove_key"  # the fix: config rm
    assert "Free plan" in error["msg"]


def test_neon_settings_refuse_more_than_two_compute_units_on_the_free_plan():
    with pytest.raises(pydantic.ValidationError) as err:
        NeonSettings(max_cu=4)
    assert "maxCu" in str(err.value)


def test_neon_settings_take_a_suspend_timeout_on_a_paid_plan():
    assert NeonSettings(plan="launch", suspend_timeout_seconds=600).suspend_timeout_seconds == 600


def test_role_name_longer_than_63_bytes_fails_check():
    assert "63 bytes" in failures(RoleProvider().check({}, {**ROLE, "name": "r" * 64}))["name"]


def test_database_without_owner_fails_check():
    assert "owner_name" in failures(DatabaseProvider().check({}, {**DATABASE, "owner_name": None}))


def test_unknown_branch_id_passes_check_at_preview():
    assert RoleProvider().check({}, {**ROLE, "branch_id": UNKNOWN}).failures == []


# --- diff ------------------------------------------------------------------------------------------------

def test_branch_rename_is_in_place_but_new_parent_replaces():
    assert BranchProvider().diff("br", BRANCH, {**BRANCH, "name": "uat2"}).replaces == []
    result = BranchProvider().diff("br", BRANCH, {**BRANCH, "parent_id": "br-2"})
    assert result.replaces == ["parent_id"] and result.delete_before_replace is True


def test_endpoint_compute_change_is_in_place():
    result = EndpointProvider().diff("ep", {**ENDPOINT, "host": "h"}, {**ENDPOINT, "autoscaling_limit_max_cu": 2})
    assert result.changes is True and result.replaces == []


def test_endpoint_on_another_branch_replaces():
    assert EndpointProvider().diff("ep", ENDPOINT, {**ENDPOINT, "branch_id": "br-2"}).replaces == ["branch_id"]


def test_role_rename_replaces():
    assert RoleProvider().diff("r", {**ROLE, "password": "p"}, {**ROLE, "name": "app2"}).replaces == ["name"]


def test_database_owner_change_is_in_place_but_rename_replaces():
    assert DatabaseProvider().diff("d", DATABASE, {**DATABASE, "owner_name": "other"}).replaces == []
    assert DatabaseProvider().diff("d", DATABASE, {**DATABASE, "name": "app2"}).replaces == ["name"]


def test_role_password_is_declared_a_secret_output(registrations):
    from providers.neon.role import Role, RoleArgs

    Role("r", RoleArgs(**ROLE))
    assert registrations[0]["type"] == "pulumi-python:dynamic/neon:Role"
    assert registrations[0]["opts"].additional_secret_outputs == ["password"]


def test_neon_resources_register_under_the_contract_type_tokens(registrations):
    from providers.neon.branch import Branch, BranchArgs
    from providers.neon.database import Database, DatabaseArgs
    from providers.neon.endpoint import Endpoint, EndpointArgs

    Branch("b", BranchArgs(**BRANCH))
    Endpoint("e", EndpointArgs(**ENDPOINT))
    Database("d", DatabaseArgs(**DATABASE))
    assert [r["type"] for r in registrations] == [
        "pulumi-python:dynamic/neon:Branch", "pulumi-python:dynamic/neon:Endpoint",
        "pulumi-python:dynamic/neon:Database"]


# --- against the emulator --------------------------------------------------------------------------------

def project(neon: NeonEmulator) -> str:
    return neon.add_project("stagecraft-uat")


def make_branch(neon: NeonEmulator, name: str = "uat"):
    pid = project(neon)
    props = {"project_id": pid, "name": name, "parent_id": None, "owner": OWNER}
    return props, BranchProvider().create(props)


def make_stack(neon: NeonEmulator):
    """Branch, endpoint, role and database as the PostgresBranch component wires them."""
    _, branch = make_branch(neon)
    pid = branch.outs["project_id"]
    scope = {"project_id": pid, "branch_id": branch.id}
    endpoint = EndpointProvider().create({**ENDPOINT, **scope})
    role = RoleProvider().create({**ROLE, **scope})
    database = DatabaseProvider().create({**DATABASE, **scope})
    return branch, endpoint, role, database


def on_branch(neon: NeonEmulator, collection: str, branch_id: str) -> list[dict]:
    return [o for o in neon.objects(collection) if o.get("branch_id") == branch_id]


def branches_named(neon: NeonEmulator, name: str) -> list[dict]:
    return [b for b in neon.objects("branches") if b["name"] == name]


def test_branch_create_returns_a_ready_branch(neon):
    _, created = make_branch(neon)
    assert [(b["id"], b["current_state"]) for b in branches_named(neon, "uat")] == [(created.id, "ready")]


def test_branch_create_waits_for_readiness(neon):
    neon.set_readiness_delay(polls=3)
    _, created = make_branch(neon)
    assert branches_named(neon, "uat")[0]["current_state"] == "ready"


def test_branch_state_holds_only_inputs(neon):
    props, created = make_branch(neon)
    assert created.outs == {**props, "init_source": None}  # init_source: a copy of the parent's data (the default)


def test_branch_carries_the_owner_annotation(neon):
    _, created = make_branch(neon)
    with NeonClient.from_env() as client:
        _, annotation = client.get_branch_annotated(created.outs["project_id"], created.id)
    assert annotation == {"stagecraft-owner": OWNER}


def test_branch_from_a_given_parent_records_it(neon):
    pid = project(neon)
    parent = BranchProvider().create({"project_id": pid, "name": "staging", "parent_id": None, "owner": OWNER})
    child = BranchProvider().create({"project_id": pid, "name": "pr-7", "parent_id": parent.id, "owner": OWNER})
    assert next(b for b in neon.objects("branches") if b["id"] == child.id)["parent_id"] == parent.id


def test_branch_read_back_diffs_to_no_change(neon):
    props, created = make_branch(neon)
    state = BranchProvider().read(created.id, created.outs).outs
    assert BranchProvider().diff(created.id, state, props).changes is False


def test_branch_rename_is_in_place(neon):
    props, created = make_branch(neon)
    updated = BranchProvider().update(created.id, created.outs, {**props, "name": "uat-renamed"})
    assert updated.outs["name"] == "uat-renamed" and branches_named(neon, "uat-renamed")[0]["id"] == created.id


def test_branch_delete_then_read_reports_gone(neon):
    _, created = make_branch(neon)
    BranchProvider().delete(created.id, created.outs)
    assert branches_named(neon, "uat") == [] and BranchProvider().read(created.id, created.outs).id == ""


def test_branch_delete_twice_succeeds(neon):
    _, created = make_branch(neon)
    BranchProvider().delete(created.id, created.outs)
    BranchProvider().delete(created.id, created.outs)


def test_branch_dropped_after_acting_is_adopted_leaving_one(neon):
    pid = project(neon)
    neon.inject(Fault.drop_after_action(), method="POST", path=f"/projects/{pid}/branches", times=1)
    created = BranchProvider().create({"project_id": pid, "name": "uat", "parent_id": None, "owner": OWNER})
    assert [b["id"] for b in branches_named(neon, "uat")] == [created.id]


def test_branch_create_converges_through_429_and_503(neon):
    pid = project(neon)
    neon.inject(Fault.status(429, retry_after=1), method="POST", path=f"/projects/{pid}/branches", times=1)
    neon.inject(Fault.status(503), times=2)
    created = BranchProvider().create({"project_id": pid, "name": "uat", "parent_id": None, "owner": OWNER})
    assert [b["id"] for b in branches_named(neon, "uat")] == [created.id]


def test_locked_project_423_is_retried(neon):
    pid = project(neon)
    neon.inject(Fault.status(423), method="POST", path=f"/projects/{pid}/branches", times=2)
    created = BranchProvider().create({"project_id": pid, "name": "uat", "parent_id": None, "owner": OWNER})
    assert [b["id"] for b in branches_named(neon, "uat")] == [created.id]


def test_a_long_running_operation_of_neon_is_waited_out(neon):
    pid = project(neon)
    neon.hold_operations(pid, requests=20)  # outlasts the HTTP layer's 5 attempts
    created = BranchProvider().create({"project_id": pid, "name": "uat", "parent_id": None, "owner": OWNER})
    assert [b["id"] for b in branches_named(neon, "uat")] == [created.id]


def test_an_operation_neon_retries_after_a_failure_is_waited_through(neon):
    _, branch = make_branch(neon)
    neon.fail_next_operation(failures=2, action="start_compute")
    endpoint = EndpointProvider().create({**ENDPOINT, "project_id": branch.outs["project_id"], "branch_id": branch.id})
    (op,) = [o for o in neon.objects("operations") if o.get("endpoint_id") == endpoint.id and o["action"] == "start_compute"]
    assert (op["status"], op["failures_count"]) == ("finished", 2)


def test_the_next_change_waits_for_the_operations_of_the_last(neon):
    neon.set_readiness_delay(polls=2)
    branch, endpoint, role, database = make_stack(neon)
    refused = [r for r in neon.requests if r.status == 423]
    assert refused == [] and database.outs["owner_name"] == "app"


def test_endpoint_create_serves_the_branch_with_a_host(neon):
    branch, endpoint, _, _ = make_stack(neon)
    assert endpoint.outs["host"] == on_branch(neon, "endpoints", branch.id)[0]["host"]
    assert [e["id"] for e in on_branch(neon, "endpoints", branch.id)] == [endpoint.id]


def test_free_plan_endpoint_is_created_without_a_suspend_timeout_and_a_second_diff_is_empty(neon):
    branch, endpoint, _, _ = make_stack(neon)
    (sent,) = [r for r in neon.requests if r.method == "POST" and r.path.endswith("/endpoints")]
    state = EndpointProvider().read(endpoint.id, endpoint.outs).outs
    news = EndpointProvider().check({}, {**ENDPOINT, "project_id": branch.outs["project_id"], "branch_id": branch.id})
    assert sent.status == 201 and state["suspend_timeout_seconds"] is None
    assert EndpointProvider().diff(endpoint.id, state, news.inputs).changes is False


def test_paid_plan_endpoint_gets_its_suspend_timeout_and_reads_it_back_unchanged(neon):
    neon.set_plan("launch")
    _, branch = make_branch(neon)
    news = {**ENDPOINT, "project_id": branch.outs["project_id"], "branch_id": branch.id, "suspend_timeout_seconds": 600}
    endpoint = EndpointProvider().create(news)
    state = EndpointProvider().read(endpoint.id, endpoint.outs).outs
    assert state["suspend_timeout_seconds"] == 600 and EndpointProvider().diff(endpoint.id, state, news).changes is False


def test_an_idled_endpoint_reads_back_exactly_as_the_state(neon):
    _, endpoint, _, _ = make_stack(neon)
    neon.idle_endpoint(endpoint.id)
    assert EndpointProvider().read(endpoint.id, endpoint.outs).outs == endpoint.outs


def test_endpoint_read_back_diffs_to_no_change(neon):
    branch, endpoint, _, _ = make_stack(neon)
    state = EndpointProvider().read(endpoint.id, endpoint.outs).outs
    news = {**ENDPOINT, "project_id": branch.outs["project_id"], "branch_id": branch.id}
    assert EndpointProvider().diff(endpoint.id, state, news).changes is False


def test_endpoint_compute_update_is_in_place(neon):
    _, endpoint, _, _ = make_stack(neon)
    updated = EndpointProvider().update(endpoint.id, endpoint.outs, {**endpoint.outs, "autoscaling_limit_max_cu": 2})
    remote = next(e for e in neon.objects("endpoints") if e["id"] == endpoint.id)
    assert (updated.outs["autoscaling_limit_max_cu"], remote["autoscaling_limit_max_cu"]) == (2, 2)


def test_unsetting_the_suspend_timeout_on_a_paid_plan_restores_neons_default(neon):
    neon.set_plan("launch")
    _, branch = make_branch(neon)
    created = EndpointProvider().create({**ENDPOINT, "project_id": branch.outs["project_id"], "branch_id": branch.id,
                                         "suspend_timeout_seconds": 600})
    olds = created.outs
    updated = EndpointProvider().update(created.id, olds, {**olds, "suspend_timeout_seconds": None})
    remote = next(e for e in neon.objects("endpoints") if e["branch_id"] == branch.id)
    assert (updated.outs["suspend_timeout_seconds"], remote["suspend_timeout_seconds"]) == (None, 0)


def test_endpoint_dropped_after_acting_is_adopted_leaving_one(neon):
    _, branch = make_branch(neon)
    pid = branch.outs["project_id"]
    neon.inject(Fault.drop_after_action(), method="POST", path=f"/projects/{pid}/endpoints", times=1)
    endpoint = EndpointProvider().create({**ENDPOINT, "project_id": pid, "branch_id": branch.id})
    assert [e["id"] for e in on_branch(neon, "endpoints", branch.id)] == [endpoint.id]


def test_existing_endpoint_is_adopted_and_given_our_settings(neon):
    _, branch = make_branch(neon)
    pid = branch.outs["project_id"]
    with NeonClient.from_env() as client:
        client.create_endpoint(pid, {"branch_id": branch.id, "type": "read_write", "autoscaling_limit_min_cu": 0.25,
                                     "autoscaling_limit_max_cu": 0.25})
    endpoint = EndpointProvider().create({**ENDPOINT, "project_id": pid, "branch_id": branch.id})
    assert endpoint.outs["autoscaling_limit_max_cu"] == ENDPOINT["autoscaling_limit_max_cu"]
    assert len(on_branch(neon, "endpoints", branch.id)) == 1


def test_endpoint_on_another_branch_is_replaced_deleting_first(neon):
    branch, endpoint, _, _ = make_stack(neon)
    pid = branch.outs["project_id"]
    other = BranchProvider().create({"project_id": pid, "name": "other", "parent_id": None, "owner": OWNER})
    news = {**ENDPOINT, "project_id": pid, "branch_id": other.id}
    assert EndpointProvider().diff(endpoint.id, endpoint.outs, news).delete_before_replace
    EndpointProvider().delete(endpoint.id, endpoint.outs)
    moved = EndpointProvider().create(news)
    assert on_branch(neon, "endpoints", branch.id) == [] and on_branch(neon, "endpoints", other.id)[0]["id"] == moved.id


def test_endpoint_read_after_out_of_band_deletion_reports_gone(neon):
    branch, endpoint, _, _ = make_stack(neon)
    with NeonClient.from_env() as client:
        client.delete_endpoint(branch.outs["project_id"], endpoint.id)
    assert EndpointProvider().read(endpoint.id, endpoint.outs).id == ""


def test_role_create_returns_its_password(neon):
    _, _, role, _ = make_stack(neon)
    assert role.outs["password"] and role.id.endswith("/app")


def test_role_read_reveals_the_same_password(neon):
    _, _, role, _ = make_stack(neon)
    assert RoleProvider().read(role.id, role.outs).outs == role.outs


def test_role_read_works_from_the_id_alone(neon):
    _, _, role, _ = make_stack(neon)
    assert RoleProvider().read(role.id, {}).outs["name"] == "app"


def test_role_dropped_after_acting_is_adopted_with_its_password(neon):
    _, branch = make_branch(neon)
    pid = branch.outs["project_id"]
    neon.inject(Fault.drop_after_action(), method="POST", path=f"/projects/{pid}/branches/{branch.id}/roles", times=1)
    role = RoleProvider().create({**ROLE, "project_id": pid, "branch_id": branch.id})
    roles = [r for r in on_branch(neon, "roles", branch.id) if r["name"] == "app"]
    assert len(roles) == 1 and role.outs["password"]


def test_role_rename_creates_the_new_role_before_the_old_goes(neon):
    _, _, role, _ = make_stack(neon)
    news = {**role.outs, "name": "app2"}
    diff = RoleProvider().diff(role.id, role.outs, news)
    assert diff.replaces == ["name"] and not diff.delete_before_replace


def test_role_delete_then_read_reports_gone(neon):
    branch, _, role, database = make_stack(neon)
    DatabaseProvider().delete(database.id, database.outs)
    RoleProvider().delete(role.id, role.outs)
    assert RoleProvider().read(role.id, role.outs).id == ""
    assert [r for r in on_branch(neon, "roles", branch.id) if r["name"] == "app"] == []


def test_database_create_is_owned_by_the_role(neon):
    branch, _, _, database = make_stack(neon)
    remote = [d for d in on_branch(neon, "databases", branch.id) if d["name"] == "app"]
    assert len(remote) == 1 and remote[0]["owner_name"] == "app"


def test_database_read_back_diffs_to_no_change(neon):
    branch, _, _, database = make_stack(neon)
    news = {**DATABASE, "project_id": branch.outs["project_id"], "branch_id": branch.id}
    state = DatabaseProvider().read(database.id, database.outs).outs
    assert DatabaseProvider().diff(database.id, state, news).changes is False


def test_database_owner_change_is_in_place(neon):
    _, _, _, database = make_stack(neon)
    updated = DatabaseProvider().update(database.id, database.outs, {**database.outs, "owner_name": "neondb_owner"})
    assert updated.outs["owner_name"] == "neondb_owner"
    assert DatabaseProvider().read(database.id, database.outs).outs["owner_name"] == "neondb_owner"


def test_database_dropped_after_acting_is_adopted_leaving_one(neon):
    _, branch = make_branch(neon)
    pid = branch.outs["project_id"]
    RoleProvider().create({**ROLE, "project_id": pid, "branch_id": branch.id})
    neon.inject(Fault.drop_after_action(), method="POST", path=f"/projects/{pid}/branches/{branch.id}/databases",
                times=1)
    DatabaseProvider().create({**DATABASE, "project_id": pid, "branch_id": branch.id})
    assert len([d for d in on_branch(neon, "databases", branch.id) if d["name"] == "app"]) == 1


def test_database_read_after_out_of_band_deletion_reports_gone(neon):
    branch, _, _, database = make_stack(neon)
    with NeonClient.from_env() as client:
        client.delete_database(branch.outs["project_id"], branch.id, "app")
    assert DatabaseProvider().read(database.id, database.outs).id == ""


def test_database_delete_twice_succeeds(neon):
    _, _, _, database = make_stack(neon)
    DatabaseProvider().delete(database.id, database.outs)
    DatabaseProvider().delete(database.id, database.outs)


def test_whole_stack_converges_under_random_faults(neon):
    neon.inject_rate(fraction=0.2, seed=7, kinds=("429", "500", "503", "drop_after_action"))
    branch, endpoint, role, database = make_stack(neon)
    EndpointProvider().update(endpoint.id, endpoint.outs, {**endpoint.outs, "autoscaling_limit_max_cu": 2})
    for provider, res in ((DatabaseProvider(), database), (RoleProvider(), role), (EndpointProvider(), endpoint),
                          (BranchProvider(), branch)):
        provider.delete(res.id, res.outs)
    assert branches_named(neon, "uat") == [] and on_branch(neon, "endpoints", branch.id) == []


def test_slow_operation_times_out_with_a_clear_error(neon, monkeypatch):
    monkeypatch.setenv("STAGECRAFT_WAIT_TIMEOUT", "0.2")
    _, branch = make_branch(neon)
    scope = {"project_id": branch.outs["project_id"], "branch_id": branch.id}
    EndpointProvider().create({**ENDPOINT, **scope})
    neon.set_readiness_delay(polls=1_000_000)
    with pytest.raises(WaitTimeout) as err:
        RoleProvider().create({**ROLE, **scope})
    assert 'role "app"' in str(err.value) and "STAGECRAFT_WAIT_TIMEOUT" in str(err.value)


def test_missing_api_key_fails_with_the_variable_name(neon, monkeypatch):
    monkeypatch.delenv("NEON_API_KEY")
    with pytest.raises(MissingCredentials) as err:
        BranchProvider().create({"project_id": "p-1", "name": "uat", "parent_id": None, "owner": OWNER})
    assert "NEON_API_KEY" in str(err.value)


# --- adoption only with proof (DESIGN §5) ----------------------------------------------------------------

def foreign_branch(neon: NeonEmulator, pid: str, name: str = "uat", annotation: dict | None = None) -> dict:
    """A branch someone else made (console, another tool or another stack), outside this stack's providers."""
    with NeonClient.from_env() as client:
        reply = client.create_branch(pid, name, None, annotation or {})
        client.get_branch(pid, reply["branch"]["id"])  # ready, as it would be by the time a stack meets it
    return next(b for b in neon.objects("branches") if b["id"] == reply["branch"]["id"])


def test_a_foreign_branch_with_our_name_fails_create_naming_it_the_stack_and_the_way_out(neon):
    pid = project(neon)
    foreign_branch(neon, pid)
    with pytest.raises(ForeignResource) as err:
        BranchProvider().create({**BRANCH, "project_id": pid})
    message = str(err.value)
    assert 'branch named "uat"' in message and OWNER in message and "neon branches delete uat" in message


def test_a_foreign_branch_is_untouched_by_the_failed_create_and_by_deleting_the_stack(neon):
    pid = project(neon)
    before = foreign_branch(neon, pid)
    with pytest.raises(ForeignResource):
        BranchProvider().create({**BRANCH, "project_id": pid})
    ours = BranchProvider().create({**BRANCH, "project_id": pid, "name": "uat-api"})
    BranchProvider().delete(ours.id, ours.outs)
    assert branches_named(neon, "uat") == [before]


def test_a_branch_of_another_stack_is_not_adopted(neon):
    pid = project(neon)
    foreign_branch(neon, pid, annotation={"stagecraft-owner": "stagecraft/beta"})
    with pytest.raises(ForeignResource):
        BranchProvider().create({**BRANCH, "project_id": pid})


def test_a_branch_with_our_marker_is_adopted_leaving_one(neon):
    pid = project(neon)
    ours = foreign_branch(neon, pid, annotation={"stagecraft-owner": OWNER})
    created = BranchProvider().create({**BRANCH, "project_id": pid})
    assert created.id == ours["id"] and len(branches_named(neon, "uat")) == 1


def test_a_role_on_a_branch_that_is_not_ours_is_not_adopted(neon):
    pid = project(neon)
    branch = foreign_branch(neon, pid, name="shared")
    with NeonClient.from_env() as client:
        client.create_role(pid, branch["id"], "app")
        before = client.reveal_role_password(pid, branch["id"], "app")
    with pytest.raises(ForeignResource) as err:
        RoleProvider().create({**ROLE, "project_id": pid, "branch_id": branch["id"]})
    with NeonClient.from_env() as client:
        assert client.reveal_role_password(pid, branch["id"], "app") == before
    assert f"role on branch {branch['id']}" in str(err.value)


def test_a_database_on_a_branch_that_is_not_ours_is_not_adopted_nor_changed(neon):
    pid = project(neon)
    branch = foreign_branch(neon, pid, name="shared")
    with NeonClient.from_env() as client:
        client.create_role(pid, branch["id"], "app")
    with pytest.raises(ForeignResource):
        DatabaseProvider().create({**DATABASE, "project_id": pid, "branch_id": branch["id"], "name": "neondb"})
    (database,) = [d for d in on_branch(neon, "databases", branch["id"]) if d["name"] == "neondb"]
    assert database["owner_name"] == "neondb_owner"


def test_an_endpoint_on_a_branch_that_is_not_ours_is_not_adopted(neon):
    pid = project(neon)
    branch = foreign_branch(neon, pid, name="shared")
    with NeonClient.from_env() as client:
        client.create_endpoint(pid, {"branch_id": branch["id"], "type": "read_write"})
    with pytest.raises(ForeignResource):
        EndpointProvider().create({**ENDPOINT, "project_id": pid, "branch_id": branch["id"]})


def test_a_role_inherited_by_our_branch_is_ours(neon):
    _, branch = make_branch(neon)
    role = RoleProvider().create({**ROLE, "project_id": branch.outs["project_id"], "branch_id": branch.id,
                                  "name": "neondb_owner"})
    assert role.outs["password"] and len([r for r in on_branch(neon, "roles", branch.id)
                                          if r["name"] == "neondb_owner"]) == 1


def test_the_stack_converges_without_duplicates_under_faults_and_locks(neon):
    neon.inject_rate(fraction=0.15, seed=11, kinds=("429", "500", "503", "423", "drop_after_action"))
    branch, endpoint, role, database = make_stack(neon)
    counts = [len(on_branch(neon, c, branch.id)) for c in ("endpoints",)] + [len(branches_named(neon, "uat"))]
    for provider, res in ((DatabaseProvider(), database), (RoleProvider(), role), (EndpointProvider(), endpoint),
                          (BranchProvider(), branch)):
        provider.delete(res.id, res.outs)
    assert counts == [1, 1] and branches_named(neon, "uat") == []
