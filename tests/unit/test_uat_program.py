"""The uat stack's program under mocks: Cloudflare Pages + Koyeb + Neon + Upstash + R2."""

from __future__ import annotations

import pytest

from tests.unit.harness import build_stack, stack_config

ACCOUNT = "0123456789abcdef0123456789abcdef"
UAT_OVERRIDES = {
    "stagecraft:cloudflare": {"accountId": ACCOUNT},
    "stagecraft:backend": {"platform": "koyeb", "image": "ghcr.io/weedgo/backend:1.0.0",
                           "koyeb": {"instanceType": "free", "regions": ["was"], "minScale": 0, "maxScale": 1}},
}
EXPECTED_INVENTORY = {
    "cloudflare:index/pagesProject:PagesProject": 12,
    "pulumi-python:dynamic/build:StaticBuild": 12,
    "pulumi-python:dynamic/cloudflare:PagesDeployment": 12,
    "cloudflare:index/r2Bucket:R2Bucket": 1,
    "cloudflare:index/apiToken:ApiToken": 1,
    "pulumi:pulumi:StackReference": 1,  # the foundation's Neon project
    "pulumi-python:dynamic/local:ReleaseLedger": 1,
    "pulumi-python:dynamic/neon:Branch": 1,
    "pulumi-python:dynamic/neon:Endpoint": 1,
    "pulumi-python:dynamic/neon:Role": 1,
    "pulumi-python:dynamic/neon:Database": 1,
    "pulumi-python:dynamic/postgres:Extensions": 1,
    "pulumi-python:dynamic/upstash:RedisDatabase": 1,
    "pulumi-python:dynamic/koyeb:App": 1,
    "pulumi-python:dynamic/koyeb:Secret": 4,
    "pulumi-python:dynamic/koyeb:Service": 1,
    "random:index/randomPassword:RandomPassword": 1,
}


@pytest.fixture(scope="module")
def uat():
    return build_stack("uat", stack_config("uat", UAT_OVERRIDES))


def test_uat_inventory_matches_the_platform_mix(uat):
    custom = {token: count for token, count in uat.count_by_type().items() if not token.startswith("stagecraft:")}
    assert custom == EXPECTED_INVENTORY


def test_uat_registers_the_five_components_once_and_twelve_sites(uat):
    counts = uat.count_by_type()
    for component in ("BackendService", "PostgresBranch", "RedisCache", "ObjectBucket"):
        assert counts[f"stagecraft:index:{component}"] == 1
    assert counts["stagecraft:index:FrontendSite"] == 12


def test_every_app_is_built_with_the_backend_url_and_its_own_variant(uat):
    builds = {b.inputs["app"]: b for b in uat.of_type("pulumi-python:dynamic/build:StaticBuild")}
    assert len(builds) == 12
    for build in builds.values():
        assert build.inputs["env"]["VITE_API_URL"] == "https://api-org.koyeb.app"
        assert build.inputs["env"]["VITE_ENVIRONMENT"] == "uat"
        assert build.inputs["source"] == "examples/product/web"
    assert builds["weedgo-commerce-modern"].inputs["env"]["VITE_VARIANT"] == "modern"
    assert builds["chat-commerce-web-theme-8"].inputs["env"]["VITE_VARIANT"] == "theme-8"
    assert "VITE_VARIANT" not in builds["ai-admin-dashboard"].inputs["env"]


def test_pages_projects_are_direct_upload_projects_without_function_variables(uat):
    for project in uat.of_type("cloudflare:index/pagesProject:PagesProject"):
        assert "source" not in project.inputs and "deploymentConfigs" not in project.inputs


def test_each_app_deploys_its_own_build_to_its_project_on_the_production_branch(uat):
    deployments = uat.of_type("pulumi-python:dynamic/cloudflare:PagesDeployment")
    assert sorted(d.inputs["project_name"] for d in deployments) == sorted(
        p.inputs["name"] for p in uat.of_type("cloudflare:index/pagesProject:PagesProject"))
    for deployment in deployments:
        app = deployment.inputs["project_name"].removeprefix("stagecraft-uat-")
        assert deployment.inputs["directory"] == f"/builds/{app}"
        assert deployment.inputs["branch"] == "develop"


def test_pages_projects_build_from_develop(uat):
    assert {p.inputs["productionBranch"] for p in uat.of_type("cloudflare:index/pagesProject:PagesProject")} == {"develop"}


def test_koyeb_service_is_free_scales_to_zero_and_checks_health(uat):
    (service,) = uat.of_type("pulumi-python:dynamic/koyeb:Service")
    assert service.inputs["instance_type"] == "free"
    assert service.inputs["min_scale"] == 0
    assert service.inputs["health_check_path"] == "/api/health"
    assert service.inputs["regions"] == ["was"]


def test_backend_gets_every_connection_setting(uat):
    (service,) = uat.of_type("pulumi-python:dynamic/koyeb:Service")
    assert set(service.inputs["secret_env"]) == {"DATABASE_URL", "REDIS_URL", "JWT_SECRET",
                                                 "STORAGE_SECRET_ACCESS_KEY"}
    assert service.inputs["env"]["ENVIRONMENT"] == "uat"
    assert service.inputs["env"]["STORAGE_ACCESS_KEY_ID"] == "storage-s3-token-id"
    assert service.inputs["env"]["STORAGE_BUCKET"] == "stagecraft-uat-uploads"
    assert service.inputs["env"]["STORAGE_ENDPOINT"] == f"https://{ACCOUNT}.r2.cloudflarestorage.com"


