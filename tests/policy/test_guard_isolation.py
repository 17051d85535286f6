"""production-isolation: non-production stacks never use production's branch, bucket or hosts."""

from stagecraft_guard.rules import isolation

from .builders import UNKNOWN, env, resource_args, run, secret

BRANCH = "pulumi-python:dynamic/neon:Branch"
ENDPOINT = "pulumi-python:dynamic/neon:Endpoint"
R2 = "cloudflare:index/r2Bucket:R2Bucket"
ENV_FILE = "pulumi-python:dynamic/local:EnvFile"
KOYEB_SECRET = "pulumi-python:dynamic/koyeb:Secret"

PRODUCTION_IDS = {"productionNeonProjectIds": ["proj-shared"], "productionNeonBranchIds": ["br-main-1"],
                  "productionBuckets": ["assets-live"], "productionHosts": ["ep-prod-1.eu-central-1.aws.neon.tech"]}


def _policy(catalog, stack="uat"):
    return isolation.policy(catalog, env(stack))


def test_own_branch_from_staging_passes(catalog):
    props = {"project_id": "proj-shared", "name": "stagecraft-uat-db", "parent_id": "br-staging-1"}
    assert run(_policy(catalog), resource_args(BRANCH, props, config=PRODUCTION_IDS)).messages == []


def test_branch_named_like_productions_is_refused(catalog):
    text = run(_policy(catalog), resource_args(BRANCH, {"project_id": "proj-shared", "name": "main"})).text
    assert "manages the Neon branch 'main', which is production's" in text


def test_main_branch_of_another_project_passes_when_production_project_is_known(catalog):
    args = resource_args(BRANCH, {"project_id": "proj-uat", "name": "main"}, config=PRODUCTION_IDS)
    assert run(_policy(catalog), args).messages == []


def test_branch_named_main_without_project_id_is_refused(catalog):
    args = resource_args(BRANCH, {"name": "main"}, config=PRODUCTION_IDS)
    assert len(run(_policy(catalog), args).messages) == 1


def test_branch_from_a_production_branch_is_refused(catalog):
    props = {"project_id": "proj-shared", "name": "stagecraft-pr-7-db", "parent_id": "br-main-1"}
    text = run(_policy(catalog, "pr-7"), resource_args(BRANCH, props, config=PRODUCTION_IDS)).text
    assert "branches from a production branch, copying production data" in text


def test_endpoint_on_a_production_branch_is_refused(catalog):
    props = {"project_id": "proj-shared", "branch_id": "br-main-1", "type": "read_write"}
    assert "works on a production branch id" in run(_policy(catalog), resource_args(ENDPOINT, props, config=PRODUCTION_IDS)).text


def test_branch_id_unknown_at_preview_is_not_judged(catalog):
    props = {"project_id": "proj-shared", "branch_id": UNKNOWN, "type": "read_write"}
    assert run(_policy(catalog), resource_args(ENDPOINT, props, config=PRODUCTION_IDS)).messages == []


def test_production_named_bucket_is_refused(catalog):
    args = resource_args(R2, {"accountId": "acc", "name": "stagecraft-production-assets"})
    assert "is the production R2 bucket 'stagecraft-production-assets'" in run(_policy(catalog), args).text


def test_configured_production_bucket_is_refused(catalog):
    args = resource_args(R2, {"accountId": "acc", "name": "assets-live"}, config=PRODUCTION_IDS)
    assert len(run(_policy(catalog), args).messages) == 1


def test_secret_connection_string_to_the_production_host_is_refused_without_showing_it(catalog):
    url = "postgresql://app:pw-very-secret@ep-prod-1.eu-central-1.aws.neon.tech/app"
    args = resource_args(ENV_FILE, {"path": "/srv/.env", "values": secret({"DATABASE_URL": url})}, config=PRODUCTION_IDS)
    text = run(_policy(catalog), args).text
    assert "input values.DATABASE_URL (a secret; its value is not shown) refers to the production host" in text
    assert "pw-very-secret" not in text


def test_reference_to_production_prefix_in_any_input_is_refused(catalog):
    args = resource_args(KOYEB_SECRET, {"name": "x", "value": secret("s3://stagecraft-production-assets/key")})
    assert "refers to production's name prefix" in run(_policy(catalog), args).text


def test_production_stack_may_use_production_data(catalog):
    args = resource_args(BRANCH, {"project_id": "proj-shared", "name": "main"}, config=PRODUCTION_IDS)
    assert run(_policy(catalog, "production"), args).messages == []


def test_stack_configured_as_production_may_use_production_data(catalog):
    args = resource_args(BRANCH, {"project_id": "proj-shared", "name": "main"}, config={"production": True})
    assert run(_policy(catalog, "release-drill"), args).messages == []


def test_dev_local_resources_pass(catalog):
    props = {"path": "/work/main/.stagecraft/env/.env.backend",
             "values": secret({"DATABASE_URL": "postgresql://stagecraft:pw@127.0.0.1:5432/stagecraft_dev"})}
    assert run(_policy(catalog, "dev"), resource_args(ENV_FILE, props)).messages == []


def test_config_override_changes_the_production_prefix(catalog):
    args = resource_args(R2, {"accountId": "acc", "name": "acme-prod-assets"}, config={"productionNamePrefix": "acme-prod-"})
    assert len(run(_policy(catalog), args).messages) == 1
