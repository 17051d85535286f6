"""free-tier-coverage: platform resource types missing from the tables are named (advisory)."""

from pulumi_policy import EnforcementLevel

from stagecraft_guard.rules import coverage

from .builders import resource_args, run


def test_known_type_passes(catalog):
    assert run(coverage.policy(catalog), resource_args("pulumi-python:dynamic/koyeb:Service", {})).messages == []


def test_unknown_type_of_a_known_platform_is_named(catalog):
    text = run(coverage.policy(catalog), resource_args("pulumi-python:dynamic/render:Postgres", {}, name="kv")).text
    assert "kv (pulumi-python:dynamic/render:Postgres): no free-tier table lists this type" in text
    assert "policies/limits/render.toml" in text


def test_dynamic_type_of_an_unknown_platform_is_named(catalog):
    text = run(coverage.policy(catalog), resource_args("pulumi-python:dynamic/flyio:Machine", {})).text
    assert "a new policies/limits/<platform>.toml" in text


def test_the_preprod_types_are_covered(catalog):
    for token in ("vercel:index/deployment:Deployment", "pulumi-python:dynamic/vercel:PrebuiltOutput",
                  "pulumi-python:dynamic/eas:UpdateBranch", "pulumi-python:dynamic/eas:UpdateChannel",
                  "pulumi-python:dynamic/railway:Service"):
        assert run(coverage.policy(catalog), resource_args(token, {})).messages == [], token


def test_types_of_free_services_outside_the_tables_are_ignored(catalog):
    assert run(coverage.policy(catalog), resource_args("github:index/actionsSecret:ActionsSecret", {})).messages == []


def test_coverage_is_advisory(catalog):
    assert coverage.policy(catalog).enforcement_level is EnforcementLevel.ADVISORY
