"""The preprod stack's program under mocks: Vercel + one Railway project (backend, Postgres, Redis, volume), and
the Expo EAS channel of every stack that ships the mobile app."""

from __future__ import annotations

import json

import pytest

from components.frontend_site import vercel_site_url
from settings.inventory import DEFAULT_FRONTENDS
from settings.load import ConfigError, load_settings
from tests.unit.harness import build_stack, stack_config
from tests.unit.test_beta_program import BETA_OVERRIDES
from tests.unit.test_uat_program import UAT_OVERRIDES

EAS_PROJECT = "0f4c3a2e-5b1d-4e6f-9a7b-8c9d0e1f2a3b"
MOBILE = {"stagecraft:mobile": {"projectId": EAS_PROJECT}}
PREPROD_OVERRIDES = {"stagecraft:backend": {"platform": "railway", "image": "ghcr.io/weedgo/backend:1.0.0",
                                            "railway": {"numReplicas": 1, "healthCheckTimeout": 120}},
                     **MOBILE}
PRODUCTION_CONFIG = {  # DESIGN §1's production mix; Pulumi.production.yaml is another issue's
    "stagecraft:frontend": {"platform": "vercel", "productionBranch": "main"},
    "stagecraft:backend": {"platform": "railway", "image": "ghcr.io/weedgo/backend:1.0.0"},
    "stagecraft:postgres": {"platform": "neon"},
    "stagecraft:redis": {"platform": "upstash"},
    "stagecraft:storage": {"platform": "r2"},
    "stagecraft:cloudflare": {"accountId": "0123456789abcdef0123456789abcdef"},
    **MOBILE,
}
APPS = len(DEFAULT_FRONTENDS)
EXPECTED_INVENTORY = {
    "pulumi-python:dynamic/build:StaticBuild": APPS,
    "pulumi-python:dynamic/local:ReleaseLedger": 1,  # what `stagecraft rollback` reads
    "pulumi-python:dynamic/vercel:PrebuiltOutput": APPS,
    "vercel:index/project:Project": APPS,
    "vercel:index/projectEnvironmentVariables:ProjectEnvironmentVariables": APPS,
    "vercel:index/deployment:Deployment": APPS,
    "pulumi-python:dynamic/railway:Project": 1,
    "pulumi-python:dynamic/railway:Service": 1,
    "pulumi-python:dynamic/railway:ServiceDomain": 1,
    "pulumi-python:dynamic/railway:TemplateDatabase": 2,
    "pulumi-python:dynamic/railway:Volume": 1,
    "pulumi-python:dynamic/postgres:Extensions": 1,
    "pulumi-python:dynamic/eas:UpdateBranch": 1,
    "pulumi-python:dynamic/eas:UpdateChannel": 1,
    "random:index/randomPassword:RandomPassword": 1,
}
RAILWAY = "pulumi-python:dynamic/railway:"


@pytest.fixture(scope="module")
def preprod():
    return build_stack("preprod", stack_config("preprod", PREPROD_OVERRIDES))


@pytest.fixture(scope="module")
def every_stack():
    # production from PRODUCTION_CONFIG alone (no stack file is read for a name that has none).
    return {"uat": build_stack("uat", stack_config("uat", {**UAT_OVERRIDES, **MOBILE})),
            "beta": build_stack("beta", stack_config("beta", {**BETA_OVERRIDES, **MOBILE})),
            "preprod": build_stack("preprod", stack_config("preprod", PREPROD_OVERRIDES)),
            "production": build_stack("production", stack_config("no-such-stack-file", PRODUCTION_CONFIG))}


def raw_preprod(**sections) -> dict:
    """preprod's raw settings (as `settings.load` takes them) with whole sections replaced."""
    raw = {key.removeprefix("stagecraft:"): json.loads(value)
           for key, value in stack_config("preprod", PREPROD_OVERRIDES).items()}
    return {**raw, **sections}


def _config_error(raw: dict) -> str:
    with pytest.raises(ConfigError) as caught:
        load_settings("stagecraft", "preprod", raw)
    return str(caught.value)


# ---- inventory ------------------------------------------------------------------------------------------


def test_preprod_inventory_matches_the_platform_mix(preprod):
    custom = {token: count for token, count in preprod.count_by_type().items() if not token.startswith("stagecraft:")}
    assert custom == EXPECTED_INVENTORY


