"""production-data-protection: production data resources are protected."""

import pytest

from stagecraft_guard.rules import protection

from .builders import env, resource_args, run

BRANCH = "pulumi-python:dynamic/neon:Branch"
ENDPOINT = "pulumi-python:dynamic/neon:Endpoint"
R2 = "cloudflare:index/r2Bucket:R2Bucket"
NEON_PROJECT_SDK = "neon:resource:Project"


@pytest.fixture
def check(catalog):
    def _check(type_token, stack="production", protect=False, config=None):
        args = resource_args(type_token, {"name": "x"}, name="db", protect=protect, config=config)
        return run(protection.policy(catalog, env(stack)), args)

    return _check


def test_protected_production_branch_passes(check):
    assert check(BRANCH, protect=True).messages == []


def test_unprotected_production_branch_is_refused(check):
    text = check(BRANCH).text
    assert "db (pulumi-python:dynamic/neon:Branch) holds data (Neon branch (a copy of the database)) in production stack 'production'" in text


def test_unprotected_production_bucket_is_refused(check):
    assert "protect=True" in check(R2).text


def test_neon_project_under_the_sdks_token_is_covered(check):
    assert len(check(NEON_PROJECT_SDK).messages) == 1


def test_endpoints_hold_no_data_and_need_no_protection(check):
    assert check(ENDPOINT).messages == []


def test_non_production_data_may_be_unprotected(check):
    assert check(BRANCH, stack="pr-3").messages == []


def test_stack_configured_as_production_needs_protection(check):
    assert len(check(BRANCH, stack="release-drill", config={"production": True}).messages) == 1
