"""The production stack's program under mocks: Vercel + Railway + the foundation's Neon root branch + Upstash + R2,
every data resource protected, the cost within the policy's budget, the approval preflight."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pulumi
import pytest

from settings.inventory import DEFAULT_FRONTENDS
from settings.load import load_settings
from settings.preflight import preflight
from tests.unit.harness import FOUNDATION_OUTPUTS, PROJECT_ROOT, build_stack, stack_config

ACCOUNT = "0123456789abcdef0123456789abcdef"
PRODUCTION_OVERRIDES = {
    "stagecraft:backend": {"platform": "railway", "image": "ghcr.io/weedgo/backend:1.0.0",
                           "railway": {"numReplicas": 1, "healthCheckTimeout": 120}},
    "stagecraft:cloudflare": {"accountId": ACCOUNT},
    "stagecraft:approval": {"repository": "acme/shop"},
}
APPS = len(DEFAULT_FRONTENDS)
EXPECTED_INVENTORY = {
    "pulumi-python:dynamic/build:StaticBuild": APPS,
    "pulumi-python:dynamic/vercel:PrebuiltOutput": APPS,
    "vercel:index/project:Project": APPS,
    "vercel:index/projectEnvironmentVariables:ProjectEnvironmentVariables": APPS,
    "vercel:index/deployment:Deployment": APPS,
    "pulumi-python:dynamic/railway:Project": 1,
    "pulumi-python:dynamic/railway:Service": 1,
    "pulumi-python:dynamic/railway:ServiceDomain": 1,
    "pulumi:pulumi:StackReference": 1,
    "pulumi-python:dynamic/neon:Role": 1,
    "pulumi-python:dynamic/neon:Database": 1,
    "pulumi-python:dynamic/postgres:Extensions": 1,
    "pulumi-python:dynamic/upstash:RedisDatabase": 1,
    "cloudflare:index/r2Bucket:R2Bucket": 1,
    "cloudflare:index/apiToken:ApiToken": 1,
    "random:index/randomPassword:RandomPassword": 1,
    "pulumi-python:dynamic/local:ReleaseLedger": 1,
}
DATA = {("pulumi-python:dynamic/neon:Database", "postgres-database"),
        ("pulumi-python:dynamic/upstash:RedisDatabase", "redis-redis"),
        ("cloudflare:index/r2Bucket:R2Bucket", "storage-r2")}


@pytest.fixture(scope="module")
def production():
    return build_stack("production", stack_config("production", PRODUCTION_OVERRIDES))


def test_production_inventory_is_the_default_mix_on_the_foundations_root_branch(production):
    custom = {t: n for t, n in production.count_by_type().items() if not t.startswith("stagecraft:")}
    assert custom == EXPECTED_INVENTORY


def test_production_makes_no_neon_branch_or_compute_of_its_own(production):
    assert not production.of_type("pulumi-python:dynamic/neon:Branch")
    assert not production.of_type("pulumi-python:dynamic/neon:Endpoint")
    (database,) = production.of_type("pulumi-python:dynamic/neon:Database")
    assert (database.inputs["project_id"], database.inputs["branch_id"]) == (
        FOUNDATION_OUTPUTS["neon"]["projectId"], FOUNDATION_OUTPUTS["neon"]["rootBranchId"])
    assert production.outputs["database"]["host"] == FOUNDATION_OUTPUTS["neon"]["rootEndpointHost"]


def _catalog_types():
    sys.path.insert(0, str(PROJECT_ROOT / "policies"))
    from stagecraft_guard.catalog import default_catalog

    return default_catalog()


def test_every_data_resource_the_pack_knows_is_protected(production):
    catalog = _catalog_types()
    data = {(r.type, r.name) for r in production.resources if catalog.data_type(r.type)}
    assert data == DATA
    assert all(production.protected[key] for key in data)


def test_the_role_production_connects_as_is_protected_too(production):
    assert production.protected[("pulumi-python:dynamic/neon:Role", "postgres-role")] is True


def test_estimated_cost_is_within_productions_budget(production):
    from stagecraft_guard.cost import estimate
    from stagecraft_guard.resource import Resource

    catalog = _catalog_types()
    budget = json.loads((PROJECT_ROOT / "policies/config/production.json").read_text())["monthly-budget"]["budgetUsd"]
    resources = [Resource(type=r.type, name=r.name, urn=r.name, props=r.inputs) for r in production.resources if r.custom]
    cost = estimate(resources, catalog, {})
    assert cost.unpriced == () and 0 < cost.total <= budget, cost.lines()


def test_the_upstash_database_is_pay_as_you_go_so_uats_free_one_stays_free(production):
    (cache,) = production.of_type("pulumi-python:dynamic/upstash:RedisDatabase")
    assert cache.inputs["plan"] == "payg"


def _production_settings():
    raw = {key.removeprefix("stagecraft:"): json.loads(value)
           for key, value in stack_config("production", PRODUCTION_OVERRIDES).items()}
    return load_settings("stagecraft", "production", raw)


CREDENTIALS = {"VERCEL_API_TOKEN": "v", "RAILWAY_API_TOKEN": "r", "NEON_API_KEY": "n", "UPSTASH_EMAIL": "e",
               "UPSTASH_API_KEY": "u", "CLOUDFLARE_API_TOKEN": "c", "PULUMI_CONFIG_PASSPHRASE": "production-secret"}


def test_an_update_without_a_verified_approval_is_refused_by_the_preflight():
    with pytest.raises(pulumi.RunError, match="is production and this update has no verified approval"):
        preflight(_production_settings(), environ=CREDENTIALS, dry_run=False, project_root=PROJECT_ROOT)


def test_a_preview_of_production_needs_no_approval():
    preflight(_production_settings(), environ=CREDENTIALS, dry_run=True, project_root=PROJECT_ROOT)


def test_production_without_its_foundation_says_how_to_fix_it_before_anything_is_registered():
    with pytest.raises(pulumi.RunError) as raised:
        build_stack("production", stack_config("production", PRODUCTION_OVERRIDES), stacks={})
    text = str(raised.value)
    assert "stagecraft:foundation.stack: stack 'foundation' cannot be read" in text
    assert "pulumi up -s foundation" in text and "Nothing was changed" in text


def test_a_foundation_without_the_neon_outputs_is_named_with_what_is_missing():
    with pytest.raises(pulumi.RunError, match=r"has no output neon.projectId, neon.rootBranchId"):
        build_stack("production", stack_config("production", PRODUCTION_OVERRIDES), stacks={"foundation": {}})


def test_the_committed_production_config_names_what_each_team_sets(tmp_path: Path):
    text = (PROJECT_ROOT / "Pulumi.production.yaml").read_text()
    for key in ("stagecraft:approval.repository", "stagecraft:backend.image", "stagecraft:cloudflare.accountId"):
        assert f"pulumi config set --path '{key}'" in text


def _as_production(base: str, overrides: dict) -> set:
    """What the pack calls data, and what the program protects, when `base`'s mix is production's."""
    built = build_stack("production", stack_config(base, {**overrides, "stagecraft:approval": {"repository": "a/b"}}))
    catalog = _catalog_types()
    data = {(r.type, r.name) for r in built.resources if catalog.data_type(r.type)}
    unprotected = {key for key in data if not built.protected[key]}
    return unprotected


def test_on_every_platform_mix_the_components_protect_what_the_pack_calls_data():
    from tests.unit.test_beta_program import BETA_OVERRIDES
    from tests.unit.test_preprod_program import PREPROD_OVERRIDES
    from tests.unit.test_uat_program import UAT_OVERRIDES

    for base, overrides in (("uat", UAT_OVERRIDES), ("beta", BETA_OVERRIDES), ("preprod", PREPROD_OVERRIDES)):
        assert _as_production(base, overrides) == set(), base
