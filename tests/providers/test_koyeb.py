"""Koyeb providers: input checks and diffs (no network), then CRUD against the Koyeb emulator."""

from __future__ import annotations

import pytest

from providers._http import UNKNOWN, BadRequest, ForeignResource, MissingCredentials, Unauthorized, WaitTimeout
from providers.koyeb.app import AppProvider
from providers.koyeb.client import KoyebClient
from providers.koyeb.definition import fields_from_definition, secrets_digest
from providers.koyeb.deploy import DeploymentFailed
from providers.koyeb.secret import SecretProvider
from providers.koyeb.service import ServiceArgs, ServiceProvider, build_definition
from tests.emulators import Fault, KoyebEmulator

OWNER = "stagecraft/uat"
APP_NAME = "stagecraft-uat-api"
SECRET_NAME = "stagecraft-uat-api-database-url"
DATABASE_URL = "postgresql://u:p@h/db"
SERVICE = {
    "app_id": "app-1", "name": "api", "owner": OWNER, "docker_image": "ghcr.io/acme/api:1.0.0",
    "instance_type": "free", "regions": ["fra"], "port": 8000, "health_check_path": "/api/health",
    "min_scale": 0, "max_scale": 1, "env": {"ENVIRONMENT": "uat"}, "secret_env": {"DATABASE_URL": SECRET_NAME},
    "secret_digest": secrets_digest({"DATABASE_URL": DATABASE_URL}),
}
BROKEN_IMAGE = "ghcr.io/acme/api:broken"
REASON = "Instance stopped: the application exited with code 1"


def failures(result) -> dict[str, str]:
    return {f.property: f.reason for f in result.failures}


# --- check -----------------------------------------------------------------------------------------------

def test_valid_service_inputs_pass_check():
    assert ServiceProvider().check({}, SERVICE).failures == []


def test_check_turns_engine_floats_into_ints():
    result = ServiceProvider().check({}, {**SERVICE, "port": 8000.0, "min_scale": 0.0, "max_scale": 1.0})
    assert result.inputs["port"] == 8000 and isinstance(result.inputs["port"], int)


def test_missing_image_fails_check_naming_the_field():
    reasons = failures(ServiceProvider().check({}, {**SERVICE, "docker_image": None}))
    assert "docker_image" in reasons and "is required" in reasons["docker_image"]


def test_free_instance_outside_fra_or_was_fails_check():
    reasons = failures(ServiceProvider().check({}, {**SERVICE, "regions": ["sin"]}))
    assert "fra or was" in reasons["regions"]


def test_free_instance_with_more_than_one_instance_fails_check():
    reasons = failures(ServiceProvider().check({}, {**SERVICE, "max_scale": 3}))
    assert "max_scale" in reasons


def test_min_scale_above_max_scale_fails_check():
    news = {**SERVICE, "instance_type": "nano", "min_scale": 2, "max_scale": 1}
    reasons = failures(ServiceProvider().check({}, news))
    assert "min_scale" in reasons


def test_relative_health_check_path_fails_check():
    assert "health_check_path" in failures(ServiceProvider().check({}, {**SERVICE, "health_check_path": "health"}))


def test_variable_in_both_env_and_secret_env_fails_check():
    reasons = failures(ServiceProvider().check({}, {**SERVICE, "env": {"DATABASE_URL": "x"}}))
    assert "DATABASE_URL" in reasons["secret_env"]


def test_env_may_not_set_the_owner_marker_itself():
    reasons = failures(ServiceProvider().check({}, {**SERVICE, "env": {"STAGECRAFT_OWNER": "someone/else"}}))
    assert "STAGECRAFT_OWNER" in reasons["env"]


def test_secret_env_without_a_digest_of_its_values_fails_check():
    reasons = failures(ServiceProvider().check({}, {**SERVICE, "secret_digest": None}))
    assert "secrets_digest" in reasons["secret_digest"]


def test_service_without_owner_fails_check():
    reasons = failures(ServiceProvider().check({}, {**SERVICE, "owner": None}))
    assert 'owner="stagecraft/uat"' in reasons["owner"]


