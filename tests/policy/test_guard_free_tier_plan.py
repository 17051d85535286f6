"""free-tier-plan: paid plans, instance types and free-tier ceilings refused in a stack declared free."""

import pytest

from stagecraft_guard.rules import free_tier_plan

from .builders import UNKNOWN, UNKNOWN_NUMBER, env, resource_args, run

KOYEB = "pulumi-python:dynamic/koyeb:Service"
UPSTASH = "pulumi-python:dynamic/upstash:RedisDatabase"
RENDER = "pulumi-python:dynamic/render:Service"
ENDPOINT = "pulumi-python:dynamic/neon:Endpoint"

FREE_KOYEB = {"app_id": "app-1", "name": "stagecraft-uat-api", "docker_image": "ghcr.io/x/api:1",
              "instance_type": "free", "regions": ["fra"], "port": 8000, "health_check_path": "/api/health",
              "min_scale": 0, "max_scale": 1, "env": {}, "secret_env": {}}


@pytest.fixture
def policy(catalog):
    return free_tier_plan.policy(catalog, env("uat"))


def _koyeb(**changes):
    props = dict(FREE_KOYEB)
    props.update(changes)
    return props


def test_free_koyeb_service_passes(policy):
    assert run(policy, resource_args(KOYEB, FREE_KOYEB)).messages == []


def test_paid_koyeb_instance_type_is_refused(policy):
    found = run(policy, resource_args(KOYEB, _koyeb(instance_type="nano"), name="api"))
    assert "api (pulumi-python:dynamic/koyeb:Service): instance_type is 'nano', a paid Koyeb option" in found.text


def test_refusal_names_limit_source_and_fix(policy):
    text = run(policy, resource_args(KOYEB, _koyeb(instance_type="nano"))).text
    assert all(part in text for part in ("limit: instance_type must be one of 'free'", "source: koyeb.com/docs",
                                         "fix: set instance_type to 'free'"))


def test_missing_instance_type_is_refused_because_the_default_may_be_paid(policy):
    props = _koyeb()
    del props["instance_type"]
    assert "instance_type is not set" in run(policy, resource_args(KOYEB, props)).text


def test_unknown_instance_type_at_preview_is_left_for_the_update(policy):
    assert run(policy, resource_args(KOYEB, _koyeb(instance_type=UNKNOWN))).messages == []


def test_free_instance_outside_free_regions_is_refused(policy):
    text = run(policy, resource_args(KOYEB, _koyeb(regions=["fra", "sin"]))).text
    assert "regions has 'sin'" in text and "[koyeb.free-regions]" in text


def test_region_unknown_at_preview_is_not_judged(policy):
    assert run(policy, resource_args(KOYEB, _koyeb(regions=["fra", UNKNOWN]))).messages == []


def test_free_instance_scaling_past_one_is_refused(policy):
    assert "max_scale is 3" in run(policy, resource_args(KOYEB, _koyeb(max_scale=3))).text


def test_region_limit_does_not_apply_to_paid_instances_in_a_paid_platform(catalog):
    policy = free_tier_plan.policy(catalog, env("production"))
    config = {"paidPlatforms": ["koyeb"]}
    assert run(policy, resource_args(KOYEB, _koyeb(instance_type="small", regions=["sin"]), config=config)).messages == []


def test_unknown_max_scale_at_preview_is_not_judged(policy):
    assert run(policy, resource_args(KOYEB, _koyeb(max_scale=UNKNOWN_NUMBER))).messages == []


def test_paid_upstash_plan_is_refused(policy):
    props = {"database_name": "stagecraft-uat-cache", "platform": "aws", "primary_region": "eu-central-1",
             "read_regions": [], "plan": "payg", "tls": True, "eviction": True}
    assert "plan is 'payg', a paid Upstash Redis option" in run(policy, resource_args(UPSTASH, props)).text


def test_paid_render_plan_is_refused(policy):
    assert "plan is 'starter'" in run(policy, resource_args(RENDER, {"name": "api", "plan": "starter"})).text


def test_neon_endpoint_above_two_compute_units_is_refused(policy):
    props = {"project_id": "p", "branch_id": "b", "type": "read_write", "autoscaling_limit_min_cu": 0.25,
             "autoscaling_limit_max_cu": 4, "suspend_timeout_seconds": 0}
    assert "autoscaling_limit_max_cu is 4" in run(policy, resource_args(ENDPOINT, props)).text


def test_neon_endpoint_that_never_suspends_is_refused(policy):
    props = {"project_id": "p", "branch_id": "b", "type": "read_write", "autoscaling_limit_min_cu": 0.25,
             "autoscaling_limit_max_cu": 1, "suspend_timeout_seconds": -1}
    assert "suspend_timeout_seconds is -1" in run(policy, resource_args(ENDPOINT, props)).text


def test_paid_platform_override_allows_its_paid_plans(policy):
    found = run(policy, resource_args(KOYEB, _koyeb(instance_type="nano"), config={"paidPlatforms": ["koyeb"]}))
    assert found.messages == []


def test_paid_platform_override_does_not_cover_other_platforms(policy):
    found = run(policy, resource_args(RENDER, {"name": "api", "plan": "starter"}, config={"paidPlatforms": ["koyeb"]}))
    assert len(found.messages) == 1


def test_unknown_platform_in_config_is_reported_instead_of_ignored(policy):
    found = run(policy, resource_args(KOYEB, FREE_KOYEB, config={"paidPlatforms": ["heroku"]}))
    assert "free-tier-plan.paidPlatforms" in found.text and "unknown platform 'heroku'" in found.text


def test_resources_of_other_providers_are_ignored(policy):
    assert run(policy, resource_args("random:index/randomPassword:RandomPassword", {"length": 32})).messages == []


RAILWAY = "pulumi-python:dynamic/railway:Service"
FREE_RAILWAY = {"project_id": "p", "environment_id": "e", "name": "stagecraft-preprod-api", "image": "ghcr.io/x/api:1",
                "port": 8000, "owner": "stagecraft/preprod", "variables": {}, "secret_variables": {},
                "num_replicas": 1, "plan": "free"}


def test_railway_service_on_the_declared_free_plan_passes(policy):
    assert run(policy, resource_args(RAILWAY, FREE_RAILWAY)).messages == []


def test_railway_service_on_a_paid_plan_is_refused_in_a_free_stack(policy):
    text = run(policy, resource_args(RAILWAY, {**FREE_RAILWAY, "plan": "hobby"}, name="api")).text
    assert "plan is 'hobby', a paid Railway option" in text
