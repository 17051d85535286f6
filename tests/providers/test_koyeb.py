"""Koyeb providers: input checks and diffs (no network), then CRUD against the Koyeb emulator."""

from __future__ import annotations

import pytest

from providers._http import UNKNOWN, BadRequest, MissingCredentials, Unauthorized, WaitTimeout
from providers.koyeb.app import AppProvider
from providers.koyeb.client import KoyebClient
from providers.koyeb.secret import SecretProvider
from providers.koyeb.service import ServiceArgs, ServiceProvider, build_definition, fields_from_definition
from tests.emulators import Fault, KoyebEmulator

SECRET_NAME = "stagecraft-uat-api-database-url"
SERVICE = {
    "app_id": "app-1", "name": "api", "docker_image": "ghcr.io/acme/api:1.0.0", "instance_type": "free",
    "regions": ["fra"], "port": 8000, "health_check_path": "/api/health", "min_scale": 0, "max_scale": 1,
    "env": {"ENVIRONMENT": "uat"}, "secret_env": {"DATABASE_URL": SECRET_NAME},
}


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


def test_unknown_app_id_and_secret_names_pass_check_at_preview():
    news = {**SERVICE, "app_id": UNKNOWN, "secret_env": {"DATABASE_URL": UNKNOWN}}
    assert ServiceProvider().check({}, news).failures == []


def test_secret_without_value_fails_check():
    assert "value" in failures(SecretProvider().check({}, {"name": "stagecraft-uat-x"}))


def test_app_name_with_spaces_fails_check():
    assert "name" in failures(AppProvider().check({}, {"name": "my app"}))


def test_app_name_longer_than_koyeb_allows_fails_check_at_preview():
    reason = failures(AppProvider().check({}, {"name": "stagecraft-production-api"}))["name"]
    assert "at most 23" in reason


def test_upper_case_service_name_fails_check():
    assert "name" in failures(ServiceProvider().check({}, {**SERVICE, "name": "API"}))


def test_secret_name_with_a_dot_fails_check():
    assert "name" in failures(SecretProvider().check({}, {"name": "db.url", "value": "v"}))


# --- definition and diff ---------------------------------------------------------------------------------

def test_definition_has_health_check_free_instance_and_scale_to_zero():
    definition = build_definition(ServiceArgs(**SERVICE))
    assert definition["health_checks"] == [{"http": {"port": 8000, "path": "/api/health"}}]
    assert definition["instance_types"] == [{"type": "free"}]
    assert definition["scalings"] == [{"min": 0, "max": 1}]
    assert {"key": "DATABASE_URL", "secret": "stagecraft-uat-api-database-url"} in definition["env"]


def test_definition_reads_back_to_the_same_inputs():
    fields = fields_from_definition(build_definition(ServiceArgs(**SERVICE)))
    assert fields == {k: v for k, v in SERVICE.items() if k not in ("app_id", "name")}


def test_same_inputs_diff_to_no_change():
    assert ServiceProvider().diff("svc", {**SERVICE, "status": "HEALTHY"}, SERVICE).changes is False


def test_image_change_updates_in_place():
    result = ServiceProvider().diff("svc", SERVICE, {**SERVICE, "docker_image": "ghcr.io/acme/api:2.0.0"})
    assert result.changes is True and result.replaces == []


def test_name_change_replaces_deleting_first():
    result = ServiceProvider().diff("svc", SERVICE, {**SERVICE, "name": "api2"})
    assert result.replaces == ["name"] and result.delete_before_replace is True


def test_secret_rename_replaces_but_value_change_does_not():
    old = {"name": "a", "value": "v1"}
    assert SecretProvider().diff("s", old, {"name": "b", "value": "v1"}).replaces == ["name"]
    assert SecretProvider().diff("s", old, {"name": "a", "value": "v2"}).replaces == []


def test_resources_register_under_the_contract_type_tokens(registrations):
    from providers.koyeb.app import App, AppArgs
    from providers.koyeb.secret import Secret, SecretArgs
    from providers.koyeb.service import Service

    App("a", AppArgs(name="stagecraft-uat-api"))
    Secret("s", SecretArgs(name=SECRET_NAME, value="v"))
    Service("svc", ServiceArgs(**SERVICE))
    assert [r["type"] for r in registrations] == [
        "pulumi-python:dynamic/koyeb:App", "pulumi-python:dynamic/koyeb:Secret", "pulumi-python:dynamic/koyeb:Service"]


def test_secret_value_is_declared_a_secret_output(registrations):
    from providers.koyeb.secret import Secret, SecretArgs

    Secret("s", SecretArgs(name=SECRET_NAME, value="v"))
    assert registrations[0]["opts"].additional_secret_outputs == ["value"]


