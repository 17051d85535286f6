"""`stagecraft affected-stacks`: which stacks the PR check previews for a change."""

from tools.delivery.affected import affected

EXISTING = ["uat", "beta", "preprod", "production"]


def test_a_stack_config_change_affects_that_stack_only():
    assert affected(["Pulumi.beta.yaml"], EXISTING) == ["beta"]


def test_a_policy_config_of_one_stack_affects_that_stack_only():
    assert affected(["policies/config/production.json"], EXISTING) == ["production"]


def test_a_program_change_affects_every_stack():
    assert affected(["components/frontend_site.py"], EXISTING) == EXISTING


def test_a_policy_rule_change_affects_every_stack():
    assert affected(["policies/stagecraft_guard/rules/budget.py"], EXISTING) == EXISTING


def test_the_pr_policy_config_affects_every_stack_a_pr_deploys_through():
    assert affected(["policies/config/pr.json"], EXISTING) == EXISTING


def test_docs_tests_and_workflows_affect_no_stack():
    assert affected(["README.md", "tests/unit/test_settings.py", ".github/workflows/pr.yml"], EXISTING) == []


def test_only_stacks_with_a_config_file_are_listed():
    assert affected(["settings/models.py"], ["uat", "beta"]) == ["uat", "beta"]
