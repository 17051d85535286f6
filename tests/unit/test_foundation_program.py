"""The foundation stack's program under mocks: the Neon project, GitHub environments, protection and secrets."""

from __future__ import annotations

import pulumi
import pytest

from tests.unit.harness import GITHUB_TEAM_IDS, GITHUB_USER_IDS, build_stack, stack_config

GITHUB = {"owner": "acme", "repository": "shop",
          "environments": {"production": {"reviewers": ["alice", "bob"], "reviewerTeams": ["release-managers"]}}}
SECRETS = {"uat": {"KOYEB_TOKEN": "koyeb-uat-token"}, "production": {"RAILWAY_API_TOKEN": "railway-prod-token"}}
FOUNDATION = {"stagecraft:github": GITHUB, "stagecraft:githubSecrets": SECRETS}
ENVIRONMENT = "github:index/repositoryEnvironment:RepositoryEnvironment"
POLICY = "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy"
PROTECTION = "github:index/branchProtection:BranchProtection"
SECRET = "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret"
WORKFLOW_ENVIRONMENTS = ["beta", "pr-stacks", "preprod", "preview-beta", "preview-preprod", "preview-production",
                         "preview-uat", "production", "uat"]


def _foundation(**overrides):
    return build_stack("foundation", stack_config("foundation", {**FOUNDATION, **overrides}),
                       secret_keys=("stagecraft:githubSecrets",))


@pytest.fixture(scope="module")
def foundation():
    return _foundation()


def _environments(built) -> dict:
    return {e.inputs["environment"]: e.inputs for e in built.of_type(ENVIRONMENT)}


def test_foundation_inventory(foundation):
    custom = {t: n for t, n in foundation.count_by_type().items() if not t.startswith("stagecraft:")}
    assert custom == {
        "neon:resource:Project": 1, "pulumi-python:dynamic/neon:RootBranch": 1, "pulumi:providers:github": 1,
        ENVIRONMENT: 9, POLICY: 4, PROTECTION: 2, SECRET: 2}


def test_the_neon_project_is_protected_and_its_root_branch_looked_up(foundation):
    (project,) = foundation.of_type("neon:resource:Project")
    assert project.inputs["name"] == "stagecraft"
    assert foundation.protected[("neon:resource:Project", "foundation-neon-project")] is True
    (root,) = foundation.of_type("pulumi-python:dynamic/neon:RootBranch")
    assert root.inputs["project_id"] == "foundation-neon-project-id"


def test_every_environment_the_workflows_use_exists(foundation):
    assert sorted(_environments(foundation)) == WORKFLOW_ENVIRONMENTS


def test_production_has_its_reviewers_by_numeric_id_and_no_self_review(foundation):
    production = _environments(foundation)["production"]
    assert production["reviewers"] == [{"users": [GITHUB_USER_IDS["alice"], GITHUB_USER_IDS["bob"]],
                                        "teams": [GITHUB_TEAM_IDS["release-managers"]]}]
    assert production["preventSelfReview"] is True and production["canAdminsBypass"] is False


def test_production_deploys_from_main_only(foundation):
    production = _environments(foundation)["production"]
    assert production["deploymentBranchPolicy"] == {"protectedBranches": False, "customBranchPolicies": True}
    patterns = {(p.inputs["environment"], p.inputs["branchPattern"]) for p in foundation.of_type(POLICY)}
    assert {pattern for env, pattern in patterns if env == "production"} == {"main"}
    assert patterns == {("uat", "develop"), ("beta", "staging"), ("preprod", "release"), ("production", "main")}


def test_main_needs_two_reviews_and_develop_one_with_no_direct_pushes(foundation):
    protections = {p.inputs["pattern"]: p.inputs for p in foundation.of_type(PROTECTION)}
    assert {b: p["requiredPullRequestReviews"][0]["requiredApprovingReviewCount"] for b, p in protections.items()} \
        == {"main": 2, "develop": 1}
    for protection in protections.values():
        assert protection["enforceAdmins"] is True and protection["allowsForcePushes"] is False
        assert protection["repositoryId"] == "shop"


def test_each_environments_secrets_are_secret_inputs(foundation):
    secrets = {(s.inputs["environment"], s.inputs["secretName"]): s for s in foundation.of_type(SECRET)}
    assert sorted(secrets) == [("production", "RAILWAY_API_TOKEN"), ("uat", "KOYEB_TOKEN")]
    for secret in secrets.values():
        assert "plaintextValue" in secret.secret_inputs


