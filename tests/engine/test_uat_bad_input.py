"""Bad frontend input on a cloud stack, on the real engine: refused by the program before anything is built,
uploaded or created, with the full key and a fix (issue 7: "Bad input")."""

from __future__ import annotations

import pytest

from tests.engine.cli import ProjectCopy

pytestmark = pytest.mark.engine

ACCOUNT = "0123456789abcdef0123456789abcdef"
CREDENTIALS = {"KOYEB_TOKEN": "k-test", "NEON_API_KEY": "n-test", "UPSTASH_EMAIL": "ops@example.com",
               "UPSTASH_API_KEY": "u-test", "CLOUDFLARE_API_TOKEN": "c-test",
               # Nothing may be reached: a provider that tried would fail on these, not on the input.
               "KOYEB_API_URL": "http://127.0.0.1:9", "NEON_API_URL": "http://127.0.0.1:9",
               "UPSTASH_API_URL": "http://127.0.0.1:9", "CLOUDFLARE_API_BASE_URL": "http://127.0.0.1:9"}


def _uat(tmp_path, apps: list[dict]) -> ProjectCopy:
    config = {
        "stagecraft:cloudflare": {"accountId": ACCOUNT},
        "stagecraft:frontend": {"platform": "cloudflare-pages", "productionBranch": "develop", "apps": apps},
        "stagecraft:backend": {"platform": "koyeb", "image": "ghcr.io/weedgo/backend:1.0.0"},
        "stagecraft:postgres": {"platform": "neon"},
        "stagecraft:redis": {"platform": "upstash"},
        "stagecraft:storage": {"platform": "r2"},
    }
    return ProjectCopy(tmp_path / "project", "uat", config, extra_env=CREDENTIALS, passphrase="uat-test-passphrase")


def _refused(project: ProjectCopy, *expected: str) -> None:
    for result in (project.preview(), project.up()):
        assert result.returncode != 0
        for text in expected:
            assert text in result.output, result.output[-3000:]
        assert "Traceback" not in result.output
    assert project.resource_count() == 0
    assert not (project.root / ".stagecraft" / "builds").exists()


def test_a_missing_app_source_is_refused_naming_the_key(tmp_path):
    project = _uat(tmp_path, [{"name": "shop", "source": "apps/shop", "devPort": 3000, "framework": "vite"}])
    _refused(project, "stagecraft:frontend.apps[0].source: app 'shop': source folder", "does not exist",
             "pulumi config set --path 'stagecraft:frontend.apps[0].source'")


def test_an_unknown_variant_is_refused_naming_the_key_and_the_variants_the_app_builds(tmp_path):
    project = _uat(tmp_path, [{"name": "shop", "variant": "retro", "devPort": 3000, "framework": "vite"}])
    _refused(project, "variant 'retro' is not one the app builds",
             "pulumi config set --path 'stagecraft:frontend.apps[0].variant' pot-palace -s uat")