def test_one_railway_host_is_shared_by_every_railway_component(preprod):
    (project,) = preprod.of_type(f"{RAILWAY}Project")
    assert preprod.count_by_type()["stagecraft:index:RailwayHost"] == 1
    placed = [r for r in preprod.resources if r.type.startswith(RAILWAY) and r.type != f"{RAILWAY}Project"]
    assert len(placed) == 5
    assert {(r.inputs["project_id"], r.inputs["environment_id"]) for r in placed} == {
        ("railway-project-id", "env-preprod")}
    assert project.inputs["environment"] == "preprod"


def test_postgres_and_redis_come_from_railways_templates(preprod):
    templates = sorted(r.inputs["template"] for r in preprod.of_type(f"{RAILWAY}TemplateDatabase"))
    assert templates == ["postgres", "redis"]


def test_extensions_are_enabled_over_sql_on_the_postgres_public_url(preprod):
    (extensions,) = preprod.of_type("pulumi-python:dynamic/postgres:Extensions")
    assert sorted(extensions.inputs["extensions"]) == ["pg_trgm", "uuid-ossp", "vector"]
    assert extensions.inputs["connection_uri"].startswith("postgresql://postgres:mock-pg-password@")
    assert "connection_uri" in extensions.secret_inputs


def test_the_backend_runs_the_image_with_health_check_one_replica_and_the_free_plan(preprod):
    (service,) = preprod.of_type(f"{RAILWAY}Service")
    assert (service.inputs["image"], service.inputs["health_check_path"], service.inputs["num_replicas"],
            service.inputs["plan"], service.inputs["port"]) == (
        "ghcr.io/weedgo/backend:1.0.0", "/api/health", 1, "free", 8000)


def test_the_backend_reaches_postgres_and_redis_over_railways_private_network(preprod):
    (service,) = preprod.of_type(f"{RAILWAY}Service")
    assert service.inputs["secret_variables"]["DATABASE_URL"] == "${{Postgres.DATABASE_URL}}"
    assert service.inputs["secret_variables"]["REDIS_URL"] == "${{Redis.REDIS_URL}}"


def test_the_backend_mounts_the_volume_as_its_bucket_folder(preprod):
    (service,) = preprod.of_type(f"{RAILWAY}Service")
    (volume,) = preprod.of_type(f"{RAILWAY}Volume")
    assert service.inputs["volume_id"] == "storage-volume-id"
    assert service.inputs["volume_mount_path"] == volume.inputs["mount_path"] == "/data/stagecraft-preprod-uploads"
    assert service.inputs["variables"]["STORAGE_ENDPOINT"] == "file:///data/stagecraft-preprod-uploads"
    assert service.inputs["variables"]["STORAGE_PLATFORM"] == "railway-volume"


def test_a_folder_bucket_gives_the_backend_no_keys(preprod):
    (service,) = preprod.of_type(f"{RAILWAY}Service")
    names = set(service.inputs["variables"]) | set(service.inputs["secret_variables"])
    assert not {n for n in names if n.startswith("STORAGE_") and ("KEY" in n)}


def test_the_backend_gets_every_setting_and_its_secrets_as_secrets(preprod):
    (service,) = preprod.of_type(f"{RAILWAY}Service")
    assert set(service.inputs["secret_variables"]) == {"DATABASE_URL", "REDIS_URL", "JWT_SECRET"}
    assert "secret_variables" in service.secret_inputs
    assert service.inputs["variables"]["ENVIRONMENT"] == "preprod"


def test_the_backend_has_a_generated_domain_on_its_port(preprod):
    (domain,) = preprod.of_type(f"{RAILWAY}ServiceDomain")
    assert (domain.inputs["service_id"], domain.inputs["target_port"]) == ("backend-service-id", 8000)
    assert preprod.outputs["api"]["url"] == "https://stagecraft-api-preprod.up.railway.app"


# ---- Vercel ---------------------------------------------------------------------------------------------


def test_one_vercel_project_per_app_and_variant_without_a_repository(preprod):
    projects = preprod.of_type("vercel:index/project:Project")
    assert sorted(p.inputs["name"] for p in projects) == sorted(f"stagecraft-preprod-{a.name}" for a in DEFAULT_FRONTENDS)
    assert all("gitRepository" not in p.inputs for p in projects)


