"""Per-stack policy config: every shipped file passes the pack's schema; bad files fail clearly."""

import json

import pytest
from pulumi_policy import EnforcementLevel

from stagecraft_guard import pack
from stagecraft_guard.config_check import check_content, check_directory
from stagecraft_guard.stack_config import (
    CONFIG_DIR,
    StackConfigError,
    budgets,
    file_for_stack,
    initial_config,
    load_file,
)

STACKS = ["dev", "uat", "beta", "preprod", "production"]


@pytest.fixture(scope="module")
def policies(catalog):
    return pack.policies(catalog)


def test_every_shipped_config_file_passes_the_schema_check():
    assert check_directory() == []


@pytest.mark.parametrize("stack", STACKS)
def test_each_long_lived_stack_has_a_config_file(stack):
    assert file_for_stack(stack) == CONFIG_DIR / f"{stack}.json"


def test_pr_stacks_use_the_shared_pr_file():
    assert file_for_stack("pr-42") == CONFIG_DIR / "pr.json"


def test_a_stack_without_a_file_gets_no_initial_config():
    assert initial_config("scratch") is None


def test_budgets_of_all_environments_fit_the_project_cap(catalog):
    assert sum(budgets(catalog.budget.counted_stacks).values()) <= catalog.budget.all_environments_monthly_usd


def test_only_production_is_configured_as_production():
    flagged = [s for s in STACKS + ["pr"] if load_file(CONFIG_DIR / f"{s}.json")["production-approval"]["production"]]
    assert flagged == ["production"]


def test_initial_config_turns_level_names_into_enforcement_levels():
    converted = initial_config("dev")
    assert converted["free-tier-coverage"] is EnforcementLevel.ADVISORY


def test_initial_config_turns_nested_levels_into_enforcement_levels():
    assert initial_config("dev")["secret-hygiene"]["enforcementLevel"] is EnforcementLevel.MANDATORY


def test_unknown_policy_name_is_refused(policies, catalog):
    problems = check_content("x.json", {"monthly-budgets": {"budgetUsd": 1}}, policies, catalog)
    assert problems and "'monthly-budgets' is not a policy of this pack" in problems[0]


def test_misspelt_setting_is_refused(policies, catalog):
    problems = check_content("x.json", {"monthly-budget": {"budget": 1}}, policies, catalog)
    assert any("budget" in p and "unknown setting" in p for p in problems)


def test_negative_budget_is_refused_by_the_schema(policies, catalog):
    problems = check_content("x.json", {"monthly-budget": {"budgetUsd": -1}}, policies, catalog)
    assert any("monthly-budget.budgetUsd" in p and "minimum" in p for p in problems)


def test_unknown_paid_platform_is_refused(policies, catalog):
    problems = check_content("x.json", {"free-tier-plan": {"paidPlatforms": ["heroku"]}}, policies, catalog)
    assert any("heroku" in p for p in problems)


def test_invalid_enforcement_level_is_refused(policies, catalog):
    problems = check_content("x.json", {"secret-hygiene": "strict"}, policies, catalog)
    assert problems == ["x.json: secret-hygiene: 'strict' is not one of ['advisory', 'mandatory', 'disabled']"]


def _write_all(tmp_path, **changes):
    for stack in STACKS + ["pr"]:
        content = load_file(CONFIG_DIR / f"{stack}.json")
        for dotted, value in changes.get(stack, {}).items():
            policy, key = dotted.split(".")
            content[policy][key] = value
        (tmp_path / f"{stack}.json").write_text(json.dumps(content))
    return tmp_path


def test_budgets_over_the_cap_are_refused(tmp_path):
    directory = _write_all(tmp_path, uat={"monthly-budget.budgetUsd": 5})
    assert any("over the cap $10.00" in p for p in check_directory(directory))


def test_pr_budget_above_zero_is_refused(tmp_path):
    directory = _write_all(tmp_path, pr={"monthly-budget.budgetUsd": 1})
    assert any("pr.json: monthly-budget.budgetUsd must be 0" in p for p in check_directory(directory))


def test_production_flag_that_differs_between_policies_is_refused(tmp_path):
    directory = _write_all(tmp_path, uat={"production-isolation.production": True})
    assert any("uat.json: the production flag differs" in p for p in check_directory(directory))


def test_file_that_is_not_json_names_the_file(tmp_path):
    bad = tmp_path / "dev.json"
    bad.write_text("{not json")
    with pytest.raises(StackConfigError, match="dev.json: not valid JSON"):
        load_file(bad)
