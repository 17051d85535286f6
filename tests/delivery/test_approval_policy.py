"""production-approval (the pack's callback) with a local OIDC issuer and the emulated GitHub approvals API."""

from __future__ import annotations

import pytest
from stagecraft_guard.rules import approval

from tests.delivery.approval_scene import RUN_ID
from tests.delivery.refusals import FORGERY, REFUSALS, Refusal
from tests.policy.builders import STACK_TYPE, env, resource_args, run


def _update(scene, variables, stack="production", **config):
    settings = dict(scene.policy_config(), **config)
    return run(approval.policy(env(stack, **variables)), resource_args(STACK_TYPE, {}, config=settings))


def test_verified_token_of_the_approved_run_passes(scene):
    assert _update(scene, scene.job_env(scene.issuer.mint())).messages == []


@pytest.mark.parametrize("case", REFUSALS, ids=lambda case: case.name)
def test_refused_evidence_is_refused_with_its_reason(scene, case: Refusal):
    text = _update(scene, case.job_env(scene)).text
    assert "stack 'production' is production and this `pulumi up` has no verified approval" in text
    assert case.says in text, text


def test_forgery_names_the_old_variables_as_no_evidence(scene):
    assert "STAGECRAFT_APPROVAL and the GITHUB_* variables are not evidence" in _update(scene, FORGERY).text


def test_token_for_another_audience_is_refused(scene):
    text = _update(scene, scene.job_env(scene.issuer.mint(aud="https://github.com/acme"))).text
    assert "is for audience 'https://github.com/acme', not 'stagecraft'" in text


def test_token_from_a_job_without_environment_is_refused(scene):
    text = _update(scene, scene.job_env(scene.issuer.mint(environment=None))).text
    assert "the token comes from a job that names no environment" in text


def test_token_under_an_unpublished_key_id_is_refused(scene):
    import jwt

    token = jwt.encode(scene.issuer.claims(), scene.issuer.key, algorithm="RS256", headers={"kid": "rotated-away"})
    assert "key id 'rotated-away', which the issuer does not publish" in _update(scene, scene.job_env(token)).text


def test_token_that_is_not_a_jwt_is_refused(scene):
    assert "is not a JSON Web Token" in _update(scene, scene.job_env("not-a-token")).text


def test_unsigned_token_is_refused(scene):
    import jwt

    token = jwt.encode(scene.issuer.claims(), None, algorithm="none")
    assert "only RS256 tokens from the issuer are accepted" in _update(scene, scene.job_env(token)).text


def test_missing_github_token_is_refused_naming_the_permission(scene):
    variables = dict(scene.job_env(scene.issuer.mint()), GITHUB_TOKEN="")
    assert "GITHUB_TOKEN is not set" in _update(scene, variables).text


def test_unreachable_issuer_is_refused(scene):
    text = _update(scene, scene.job_env(scene.issuer.mint()), issuer="http://127.0.0.1:9").text
    assert "cannot read the issuer's discovery document" in text


def test_issuer_config_must_be_https_or_loopback(scene):
    text = _update(scene, scene.job_env(scene.issuer.mint()), issuer="http://issuer.example.com").text
    assert "policy config production-approval.issuer" in text and "use an https:// URL" in text


def test_production_update_without_a_configured_repository_says_where_to_set_it(scene):
    variables = scene.job_env(scene.issuer.mint())
    found = run(approval.policy(env("production", **variables)),
                resource_args(STACK_TYPE, {}, config={"issuer": scene.issuer.url, "apiUrl": scene.api_url}))
    assert 'set "repository": "<owner>/<name>" under production-approval in policies/config/production.json' \
        in found.text


def test_malformed_repository_setting_is_reported(scene):
    assert "is not <owner>/<name>" in _update(scene, {}, repository="acme").text


def test_stack_configured_as_production_needs_the_token(scene):
    text = _update(scene, FORGERY, stack="release-drill", production=True).text
    assert "configured as production (production-approval.production = true)" in text


def test_non_production_stack_needs_no_token(scene):
    assert _update(scene, {}, stack="uat").messages == []


def test_self_approval_passes_when_config_allows_it(scene):
    from tests.delivery.approval_scene import SELF_APPROVED_RUN

    variables = scene.job_env(scene.issuer.mint(run_id=SELF_APPROVED_RUN, actor="reviewer"), SELF_APPROVED_RUN)
    assert _update(scene, variables, allowSelfApproval=True).messages == []


def test_production_preview_is_not_refused(scene):
    found = run(approval.policy(env("production", dry_run=True)), resource_args(STACK_TYPE, {}, config=scene.policy_config()))
    assert found.messages == []


def test_preview_notice_says_an_approval_will_be_needed():
    found = run(approval.notice_policy(env("production", dry_run=True)), resource_args(STACK_TYPE, {}))
    assert "`pulumi up` will need a verified approval; no STAGECRAFT_OIDC_TOKEN in this run" in found.text


def test_preview_notice_says_when_a_token_is_present(scene):
    found = run(approval.notice_policy(env("production", dry_run=True, STAGECRAFT_OIDC_TOKEN="x")),
                resource_args(STACK_TYPE, {}))
    assert "an OIDC token is present" in found.text


def test_only_the_stack_resource_is_checked(scene):
    found = run(approval.policy(env("production")), resource_args("pulumi-python:dynamic/neon:Branch", {}))
    assert found.messages == []


def test_approvals_are_read_for_the_token_run_with_the_job_token(scene):
    before = len(scene.github.requests)
    _update(scene, scene.job_env(scene.issuer.mint()))
    reads = [r for r in scene.github.requests[before:] if r.path.endswith(f"/runs/{RUN_ID}/approvals")]
    assert [r.status for r in reads] == [200]