def test_each_app_gets_a_production_deployment_of_its_own_prebuilt_output(preprod):
    outputs = {o.inputs["app"]: o for o in preprod.of_type("pulumi-python:dynamic/vercel:PrebuiltOutput")}
    for deployment in preprod.of_type("vercel:index/deployment:Deployment"):
        app = deployment.inputs["projectId"].removeprefix("prj_stagecraft-preprod-")
        digest = outputs[app].inputs["artifact_digest"]
        assert deployment.inputs["production"] is True
        assert deployment.inputs["pathPrefix"] == f".stagecraft/vercel/{digest[:32]}"
        assert all(key.startswith(f"{deployment.inputs['pathPrefix']}/.vercel/output/")
                   for key in deployment.inputs["files"])
        assert outputs[app].inputs["artifact_dir"] == f"/builds/{app}"


def test_every_app_is_built_with_preprods_api_url_and_its_variant(preprod):
    builds = {b.inputs["app"]: b.inputs["env"] for b in preprod.of_type("pulumi-python:dynamic/build:StaticBuild")}
    api = "https://stagecraft-api-preprod.up.railway.app"
    for app in DEFAULT_FRONTENDS:
        expected = {"VITE_API_URL": api, "VITE_ENVIRONMENT": "preprod",
                    **({"VITE_VARIANT": app.variant} if app.variant else {})}
        assert builds[app.name] == expected
        assert preprod.outputs["apps"][app.name]["variant"] == app.variant


def test_project_variables_are_the_public_build_values_and_none_is_sensitive(preprod):
    for variables in preprod.of_type("vercel:index/projectEnvironmentVariables:ProjectEnvironmentVariables"):
        keys = {v["key"] for v in variables.inputs["variables"]}
        assert keys <= {"VITE_API_URL", "VITE_ENVIRONMENT", "VITE_VARIANT"}
        assert all(v["sensitive"] is False and v["targets"] == ["production", "preview"]
                   for v in variables.inputs["variables"])


def test_app_urls_are_the_projects_own_vercel_app_alias(preprod):
    assert preprod.outputs["apps"]["ai-admin-dashboard"]["url"] == (
        "https://stagecraft-preprod-ai-admin-dashboard.vercel.app")
    assert preprod.outputs["apps"]["ai-admin-dashboard"]["platform"] == "vercel"


def test_a_taken_vercel_app_alias_falls_back_to_the_first_alias_vercel_gave():
    url = vercel_site_url("web", ["web-acme.vercel.app"], "web-1a2b-acme.vercel.app", production=True)
    assert url == "https://web-acme.vercel.app"


def test_a_preview_deployment_is_served_at_its_deployment_url():
    assert vercel_site_url("web", [], "web-1a2b-acme.vercel.app", production=False) == "https://web-1a2b-acme.vercel.app"


def test_a_team_gets_its_own_vercel_provider():
    built = build_stack("preprod", stack_config("preprod", {**PREPROD_OVERRIDES, "stagecraft:vercel": {"team": "acme"}}))
    (provider,) = built.of_type("pulumi:providers:vercel")
    assert provider.inputs["team"] == "acme"


# ---- names, secrets, outputs ----------------------------------------------------------------------------


def test_every_physical_name_carries_project_and_stack(preprod):
    names = [r.inputs["name"] for r in preprod.resources
             if r.type in ("vercel:index/project:Project", f"{RAILWAY}Project", f"{RAILWAY}Service")]
    assert len(names) == APPS + 2
    assert all(name.startswith("stagecraft-preprod") for name in names)


def test_secret_outputs_stay_secret(preprod):
    assert {"database.connectionUri", "redis.url", "jwtSecret"} <= preprod.secret_paths
    assert preprod.outputs["database"]["database"] == "railway"
    assert preprod.outputs["database"]["host"] == "shuttle.proxy.rlwy.net"
    assert "database.host" not in preprod.secret_paths


def test_outputs_name_the_stacks_mobile_channel(preprod):
    assert preprod.outputs["mobile"] == {"channel": "preprod", "branch": "preprod",
                                         "apiUrl": "https://stagecraft-api-preprod.up.railway.app"}


# ---- every stack's mobile channel -----------------------------------------------------------------------


