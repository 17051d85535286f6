"""The program's own production check (settings/preflight.py): the same verifier, without `--policy-pack`."""

from __future__ import annotations

from pathlib import Path

import pulumi
import pytest

from settings import load_settings
from settings.preflight import preflight
from tests.delivery.refusals import FORGERY, REFUSALS, Refusal

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {"frontend": {"platform": "cloudflare-pages"}, "backend": {"platform": "koyeb", "image": "img:1"},
              "postgres": {"platform": "neon"}, "redis": {"platform": "upstash"}, "storage": {"platform": "r2"},
              "cloudflare": {"accountId": "0123456789abcdef0123456789abcdef"},
              # uat (Pulumi.uat.yaml) holds the free Koyeb instance and Upstash database of the default accounts
              "accounts": {"koyeb": "production-org", "upstash": "production-account"}}
CREDENTIALS = {"KOYEB_TOKEN": "k", "NEON_API_KEY": "n", "UPSTASH_EMAIL": "e", "UPSTASH_API_KEY": "u",
               "CLOUDFLARE_API_TOKEN": "c", "PULUMI_CONFIG_PASSPHRASE": "production-passphrase"}


def _settings(scene, stack="production", **extra):
    approval = {"repository": "acme/shop", "issuer": scene.issuer.url, "apiUrl": scene.api_url}
    return load_settings("stagecraft", stack, {**PRODUCTION, "approval": approval, **extra})


def _update(settings, variables):
    preflight(settings, environ={**CREDENTIALS, **variables}, project_root=ROOT, dry_run=False)


def test_verified_token_of_the_approved_run_passes_preflight(scene):
    _update(_settings(scene), scene.job_env(scene.issuer.mint()))


@pytest.mark.parametrize("case", REFUSALS, ids=lambda case: case.name)
def test_refused_evidence_stops_the_program_with_its_reason(scene, case: Refusal):
    with pytest.raises(pulumi.RunError) as caught:
        _update(_settings(scene), case.job_env(scene))
    message = str(caught.value)
    assert "stack 'production' is production and this update has no verified approval" in message
    assert case.says in message and "Nothing was changed." in message


def test_preview_of_production_needs_no_token(scene):
    preflight(_settings(scene), environ=dict(CREDENTIALS), project_root=ROOT, dry_run=True)


def test_non_production_stack_needs_no_token(scene):
    _update(_settings(scene, stack="uat"), {})


def test_stack_whose_environment_is_production_needs_the_token(scene):
    settings = _settings(scene, stack="release-drill", environment="production")
    with pytest.raises(pulumi.RunError, match="stack 'release-drill' is production"):
        _update(settings, FORGERY)


def test_missing_repository_names_the_key_and_the_fix(scene):
    settings = load_settings("stagecraft", "production", PRODUCTION)
    with pytest.raises(pulumi.RunError) as caught:
        _update(settings, scene.job_env(scene.issuer.mint()))
    assert "pulumi config set --path 'stagecraft:approval.repository' '<owner>/<name>' -s production" in str(caught.value)


def test_plain_http_issuer_outside_this_machine_is_refused_at_config_time():
    with pytest.raises(ValueError, match="stagecraft:approval.issuer"):
        load_settings("stagecraft", "production", {**PRODUCTION, "approval": {"issuer": "http://issuer.example.com"}})


def test_malformed_repository_is_refused_at_config_time():
    with pytest.raises(ValueError, match="stagecraft:approval.repository"):
        load_settings("stagecraft", "production", {**PRODUCTION, "approval": {"repository": "not a repo"}})