def test_owner_that_is_not_project_slash_stack_fails_check():
    assert "<project>/<stack>" in failures(AppProvider().check({}, {"name": APP_NAME, "owner": "uat"}))["owner"]


def test_unknown_app_id_secret_names_and_digest_pass_check_at_preview():
    news = {**SERVICE, "app_id": UNKNOWN, "secret_env": {"DATABASE_URL": UNKNOWN}, "secret_digest": UNKNOWN}
    assert ServiceProvider().check({}, news).failures == []


def test_secret_without_value_fails_check():
    assert "value" in failures(SecretProvider().check({}, {"name": "stagecraft-uat-x", "owner": OWNER}))


def test_app_name_with_spaces_fails_check():
    assert "name" in failures(AppProvider().check({}, {"name": "my app", "owner": OWNER}))


def test_app_name_longer_than_koyeb_allows_fails_check_at_preview():
    reason = failures(AppProvider().check({}, {"name": "stagecraft-production-api", "owner": OWNER}))["name"]
    assert "at most 23" in reason


def test_upper_case_service_name_fails_check():
    assert "name" in failures(ServiceProvider().check({}, {**SERVICE, "name": "API"}))


@pytest.mark.parametrize("name", ["db.url", "DB-URL", "db_url", "-db-url", "d", "a" * 64])
def test_secret_name_outside_koyebs_rfc_1123_rule_fails_check(name):
    reason = failures(SecretProvider().check({}, {"name": name, "value": "v", "owner": OWNER}))["name"]
    assert "RFC 1123" in reason


def test_the_components_secret_names_pass_koyebs_rule():
    from components.backend_service import koyeb_secret_name

    physical = ["stagecraft-uat-api", "stagecraft-production-api", "a-very-long-project-name-for-a-team-pr-12345-api"]
    names = [koyeb_secret_name(p, v) for p in physical for v in ("DATABASE_URL", "REDIS_URL", "JWT_SECRET",
                                                                 "STORAGE_SECRET_ACCESS_KEY", "_ODD_")]
    assert koyeb_secret_name("stagecraft-uat-api", "DATABASE_URL") == SECRET_NAME
    assert all(SecretProvider().check({}, {"name": n, "value": "v", "owner": OWNER}).failures == [] for n in names)
    assert len(set(names)) == len(names)


# --- definition, digest and diff -------------------------------------------------------------------------

def test_definition_has_health_check_free_instance_and_scale_to_zero():
    definition = build_definition(ServiceArgs(**SERVICE))
    assert definition["health_checks"] == [{"http": {"port": 8000, "path": "/api/health"}}]
    assert definition["instance_types"] == [{"type": "free"}]
    assert definition["scalings"] == [{"min": 0, "max": 1}]
    assert {"key": "DATABASE_URL", "secret": "stagecraft-uat-api-database-url"} in definition["env"]


def test_definition_carries_the_owner_marker_and_the_secrets_digest():
    env = build_definition(ServiceArgs(**SERVICE))["env"]
    assert {"key": "STAGECRAFT_OWNER", "value": OWNER} in env
    assert {"key": "STAGECRAFT_SECRETS_DIGEST", "value": SERVICE["secret_digest"]} in env


def test_definition_reads_back_to_the_same_inputs():
    fields = fields_from_definition(build_definition(ServiceArgs(**SERVICE)))
    assert fields == {k: v for k, v in SERVICE.items() if k not in ("app_id", "name")}


def test_secrets_digest_changes_with_any_value_and_shows_none():
    one = secrets_digest({"DATABASE_URL": DATABASE_URL, "JWT_SECRET": "a" * 48})
    other = secrets_digest({"DATABASE_URL": DATABASE_URL, "JWT_SECRET": "b" * 48})
    assert one != other and len(one) == 16 and int(one, 16) >= 0
    assert one == secrets_digest({"JWT_SECRET": "a" * 48, "DATABASE_URL": DATABASE_URL})
    assert DATABASE_URL not in one and "aaaa" not in one


def test_same_inputs_diff_to_no_change():
    state = {**SERVICE, "deployment_id": "d-1", "image": SERVICE["docker_image"], "public_url": "https://x"}
    assert ServiceProvider().diff("svc", state, SERVICE).changes is False


