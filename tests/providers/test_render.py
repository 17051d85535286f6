"""Render providers: input checks and diffs (no network), then Service and KeyValue against the Render emulator."""

from __future__ import annotations

from typing import Iterator

import httpx
import pytest

from providers._http import BadRequest, ForeignResource, ProviderError
from providers.render.client import RenderClient
from providers.render.deploys import DeployFailed
from providers.render.key_value import KeyValueProvider
from providers.render.service import ServiceProvider
from tests.emulators import Fault, RenderEmulator
from tests.emulators.support import loopback_client

OWNER = "stagecraft/beta"
IMAGE = "ghcr.io/weedgo/backend:1.0.0"
DATABASE_URL = "postgresql://postgres:pw@db.abcdefghijklmnopqrst.supabase.co:5432/postgres"


@pytest.fixture
def render(monkeypatch: pytest.MonkeyPatch, fast_http: None) -> Iterator[RenderEmulator]:
    """A fresh Render emulator with a workspace; RENDER_API_URL / RENDER_API_KEY point at it."""
    emu = RenderEmulator(api_key="rnd-test-key", rate_limit_scale=0.001)
    emu.workspace = emu.add_owner()
    with emu.serve() as url:
        emu.base_url = url
        monkeypatch.setenv("RENDER_API_URL", url + "/v1")
        monkeypatch.setenv("RENDER_API_KEY", "rnd-test-key")
        yield emu


def dashboard_props(emu: RenderEmulator, service_id: str, **changes) -> dict:
    return {"owner_id": emu.workspace, "service_id": service_id, "owner": OWNER, "image": IMAGE, "plan": "free",
            "region": "oregon", "health_check_path": "/api/health", "port": 8000,
            "env": {"ENVIRONMENT": "beta"}, "secret_env": {"DATABASE_URL": DATABASE_URL}, **changes}


def paid_props(emu: RenderEmulator, **changes) -> dict:
    props = dashboard_props(emu, None, name="stagecraft-beta-api", **{"plan": "starter", **changes})
    del props["service_id"]
    return props


def api(emu: RenderEmulator):
    """A raw client of the emulator (what a person does in the dashboard, or checks by hand)."""
    return loopback_client(emu.base_url + "/v1", headers={"Authorization": "Bearer rnd-test-key"})


def configured(emu: RenderEmulator, service_id: str) -> tuple[str, str, dict[str, str]]:
    """What a service is configured with now: image, health check path and env var set (read back raw)."""
    (service,) = emu.objects("services")
    with api(emu) as client:
        env = {i["envVar"]["key"]: i["envVar"]["value"] for i in client.get(f"/services/{service_id}/env-vars").json()}
    return service["imagePath"], service["serviceDetails"]["healthCheckPath"], env


def failures(result) -> dict[str, str]:
    return {f.property: f.reason for f in result.failures}


def key_value_props(emu: RenderEmulator, **changes) -> dict:
    return {"owner_id": emu.workspace, "name": "stagecraft-beta-cache", "owner": OWNER, "plan": "free",
            "region": "oregon", "maxmemory_policy": "allkeys_lru", **changes}


# --- check and diff --------------------------------------------------------------------------------------

CHECKED = {"owner_id": "tea-" + "a" * 20, "service_id": "srv-" + "b" * 20, "owner": OWNER, "image": IMAGE,
           "plan": "free", "region": "oregon", "health_check_path": "/api/health", "port": 8000}


def test_a_dashboard_made_service_passes_check():
    assert ServiceProvider().check({}, CHECKED).failures == []


def test_a_service_id_of_the_wrong_shape_fails_check():
    assert "service_id" in failures(ServiceProvider().check({}, {**CHECKED, "service_id": "static-123"}))


def test_a_region_render_does_not_have_fails_check():
    assert "region" in failures(ServiceProvider().check({}, {**CHECKED, "region": "mars"}))


def test_a_service_made_through_the_api_cannot_be_free():
    props = {**CHECKED, "service_id": None, "name": "api", "plan": "free"}
    assert "plan" in failures(ServiceProvider().check({}, props))


def test_the_provider_sets_port_and_the_owner_marker_itself():
    assert "env" in failures(ServiceProvider().check({}, {**CHECKED, "env": {"PORT": "1"}}))


def test_another_dashboard_service_replaces_but_an_image_change_updates_in_place():
    provider = ServiceProvider()
    replaced = provider.diff("id", CHECKED, {**CHECKED, "service_id": "srv-" + "c" * 20})
    updated = provider.diff("id", CHECKED, {**CHECKED, "image": "ghcr.io/weedgo/backend:1.0.1"})
    assert (replaced.replaces, updated.replaces, updated.changes) == (["service_id"], [], True)


# --- the dashboard-made free service -----------------------------------------------------------------------

