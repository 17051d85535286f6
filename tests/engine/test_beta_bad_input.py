"""Bad beta input on the real engine, with the real program: refused before anything is built or created, with the
full key and a fix (issue 9: "Bad input")."""

from __future__ import annotations

from contextlib import ExitStack

import pytest

from tests.emulators import RenderEmulator
from tests.engine.cli import ProjectCopy

pytestmark = pytest.mark.engine

CREDENTIALS = {"NETLIFY_AUTH_TOKEN": "nfp-test", "RENDER_API_KEY": "rnd-test", "SUPABASE_ACCESS_TOKEN": "sbp-test",
               # Nothing else may be reached: a provider that tried would fail on these, not on the input.
               "NETLIFY_API_URL": "http://127.0.0.1:9", "SUPABASE_API_URL": "http://127.0.0.1:9"}


def _beta(tmp_path, render_url: str, owner_id: str, service_id: str, **sections) -> ProjectCopy:
    config = {
        "stagecraft:frontend": {"platform": "netlify", "productionBranch": "staging"},
        "stagecraft:backend": {"platform": "render", "image": "ghcr.io/weedgo/backend:1.0.0",
                               "render": {"serviceId": service_id}},
        "stagecraft:render": {"ownerId": owner_id, "region": "oregon"},
        "stagecraft:postgres": {"platform": "supabase"},
        "stagecraft:supabase": {"organizationSlug": "weedgo", "region": "us-east-1"},
        "stagecraft:redis": {"platform": "render"},
        "stagecraft:storage": {"platform": "supabase"},
        **{f"stagecraft:{key}": value for key, value in sections.items()},
    }
    return ProjectCopy(tmp_path / "project", "beta", config, passphrase="beta-test-passphrase",
                       extra_env={**CREDENTIALS, "RENDER_API_URL": render_url + "/v1"})


def _refused(project: ProjectCopy, render: RenderEmulator, *expected: str) -> None:
    for result in (project.preview(), project.up()):
        assert result.returncode != 0
        for text in expected:
            assert text in result.output, result.output[-3000:]
        assert "Traceback" not in result.output
    assert project.resource_count() == 0
    assert [r for r in render.requests if r.method != "GET"] == []


@pytest.fixture
def render():
    emulator = RenderEmulator(api_key="rnd-test")
    owner_id = emulator.add_owner()
    with ExitStack() as stack:
        url = stack.enter_context(emulator.serve())
        yield emulator, url, owner_id


def test_a_render_service_id_that_does_not_exist_is_refused_naming_the_key(tmp_path, render):
    emulator, url, owner_id = render
    project = _beta(tmp_path, url, owner_id, "srv-" + "0" * 20)
    _refused(project, emulator, "stagecraft:backend.render.serviceId: there is no service srv-0",
             "pulumi config set --path 'stagecraft:backend.render.serviceId'")


def test_a_render_service_that_is_not_a_web_service_is_refused_naming_the_key(tmp_path, render):
    emulator, url, owner_id = render
    site_id = emulator.add_dashboard_service(owner_id, "docs", service_type="static_site")
    _refused(_beta(tmp_path, url, owner_id, site_id), emulator,
             "stagecraft:backend.render.serviceId", "not a web service from a container image")


def test_a_supabase_region_that_does_not_exist_is_refused_naming_the_key(tmp_path, render):
    emulator, url, owner_id = render
    service_id = emulator.add_dashboard_service(owner_id, "api")
    project = _beta(tmp_path, url, owner_id, service_id,
                    supabase={"organizationSlug": "weedgo", "region": "mars-north-1"})
    _refused(project, emulator, "stagecraft:supabase.region: 'mars-north-1' is not a Supabase region",
             "fix: pulumi config", "--path 'stagecraft:supabase.region'")


def test_a_site_name_netlify_would_refuse_is_refused_naming_the_key(tmp_path, render):
    emulator, url, owner_id = render
    service_id = emulator.add_dashboard_service(owner_id, "api")
    project = _beta(tmp_path, url, owner_id, service_id, netlify={"siteNamePrefix": "weedgo-" + "x" * 40})
    _refused(project, emulator, "stagecraft:netlify.siteNamePrefix", "at most 63",
             "fix: pulumi config", "--path 'stagecraft:netlify.siteNamePrefix'")
