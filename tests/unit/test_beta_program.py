"""The beta stack's program under mocks: Netlify + Render (service and Key Value) + Supabase (database and Storage)."""

from __future__ import annotations

import json

import pytest

from settings.load import ConfigError, load_settings
from tests.unit.harness import build_stack, stack_config

SERVICE_ID = "srv-" + "a" * 20
OWNER_ID = "tea-" + "b" * 20
BETA_OVERRIDES = {
    "stagecraft:backend": {"platform": "render", "image": "ghcr.io/weedgo/backend:1.0.0",
                           "render": {"serviceId": SERVICE_ID}},
    "stagecraft:render": {"ownerId": OWNER_ID, "region": "oregon"},
    "stagecraft:supabase": {"organizationSlug": "weedgo", "region": "us-east-1", "plan": "free"},
}
EXPECTED_INVENTORY = {
    "pulumi-python:dynamic/build:StaticBuild": 12,
    "pulumi-python:dynamic/local:ReleaseLedger": 1,  # what `stagecraft rollback` reads
    "pulumi-python:dynamic/netlify:Site": 12,
    "pulumi-python:dynamic/netlify:Deploy": 12,
    "pulumi-python:dynamic/render:Service": 1,
    "pulumi-python:dynamic/render:KeyValue": 1,
    "pulumi-python:dynamic/supabase:Project": 1,
    "pulumi-python:dynamic/supabase:Extensions": 1,
    "pulumi-python:dynamic/supabase:Bucket": 1,
    "random:index/randomPassword:RandomPassword": 2,
}


@pytest.fixture(scope="module")
def beta():
    return build_stack("beta", stack_config("beta", BETA_OVERRIDES))


def raw_beta(**changes) -> dict:
    """beta's raw settings (as `settings.load` takes them) with `section.key.sub` paths changed."""
    raw = {key.removeprefix("stagecraft:"): value for key, value in stack_config("beta", BETA_OVERRIDES).items()}
    decoded = {k: json.loads(v) for k, v in raw.items()}
    for path, value in changes.items():
        section, _, field = path.partition(".")
        node = decoded.setdefault(section, {})
        *parents, leaf = field.split(".")
        for parent in parents:
            node = node.setdefault(parent, {})
        node[leaf] = value
    return decoded


def test_beta_inventory_matches_the_platform_mix(beta):
    custom = {token: count for token, count in beta.count_by_type().items() if not token.startswith("stagecraft:")}
    assert custom == EXPECTED_INVENTORY


def test_the_supabase_project_is_created_once_for_the_database_and_the_bucket(beta):
    counts = beta.count_by_type()
    assert (counts["stagecraft:index:SupabaseHost"], counts["pulumi-python:dynamic/supabase:Project"]) == (1, 1)


def test_every_app_is_built_with_the_render_url_and_its_own_variant(beta):
    builds = {b.inputs["app"]: b for b in beta.of_type("pulumi-python:dynamic/build:StaticBuild")}
    assert {b.inputs["env"]["VITE_API_URL"] for b in builds.values()} == {"https://weedgo-api.onrender.com"}
    assert {b.inputs["env"]["VITE_ENVIRONMENT"] for b in builds.values()} == {"beta"}
    assert builds["chat-commerce-web-theme-3"].inputs["env"]["VITE_VARIANT"] == "theme-3"


def test_each_site_is_named_for_project_stack_and_app_and_marked_with_the_owner(beta):
    sites = beta.of_type("pulumi-python:dynamic/netlify:Site")
    assert all(s.inputs["name"].startswith("stagecraft-beta-") and s.inputs["owner"] == "stagecraft/beta"
               and s.inputs["plan"] == "free" for s in sites)
    assert "stagecraft-beta-weedgo-commerce-pot-palace" in {s.inputs["name"] for s in sites}


def test_the_render_service_is_the_dashboard_one_on_the_free_plan(beta):
    (service,) = beta.of_type("pulumi-python:dynamic/render:Service")
    assert (service.inputs["service_id"], service.inputs["plan"], service.inputs["owner_id"],
            service.inputs["image"], service.inputs["port"], "name" not in service.inputs or
            service.inputs["name"] is None) == (SERVICE_ID, "free", OWNER_ID, "ghcr.io/weedgo/backend:1.0.0", 8000, True)