def test_create_takes_over_the_dashboard_service_and_deploys_every_setting(render):
    service_id = render.add_dashboard_service(render.workspace, "weedgo-api", env={"FROM_DASHBOARD": "1"})
    created = ServiceProvider().create(dashboard_props(render, service_id))
    runs = render.live_deploy(service_id)
    assert (created.id, runs["image"], runs["healthCheckPath"], runs["env"]) == (
        service_id, IMAGE, "/api/health", {"ENVIRONMENT": "beta", "DATABASE_URL": DATABASE_URL,
                                           "STAGECRAFT_OWNER": OWNER, "PORT": "8000"})


def test_create_state_says_the_url_and_the_live_deploy(render):
    service_id = render.add_dashboard_service(render.workspace, "weedgo-api")
    outs = ServiceProvider().create(dashboard_props(render, service_id)).outs
    live = [d for d in render.objects("deploys") if d["status"] == "live"]
    assert (outs["url"], outs["deploy_id"], outs["service_name"]) == (
        "https://weedgo-api.onrender.com", live[0]["id"], "weedgo-api")


def test_read_after_create_reports_no_change(render):
    service_id = render.add_dashboard_service(render.workspace, "weedgo-api")
    provider = ServiceProvider()
    props = dashboard_props(render, service_id)
    created = provider.create(props)
    read = provider.read(created.id, {**props, **created.outs})
    assert (read.outs == created.outs, provider.diff(created.id, read.outs, props).changes) == (True, False)


def test_a_service_id_that_does_not_exist_is_a_clear_error(render):
    with pytest.raises(ProviderError, match="no service srv-0"):
        ServiceProvider().create(dashboard_props(render, "srv-" + "0" * 20))


def test_a_dashboard_service_on_another_plan_than_stated_is_refused(render):
    service_id = render.add_dashboard_service(render.workspace, "weedgo-api", plan="starter")
    with pytest.raises(ProviderError, match="plan 'starter', not 'free'"):
        ServiceProvider().create(dashboard_props(render, service_id))


def test_a_service_that_is_not_an_image_web_service_is_refused(render):
    site_id = render.add_dashboard_service(render.workspace, "docs", service_type="static_site")
    with pytest.raises(ProviderError, match="not a web service"):
        ServiceProvider().create(dashboard_props(render, site_id))


def test_a_service_another_stack_manages_is_left_untouched(render):
    service_id = render.add_dashboard_service(render.workspace, "weedgo-api", env={"STAGECRAFT_OWNER": "stagecraft/uat"})
    with pytest.raises(ForeignResource, match="stagecraft/uat"):
        ServiceProvider().create(dashboard_props(render, service_id))
    assert render.live_deploy(service_id)["image"] == "docker.io/library/nginx:latest"


def test_an_image_update_rolls_one_new_deploy(render):
    service_id = render.add_dashboard_service(render.workspace, "weedgo-api")
    provider = ServiceProvider()
    olds = dashboard_props(render, service_id)
    created = provider.create(olds)
    deploys_before = len(render.objects("deploys"))
    news = dashboard_props(render, service_id, image="ghcr.io/weedgo/backend:1.0.1")
    updated = provider.update(service_id, {**olds, **created.outs}, news)
    assert (len(render.objects("deploys")) - deploys_before, render.live_deploy(service_id)["image"],
            updated.outs["deploy_id"] != created.outs["deploy_id"]) == (1, "ghcr.io/weedgo/backend:1.0.1", True)


def test_a_secret_change_is_deployed(render):
    service_id = render.add_dashboard_service(render.workspace, "weedgo-api")
    provider = ServiceProvider()
    olds = dashboard_props(render, service_id)
    created = provider.create(olds)
    provider.update(service_id, {**olds, **created.outs},
                    dashboard_props(render, service_id, secret_env={"DATABASE_URL": DATABASE_URL + "?new"}))
    assert render.live_deploy(service_id)["env"]["DATABASE_URL"] == DATABASE_URL + "?new"


def test_a_failed_deploy_fails_with_its_status_while_the_previous_one_serves(render):
    service_id = render.add_dashboard_service(render.workspace, "weedgo-api")
    provider = ServiceProvider()
    olds = dashboard_props(render, service_id)
    created = provider.create(olds)
    render.fail_image("ghcr.io/weedgo/backend:broken")
    with pytest.raises(DeployFailed, match="update_failed"):
        provider.update(service_id, {**olds, **created.outs},
                        dashboard_props(render, service_id, image="ghcr.io/weedgo/backend:broken"))
    assert render.live_deploy(service_id)["image"] == IMAGE


def test_a_take_over_whose_first_deploy_fails_puts_the_dashboard_settings_back(render):
    service_id = render.add_dashboard_service(render.workspace, "weedgo-api", env={"FROM_DASHBOARD": "1"})
    render.fail_image("ghcr.io/weedgo/backend:broken")
    with pytest.raises(DeployFailed, match="update_failed"):
        ServiceProvider().create(dashboard_props(render, service_id, image="ghcr.io/weedgo/backend:broken"))
    image, _, env = configured(render, service_id)
    assert (image, env, render.live_deploy(service_id)["image"]) == (
        "docker.io/library/nginx:latest", {"FROM_DASHBOARD": "1"}, "docker.io/library/nginx:latest")