def test_image_change_updates_in_place():
    result = ServiceProvider().diff("svc", SERVICE, {**SERVICE, "docker_image": "ghcr.io/acme/api:2.0.0"})
    assert result.changes is True and result.replaces == []


def test_a_changed_secret_digest_updates_the_service_in_place():
    news = {**SERVICE, "secret_digest": secrets_digest({"DATABASE_URL": "postgresql://u:rotated@h/db"})}
    result = ServiceProvider().diff("svc", SERVICE, news)
    assert result.changes is True and result.replaces == []


def test_name_change_replaces_deleting_first():
    result = ServiceProvider().diff("svc", SERVICE, {**SERVICE, "name": "api2"})
    assert result.replaces == ["name"] and result.delete_before_replace is True


def test_secret_rename_replaces_creating_the_new_one_first():
    old = {"name": "a-secret", "value": "v1", "owner": OWNER}
    result = SecretProvider().diff("s", old, {**old, "name": "b-secret"})
    assert result.replaces == ["name"] and result.delete_before_replace is False


def test_secret_value_change_is_in_place():
    old = {"name": "a-secret", "value": "v1", "owner": OWNER}
    assert SecretProvider().diff("s", old, {**old, "value": "v2"}).replaces == []


def test_resources_register_under_the_contract_type_tokens(registrations):
    from providers.koyeb.app import App, AppArgs
    from providers.koyeb.secret import Secret, SecretArgs
    from providers.koyeb.service import Service

    App("a", AppArgs(name=APP_NAME, owner=OWNER))
    Secret("s", SecretArgs(name=SECRET_NAME, value="v", owner=OWNER))
    Service("svc", ServiceArgs(**SERVICE))
    assert [r["type"] for r in registrations] == [
        "pulumi-python:dynamic/koyeb:App", "pulumi-python:dynamic/koyeb:Secret", "pulumi-python:dynamic/koyeb:Service"]


def test_secret_value_is_declared_a_secret_output(registrations):
    from providers.koyeb.secret import Secret, SecretArgs

    Secret("s", SecretArgs(name=SECRET_NAME, value="v", owner=OWNER))
    assert registrations[0]["opts"].additional_secret_outputs == ["value"]


def test_service_registers_every_contract_input_and_the_deployment_outputs(registrations):
    from providers.koyeb.service import Service

    Service("svc", ServiceArgs(**SERVICE))
    props = set(registrations[0]["props"])
    assert set(SERVICE) <= props and {"deployment_id", "image", "public_url"} <= props and "status" not in props


def test_provider_objects_serialize_without_credentials(monkeypatch):
    from pulumi.dynamic.dynamic import serialize_provider

    monkeypatch.setenv("KOYEB_TOKEN", "koyeb-token-must-not-be-pickled")
    import base64

    blob = base64.b64decode(serialize_provider(ServiceProvider()))
    assert b"koyeb-token-must-not-be-pickled" not in blob


# --- against the emulator --------------------------------------------------------------------------------


def make_app(name: str = APP_NAME) -> str:
    return AppProvider().create({"name": name, "owner": OWNER}).id


def make_secret(name: str = SECRET_NAME, value: str = DATABASE_URL):
    return SecretProvider().create({"name": name, "value": value, "owner": OWNER})


def make_service(koyeb: KoyebEmulator, **changes: object):
    """An app, the referenced secret, then the service; returns (service props, CreateResult)."""
    app_id = make_app()
    make_secret()
    props = {**SERVICE, "app_id": app_id, **changes}
    return props, ServiceProvider().create(props)


def live(koyeb: KoyebEmulator, collection: str) -> list[dict]:
    return [o for o in koyeb.objects(collection) if o.get("status") not in ("DELETING", "DELETED")]


def deployments_of(koyeb: KoyebEmulator, service_id: str) -> list[dict]:
    return [d for d in koyeb.objects("deployments") if d["service_id"] == service_id]


def service_record(koyeb: KoyebEmulator, service_id: str) -> dict:
    return next(s for s in koyeb.objects("services") if s["id"] == service_id)


