"""Koyeb providers: input checks and diffs (no network), then CRUD against the Koyeb emulator."""

from __future__ import annotations

import pytest

from providers._http import UNKNOWN
from providers.koyeb.app import AppProvider
from providers.koyeb.secret import SecretProvider
from providers.koyeb.service import ServiceProvider, build_definition, fields_from_definition, ServiceArgs

SERVICE = {
    "app_id": "app-1", "name": "api", "docker_image": "ghcr.io/acme/api:1.0.0", "instance_type": "free",
    "regions": ["fra"], "port": 8000, "health_check_path": "/api/health", "min_scale": 0, "max_scale": 1,
    "env": {"ENVIRONMENT": "uat"}, "secret_env": {"DATABASE_URL": "stagecraft-uat-api-database-url"},
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
    reasons = failures(ServiceProvider().check({}, {**SERVICE, "instance_type": "nano", "min_scale": 2, "max_scale": 1}))
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


def test_provider_objects_serialize_without_credentials(monkeypatch):
    from pulumi.dynamic.dynamic import serialize_provider

    monkeypatch.setenv("KOYEB_TOKEN", "koyeb-token-must-not-be-pickled")
    import base64

    blob = base64.b64decode(serialize_provider(ServiceProvider()))
    assert b"koyeb-token-must-not-be-pickled" not in blob
