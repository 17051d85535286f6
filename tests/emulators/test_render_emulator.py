"""RenderEmulator over HTTP with raw httpx calls: the platform rules a Render provider relies on."""

from __future__ import annotations

import pytest

from tests.emulators.render import DEFAULT_PORT, RenderEmulator
from tests.emulators.render_rules import cursor_of
from tests.emulators.support import loopback_client

TOKEN = {"Authorization": "Bearer rnd_test"}
IMAGE = "ghcr.io/weedgo/backend:1.0.0"


def paid_service(owner_id: str, **details) -> dict:
    return {"type": "web_service", "name": "stagecraft-beta-api", "ownerId": owner_id, "autoDeploy": "no",
            "image": {"ownerId": owner_id, "imagePath": IMAGE},
            "serviceDetails": {"runtime": "image", "plan": "starter", "region": "oregon",
                               "healthCheckPath": "/api/health", **details}}


@pytest.fixture
def render():
    emu = RenderEmulator(api_key="rnd_test")
    owner_id = emu.add_owner()
    with emu.serve() as base_url, loopback_client(base_url + "/v1", headers=TOKEN) as client:
        yield emu, client, owner_id
    assert emu.response_mismatches == []


def test_a_free_web_service_cannot_be_created_through_the_api(render):
    _, client, owner = render
    response = client.post("/services", json=paid_service(owner, plan="free"))
    assert (response.status_code, "dashboard" in response.json()["message"]) == (400, True)


def test_create_answers_the_service_and_its_first_deploy(render):
    _, client, owner = render
    body = client.post("/services", json=paid_service(owner)).json()
    deploy = client.get(f"/services/{body['service']['id']}/deploys/{body['deployId']}").json()
    assert (body["service"]["serviceDetails"]["url"], deploy["status"]) == (
        "https://stagecraft-beta-api.onrender.com", "live")


def test_a_paid_plan_without_a_card_is_payment_required():
    emu = RenderEmulator()
    owner = emu.add_owner()
    emu.card_on_file = False
    with emu.serve() as url, loopback_client(url + "/v1", headers=TOKEN) as client:
        assert client.post("/services", json=paid_service(owner)).status_code == 402


def test_a_service_id_that_does_not_exist_is_404(render):
    _, client, _ = render
    response = client.get("/services/srv-00000000000000000000")
    assert (response.status_code, response.json()["message"]) == (404, "not found: srv-00000000000000000000")


def test_every_list_item_carries_a_cursor_and_the_page_after_the_last_is_empty(render):
    emu, client, owner = render
    ids = [emu.add_dashboard_service(owner, f"svc-{n}") for n in range(3)]
    first = client.get("/services", params={"limit": 2}).json()
    second = client.get("/services", params={"limit": 2, "cursor": first[-1]["cursor"]}).json()
    third = client.get("/services", params={"limit": 2, "cursor": second[-1]["cursor"]}).json()
    assert ([i["service"]["id"] for i in first + second], third, first[0]["cursor"]) == (ids, [], cursor_of(ids[0]))


def test_env_vars_put_replaces_the_whole_set(render):
    emu, client, owner = render
    service_id = emu.add_dashboard_service(owner, "api", env={"OLD": "1", "KEEP": "x"})
    client.put(f"/services/{service_id}/env-vars", json=[{"key": "KEEP", "value": "y"}, {"key": "NEW", "value": "2"}])
    listed = client.get(f"/services/{service_id}/env-vars").json()
    assert {i["envVar"]["key"]: i["envVar"]["value"] for i in listed} == {"KEEP": "y", "NEW": "2"}


def test_generate_value_gets_a_random_value(render):
    emu, client, owner = render
    service_id = emu.add_dashboard_service(owner, "api")
    (item,) = client.put(f"/services/{service_id}/env-vars", json=[{"key": "SECRET", "generateValue": True}]).json()
    assert len(item["envVar"]["value"]) >= 32


def test_an_update_starts_no_deploy_and_a_deploy_runs_the_settings_it_starts_with(render):
    emu, client, owner = render
    service_id = emu.add_dashboard_service(owner, "api", image="ghcr.io/weedgo/backend:0.9.0")
    client.patch(f"/services/{service_id}", json={
        "image": {"ownerId": owner, "imagePath": IMAGE}, "serviceDetails": {"healthCheckPath": "/api/health"}})
    client.put(f"/services/{service_id}/env-vars", json=[{"key": "PORT", "value": "8000"}])
    before = emu.live_deploy(service_id)
    deploy = client.post(f"/services/{service_id}/deploys", json={}).json()
    client.get(f"/services/{service_id}/deploys/{deploy['id']}")
    after = emu.live_deploy(service_id)
    assert (before["image"], after) == ("ghcr.io/weedgo/backend:0.9.0", {
        "image": IMAGE, "env": {"PORT": "8000"}, "healthCheckPath": "/api/health", "dockerCommand": "",
        "plan": "free"})


def test_the_live_deploy_sets_the_open_port_from_port(render):
    emu, client, owner = render
    service_id = emu.add_dashboard_service(owner, "api")
    client.put(f"/services/{service_id}/env-vars", json=[{"key": "PORT", "value": "8000"}])
    deploy = client.post(f"/services/{service_id}/deploys", json={}).json()
    client.get(f"/services/{service_id}/deploys/{deploy['id']}")
    ports = client.get(f"/services/{service_id}").json()["serviceDetails"]["openPorts"]
    assert (ports, DEFAULT_PORT) == ([{"port": 8000, "protocol": "TCP"}], 10000)