def reveal(secret_id: str) -> str:
    with KoyebClient.from_env() as client:
        return client.http.request("POST", f"/v1/secrets/{secret_id}/reveal", operation="reveal secret",
                                   resource=secret_id, json={})["value"]


def test_create_runs_a_healthy_service_with_public_url(koyeb):
    _, created = make_service(koyeb)
    assert created.outs["public_url"] == "https://stagecraft-uat-api-stagecraft.koyeb.app"
    assert [s["id"] for s in live(koyeb, "services")] == [created.id]
    assert service_record(koyeb, created.id)["status"] == "HEALTHY"


def test_create_reports_the_active_deployment_and_its_image(koyeb):
    _, created = make_service(koyeb)
    active = service_record(koyeb, created.id)["active_deployment_id"]
    assert (created.outs["deployment_id"], created.outs["image"]) == (active, SERVICE["docker_image"])


def test_create_deploys_the_definition_built_from_inputs(koyeb):
    _, created = make_service(koyeb)
    (deployment,) = deployments_of(koyeb, created.id)
    assert deployment["definition"]["health_checks"][0]["http"]["path"] == "/api/health"
    assert {"key": "STAGECRAFT_OWNER", "value": OWNER} in deployment["definition"]["env"]


def test_create_waits_until_the_deployment_is_active(koyeb):
    koyeb.set_readiness_delay(polls=3)
    _, created = make_service(koyeb)
    assert created.outs["deployment_id"] == service_record(koyeb, created.id)["active_deployment_id"]
    path = f"/v1/deployments/{created.outs['deployment_id']}"
    gets = [r for r in koyeb.requests if r.method == "GET" and r.path == path]
    assert len(gets) >= 3


def test_create_gives_up_after_the_bounded_wait_with_a_clear_error(koyeb, monkeypatch):
    monkeypatch.setenv("STAGECRAFT_WAIT_TIMEOUT", "0.2")
    koyeb.set_readiness_delay(polls=1_000_000)
    with pytest.raises(WaitTimeout) as err:
        make_service(koyeb)
    assert 'of service "api" was not ready' in str(err.value) and "STAGECRAFT_WAIT_TIMEOUT" in str(err.value)


def test_read_returns_the_state_create_returned(koyeb):
    _, created = make_service(koyeb)
    assert ServiceProvider().read(created.id, created.outs).outs == created.outs


def test_read_back_state_diffs_to_no_change(koyeb):
    props, created = make_service(koyeb)
    state = ServiceProvider().read(created.id, created.outs).outs
    assert ServiceProvider().diff(created.id, state, props).changes is False


def test_read_keeps_no_status_so_a_degraded_service_reads_the_same(koyeb):
    props, created = make_service(koyeb)
    koyeb.fail_image(BROKEN_IMAGE, REASON)
    with KoyebClient.from_env() as client:
        client.update_service(created.id, build_definition(ServiceArgs(**{**props, "docker_image": BROKEN_IMAGE})))
    ServiceProvider().read(created.id, created.outs)  # the failed deployment settles while being read
    assert service_record(koyeb, created.id)["status"] == "DEGRADED"
    assert ServiceProvider().read(created.id, created.outs).outs == created.outs


def test_image_update_redeploys_the_same_service_in_place(koyeb):
    props, created = make_service(koyeb)
    news = {**props, "docker_image": "ghcr.io/acme/api:2.0.0"}
    updated = ServiceProvider().update(created.id, created.outs, news)
    assert (updated.outs["docker_image"], updated.outs["image"]) == ("ghcr.io/acme/api:2.0.0",) * 2
    assert updated.outs["deployment_id"] != created.outs["deployment_id"]
    assert [s["id"] for s in live(koyeb, "services")] == [created.id]
    assert ServiceProvider().read(created.id, updated.outs).outs == updated.outs


def test_env_update_reaches_the_running_definition(koyeb):
    props, created = make_service(koyeb)
    ServiceProvider().update(created.id, created.outs, {**props, "env": {"ENVIRONMENT": "uat", "LOG": "debug"}})
    assert ServiceProvider().read(created.id, created.outs).outs["env"] == {"ENVIRONMENT": "uat", "LOG": "debug"}


