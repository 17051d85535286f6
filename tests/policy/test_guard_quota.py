"""free-tier-quota: resource counts per stack and declared usage within the free quotas."""

import pytest

from stagecraft_guard.rules import free_tier_quota

from .builders import UNKNOWN, env, run, stack_args, stack_resource

KOYEB = "pulumi-python:dynamic/koyeb:Service"
BRANCH = "pulumi-python:dynamic/neon:Branch"
UPSTASH = "pulumi-python:dynamic/upstash:RedisDatabase"
SUPABASE = "pulumi-python:dynamic/supabase:Project"


@pytest.fixture
def policy(catalog):
    return free_tier_quota.policy(catalog, env("uat"))


def _koyeb(name, instance_type="free"):
    return stack_resource(KOYEB, {"name": name, "instance_type": instance_type, "max_scale": 1}, name=name)


def _branches(count, project="proj-1"):
    return [stack_resource(BRANCH, {"project_id": project, "name": f"b{i}"}, name=f"b{i}") for i in range(count)]


def test_one_free_koyeb_service_passes(policy):
    assert run(policy, stack_args([_koyeb("api")])).messages == []


def test_second_free_koyeb_service_is_refused(policy):
    found = run(policy, stack_args([_koyeb("api"), _koyeb("worker")]))
    assert "2 pulumi-python:dynamic/koyeb:Service resource(s) with instance_type = 'free' (api, worker)" in found.text


def test_quota_violation_is_attached_to_the_resource_over_the_limit(policy):
    found = run(policy, stack_args([_koyeb("api"), _koyeb("worker")]))
    assert found.reported[0][1].endswith("::worker")


def test_paid_koyeb_services_do_not_count_against_the_free_instance(policy):
    assert run(policy, stack_args([_koyeb("api"), _koyeb("worker", "nano")])).messages == []


def test_nine_neon_branches_fit_beside_the_default_branch(policy):
    assert run(policy, stack_args(_branches(9))).messages == []


def test_tenth_neon_branch_exceeds_the_project_limit(policy):
    text = run(policy, stack_args(_branches(10))).text
    assert "in project_id 'proj-1'" in text and "plus 1 the platform already uses: 11 exceeds 10" in text


def test_neon_branches_are_counted_per_project(policy):
    assert run(policy, stack_args(_branches(6, "p1") + _branches(6, "p2"))).messages == []


def test_branches_with_unknown_project_are_counted_together(policy):
    text = run(policy, stack_args(_branches(10, UNKNOWN))).text
    assert "'(not known yet)'" in text


def test_second_free_upstash_database_is_refused(policy):
    dbs = [stack_resource(UPSTASH, {"database_name": n, "plan": "free"}, name=n) for n in ("a", "b")]
    assert "Upstash Redis free tier" in run(policy, stack_args(dbs)).text


def test_upstash_database_with_unknown_plan_is_not_counted(policy):
    dbs = [stack_resource(UPSTASH, {"database_name": "a", "plan": "free"}, name="a"),
           stack_resource(UPSTASH, {"database_name": "b", "plan": UNKNOWN}, name="b")]
    assert run(policy, stack_args(dbs)).messages == []


def test_upstash_database_without_a_plan_is_not_counted_as_free(policy):
    dbs = [stack_resource(UPSTASH, {"database_name": "a", "plan": "free"}, name="a"),
           stack_resource(UPSTASH, {"database_name": "b"}, name="b")]
    assert run(policy, stack_args(dbs)).messages == []


def test_branches_without_project_id_are_counted_together(policy):
    branches = [stack_resource(BRANCH, {"name": f"b{i}"}, name=f"b{i}") for i in range(10)]
    assert "project_id '(not set)'" in run(policy, stack_args(branches)).text


def test_third_free_supabase_project_is_refused(policy):
    projects = [stack_resource(SUPABASE, {"name": n, "plan": "free"}, name=n) for n in ("a", "b", "c")]
    assert "3 exceeds 2 on the Supabase free tier" in run(policy, stack_args(projects)).text


def test_override_raises_the_limit_and_is_quoted(policy):
    config = {"overrides": {"neon.branches-per-project": {"limit": 20, "reason": "Launch plan"}}}
    assert run(policy, stack_args(_branches(12), config)).messages == []


def test_override_reason_appears_when_still_exceeded(policy):
    config = {"overrides": {"neon.branches-per-project": {"limit": 5, "reason": "shared with pr stacks"}}}
    assert "overridden for this stack to 5 (shared with pr stacks)" in run(policy, stack_args(_branches(5), config)).text


def test_override_for_unknown_quota_is_reported(policy):
    config = {"overrides": {"neon.branchez": {"limit": 5, "reason": "typo"}}}
    assert "overrides.neon.branchez" in run(policy, stack_args([], config)).text


def test_declared_usage_above_the_free_allowance_is_refused(policy):
    text = run(policy, stack_args([], {"expectedUsage": {"neon.storage-gb": 0.8}})).text
    assert "declares 0.8 GB of storage per project on neon, above the free allowance of 0.5" in text


def test_declared_usage_within_the_allowance_passes(policy):
    assert run(policy, stack_args([], {"expectedUsage": {"neon.storage-gb": 0.4}})).messages == []


def test_declared_usage_for_unknown_meter_is_reported(policy):
    assert "no such meter" in run(policy, stack_args([], {"expectedUsage": {"neon.disk": 1}})).text