def test_a_take_over_retried_after_a_failed_deploy_still_restores_on_destroy(render):
    service_id = render.add_dashboard_service(render.workspace, "weedgo-api", env={"FROM_DASHBOARD": "1"})
    render.fail_image("ghcr.io/weedgo/backend:broken")
    provider = ServiceProvider()
    with pytest.raises(DeployFailed):
        provider.create(dashboard_props(render, service_id, image="ghcr.io/weedgo/backend:broken"))
    props = dashboard_props(render, service_id)
    created = provider.create(props)
    provider.delete(service_id, {**props, **created.outs})
    image, _, env = configured(render, service_id)
    assert (image, env) == ("docker.io/library/nginx:latest", {"FROM_DASHBOARD": "1"})


def test_a_deploy_queued_behind_another_is_waited_for(render):
    service_id = render.add_dashboard_service(render.workspace, "weedgo-api")
    render.set_readiness_delay(8)
    with api(render) as client:
        assert client.post(f"/services/{service_id}/deploys", json={}).status_code == 201
    ServiceProvider().create(dashboard_props(render, service_id))
    assert (render.live_deploy(service_id)["image"], any(r.status == 202 for r in render.requests)) == (IMAGE, True)


def test_a_lost_trigger_answer_makes_no_second_deploy(render):
    service_id = render.add_dashboard_service(render.workspace, "weedgo-api")
    render.inject(Fault.drop_after_action(), method="POST", path="/services/*/deploys")
    ServiceProvider().create(dashboard_props(render, service_id))
    assert len([d for d in render.objects("deploys")]) == 2


def test_destroy_leaves_the_dashboard_service_with_its_own_settings(render):
    service_id = render.add_dashboard_service(render.workspace, "weedgo-api", env={"FROM_DASHBOARD": "1"})
    provider = ServiceProvider()
    props = dashboard_props(render, service_id)
    created = provider.create(props)
    provider.delete(service_id, {**props, **created.outs})
    assert configured(render, service_id) == ("docker.io/library/nginx:latest", "", {"FROM_DASHBOARD": "1"})


# --- a paid service made through the API -------------------------------------------------------------------

def test_a_refused_create_never_quotes_a_secret_value_it_sent():
    echo = httpx.MockTransport(lambda request: httpx.Response(400, json={"message": f"bad request: {request.content!r}"}))
    client = RenderClient.from_env({"RENDER_API_KEY": "rnd-test-key"}, transport=echo)
    body = {"name": "stagecraft-beta-api", "envVars": [{"key": "DATABASE_URL", "value": DATABASE_URL}]}
    with pytest.raises(BadRequest) as refused:
        client.create_service(body)
    assert DATABASE_URL not in str(refused.value) and "***" in str(refused.value)


def test_a_paid_service_is_created_deployed_and_deleted(render):
    provider = ServiceProvider()
    props = paid_props(render)
    created = provider.create(props)
    runs = render.live_deploy(created.id)
    provider.delete(created.id, {**props, **created.outs})
    assert (runs["plan"], runs["env"]["STAGECRAFT_OWNER"], render.objects("services")) == ("starter", OWNER, [])


def test_a_lost_create_answer_adopts_the_service_this_call_made(render):
    render.inject(Fault.drop_after_action(), method="POST", path="/services")
    created = ServiceProvider().create(paid_props(render))
    assert [s["id"] for s in render.objects("services")] == [created.id]


# --- key value -----------------------------------------------------------------------------------------------

def test_a_free_key_value_is_created_and_waited_for(render):
    created = KeyValueProvider().create(key_value_props(render))
    (instance,) = render.objects("key_values")
    assert (instance["status"], created.outs["internal_url"], created.outs["external_url"].startswith("rediss://")) == (
        "available", f"redis://{created.id}:6379", True)


def test_a_same_named_key_value_is_never_adopted(render):
    KeyValueProvider().create(key_value_props(render, plan="starter"))
    with pytest.raises(ForeignResource):
        KeyValueProvider().create(key_value_props(render))


def test_a_second_free_key_value_says_render_allows_one(render):
    KeyValueProvider().create(key_value_props(render, name="other-cache"))
    with pytest.raises(ProviderError, match="one free Key Value instance per workspace"):
        KeyValueProvider().create(key_value_props(render))


def test_a_lost_key_value_create_answer_adopts_what_it_made(render):
    render.inject(Fault.drop_after_action(), method="POST", path="/key-value")
    created = KeyValueProvider().create(key_value_props(render))
    assert [k["id"] for k in render.objects("key_values")] == [created.id]


def test_key_value_read_after_create_reports_no_change(render):
    provider = KeyValueProvider()
    props = key_value_props(render)
    created = provider.create(props)
    assert provider.read(created.id, {**props, **created.outs}).outs == created.outs


def test_key_value_delete_of_what_is_gone_is_done(render):
    provider = KeyValueProvider()
    created = provider.create(key_value_props(render))
    provider.delete(created.id, created.outs)
    provider.delete(created.id, created.outs)
    assert render.objects("key_values") == []