def test_a_secret_value_change_rolls_exactly_one_new_deployment_referring_to_the_secret(koyeb):
    app_id = make_app()
    secret = make_secret()
    props = {**SERVICE, "app_id": app_id}
    created = ServiceProvider().create(props)
    rotated = "postgresql://u:rotated@h/db"
    SecretProvider().update(secret.id, secret.outs, {**secret.outs, "value": rotated})
    news = {**props, "secret_digest": secrets_digest({"DATABASE_URL": rotated})}
    assert ServiceProvider().diff(created.id, created.outs, news).changes is True
    updated = ServiceProvider().update(created.id, created.outs, news)
    new = [d for d in deployments_of(koyeb, created.id) if d["id"] != created.outs["deployment_id"]]
    assert [d["id"] for d in new] == [updated.outs["deployment_id"]]
    env = new[0]["definition"]["env"]
    assert {"key": "DATABASE_URL", "secret": SECRET_NAME} in env
    assert {"key": "STAGECRAFT_SECRETS_DIGEST", "value": news["secret_digest"]} in env
    assert rotated not in str(env) and reveal(secret.id) == rotated


def test_a_failing_image_fails_the_update_with_koyebs_reason(koyeb):
    props, created = make_service(koyeb)
    koyeb.fail_image(BROKEN_IMAGE, REASON)
    with pytest.raises(DeploymentFailed) as err:
        ServiceProvider().update(created.id, created.outs, {**props, "docker_image": BROKEN_IMAGE})
    message = str(err.value)
    assert REASON in message and BROKEN_IMAGE in message and 'service "api"' in message
    assert f"keeps serving its active deployment {created.outs['deployment_id']}" in message


def test_after_a_failed_update_the_previous_deployment_stays_active(koyeb):
    props, created = make_service(koyeb)
    koyeb.fail_image(BROKEN_IMAGE, REASON)
    with pytest.raises(DeploymentFailed):
        ServiceProvider().update(created.id, created.outs, {**props, "docker_image": BROKEN_IMAGE})
    assert service_record(koyeb, created.id)["active_deployment_id"] == created.outs["deployment_id"]


def test_after_a_failed_update_read_reports_the_old_image_so_refresh_shows_no_change(koyeb):
    props, created = make_service(koyeb)
    koyeb.fail_image(BROKEN_IMAGE, REASON)
    with pytest.raises(DeploymentFailed):
        ServiceProvider().update(created.id, created.outs, {**props, "docker_image": BROKEN_IMAGE})
    refreshed = ServiceProvider().read(created.id, created.outs).outs
    assert refreshed == created.outs and refreshed["image"] == SERVICE["docker_image"]


def test_a_failing_first_deployment_fails_create_saying_nothing_serves(koyeb):
    koyeb.fail_image(BROKEN_IMAGE, REASON)
    with pytest.raises(DeploymentFailed) as err:
        make_service(koyeb, docker_image=BROKEN_IMAGE)
    assert REASON in str(err.value) and "no active deployment" in str(err.value)


def test_the_next_up_after_a_failed_create_adopts_the_service_by_its_marker_and_deploys_the_fix(koyeb):
    koyeb.fail_image(BROKEN_IMAGE, REASON)
    with pytest.raises(DeploymentFailed):
        make_service(koyeb, docker_image=BROKEN_IMAGE)
    app_id = live(koyeb, "apps")[0]["id"]
    created = ServiceProvider().create({**SERVICE, "app_id": app_id})
    assert [s["id"] for s in live(koyeb, "services")] == [created.id]
    assert created.outs["image"] == SERVICE["docker_image"]