def test_every_stack_with_the_mobile_app_gets_its_own_channel_and_branch(every_stack):
    for stack, built in every_stack.items():
        (branch,) = built.of_type("pulumi-python:dynamic/eas:UpdateBranch")
        (channel,) = built.of_type("pulumi-python:dynamic/eas:UpdateChannel")
        assert (branch.inputs["name"], channel.inputs["name"]) == (stack, stack)
        assert channel.inputs["branch_id"] == "mobile-branch-id"
        assert {branch.inputs["app_id"], channel.inputs["app_id"]} == {EAS_PROJECT}
        assert channel.inputs["owner"] == f"stagecraft/{stack}"


def test_every_stacks_channel_points_its_builds_at_its_own_api(every_stack):
    for stack, built in every_stack.items():
        assert built.outputs["mobile"] == {"channel": stack, "branch": stack, "apiUrl": built.outputs["api"]["url"]}


def test_a_configured_channel_name_replaces_the_stack_name():
    built = build_stack("uat", stack_config("uat", {**UAT_OVERRIDES, "stagecraft:mobile": {
        "projectId": EAS_PROJECT, "channel": "staging-uat"}}))
    assert built.outputs["mobile"]["channel"] == "staging-uat"


def test_a_stack_without_the_mobile_app_has_no_channel():
    built = build_stack("uat", stack_config("uat", UAT_OVERRIDES))
    assert built.outputs["mobile"] is None
    assert built.of_type("pulumi-python:dynamic/eas:UpdateChannel") == []


# ---- bad input, refused at config time naming the key ---------------------------------------------------


def test_a_railway_region_railway_refuses_names_the_key_and_a_region():
    raw = raw_preprod(backend={"platform": "railway", "image": "ghcr.io/a/b:1", "railway": {"region": "eu-west-1"}})
    text = _config_error(raw)
    assert "stagecraft:backend.railway.region: 'eu-west-1' is not a Railway region" in text
    assert "pulumi config set --path 'stagecraft:backend.railway.region' us-west2 -s preprod" in text


def test_more_replicas_than_the_free_plan_runs_names_the_key():
    raw = raw_preprod(backend={"platform": "railway", "image": "ghcr.io/a/b:1", "railway": {"numReplicas": 3}})
    text = _config_error(raw)
    assert "stagecraft:backend.railway.numReplicas: Railway's free plan runs at most 1 replica" in text
    assert "pulumi config set --path 'stagecraft:backend.railway.numReplicas' 1 -s preprod" in text


def test_more_replicas_are_allowed_on_a_paid_plan():
    raw = raw_preprod(backend={"platform": "railway", "image": "ghcr.io/a/b:1", "railway": {"numReplicas": 3}},
                      railway={"plan": "pro"})
    assert load_settings("stagecraft", "preprod", raw).backend.railway.num_replicas == 3


def test_an_expo_project_id_that_is_not_a_uuid_names_the_key():
    text = _config_error(raw_preprod(mobile={"projectId": "weedgo-mobile"}))
    assert "stagecraft:mobile.projectId: 'weedgo-mobile' is not an EAS project id" in text
    assert "jq -r .expo.extra.eas.projectId app.json" in text


def test_a_vercel_project_prefix_vercel_refuses_names_the_key_and_a_prefix_that_fits():
    text = _config_error(raw_preprod(vercel={"projectNamePrefix": "weedgo-preprod-frontends-for-the-store"}))
    assert "stagecraft:vercel.projectNamePrefix: prefix 'weedgo-preprod-frontends-for-the-store'" in text
    assert "1-52 lower-case letters, digits and dashes" in text
    assert "pulumi config set --path 'stagecraft:vercel.projectNamePrefix' weedgo-preprod-frontends -s preprod" in text


def test_a_vercel_project_name_with_three_dashes_names_the_key():
    text = _config_error(raw_preprod(vercel={"projectNamePrefix": "weedgo--"}))
    assert "stagecraft:vercel.projectNamePrefix" in text


def test_a_configured_app_whose_vercel_name_is_too_long_names_that_app():
    app = {"name": "chat-commerce-web-theme-number-eleven", "devPort": 5200, "framework": "react19-vite7"}
    raw = raw_preprod(frontend={"platform": "vercel", "apps": [app]})
    assert "stagecraft:frontend.apps[0].name: this name makes" in _config_error(raw)


