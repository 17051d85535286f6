"""The pack on what the foundation, production and pr-<n> stacks register: schema-only branches, the root-branch
allowance, the release ledger and the root-branch lookup, production's protected data."""

from stagecraft_guard.rules import coverage, free_tier_quota, isolation, protection

from .builders import env, resource_args, run, stack_args, stack_resource

BRANCH = "pulumi-python:dynamic/neon:Branch"
DATABASE = "pulumi-python:dynamic/neon:Database"
UPSTASH = "pulumi-python:dynamic/upstash:RedisDatabase"
R2 = "cloudflare:index/r2Bucket:R2Bucket"
PRODUCTION_IDS = {"productionNeonProjectIds": ["proj-shared"], "productionNeonBranchIds": ["br-main-1"]}


def test_a_schema_only_branch_of_productions_branch_passes_isolation(catalog):
    props = {"project_id": "proj-shared", "name": "uat", "parent_id": "br-main-1", "init_source": "schema-only"}
    assert run(isolation.policy(catalog, env("uat")), resource_args(BRANCH, props, config=PRODUCTION_IDS)).messages == []


def test_a_data_copy_of_productions_branch_is_still_refused(catalog):
    props = {"project_id": "proj-shared", "name": "uat", "parent_id": "br-main-1", "init_source": "parent-data"}
    text = run(isolation.policy(catalog, env("uat")), resource_args(BRANCH, props, config=PRODUCTION_IDS)).text
    assert "copying production data" in text


def _roots(count):
    return [stack_resource(BRANCH, {"project_id": "proj-1", "name": f"r{i}", "parent_id": "br-main-1",
                                    "init_source": "schema-only"}, name=f"r{i}") for i in range(count)]


def test_two_schema_only_branches_fit_beside_main_on_the_free_plan(catalog):
    assert run(free_tier_quota.policy(catalog, env("uat")), stack_args(_roots(2))).messages == []


def test_a_third_schema_only_branch_exceeds_the_free_root_branch_allowance(catalog):
    text = run(free_tier_quota.policy(catalog, env("uat")), stack_args(_roots(3))).text
    assert "neon.root-branches-per-project" in text and "4 exceeds 3" in text


def test_the_release_ledger_and_the_root_branch_lookup_are_known_types(catalog):
    for token in ("pulumi-python:dynamic/local:ReleaseLedger", "pulumi-python:dynamic/neon:RootBranch"):
        assert run(coverage.policy(catalog), resource_args(token, {})).messages == [], token


def test_productions_database_cache_and_bucket_must_be_protected(catalog):
    policy = protection.policy(catalog, env("production"))
    for token, props in ((DATABASE, {"name": "app"}), (UPSTASH, {"database_name": "c"}), (R2, {"name": "b"})):
        assert run(policy, resource_args(token, props, protect=False)).messages, token
        assert run(policy, resource_args(token, props, protect=True)).messages == [], token