def test_a_secret_rename_creates_the_new_secret_before_the_service_moves_and_the_old_one_goes(koyeb):
    props, created = make_service(koyeb)
    old = next(s for s in koyeb.objects("secrets") if s["name"] == SECRET_NAME)
    renamed = "stagecraft-uat-api-db-url"
    # The engine's order for a create-before-delete replacement: new secret, dependents updated, old deleted.
    new_secret = SecretProvider().create({"name": renamed, "value": DATABASE_URL, "owner": OWNER})
    ServiceProvider().update(created.id, created.outs, {**props, "secret_env": {"DATABASE_URL": renamed}})
    SecretProvider().delete(old["id"], {"name": SECRET_NAME})
    writes = [(r.method, r.path) for r in koyeb.requests if r.method != "GET"]
    order = [writes.index(("POST", "/v1/secrets"), 1), writes.index(("PATCH", f"/v1/services/{created.id}")),
             writes.index(("DELETE", f"/v1/secrets/{old['id']}"))]
    assert order == sorted(order)
    active = service_record(koyeb, created.id)["active_deployment_id"]
    (deployment,) = [d for d in koyeb.objects("deployments") if d["id"] == active]
    assert {"key": "DATABASE_URL", "secret": renamed} in deployment["definition"]["env"]
    assert [s["id"] for s in koyeb.objects("secrets")] == [new_secret.id]


def test_rename_replaces_the_service_deleting_the_old_one_first(koyeb):
    props, created = make_service(koyeb)
    news = {**props, "name": "api-v2"}
    diff = ServiceProvider().diff(created.id, created.outs, news)
    assert diff.replaces == ["name"] and diff.delete_before_replace
    ServiceProvider().delete(created.id, created.outs)
    replacement = ServiceProvider().create(news)
    assert [(s["id"], s["name"]) for s in live(koyeb, "services")] == [(replacement.id, "api-v2")]


def test_delete_removes_the_service(koyeb):
    _, created = make_service(koyeb)
    ServiceProvider().delete(created.id, created.outs)
    assert live(koyeb, "services") == []


def test_delete_of_an_already_deleted_service_succeeds(koyeb):
    _, created = make_service(koyeb)
    ServiceProvider().delete(created.id, created.outs)
    ServiceProvider().delete(created.id, created.outs)


def test_read_after_out_of_band_deletion_reports_gone(koyeb):
    _, created = make_service(koyeb)
    with KoyebClient.from_env() as client:
        client.delete_service(created.id)
    result = ServiceProvider().read(created.id, created.outs)
    assert result.id == "" and result.outs == {}


# --- adoption only with proof ----------------------------------------------------------------------------


def foreign_app(name: str = APP_NAME) -> dict:
    with KoyebClient.from_env() as client:
        return client.create_app(name)


def test_a_foreign_app_with_our_name_fails_create_naming_it_the_stack_and_the_fix(koyeb):
    foreign_app()
    with pytest.raises(ForeignResource) as err:
        make_app()
    message = str(err.value)
    assert f'app named "{APP_NAME}"' in message and OWNER in message and f"koyeb apps delete {APP_NAME}" in message


def identities(records: list[dict]) -> list[tuple]:
    """What a change would touch: id, name, version and last update (status follows health on its own)."""
    return [(r["id"], r["name"], r.get("version"), r["updated_at"]) for r in records]


def test_a_foreign_app_is_untouched_after_our_failed_create_and_our_deletes(koyeb):
    foreign = foreign_app()
    before = identities(koyeb.objects("apps"))
    secret = make_secret()
    with pytest.raises(ForeignResource):
        make_app()
    SecretProvider().delete(secret.id, secret.outs)
    assert identities(koyeb.objects("apps")) == before and [a[0] for a in before] == [foreign["id"]]
    assert [r for r in koyeb.requests if r.path.startswith(f"/v1/apps/{foreign['id']}") and r.method != "GET"] == []


def test_an_app_holding_a_service_with_our_marker_is_adopted(koyeb):
    _, created = make_service(koyeb)
    app_id = live(koyeb, "apps")[0]["id"]
    assert AppProvider().create({"name": APP_NAME, "owner": OWNER}).id == app_id
    assert len(live(koyeb, "apps")) == 1


def test_an_app_holding_a_service_of_another_stack_is_not_adopted(koyeb):
    make_service(koyeb)
    with pytest.raises(ForeignResource):
        AppProvider().create({"name": APP_NAME, "owner": "stagecraft/beta"})


def foreign_service(app_id: str, name: str = "api") -> dict:
    definition = build_definition(ServiceArgs(**{**SERVICE, "app_id": app_id, "name": name, "owner": "other/prod"}))
    with KoyebClient.from_env() as client:
        return client.create_service(app_id, name, definition)


