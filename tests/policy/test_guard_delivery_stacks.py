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


KOYEB_SECRET = "pulumi-python:dynamic/koyeb:Secret"
KOYEB_SERVICE = "pulumi-python:dynamic/koyeb:Service"


def test_a_secret_input_not_known_during_a_preview_is_judged_at_up(catalog):
    from stagecraft_guard.rules import secrets

    from .builders import UNKNOWN, secret

    policy = secrets.policy()
    unknown = {"name": "stagecraft-pr-7-api-database-url", "value": UNKNOWN, "owner": "stagecraft/pr-7"}
    assert run(policy, resource_args(KOYEB_SECRET, unknown, secret_outputs=("value",))).messages == []
    known = {**unknown, "value": "postgresql://app:pw@host/app"}
    assert run(policy, resource_args(KOYEB_SECRET, known, secret_outputs=("value",))).messages
    assert run(policy, resource_args(KOYEB_SECRET, {**known, "value": secret(known["value"])},
                                     secret_outputs=("value",))).messages == []


def test_the_koyeb_services_secret_digest_is_no_credential(catalog):
    from stagecraft_guard.rules import secrets

    props = {"name": "stagecraft-uat-api", "secret_env": {"DATABASE_URL": "stagecraft-uat-api-database-url"},
             "secret_digest": "9e465b00d3b9c28aa767fa553438a01a5278d94dd72bd8bc6110e1a372c834d6"}
    assert [m for m in run(secrets.policy(), resource_args(KOYEB_SERVICE, props)).messages
            if "secret_digest" in m] == []