def test_a_volume_without_the_backend_on_railway_names_the_storage_key():
    raw = raw_preprod(backend={"platform": "koyeb", "image": "ghcr.io/a/b:1"})
    assert "stagecraft:storage.platform: a Railway volume is a folder mounted into a Railway service" in (
        _config_error(raw))


def test_a_database_name_railway_does_not_use_is_refused_with_the_rm_fix():
    text = _config_error(raw_preprod(postgres={"platform": "railway", "database": "orders"}))
    assert "pulumi config rm --path 'stagecraft:postgres.database' -s preprod" in text


def test_the_committed_preprod_config_is_complete_but_for_the_account_values():
    text = _config_error(raw_preprod(backend={"platform": "railway"}))
    assert "stagecraft:backend" in text and "image" in text


def _vercel_site(**changes) -> list:
    """The resources one Vercel FrontendSite registers under mocks, and its url."""
    import pulumi
    from pulumi.runtime.stack import run_pulumi_func
    from pulumi.runtime.sync_await import _sync_await

    from components.frontend_site import FrontendSite, FrontendSiteArgs
    from tests.unit.harness import RecordingMocks

    mocks = RecordingMocks()
    pulumi.runtime.set_mocks(mocks, project="stagecraft", stack="preprod", preview=False)
    urls: list[str] = []

    def program() -> None:
        site = FrontendSite("frontend-web", FrontendSiteArgs(**{
            "app": DEFAULT_FRONTENDS[0], "platform": "vercel", "physical_name": "stagecraft-preprod-web",
            "api_url": "https://api.example.com", "environment": "preprod", "artifact_dir": "/builds/web",
            "artifact_digest": "a" * 64, "project_root": "/project", "production_branch": "release", **changes}))
        site.url.apply(urls.append)

    _sync_await(run_pulumi_func(program))
    return [*mocks.resources, *urls]


def test_secret_values_reach_vercel_only_as_sensitive_variables():
    registered = _vercel_site(secret_env={"SENTRY_AUTH_TOKEN": "sntrys_abc"})
    (variables,) = [r for r in registered if getattr(r, "type", "") == (
        "vercel:index/projectEnvironmentVariables:ProjectEnvironmentVariables")]
    by_key = {v["key"]: v for v in variables.inputs["variables"]}
    assert by_key["SENTRY_AUTH_TOKEN"]["sensitive"] is True
    assert by_key["VITE_API_URL"]["sensitive"] is False
    assert "variables" in variables.secret_inputs  # a secret anywhere in the list keeps the list secret in state


def test_a_pr_stack_deploys_a_preview_onto_the_base_stacks_project():
    *resources, url = _vercel_site(existing_project="prj_stagecraft-preprod-web", deploy_branch="pr-12",
                                   production_branch="release")
    types = [r.type for r in resources]
    assert "vercel:index/project:Project" not in types
    (deployment,) = [r for r in resources if r.type == "vercel:index/deployment:Deployment"]
    assert (deployment.inputs["projectId"], deployment.inputs["production"]) == ("prj_stagecraft-preprod-web", False)
    (alias,) = [r for r in resources if r.type == "vercel:index/alias:Alias"]  # the preview's stable per-PR name
    assert (alias.inputs["deploymentId"], url) == ("frontend-web-deployment-id", "https://stagecraft-preprod-web.vercel.app")


def test_preflight_names_every_missing_preprod_credential_before_anything_changes():
    import pulumi

    from settings.preflight import preflight

    settings = load_settings("stagecraft", "preprod", raw_preprod())
    with pytest.raises(pulumi.RunError) as caught:
        preflight(settings, environ={})
    text = str(caught.value)
    for variable in ("RAILWAY_API_TOKEN", "VERCEL_API_TOKEN", "EXPO_TOKEN"):
        assert f"set {variable} in the environment" in text
    assert "`pulumi config set --secret vercel:apiToken '<value>' -s preprod`" in text


def test_preflight_takes_the_vercel_token_from_stack_config_too():
    from settings.preflight import preflight

    settings = load_settings("stagecraft", "preprod", raw_preprod())
    assert preflight(settings, environ={"RAILWAY_API_TOKEN": "r", "EXPO_TOKEN": "e"},
                     config_keys={"vercel:apiToken"}) is None  # no RunError: nothing is missing