def test_a_foreign_service_with_our_name_fails_create_and_is_left_as_it_was(koyeb):
    app_id = make_app()
    make_secret()
    foreign = foreign_service(app_id)
    before = [(d["id"], d["definition"]) for d in deployments_of(koyeb, foreign["id"])]
    with pytest.raises(ForeignResource) as err:
        ServiceProvider().create({**SERVICE, "app_id": app_id})
    assert f'service named "{APP_NAME}/api"' in str(err.value) and "koyeb services delete" in str(err.value)
    assert [(d["id"], d["definition"]) for d in deployments_of(koyeb, foreign["id"])] == before
    assert [r for r in koyeb.requests if r.path.startswith(f"/v1/services/{foreign['id']}") and r.method != "GET"] == []


def test_deleting_our_app_refuses_while_it_holds_a_foreign_service(koyeb):
    app_id = make_app()
    make_secret()
    foreign = foreign_service(app_id, "worker")
    with pytest.raises(ForeignResource) as err:
        AppProvider().delete(app_id, {"name": APP_NAME, "owner": OWNER})
    assert '"worker"' in str(err.value)
    assert [s["id"] for s in live(koyeb, "services")] == [foreign["id"]] and len(live(koyeb, "apps")) == 1


def test_a_foreign_secret_with_our_name_fails_create_and_keeps_its_value(koyeb):
    with KoyebClient.from_env() as client:
        foreign = client.create_secret(SECRET_NAME, "their-value")
    with pytest.raises(ForeignResource) as err:
        make_secret(value="our-value")
    assert f'secret named "{SECRET_NAME}"' in str(err.value) and f"koyeb secrets delete {SECRET_NAME}" in str(err.value)
    assert reveal(foreign["id"]) == "their-value" and len(koyeb.objects("secrets")) == 1


def test_service_create_dropped_after_acting_is_adopted_once(koyeb):
    koyeb.inject(Fault.drop_after_action(), method="POST", path="/v1/services", times=1)
    _, created = make_service(koyeb)
    assert [s["id"] for s in live(koyeb, "services")] == [created.id]
    assert [r.path for r in koyeb.requests if r.method == "POST"].count("/v1/services") == 1
    assert len(deployments_of(koyeb, created.id)) == 1


def test_app_create_dropped_after_acting_is_adopted_once(koyeb):
    koyeb.inject(Fault.drop_after_action(), method="POST", path="/v1/apps", times=1)
    app_id = make_app()
    assert [a["id"] for a in koyeb.objects("apps")] == [app_id]


def test_secret_create_dropped_after_acting_is_adopted_once(koyeb):
    koyeb.inject(Fault.drop_after_action(), method="POST", path="/v1/secrets", times=1)
    secret = make_secret()
    assert [s["id"] for s in koyeb.objects("secrets")] == [secret.id] and reveal(secret.id) == DATABASE_URL


def test_an_update_dropped_after_acting_makes_exactly_one_new_deployment(koyeb):
    props, created = make_service(koyeb)
    koyeb.inject(Fault.drop_after_action(), method="PATCH", path=f"/v1/services/{created.id}", times=1)
    updated = ServiceProvider().update(created.id, created.outs, {**props, "docker_image": "ghcr.io/acme/api:2.0.0"})
    assert len(deployments_of(koyeb, created.id)) == 2
    assert updated.outs["deployment_id"] == service_record(koyeb, created.id)["active_deployment_id"]


def test_an_update_refused_with_a_503_before_acting_is_sent_again(koyeb):
    props, created = make_service(koyeb)
    koyeb.inject(Fault.status(503), method="PATCH", path=f"/v1/services/{created.id}", times=1)
    updated = ServiceProvider().update(created.id, created.outs, {**props, "docker_image": "ghcr.io/acme/api:2.0.0"})
    assert len(deployments_of(koyeb, created.id)) == 2 and updated.outs["image"] == "ghcr.io/acme/api:2.0.0"


# --- faults ----------------------------------------------------------------------------------------------


