"""Production approval on the real engine: `pulumi up --policy-pack policies` of a stack configured as production.

The stand-in project of the policy tests (tests/policy/projects/guarded) runs under the pack with a policy config
that marks the stack as production and points production-approval at the local issuer and the emulated GitHub API.
"""

from __future__ import annotations

import json

import pytest

from tests.delivery.refusals import FORGERY
from tests.policy.test_guard_engine import ENV_SH, Engine

pytestmark = [
    pytest.mark.engine,
    pytest.mark.skipif(not ENV_SH.exists(), reason="bootstrap/env.sh is absent: no Pulumi engine to run the pack on"),
]

STACK = "release-drill"
PRODUCTION_FLAGGED = ("production-approval", "production-approval-notice", "production-isolation",
                      "production-data-protection")


@pytest.fixture(scope="module")
def drill(tmp_path_factory, scene):
    """An engine with a stack that the policy config makes production, and that config file."""
    workdir = tmp_path_factory.mktemp("approval-engine")
    engine = Engine(workdir)
    settings = {name: {"production": True} for name in PRODUCTION_FLAGGED}
    settings["production-approval"].update(scene.policy_config())
    config = workdir / "release-drill.json"
    config.write_text(json.dumps(settings))
    engine.init(STACK, scenario="minimal")
    return engine, str(config)


def _text(result) -> str:
    return result.stdout + result.stderr


def test_forged_variables_are_refused_by_the_pack_and_nothing_changes(drill):
    engine, config = drill
    result = engine.up(STACK, "--policy-pack-config", config, extra_env=FORGERY)
    assert result.returncode != 0, _text(result)
    assert "has no verified approval; nothing was changed" in result.stdout
    assert "STAGECRAFT_OIDC_TOKEN is not set" in result.stdout
    assert engine.resources(STACK) == []


def test_token_signed_by_another_key_is_refused_by_the_pack_and_nothing_changes(drill, scene):
    engine, config = drill
    result = engine.up(STACK, "--policy-pack-config", config, extra_env=scene.job_env(scene.issuer.mint_with_other_key()))
    assert result.returncode != 0 and "signature does not verify" in result.stdout, _text(result)
    assert engine.resources(STACK) == []


def test_preview_of_production_says_an_approval_will_be_needed(drill):
    engine, config = drill
    result = engine.preview(STACK, "--policy-pack-config", config)
    assert result.returncode == 0, _text(result)
    assert "[advisory]  stagecraft-guard v0.1.0  production-approval-notice" in result.stdout
    assert "`pulumi up` will need a verified approval" in result.stdout


def test_verified_token_of_the_approved_run_lets_the_update_through(drill, scene):
    engine, config = drill
    result = engine.up(STACK, "--policy-pack-config", config, extra_env=scene.job_env(scene.issuer.mint()))
    assert result.returncode == 0, _text(result)
    assert any(r["type"] == "pulumi-python:dynamic/koyeb:App" for r in engine.resources(STACK))