def test_service_registers_every_contract_input(registrations):
    from providers.koyeb.service import Service

    Service("svc", ServiceArgs(**SERVICE))
    assert set(SERVICE) <= set(registrations[0]["props"])


def test_provider_objects_serialize_without_credentials(monkeypatch):
    from pulumi.dynamic.dynamic import serialize_provider

    monkeypatch.setenv("KOYEB_TOKEN", "koyeb-token-must-not-be-pickled")
    import base64

    blob = base64.b64decode(serialize_provider(ServiceProvider()))
    assert b"koyeb-token-must-not-be-pickled" not in blob


# --- against the emulator --------------------------------------------------------------------------------


def make_app(name: str = "stagecraft-uat-api") -> str:
    return AppProvider().create({"name": name}).id


def make_service(koyeb: KoyebEmulator, **changes: object):
    """An app, the referenced secret, then the service; returns (service props, CreateResult)."""
    app_id = make_app()
    SecretProvider().create({"name": SECRET_NAME, "value": "postgresql://u:p@h/db"})
    props = {**SERVICE, "app_id": app_id, **changes}
    return props, ServiceProvider().create(props)


def live(koyeb: KoyebEmulator, collection: str) -> list[dict]:
    return [o for o in koyeb.objects(collection) if o.get("status") not in ("DELETING", "DELETED")]


def test_create_runs_a_healthy_service_with_public_url(koyeb):
    _, created = make_service(koyeb)
    assert created.outs["status"] == "HEALTHY"
    assert created.outs["public_url"] == "https://stagecraft-uat-api-stagecraft.koyeb.app"
    assert [s["id"] for s in live(koyeb, "services")] == [created.id]


def test_create_deploys_the_definition_built_from_inputs(koyeb):
    _, created = make_service(koyeb)
    deployment = next(d for d in koyeb.objects("deployments") if d["service_id"] == created.id)
    assert deployment["definition"]["health_checks"][0]["http"]["path"] == "/api/health"
    assert deployment["definition"]["instance_types"] == [{"type": "free"}]


def test_create_waits_until_the_service_reports_healthy(koyeb):
    koyeb.set_readiness_delay(polls=3)
    _, created = make_service(koyeb)
    assert created.outs["status"] == "HEALTHY"
    gets = [r for r in koyeb.requests if r.method == "GET" and r.path == f"/v1/services/{created.id}"]
    assert len(gets) >= 3


def test_create_gives_up_after_the_bounded_wait_with_a_clear_error(koyeb, monkeypatch):
    monkeypatch.setenv("STAGECRAFT_WAIT_TIMEOUT", "0.2")
    koyeb.set_readiness_delay(polls=1_000_000)
    with pytest.raises(WaitTimeout) as err:
        make_service(koyeb)
    assert 'service "api" was not ready' in str(err.value) and "STAGECRAFT_WAIT_TIMEOUT" in str(err.value)


def test_read_returns_the_state_create_returned(koyeb):
    _, created = make_service(koyeb)
    assert ServiceProvider().read(created.id, created.outs).outs == created.outs


def test_read_back_state_diffs_to_no_change(koyeb):
    props, created = make_service(koyeb)
    state = ServiceProvider().read(created.id, created.outs).outs
    assert ServiceProvider().diff(created.id, state, props).changes is False


def test_image_update_redeploys_the_same_service_in_place(koyeb):
    props, created = make_service(koyeb)
    news = {**props, "docker_image": "ghcr.io/acme/api:2.0.0"}
    updated = ServiceProvider().update(created.id, created.outs, news)
    assert updated.outs["docker_image"] == "ghcr.io/acme/api:2.0.0"
    assert [s["id"] for s in live(koyeb, "services")] == [created.id]
    assert ServiceProvider().read(created.id, updated.outs).outs["docker_image"] == "ghcr.io/acme/api:2.0.0"


def test_env_update_reaches_the_running_definition(koyeb):
    props, created = make_service(koyeb)
    ServiceProvider().update(created.id, created.outs, {**props, "env": {"ENVIRONMENT": "uat", "LOG": "debug"}})
    assert ServiceProvider().read(created.id, created.outs).outs["env"] == {"ENVIRONMENT": "uat", "LOG": "debug"}


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


def test_create_dropped_after_acting_adopts_leaving_exactly_one_service(koyeb):
    koyeb.inject(Fault.drop_after_action(), method="POST", path="/v1/services", times=1)
    _, created = make_service(koyeb)
    assert [s["id"] for s in live(koyeb, "services")] == [created.id]
    assert [r.path for r in koyeb.requests if r.method == "POST"].count("/v1/services") == 1


def test_app_create_dropped_after_acting_adopts_leaving_exactly_one_app(koyeb):
    koyeb.inject(Fault.drop_after_action(), method="POST", path="/v1/apps", times=1)
    app_id = make_app()
    assert [a["id"] for a in koyeb.objects("apps")] == [app_id]