def test_create_converges_through_a_429_with_retry_after(koyeb):
    koyeb.inject(Fault.status(429, retry_after=1), method="POST", path="/v1/services", times=1)
    _, created = make_service(koyeb)
    assert len(live(koyeb, "services")) == 1
    assert ("POST", "/v1/services", 429) in koyeb.requests


def test_create_converges_through_503s(koyeb):
    koyeb.inject(Fault.status(503), times=2)
    koyeb.inject(Fault.status(503), method="POST", path="/v1/services", times=1)
    _, created = make_service(koyeb)
    assert [s["id"] for s in live(koyeb, "services")] == [created.id]


def test_read_is_retried_after_a_client_timeout(koyeb):
    props, created = make_service(koyeb)
    koyeb.inject(Fault.timeout(seconds=2), method="GET", path=f"/v1/services/{created.id}", times=1)
    assert ServiceProvider().read(created.id, created.outs).id == created.id


@pytest.mark.parametrize("seed", [7, 8, 9])
def test_full_lifecycle_converges_under_random_faults_without_duplicates(koyeb, seed):
    koyeb.inject_rate(fraction=0.2, seed=seed, kinds=("429", "500", "503", "drop_after_action"))
    props, created = make_service(koyeb)
    updated = ServiceProvider().update(created.id, created.outs, {**props, "docker_image": "ghcr.io/acme/api:2.0.0"})
    assert len(deployments_of(koyeb, created.id)) == 2 and updated.outs["image"] == "ghcr.io/acme/api:2.0.0"
    assert (len(live(koyeb, "apps")), len(koyeb.objects("secrets")), len(live(koyeb, "services"))) == (1, 1, 1)
    ServiceProvider().delete(created.id, created.outs)
    assert live(koyeb, "services") == []


def test_reference_to_a_missing_secret_fails_with_the_api_reason(koyeb):
    props = {**SERVICE, "secret_env": {"DATABASE_URL": "no-such-secret"}, "app_id": make_app()}
    with pytest.raises(BadRequest) as err:
        ServiceProvider().create(props)
    assert 'create service "api"' in str(err.value) and "no-such-secret" in str(err.value)


def test_app_rename_is_in_place(koyeb):
    created = AppProvider().create({"name": APP_NAME, "owner": OWNER})
    updated = AppProvider().update(created.id, created.outs, {"name": "stagecraft-uat-backend", "owner": OWNER})
    assert updated.outs["name"] == "stagecraft-uat-backend"
    assert [a["id"] for a in koyeb.objects("apps")] == [created.id]


def test_app_read_after_out_of_band_deletion_reports_gone(koyeb):
    created = AppProvider().create({"name": APP_NAME, "owner": OWNER})
    with KoyebClient.from_env() as client:
        client.delete_app(created.id)
    assert AppProvider().read(created.id, created.outs).id == ""


def test_secret_value_update_is_in_place_and_stays_secret_in_state(koyeb):
    created = make_secret(value="old")
    updated = SecretProvider().update(created.id, created.outs, {**created.outs, "value": "new"})
    assert updated.outs["value"] == "new" and [s["id"] for s in koyeb.objects("secrets")] == [created.id]
    assert reveal(created.id) == "new"


def test_missing_token_fails_with_the_variable_name(koyeb, monkeypatch):
    monkeypatch.delenv("KOYEB_TOKEN")
    with pytest.raises(MissingCredentials) as err:
        make_app()
    assert "KOYEB_TOKEN" in str(err.value)


def test_wrong_token_fails_unauthorized_without_echoing_it(koyeb, monkeypatch):
    monkeypatch.setenv("KOYEB_TOKEN", "wrong-token-value")
    with pytest.raises(Unauthorized) as err:
        make_app()
    assert "KOYEB_TOKEN" in str(err.value) and "wrong-token-value" not in str(err.value)


def test_every_request_matched_the_koyeb_spec(koyeb):
    props, created = make_service(koyeb)
    ServiceProvider().update(created.id, created.outs, {**props, "min_scale": 1})
    ServiceProvider().delete(created.id, created.outs)
    assert koyeb.checked > 0 and koyeb.violations == []
