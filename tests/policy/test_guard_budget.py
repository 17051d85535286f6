"""monthly-budget: the stack's estimated cost within its budget; all budgets within the project cap."""

from stagecraft_guard.rules import budget

from .builders import UNKNOWN, env, run, stack_args, stack_resource

KOYEB = "pulumi-python:dynamic/koyeb:Service"
RENDER = "pulumi-python:dynamic/render:Service"
RAILWAY = "pulumi-python:dynamic/railway:Service"

OTHER_BUDGETS = {"dev": 0.0, "uat": 0.0, "beta": 0.0, "preprod": 0.0, "production": 10.0}


def _policy(catalog, stack, budgets=None):
    return budget.policy(catalog, env(stack), read_budgets=lambda stacks: dict(budgets or OTHER_BUDGETS))


def _render(name, plan):
    return stack_resource(RENDER, {"name": name, "plan": plan}, name=name)


def test_free_stack_with_zero_budget_passes(catalog):
    found = run(_policy(catalog, "beta"), stack_args([_render("api", "free")], {"budgetUsd": 0}))
    assert found.messages == []


def test_paid_plan_over_a_zero_budget_is_refused_with_the_estimate(catalog):
    text = run(_policy(catalog, "beta"), stack_args([_render("api", "starter")], {"budgetUsd": 0})).text
    assert "estimated monthly cost of stack 'beta' is $7.00, over its budget of $0.00" in text


def test_estimate_lists_each_priced_resource_with_its_source(catalog):
    text = run(_policy(catalog, "beta"), stack_args([_render("api", "starter")], {"budgetUsd": 0})).text
    assert "api (pulumi-python:dynamic/render:Service): plan 'starter' $7.00/month" in text and "UNCONFIRMED" in text


def test_paid_plan_within_budget_passes(catalog):
    resources = [stack_resource(RAILWAY, {"name": "api", "plan": "hobby"}, name="api")]
    assert run(_policy(catalog, "production"), stack_args(resources, {"budgetUsd": 10})).messages == []


def test_instance_prices_multiply_by_the_scale(catalog):
    service = stack_resource(KOYEB, {"name": "api", "instance_type": "nano", "max_scale": 3}, name="api")
    text = run(_policy(catalog, "beta"), stack_args([service], {"budgetUsd": 0})).text
    assert "instance_type 'nano' x 3 (max_scale) $8.10/month" in text


def test_declared_metered_usage_counts_towards_the_estimate(catalog):
    config = {"budgetUsd": 1, "expectedMeteredUsd": {"upstash": 2.5}}
    text = run(_policy(catalog, "beta"), stack_args([], config)).text
    assert "is $2.50, over its budget of $1.00" in text


def test_paid_value_without_a_price_is_refused_as_unestimable(catalog):
    text = run(_policy(catalog, "production"), stack_args([_render("api", "enterprise")], {"budgetUsd": 10})).text
    assert "cannot be estimated" in text and "plan 'enterprise' has no price in policies/limits/render.toml" in text


def test_plan_left_unset_is_refused_as_unestimable(catalog):
    service = stack_resource(RENDER, {"name": "api"}, name="api")
    assert "plan is not set" in run(_policy(catalog, "production"), stack_args([service], {"budgetUsd": 10})).text


def test_plan_unknown_at_preview_is_noted_but_not_refused(catalog):
    found = run(_policy(catalog, "beta"), stack_args([_render("api", UNKNOWN)], {"budgetUsd": 0}))
    assert found.messages == []


def test_budgets_adding_up_over_the_cap_are_refused(catalog):
    text = run(_policy(catalog, "uat"), stack_args([], {"budgetUsd": 3})).text
    assert "budgets of all environments add up to $13.00" in text and "over the project cap of $10.00" in text


def test_this_stacks_configured_budget_replaces_its_file_value_in_the_sum(catalog):
    budgets = dict(OTHER_BUDGETS, uat=5.0, production=5.0)
    assert run(_policy(catalog, "uat", budgets), stack_args([], {"budgetUsd": 5})).messages == []


def test_pr_stack_with_a_budget_is_refused(catalog):
    text = run(_policy(catalog, "pr-17"), stack_args([], {"budgetUsd": 1})).text
    assert "ephemeral PR stack" in text


def test_uncounted_stack_with_a_budget_is_refused(catalog):
    assert "spending would be unaccounted" in run(_policy(catalog, "scratch"), stack_args([], {"budgetUsd": 2})).text


def test_budget_config_override_raises_the_stack_budget(catalog):
    budgets = dict(OTHER_BUDGETS, production=0.0)
    resources = [_render("api", "starter")]
    assert run(_policy(catalog, "beta", budgets), stack_args(resources, {"budgetUsd": 8})).messages == []


def test_metered_usage_for_unknown_platform_is_reported(catalog):
    text = run(_policy(catalog, "beta"), stack_args([], {"expectedMeteredUsd": {"aws": 1}})).text
    assert "expectedMeteredUsd.aws" in text
