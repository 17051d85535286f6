"""Preflight of the beta stack: missing credentials, and the dashboard-made Render service checked with Render's API."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pulumi
import pytest

from settings.load import load_settings
from settings.preflight import preflight
from tests.emulators import RenderEmulator

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CREDENTIALS = {"NETLIFY_AUTH_TOKEN": "nfp", "RENDER_API_KEY": "rnd-key", "SUPABASE_ACCESS_TOKEN": "sbp",
               "PULUMI_CONFIG_PASSPHRASE": "beta-passphrase", "STAGECRAFT_HTTP_BACKOFF_SCALE": "0.001"}


@pytest.fixture
def render() -> Iterator[tuple[RenderEmulator, str, str]]:
    emu = RenderEmulator(api_key="rnd-key")
    owner = emu.add_owner()
    with emu.serve() as url:
        yield emu, url, owner


def settings_for(owner: str, service_id: str, region: str = "oregon"):
    return load_settings("stagecraft", "beta", {
        "frontend": {"platform": "netlify"},
        "backend": {"platform": "render", "image": "ghcr.io/weedgo/backend:1.0.0", "render": {"serviceId": service_id}},
        "render": {"ownerId": owner, "region": region},
        "postgres": {"platform": "supabase"}, "redis": {"platform": "render"}, "storage": {"platform": "supabase"},
        "supabase": {"organizationSlug": "weedgo"}})


def problems(settings, environ) -> str:
    with pytest.raises(pulumi.RunError) as caught:
        preflight(settings, environ, project_root=PROJECT_ROOT)
    return str(caught.value)


def test_missing_beta_credentials_are_named(render):
    _, url, owner = render
    text = problems(settings_for(owner, "srv-" + "a" * 20), {"RENDER_API_URL": url + "/v1",
                                                             "PULUMI_CONFIG_PASSPHRASE": "x"})
    assert all(name in text for name in ("NETLIFY_AUTH_TOKEN", "RENDER_API_KEY", "SUPABASE_ACCESS_TOKEN"))


def test_a_render_service_id_that_does_not_exist_names_the_key_before_anything_changes(render):
    emu, url, owner = render
    text = problems(settings_for(owner, "srv-" + "0" * 20), {**CREDENTIALS, "RENDER_API_URL": url + "/v1"})
    assert ("stagecraft:backend.render.serviceId: there is no service srv-0" in text
            and [r for r in emu.requests if r.method != "GET"] == [])


def test_a_render_service_that_is_not_a_web_service_names_the_key(render):
    emu, url, owner = render
    site_id = emu.add_dashboard_service(owner, "docs", service_type="static_site")
    text = problems(settings_for(owner, site_id), {**CREDENTIALS, "RENDER_API_URL": url + "/v1"})
    assert "stagecraft:backend.render.serviceId" in text and "not a web service from a container image" in text


def test_a_service_in_another_region_names_the_region_key(render):
    emu, url, owner = render
    service_id = emu.add_dashboard_service(owner, "api", region="frankfurt")
    text = problems(settings_for(owner, service_id), {**CREDENTIALS, "RENDER_API_URL": url + "/v1"})
    assert "pulumi config set --path 'stagecraft:render.region' frankfurt -s beta" in text


def test_the_dashboard_service_passes_preflight(render):
    emu, url, owner = render
    service_id = emu.add_dashboard_service(owner, "api")
    preflight(settings_for(owner, service_id), {**CREDENTIALS, "RENDER_API_URL": url + "/v1"},
              project_root=PROJECT_ROOT)