def test_a_deploy_while_another_runs_is_queued_with_202_and_no_body(render):
    emu, client, owner = render
    emu.set_readiness_delay(3)
    service_id = emu.add_dashboard_service(owner, "api")
    first = client.post(f"/services/{service_id}/deploys", json={})
    second = client.post(f"/services/{service_id}/deploys", json={})
    queued = client.get(f"/services/{service_id}/deploys", params={"status": "queued", "limit": 1}).json()
    assert (first.status_code, second.status_code, second.content, len(queued)) == (201, 202, b"", 1)


def test_a_queued_deploy_starts_when_the_running_one_ends(render):
    emu, client, owner = render
    emu.set_readiness_delay(1)
    service_id = emu.add_dashboard_service(owner, "api")
    client.post(f"/services/{service_id}/deploys", json={})
    client.post(f"/services/{service_id}/deploys", json={})
    statuses = [[d["deploy"]["status"] for d in client.get(f"/services/{service_id}/deploys").json()]
                for _ in range(4)]
    assert statuses == [["queued", "update_in_progress", "live"], ["update_in_progress", "live", "deactivated"],
                        ["update_in_progress", "live", "deactivated"], ["live", "deactivated", "deactivated"]]


def test_a_failing_image_ends_update_failed_and_the_previous_deploy_keeps_serving(render):
    emu, client, owner = render
    service_id = emu.add_dashboard_service(owner, "api")
    emu.fail_image("ghcr.io/weedgo/backend:broken")
    client.patch(f"/services/{service_id}", json={"image": {"ownerId": owner, "imagePath": "ghcr.io/weedgo/backend:broken"}})
    deploy = client.post(f"/services/{service_id}/deploys", json={}).json()
    status = client.get(f"/services/{service_id}/deploys/{deploy['id']}").json()["status"]
    assert (status, emu.live_deploy(service_id)["image"]) == ("update_failed", "docker.io/library/nginx:latest")


def test_image_url_must_keep_the_configured_repository(render):
    emu, client, owner = render
    service_id = emu.add_dashboard_service(owner, "api", image="ghcr.io/weedgo/backend:1.0.0")
    assert client.post(f"/services/{service_id}/deploys", json={"imageUrl": "ghcr.io/other/app:1"}).status_code == 400
    assert client.post(f"/services/{service_id}/deploys", json={"imageUrl": "ghcr.io/weedgo/backend:2"}).status_code == 201


def test_deploys_and_updates_are_limited_to_ten_a_minute_per_service(render):
    emu, client, owner = render
    service_id = emu.add_dashboard_service(owner, "api")
    answers = [client.patch(f"/services/{service_id}", json={"autoDeploy": "no"}) for _ in range(11)]
    refused = answers[-1]
    assert ([a.status_code for a in answers[:10]] == [200] * 10, refused.status_code,
            int(refused.headers["Retry-After"]) > 0, refused.headers["Ratelimit-Limit"]) == (True, 429, True, "10")


def test_key_value_on_the_free_plan_is_created_and_stays_creating_a_while(render):
    _, client, owner = render
    created = client.post("/key-value", json={"name": "stagecraft-beta-cache", "ownerId": owner, "plan": "free",
                                              "region": "oregon", "maxmemoryPolicy": "allkeys_lru"})
    statuses = [client.get(f"/key-value/{created.json()['id']}").json()["status"] for _ in range(3)]
    assert (created.status_code, created.json()["status"], statuses) == (
        201, "creating", ["creating", "creating", "available"])


def test_a_second_free_key_value_is_refused(render):
    _, client, owner = render
    body = {"name": "a", "ownerId": owner, "plan": "free", "region": "oregon"}
    client.post("/key-value", json=body)
    assert client.post("/key-value", json={**body, "name": "b"}).status_code == 400


def test_key_value_connection_info_has_internal_and_external_strings(render):
    _, client, owner = render
    created = client.post("/key-value", json={"name": "c", "ownerId": owner, "plan": "free", "region": "frankfurt"}).json()
    info = client.get(f"/key-value/{created['id']}/connection-info").json()
    assert (info["internalConnectionString"], info["externalConnectionString"].startswith(f"rediss://{created['id']}:"),
            "@frankfurt-keyvalue.render.com:6379" in info["externalConnectionString"]) == (
        f"redis://{created['id']}:6379", True, True)


def test_deleted_key_value_reads_404(render):
    _, client, owner = render
    created = client.post("/key-value", json={"name": "c", "ownerId": owner, "plan": "free"}).json()
    assert (client.delete(f"/key-value/{created['id']}").status_code,
            client.get(f"/key-value/{created['id']}").status_code) == (204, 404)


def test_deleting_a_service_answers_204_and_reads_404_afterwards(render):
    _, client, owner = render
    service_id = client.post("/services", json=paid_service(owner)).json()["service"]["id"]
    assert (client.delete(f"/services/{service_id}").status_code,
            client.get(f"/services/{service_id}").status_code) == (204, 404)


def test_an_unknown_token_is_401():
    emu = RenderEmulator(api_key="right")
    with emu.serve() as url, loopback_client(url + "/v1", headers={"Authorization": "Bearer wrong"}) as client:
        assert client.get("/owners").status_code == 401
