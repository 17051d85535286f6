"""The program's production check on the real engine: `pulumi up -s production` without `--policy-pack`.

The forged variables reach the program's preflight, which refuses the update before any resource is registered:
the stack stays empty. (A verified token passing preflight is shown by test_approval_preflight.py; going further
would need the production mix's bridged provider plugins, which cannot be had offline, DESIGN §11.)
"""

from __future__ import annotations

import pytest

from tests.delivery.refusals import FORGERY
from tests.engine.cli import ProjectCopy

pytestmark = pytest.mark.engine

UNREACHABLE = "http://127.0.0.1:9"
CREDENTIALS = {"KOYEB_TOKEN": "k-test", "NEON_API_KEY": "n-test", "UPSTASH_EMAIL": "ops@example.com",
               "UPSTASH_API_KEY": "u-test", "CLOUDFLARE_API_TOKEN": "c-test",
               # Nothing may be reached: a provider that tried would fail on these, not on the approval.
               "KOYEB_API_URL": UNREACHABLE, "NEON_API_URL": UNREACHABLE, "UPSTASH_API_URL": UNREACHABLE,
               "CLOUDFLARE_API_BASE_URL": UNREACHABLE}


def _production(tmp_path, scene) -> ProjectCopy:
    config = {
        "stagecraft:cloudflare": {"accountId": "0123456789abcdef0123456789abcdef"},
        "stagecraft:frontend": {"platform": "cloudflare-pages"},
        "stagecraft:backend": {"platform": "koyeb", "image": "ghcr.io/acme/backend:1.0.0"},
        "stagecraft:postgres": {"platform": "neon"},
        "stagecraft:redis": {"platform": "upstash"},
        "stagecraft:storage": {"platform": "r2"},
        "stagecraft:approval": {"repository": "acme/shop", "issuer": scene.issuer.url, "apiUrl": scene.api_url},
    }
    return ProjectCopy(tmp_path / "project", "production", config, extra_env=CREDENTIALS,
                       passphrase="production-test-passphrase")


def test_forged_variables_are_refused_by_the_program_without_the_pack(tmp_path, scene):
    project = _production(tmp_path, scene)
    project.env.update(FORGERY)
    result = project.up()
    assert result.returncode != 0
    assert "stack 'production' is production and this update has no verified approval" in result.output
    assert "STAGECRAFT_OIDC_TOKEN is not set" in result.output and "Traceback" not in result.output
    assert project.resource_count() == 0


def test_token_from_another_run_is_refused_by_the_program(tmp_path, scene):
    project = _production(tmp_path, scene)
    project.env.update(scene.job_env(scene.issuer.mint(run_id="5151")))
    result = project.up()
    assert result.returncode != 0 and "a token from another run does not count" in result.output, result.output[-3000:]
    assert project.resource_count() == 0