def test_create_converges_through_a_429_with_retry_after(koyeb):
    koyeb.inject(Fault.status(429, retry_after=1), method="POST", path="/v1/services", times=1)
    _, created = make_service(koyeb)
    assert created.outs["status"] == "HEALTHY" and len(live(koyeb, "services")) == 1
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


def test_full_lifecycle_converges_under_random_faults(koyeb):
    koyeb.inject_rate(fraction=0.2, seed=7, kinds=("429", "500", "503", "drop_after_action"))
    props, created = make_service(koyeb)
    ServiceProvider().update(created.id, created.outs, {**props, "docker_image": "ghcr.io/acme/api:2.0.0"})
    ServiceProvider().delete(created.id, created.outs)
    assert live(koyeb, "services") == [] and len(koyeb.objects("apps")) == 1


def test_existing_service_with_other_settings_is_adopted_and_brought_in_line(koyeb):
    app_id = make_app()
    SecretProvider().create({"name": SECRET_NAME, "value": "v"})
    stale = {**SERVICE, "app_id": app_id, "docker_image": "ghcr.io/acme/api:0.9.0"}
    with KoyebClient.from_env() as client:
        existing = client.create_service(app_id, "api", build_definition(ServiceArgs(**stale)))
    created = ServiceProvider().create({**SERVICE, "app_id": app_id})
    assert created.id == existing["id"] and created.outs["docker_image"] == SERVICE["docker_image"]


def test_reference_to_a_missing_secret_fails_with_the_api_reason(koyeb):
    props = {**SERVICE, "secret_env": {"DATABASE_URL": "no-such-secret"}, "app_id": make_app()}
    with pytest.raises(BadRequest) as err:
        ServiceProvider().create(props)
    assert 'create service "api"' in str(err.value) and "no-such-secret" in str(err.value)


def test_app_rename_is_in_place(koyeb):
    created = AppProvider().create({"name": "stagecraft-uat-api"})
    updated = AppProvider().update(created.id, created.outs, {"name": "stagecraft-uat-backend"})
    assert updated.outs["name"] == "stagecraft-uat-backend"
    assert [a["id"] for a in koyeb.objects("apps")] == [created.id]


def test_app_read_after_out_of_band_deletion_reports_gone(koyeb):
    created = AppProvider().create({"name": "stagecraft-uat-api"})
    with KoyebClient.from_env() as client:
        client.delete_app(created.id)
    assert AppProvider().read(created.id, created.outs).id == ""


def test_secret_value_update_is_in_place_and_stays_secret_in_state(koyeb):
    created = SecretProvider().create({"name": SECRET_NAME, "value": "old"})
    updated = SecretProvider().update(created.id, created.outs, {"name": SECRET_NAME, "value": "new"})
    assert updated.outs["value"] == "new" and [s["id"] for s in koyeb.objects("secrets")] == [created.id]
    with KoyebClient.from_env() as client:
        revealed = client.http.request("POST", f"/v1/secrets/{created.id}/reveal", operation="reveal secret",
                                       resource=created.id, json={})
    assert revealed["value"] == "new"


def test_adopted_secret_gets_the_desired_value(koyeb):
    with KoyebClient.from_env() as client:
        client.create_secret(SECRET_NAME, "stale")
    created = SecretProvider().create({"name": SECRET_NAME, "value": "fresh"})
    with KoyebClient.from_env() as client:
        revealed = client.http.request("POST", f"/v1/secrets/{created.id}/reveal", operation="reveal secret",
                                       resource=created.id, json={})
    assert revealed["value"] == "fresh" and len(koyeb.objects("secrets")) == 1


def test_missing_token_fails_with_the_variable_name(koyeb, monkeypatch):
    monkeypatch.delenv("KOYEB_TOKEN")
    with pytest.raises(MissingCredentials) as err:
        AppProvider().create({"name": "stagecraft-uat-api"})
    assert "KOYEB_TOKEN" in str(err.value)


def test_wrong_token_fails_unauthorized_without_echoing_it(koyeb, monkeypatch):
    monkeypatch.setenv("KOYEB_TOKEN", "wrong-token-value")
    with pytest.raises(Unauthorized) as err:
        AppProvider().create({"name": "stagecraft-uat-api"})
    assert "KOYEB_TOKEN" in str(err.value) and "wrong-token-value" not in str(err.value)


def test_every_request_matched_the_koyeb_spec(koyeb):
    props, created = make_service(koyeb)
    ServiceProvider().update(created.id, created.outs, {**props, "min_scale": 1})
    ServiceProvider().delete(created.id, created.outs)
    assert koyeb.checked > 0 and koyeb.violations == []