def test_backend_secrets_are_stored_as_secret_inputs(uat):
    secrets = uat.of_type("pulumi-python:dynamic/koyeb:Secret")
    assert all("value" in s.secret_inputs for s in secrets)
    assert sorted(s.inputs["name"] for s in secrets) == [
        "stagecraft-uat-api-database-url", "stagecraft-uat-api-jwt-secret", "stagecraft-uat-api-redis-url",
        "stagecraft-uat-api-storage-secret-access-key"]


def test_the_r2_secret_key_is_the_sha256_of_a_token_scoped_to_the_bucket(uat):
    import hashlib

    (token,) = uat.of_type("cloudflare:index/apiToken:ApiToken")
    (policy,) = token.inputs["policies"]
    assert policy["resources"] == {f"com.cloudflare.edge.r2.bucket.{ACCOUNT}_default_stagecraft-uat-uploads": "*"}
    assert sorted(policy["permissionGroups"]) == ["mock-r2-item-read-id", "mock-r2-item-write-id"]
    (secret,) = [s for s in uat.of_type("pulumi-python:dynamic/koyeb:Secret")
                 if s.inputs["name"].endswith("storage-secret-access-key")]
    assert secret.inputs["value"] == hashlib.sha256(b"mock-api-token-value").hexdigest()
    assert "storage.secretAccessKey" in uat.secret_paths


def test_database_url_is_built_from_the_neon_role_and_endpoint(uat):
    (secret,) = [s for s in uat.of_type("pulumi-python:dynamic/koyeb:Secret") if s.inputs["name"].endswith("database-url")]
    assert secret.inputs["value"] == (
        "postgresql://app:mock-role-password@ep-mock-123.us-east-2.aws.neon.tech/app?sslmode=require")


def test_extensions_are_enabled_over_sql(uat):
    (ext,) = uat.of_type("pulumi-python:dynamic/postgres:Extensions")
    assert sorted(ext.inputs["extensions"]) == ["pg_trgm", "uuid-ossp", "vector"]
    assert "connection_uri" in ext.secret_inputs


def test_upstash_database_is_on_the_free_plan(uat):
    (db,) = uat.of_type("pulumi-python:dynamic/upstash:RedisDatabase")
    assert db.inputs["plan"] == "free"
    assert db.inputs["database_name"] == "stagecraft-uat-cache"


def test_neon_branch_is_named_for_the_stack_in_the_foundations_project(uat):
    (branch,) = uat.of_type("pulumi-python:dynamic/neon:Branch")
    assert branch.inputs["name"] == "uat"
    assert branch.inputs["project_id"] == "mock-neon-project"  # the foundation's, read with a StackReference
    assert not uat.of_type("neon:resource:Project")


def test_neon_branch_copies_the_root_branchs_schema_and_none_of_its_data(uat):
    (branch,) = uat.of_type("pulumi-python:dynamic/neon:Branch")
    assert branch.inputs["init_source"] == "schema-only"
    assert branch.inputs["parent_id"] == "br-main-root-1"


def test_every_physical_name_carries_project_and_stack(uat):
    names = [r.inputs["name"] for r in uat.resources
             if r.type in ("cloudflare:index/pagesProject:PagesProject", "cloudflare:index/r2Bucket:R2Bucket",
                           "pulumi-python:dynamic/koyeb:App", "pulumi-python:dynamic/koyeb:Service")]
    assert names and all(name.startswith("stagecraft-uat-") for name in names)


def test_secret_outputs_stay_secret(uat):
    assert {"database.connectionUri", "redis.url", "redis.restToken", "jwtSecret"} <= uat.secret_paths
    assert uat.outputs["redis"]["url"] == "rediss://default:mock-redis-password@mock-cache.upstash.io:6379"
    assert uat.outputs["redis"]["restUrl"] == "https://mock-cache.upstash.io"


def test_frontend_urls_are_pages_subdomains(uat):
    assert uat.outputs["apps"]["ai-admin-dashboard"]["url"] == "https://stagecraft-uat-ai-admin-dashboard.pages.dev"


def test_koyeb_app_names_fit_koyebs_limit_and_stay_distinct():
    from components.backend_service import koyeb_app_name

    long_names = [koyeb_app_name(f"stagecraft-{stack}-api") for stack in ("production", "preprod-eu", "pr-123456")]
    assert all(len(name) <= 23 for name in long_names)
    assert len(set(long_names)) == 3
    assert koyeb_app_name("stagecraft-uat-api") == "stagecraft-uat-api"


def test_jwt_rotation_is_a_keeper_of_the_generated_secret_only_when_set(uat):
    (password,) = uat.of_type("random:index/randomPassword:RandomPassword")
    assert "keepers" not in password.inputs
    rotated = build_stack("uat", stack_config("uat", {**UAT_OVERRIDES, "stagecraft:jwtRotation": "2026-12"}))
    (password,) = rotated.of_type("random:index/randomPassword:RandomPassword")
    assert password.inputs["keepers"] == {"rotation": "2026-12"}
