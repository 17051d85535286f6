"""production-gate: required reviewers on the production environment, 2 reviews and no direct pushes on main."""

from stagecraft_guard.rules import gate

from .builders import UNKNOWN, run, stack_args, stack_resource

ENVIRONMENT = "github:index/repositoryEnvironment:RepositoryEnvironment"
PROTECTION = "github:index/branchProtection:BranchProtection"
SECRET = "github:index/actionsSecret:ActionsSecret"


def _environment(reviewers=None, name="production"):
    props = {"repository": "stagecraft", "environment": name}
    if reviewers is not None:
        props["reviewers"] = reviewers
    return stack_resource(ENVIRONMENT, props, name="production-env")


def _protection(drop=(), **changes):
    props = {"repositoryId": "stagecraft", "pattern": "main", "enforceAdmins": True, "allowsForcePushes": False,
             "requiredPullRequestReviews": [{"requiredApprovingReviewCount": 2}]}
    props.update(changes)
    for key in drop:
        del props[key]
    return stack_resource(PROTECTION, props, name="main-protection")


GOOD_ENVIRONMENT = _environment([{"users": [1234567], "teams": []}])


def test_compliant_gate_passes():
    assert run(gate.policy(), stack_args([GOOD_ENVIRONMENT, _protection()])).messages == []


def test_stack_without_delivery_resources_passes():
    assert run(gate.policy(), stack_args([])).messages == []


def test_environment_without_reviewers_is_refused():
    text = run(gate.policy(), stack_args([_environment(), _protection()])).text
    assert "has no required reviewers" in text


def test_environment_with_empty_reviewer_lists_is_refused():
    found = run(gate.policy(), stack_args([_environment([{"users": [], "teams": []}]), _protection()]))
    assert len(found.messages) == 1


def test_team_reviewers_count():
    assert run(gate.policy(), stack_args([_environment([{"teams": [42]}]), _protection()])).messages == []


def test_reviewers_unknown_at_preview_are_not_judged():
    assert run(gate.policy(), stack_args([_environment(UNKNOWN), _protection()])).messages == []


def test_one_approving_review_is_refused():
    found = run(gate.policy(), stack_args([GOOD_ENVIRONMENT,
                                           _protection(requiredPullRequestReviews=[{"requiredApprovingReviewCount": 1}])]))
    assert "requires 1 approving review(s)" in found.text


def test_unset_review_count_is_refused_as_githubs_default_of_one():
    found = run(gate.policy(), stack_args([GOOD_ENVIRONMENT, _protection(requiredPullRequestReviews=[{}])]))
    assert "not set (GitHub's default is 1)" in found.text


def test_missing_pull_request_reviews_is_refused():
    found = run(gate.policy(), stack_args([GOOD_ENVIRONMENT, _protection(requiredPullRequestReviews=[])]))
    assert "does not require pull request reviews" in found.text


def test_force_pushes_are_refused():
    found = run(gate.policy(), stack_args([GOOD_ENVIRONMENT, _protection(allowsForcePushes=True)]))
    assert "allows force pushes" in found.text


def test_admins_bypassing_reviews_are_refused():
    found = run(gate.policy(), stack_args([GOOD_ENVIRONMENT, _protection(enforceAdmins=False)]))
    assert "administrators can push to 'main' directly" in found.text


def test_unset_enforce_admins_is_refused():
    protection = _protection(drop=("enforceAdmins",))
    assert "enforce_admins is not true" in run(gate.policy(), stack_args([GOOD_ENVIRONMENT, protection])).text


def test_environment_without_branch_protection_is_refused():
    found = run(gate.policy(), stack_args([GOOD_ENVIRONMENT]))
    assert "no branch protection for 'main'" in found.text


def test_branch_protection_without_environment_is_refused():
    assert "manages no GitHub environment 'production'" in run(gate.policy(), stack_args([_protection()])).text


def test_other_environments_are_not_gates():
    found = run(gate.policy(), stack_args([_environment(name="uat"), stack_resource(SECRET, {}, name="s")]))
    assert found.messages == []


def test_config_can_require_more_reviews():
    found = run(gate.policy(), stack_args([GOOD_ENVIRONMENT, _protection()], {"minApprovingReviews": 3}))
    assert "requires 2 approving review(s)" in found.text


def test_config_cannot_lower_reviews_below_two():
    found = run(gate.policy(), stack_args([GOOD_ENVIRONMENT, _protection()], {"minApprovingReviews": 1}))
    assert "below the minimum 2" in found.text