def test_the_backend_gets_every_setting_and_its_secrets_stay_secret(beta):
    (service,) = beta.of_type("pulumi-python:dynamic/render:Service")
    secret_env = service.inputs["secret_env"]
    assert set(secret_env) == {"DATABASE_URL", "REDIS_URL", "JWT_SECRET", "STORAGE_SERVICE_KEY"}
    assert "secret_env" in service.secret_inputs or {f"secret_env.{k}" for k in secret_env} <= service.secret_inputs
    assert service.inputs["env"]["STORAGE_PLATFORM"] == "supabase"
    assert "STORAGE_ACCESS_KEY_ID" not in service.inputs["env"]


def test_the_database_url_goes_through_the_supabase_pooler(beta):
    (service,) = beta.of_type("pulumi-python:dynamic/render:Service")
    assert service.inputs["secret_env"]["DATABASE_URL"] == (
        "postgresql://postgres.mockrefmockrefmockre:mock-random-password@aws-0-us-east-1.pooler.supabase.com:5432/"
        "postgres?sslmode=require")


def test_the_cache_url_is_the_key_values_private_one(beta):
    (service,) = beta.of_type("pulumi-python:dynamic/render:Service")
    (instance,) = beta.of_type("pulumi-python:dynamic/render:KeyValue")
    assert (service.inputs["secret_env"]["REDIS_URL"], instance.inputs["plan"], instance.inputs["name"]) == (
        "redis://red-mock:6379", "free", "stagecraft-beta-cache")


def test_the_extensions_and_the_bucket_live_in_the_stacks_project(beta):
    (extensions,) = beta.of_type("pulumi-python:dynamic/supabase:Extensions")
    (bucket,) = beta.of_type("pulumi-python:dynamic/supabase:Bucket")
    assert (extensions.inputs["extensions"], bucket.inputs["name"], bucket.inputs["owner"]) == (
        ["vector", "pg_trgm", "uuid-ossp"], "stagecraft-beta-uploads", "stagecraft/beta")


def test_the_project_password_is_secret_and_the_project_named_for_the_stack(beta):
    (project,) = beta.of_type("pulumi-python:dynamic/supabase:Project")
    assert ("db_pass" in project.secret_inputs, project.inputs["name"], project.inputs["owner"]) == (
        True, "stagecraft-beta", "stagecraft/beta")


def test_secret_outputs_stay_secret(beta):
    for path in ("database.connectionUri", "redis.url", "storage.secretAccessKey", "jwtSecret"):
        assert path in beta.secret_paths


def test_a_free_render_service_without_a_dashboard_id_is_refused_naming_the_key():
    raw = raw_beta(**{"backend.render": {"plan": "free"}})
    with pytest.raises(ConfigError, match=r"stagecraft:backend.render.serviceId: .*dashboard"):
        load_settings("stagecraft", "beta", raw)


def test_a_supabase_region_that_does_not_exist_is_refused_naming_the_key():
    with pytest.raises(ConfigError, match=r"stagecraft:supabase.region: 'mars-north-1' is not a Supabase region"):
        load_settings("stagecraft", "beta", raw_beta(**{"supabase.region": "mars-north-1"}))


def test_a_render_service_id_of_the_wrong_shape_is_refused_naming_the_key():
    with pytest.raises(ConfigError, match=r"stagecraft:backend.render.serviceId"):
        load_settings("stagecraft", "beta", raw_beta(**{"backend.render.serviceId": "my-api"}))


def test_a_site_name_netlify_would_refuse_is_refused_naming_the_prefix():
    with pytest.raises(ConfigError, match=r"stagecraft:netlify.siteNamePrefix: .*at most 63"):
        load_settings("stagecraft", "beta", raw_beta(**{"netlify.siteNamePrefix": "weedgo-beta-" + "x" * 30}))


def test_render_key_value_without_the_backend_on_render_is_refused():
    raw = raw_beta(**{"backend.platform": "local"})
    raw["backend"].pop("render")
    with pytest.raises(ConfigError, match=r"stagecraft:redis.platform: render \(Key Value\)"):
        load_settings("stagecraft", "beta", raw)
