"""production-approval and its preview notice: production updates only with CI approval evidence."""

from stagecraft_guard.rules import approval

from .builders import STACK_TYPE, env, resource_args, run

RUN = "9876543210"
EVIDENCE = {"GITHUB_ACTIONS": "true", "GITHUB_RUN_ID": RUN, "GITHUB_REF": "refs/heads/main",
            "GITHUB_ACTOR": "merger", "STAGECRAFT_APPROVAL": f"production:{RUN}:reviewer"}


def _update(stack="production", config=None, **variables):
    return run(approval.policy(env(stack, **variables)), resource_args(STACK_TYPE, {}, config=config))


def _preview(stack="production", config=None, **variables):
    return run(approval.notice_policy(env(stack, dry_run=True, **variables)), resource_args(STACK_TYPE, {}, config=config))


def test_production_update_without_evidence_is_refused():
    text = _update().text
    assert "stack 'production' is production" in text and "STAGECRAFT_APPROVAL is not set" in text


def test_production_update_with_evidence_passes():
    assert _update(**EVIDENCE).messages == []


def test_stack_configured_as_production_is_refused_without_evidence():
    text = _update("release-drill", config={"production": True}).text
    assert "configured as production (production-approval.production = true)" in text


def test_stack_configured_as_production_passes_with_evidence():
    assert _update("release-drill", config={"production": True}, **EVIDENCE).messages == []


def test_non_production_stack_needs_no_evidence():
    assert _update("uat").messages == []


def test_config_cannot_make_the_production_stack_non_production():
    assert len(_update(config={"production": False}).messages) == 1


def test_evidence_outside_github_actions_is_refused():
    assert "not a GitHub Actions job" in _update(**dict(EVIDENCE, GITHUB_ACTIONS="")).text


def test_evidence_from_another_run_is_refused():
    text = _update(**dict(EVIDENCE, GITHUB_RUN_ID="111")).text
    assert f"is for run {RUN} but this is run 111" in text


def test_evidence_for_another_environment_is_refused():
    text = _update(**dict(EVIDENCE, STAGECRAFT_APPROVAL=f"staging:{RUN}:reviewer")).text
    assert "names environment 'staging', not 'production'" in text


def test_evidence_from_another_branch_is_refused():
    assert "this run is on refs/heads/feature" in _update(**dict(EVIDENCE, GITHUB_REF="refs/heads/feature")).text


def test_malformed_evidence_is_refused():
    assert "is not in the form" in _update(**dict(EVIDENCE, STAGECRAFT_APPROVAL="approved")).text


def test_evidence_without_approver_is_refused():
    assert "names no approver" in _update(**dict(EVIDENCE, STAGECRAFT_APPROVAL=f"production:{RUN}:")).text


def test_self_approval_is_refused():
    text = _update(**dict(EVIDENCE, STAGECRAFT_APPROVAL=f"production:{RUN}:merger")).text
    assert "the only approver is 'merger', who started the run" in text


def test_self_approval_passes_when_config_allows_it():
    variables = dict(EVIDENCE, STAGECRAFT_APPROVAL=f"production:{RUN}:merger")
    assert _update(config={"allowSelfApproval": True}, **variables).messages == []


def test_configured_deploy_branch_is_required():
    assert _update(config={"branch": "release"}, **EVIDENCE).messages != []


def test_only_the_stack_resource_is_checked():
    found = run(approval.policy(env("production")), resource_args("pulumi-python:dynamic/neon:Branch", {}))
    assert found.messages == []


def test_production_preview_is_not_refused():
    found = run(approval.policy(env("production", dry_run=True)), resource_args(STACK_TYPE, {}))
    assert found.messages == []


def test_production_preview_says_an_approval_will_be_needed():
    text = _preview().text
    assert "preview only: stack 'production' is production, so `pulumi up` will need an approval" in text


def test_production_preview_notes_evidence_when_present():
    assert f"approval evidence present: run {RUN} approved by reviewer" in _preview(**EVIDENCE).text


def test_notice_is_silent_for_non_production_previews():
    assert _preview("uat").messages == []


def test_notice_is_silent_during_the_update():
    found = run(approval.notice_policy(env("production")), resource_args(STACK_TYPE, {}))
    assert found.messages == []


def test_notice_is_advisory_so_a_production_preview_still_runs():
    from pulumi_policy import EnforcementLevel

    assert approval.notice_policy().enforcement_level is EnforcementLevel.ADVISORY


def test_misspelt_approval_setting_is_reported():
    assert "unknown setting" in _update(config={"environmnet": "prod"}).text