def test_outputs_name_what_other_stacks_read_and_never_a_secret_value(foundation):
    outputs = foundation.outputs
    assert outputs["neon"]["projectId"] == "foundation-neon-project-id"
    assert outputs["neon"]["rootBranchId"] == "foundation-neon-root-branch-id"
    assert outputs["github"]["secrets"] == {"production": ["RAILWAY_API_TOKEN"], "uat": ["KOYEB_TOKEN"]}
    assert "koyeb-uat-token" not in repr(outputs)


def _error(**overrides) -> str:
    with pytest.raises(pulumi.RunError) as raised:
        _foundation(**overrides)
    return str(raised.value)


def test_production_without_a_reviewer_is_refused_naming_the_key():
    text = _error(**{"stagecraft:github": {"owner": "acme", "repository": "shop"}})
    assert "stagecraft:github.environments.production.reviewers[0]" in text
    assert "production needs at least one reviewer" in text


def test_production_deploying_from_another_branch_gets_a_fix_that_writes_a_list():
    github = {**GITHUB, "environments": {"production": {**GITHUB["environments"]["production"],
                                                        "branches": ["main", "release"]}}}
    text = _error(**{"stagecraft:github": github})
    key = "'stagecraft:github.environments.production.branches'"
    assert (f"fix: pulumi config rm --path {key} -s foundation && pulumi config set --path "
            f"'stagecraft:github.environments.production.branches[0]' main -s foundation") in text


def test_production_without_a_reviewer_and_on_another_branch_gets_both_problems_at_once():
    github = {"owner": "acme", "repository": "shop", "environments": {"production": {"branches": ["release"]}}}
    text = _error(**{"stagecraft:github": github})
    assert "production needs at least one reviewer" in text and "must be exactly ['main']" in text


def test_main_with_one_review_is_refused_naming_the_key():
    text = _error(**{"stagecraft:github": {**GITHUB, "branchProtection": {"main": {"approvingReviews": 1}}}})
    assert "stagecraft:github.branchProtection.main.approvingReviews" in text and "at least 2" in text


def test_secrets_in_plain_config_are_refused_before_anything_is_registered():
    with pytest.raises(pulumi.RunError, match="stagecraft:githubSecrets: holds credentials but is plain config"):
        build_stack("foundation", stack_config("foundation", FOUNDATION))


def test_a_secret_for_an_unknown_environment_is_refused_naming_it():
    text = _error(**{"stagecraft:githubSecrets": {"staging": {"TOKEN": "x"}}})
    assert "stagecraft:githubSecrets.staging: no such environment" in text
    assert "fix: pulumi config rm --path 'stagecraft:githubSecrets.staging' -s foundation" in text


def test_a_secret_name_github_refuses_is_removed_by_its_fix_never_overwritten():
    text = _error(**{"stagecraft:githubSecrets": {"uat": {"GITHUB_PAT": "x", "KOYEB_TOKEN": "y"}}})
    assert "stagecraft:githubSecrets.uat.GITHUB_PAT: not an Actions secret name" in text
    assert "fix: pulumi config rm --path 'stagecraft:githubSecrets.uat.GITHUB_PAT' -s foundation" in text
    assert "KOYEB_TOKEN" not in text


def test_reviewers_over_the_limit_are_each_removed_by_their_own_fix():
    production = {"reviewers": ["a", "b", "c", "d", "e", "f"], "reviewerTeams": ["t1", "t2"]}
    text = _error(**{"stagecraft:github": {**GITHUB, "environments": {"production": production}}})
    fixes = [line.strip() for line in text.splitlines() if line.strip().startswith("fix:")]
    assert fixes == [f"fix: pulumi config rm --path 'stagecraft:github.environments.production.reviewers[{i}]' "
                     "-s foundation" for i in (5, 4)]


def test_a_bad_reviewer_login_is_named_at_its_index_and_the_others_are_kept():
    production = {"reviewers": ["alice", "bad login"]}
    text = _error(**{"stagecraft:github": {**GITHUB, "environments": {"production": production}}})
    assert "stagecraft:github.environments.production.reviewers[1]: 'bad login' is not a GitHub login" in text
    assert ("fix: pulumi config set --path 'stagecraft:github.environments.production.reviewers[1]' "
            "'<reviewer login>' -s foundation") in text
