"""KoyebEmulator over HTTP with raw httpx calls: state transitions and the API's error behaviour."""

from __future__ import annotations

import httpx
import pytest

from tests.emulators import KoyebEmulator
from tests.emulators.support import loopback_client

AUTH = {"Authorization": "Bearer test-token"}
APP_NAME = "stagecraft-uat"
SERVICE_DEFINITION = {
    "type": "WEB",
    "docker": {"image": "ghcr.io/stagecraft/api:1.0.0"},
    "regions": ["fra"],
    "instance_types": [{"type": "free"}],
    "scalings": [{"min": 0, "max": 1}],
    "ports": [{"port": 8000, "protocol": "http"}],
    "routes": [{"port": 8000, "path": "/"}],
    "env": [{"key": "ENVIRONMENT", "value": "uat"}],
    "health_checks": [{"http": {"port": 8000, "path": "/api/health"}}],
}


def with_changes(**changes):
    return {**SERVICE_DEFINITION, **changes}


@pytest.fixture
def koyeb():
    emu = KoyebEmulator(organization="acme")
    with emu.serve() as base_url, loopback_client(base_url, headers=AUTH) as client:
        yield emu, client
    assert emu.response_mismatches == []


def create_app(client, name=APP_NAME):
    response = client.post("/v1/apps", json={"name": name})
    assert response.status_code == 200, response.text
    return response.json()["app"]


def create_service(client, app_id, name="backend", definition=SERVICE_DEFINITION):
    response = client.post("/v1/services", json={"app_id": app_id, "name": name, "definition": definition})
    assert response.status_code == 200, response.text
    return response.json()["service"]


def rejected_fields(response):
    assert response.status_code == 400, response.text
    return {f["field"]: f["description"] for f in response.json()["fields"]}


# ---- auth and errors ---------------------------------------------------------------------------


def test_request_without_bearer_token_is_401_in_the_error_shape(koyeb):
    emu, client = koyeb
    response = httpx.get(f"{client.base_url}/v1/apps", verify=False)
    assert (response.status_code, response.json()["code"]) == (401, "unauthenticated")


def test_configured_token_must_match():
    emu = KoyebEmulator(token="right")
    with emu.serve() as base_url:
        response = httpx.get(f"{base_url}/v1/apps", headers={"Authorization": "Bearer wrong"}, verify=False)
    assert response.status_code == 401


def test_missing_app_is_404_error(koyeb):
    _, client = koyeb
    response = client.get("/v1/apps/00000000-0000-4000-8000-000000000000")
    assert (response.status_code, response.json()) == (404, {"status": 404, "code": "not_found", "message": "App not found"})


# ---- apps --------------------------------------------------------------------------------------


def test_new_app_gets_the_public_domain_app_dash_org(koyeb):
    _, client = koyeb
    app = create_app(client)
    assert app["domains"][0]["name"] == "stagecraft-uat-acme.koyeb.app"


def test_new_app_starts_then_reports_healthy_on_read(koyeb):
    _, client = koyeb
    app = create_app(client)
    after = client.get(f"/v1/apps/{app['id']}").json()["app"]
    assert (app["status"], after["status"], after["domains"][0]["status"]) == ("STARTING", "HEALTHY", "ACTIVE")


def test_duplicate_app_name_is_400_name_already_exists(koyeb):
    _, client = koyeb
    create_app(client)
    assert rejected_fields(client.post("/v1/apps", json={"name": APP_NAME})) == {"name": "already exists"}


def test_app_name_longer_than_23_characters_is_rejected(koyeb):
    _, client = koyeb
    assert "name" in rejected_fields(client.post("/v1/apps", json={"name": "a" * 24}))


def test_list_apps_filters_by_name_and_pages(koyeb):
    _, client = koyeb
    for suffix in ("a", "b", "c"):
        create_app(client, f"{APP_NAME}-{suffix}")
    create_app(client, "other-app")
    page = client.get("/v1/apps", params={"name": APP_NAME, "limit": "2", "offset": "0"}).json()
    assert ([a["name"] for a in page["apps"]], page["count"], page["has_next"]) == (
        ["stagecraft-uat-a", "stagecraft-uat-b"], 3, True,
    )


def test_renaming_an_app_moves_its_domain(koyeb):
    _, client = koyeb
    app = create_app(client)
    renamed = client.patch(f"/v1/apps/{app['id']}", json={"name": "stagecraft-beta"}).json()["app"]
    assert renamed["domains"][0]["name"] == "stagecraft-beta-acme.koyeb.app"


def test_deleting_an_app_deletes_its_services(koyeb):
    emu, client = koyeb
    app = create_app(client)
    create_service(client, app["id"])
    client.delete(f"/v1/apps/{app['id']}")
    assert (emu.objects("apps"), emu.objects("services"), emu.objects("deployments")) == ([], [], [])


# ---- services ----------------------------------------------------------------------------------


def test_service_starts_then_becomes_healthy_with_an_active_deployment(koyeb):
    _, client = koyeb
    service = create_service(client, create_app(client)["id"])
    after = client.get(f"/v1/services/{service['id']}").json()["service"]
    assert (service["status"], after["status"], after["active_deployment_id"]) == (
        "STARTING", "HEALTHY", service["latest_deployment_id"],
    )


def test_deployment_keeps_the_definition_sent(koyeb):
    _, client = koyeb
    service = create_service(client, create_app(client)["id"])
    deployment = client.get(f"/v1/deployments/{service['latest_deployment_id']}").json()["deployment"]
    assert (deployment["definition"], deployment["status"]) == (SERVICE_DEFINITION, "HEALTHY")


def test_readiness_delay_keeps_a_service_starting_for_that_many_reads(koyeb):
    emu, client = koyeb
    emu.set_readiness_delay(polls=2)
    service = create_service(client, create_app(client)["id"])
    statuses = [client.get(f"/v1/services/{service['id']}").json()["service"]["status"] for _ in range(3)]
    assert statuses == ["STARTING", "STARTING", "HEALTHY"]


def test_service_name_is_unique_within_an_app(koyeb):
    _, client = koyeb
    app = create_app(client)
    create_service(client, app["id"])
    duplicate = client.post("/v1/services", json={"app_id": app["id"], "name": "backend",
                                                 "definition": with_changes(instance_types=[{"type": "nano"}])})
    assert rejected_fields(duplicate) == {"name": "already exists"}


def test_only_one_free_instance_per_organization(koyeb):
    _, client = koyeb
    create_service(client, create_app(client)["id"])
    other = client.post("/v1/services", json={"app_id": create_app(client, "second-app")["id"], "name": "worker",
                                             "definition": SERVICE_DEFINITION})
    assert "definition.instance_types" in rejected_fields(other)


def test_free_instance_outside_fra_or_was_is_rejected(koyeb):
    _, client = koyeb
    response = client.post("/v1/services", json={"app_id": create_app(client)["id"], "name": "backend",
                                                "definition": with_changes(regions=["sin"])})
    assert "definition.regions" in rejected_fields(response)


def test_env_referencing_a_missing_secret_is_rejected(koyeb):
    _, client = koyeb
    definition = with_changes(env=[{"key": "DATABASE_URL", "secret": "db-url"}])
    response = client.post("/v1/services", json={"app_id": create_app(client)["id"], "name": "backend",
                                                "definition": definition})
    assert rejected_fields(response) == {"definition.env[0].secret": "secret 'db-url' does not exist"}


def test_health_check_on_an_undeclared_port_is_rejected(koyeb):
    _, client = koyeb
    definition = with_changes(health_checks=[{"http": {"port": 9000, "path": "/api/health"}}])
    response = client.post("/v1/services", json={"app_id": create_app(client)["id"], "name": "backend",
                                                "definition": definition})
    assert "definition.health_checks[0].http.port" in rejected_fields(response)


def test_service_for_a_missing_app_is_rejected(koyeb):
    _, client = koyeb
    response = client.post("/v1/services", json={"app_id": "nope", "name": "backend", "definition": SERVICE_DEFINITION})
    assert rejected_fields(response) == {"app_id": "app not found"}


def test_dry_run_creates_nothing(koyeb):
    emu, client = koyeb
    app = create_app(client)
    client.post("/v1/services", params={"dry_run": "true"},
                json={"app_id": app["id"], "name": "backend", "definition": SERVICE_DEFINITION})
    assert emu.objects("services") == []


def test_update_deploys_the_new_definition_and_stops_the_old_deployment(koyeb):
    _, client = koyeb
    service = create_service(client, create_app(client)["id"])
    first = client.get(f"/v1/services/{service['id']}").json()["service"]["active_deployment_id"]
    client.patch(f"/v1/services/{service['id']}", json={"definition": with_changes(env=[])})
    active = client.get(f"/v1/services/{service['id']}").json()["service"]["active_deployment_id"]
    old = client.get(f"/v1/deployments/{first}").json()["deployment"]
    new = client.get(f"/v1/deployments/{active}").json()["deployment"]
    assert (active != first, old["status"], new["definition"]["env"]) == (True, "STOPPED", [])


def test_save_only_update_stores_a_stashed_deployment(koyeb):
    _, client = koyeb
    service = create_service(client, create_app(client)["id"])
    updated = client.put(f"/v1/services/{service['id']}",
                         json={"definition": with_changes(env=[]), "save_only": True}).json()["service"]
    stashed = client.get(f"/v1/deployments/{updated['latest_deployment_id']}").json()["deployment"]
    assert stashed["status"] == "STASHED"


def test_deleted_service_is_404(koyeb):
    _, client = koyeb
    service = create_service(client, create_app(client)["id"])
    client.delete(f"/v1/services/{service['id']}")
    assert client.get(f"/v1/services/{service['id']}").status_code == 404


def test_list_services_filters_by_app(koyeb):
    _, client = koyeb
    app = create_app(client)
    create_service(client, app["id"])
    other = create_app(client, "second-app")
    create_service(client, other["id"], "backend", with_changes(instance_types=[{"type": "nano"}]))
    listed = client.get("/v1/services", params={"app_id": app["id"]}).json()
    assert [s["app_id"] for s in listed["services"]] == [app["id"]]


def test_paused_service_reports_paused_until_resumed(koyeb):
    _, client = koyeb
    service = create_service(client, create_app(client)["id"])
    client.post(f"/v1/services/{service['id']}/pause")
    paused = client.get(f"/v1/services/{service['id']}").json()["service"]["status"]
    client.post(f"/v1/services/{service['id']}/resume")
    resumed = client.get(f"/v1/services/{service['id']}").json()["service"]["status"]
    assert (paused, resumed) == ("PAUSED", "HEALTHY")


# ---- secrets -----------------------------------------------------------------------------------


def test_secret_value_is_only_readable_through_reveal(koyeb):
    _, client = koyeb
    secret = client.post("/v1/secrets", json={"name": "db-url", "type": "SIMPLE", "value": "postgres://u:p@h/d"}).json()["secret"]
    fetched = client.get(f"/v1/secrets/{secret['id']}").json()["secret"]
    revealed = client.post(f"/v1/secrets/{secret['id']}/reveal", json={}).json()
    assert ("value" in secret, "value" in fetched, revealed) == (False, False, {"value": "postgres://u:p@h/d"})


def test_secret_update_changes_the_revealed_value(koyeb):
    _, client = koyeb
    secret = client.post("/v1/secrets", json={"name": "db-url", "value": "old"}).json()["secret"]
    client.patch(f"/v1/secrets/{secret['id']}", json={"value": "new"})
    assert client.post(f"/v1/secrets/{secret['id']}/reveal", json={}).json() == {"value": "new"}


def test_duplicate_secret_name_is_rejected(koyeb):
    _, client = koyeb
    client.post("/v1/secrets", json={"name": "db-url", "value": "x"})
    assert rejected_fields(client.post("/v1/secrets", json={"name": "db-url", "value": "y"})) == {"name": "already exists"}


def test_list_secrets_finds_by_name(koyeb):
    _, client = koyeb
    client.post("/v1/secrets", json={"name": "db-url", "value": "x"})
    client.post("/v1/secrets", json={"name": "redis-url", "value": "y"})
    listed = client.get("/v1/secrets", params={"name": "db-url"}).json()
    assert [s["name"] for s in listed["secrets"]] == ["db-url"]


def test_secret_name_with_upper_case_or_underscore_is_rejected_as_not_rfc_1123(koyeb):
    _, client = koyeb
    for name in ("DB_URL", "db_url", "-db-url"):
        assert "name" in rejected_fields(client.post("/v1/secrets", json={"name": name, "value": "x"})), name


def test_secret_name_longer_than_an_rfc_1123_label_is_rejected(koyeb):
    _, client = koyeb
    assert "name" in rejected_fields(client.post("/v1/secrets", json={"name": "a" * 64, "value": "x"}))


def test_updating_a_secret_starts_no_deployment(koyeb):
    emu, client = koyeb
    secret = client.post("/v1/secrets", json={"name": "db-url", "value": "old"}).json()["secret"]
    create_service(client, create_app(client)["id"],
                   definition=with_changes(env=[{"key": "DATABASE_URL", "secret": "db-url"}]))
    before = len(emu.objects("deployments"))
    client.patch(f"/v1/secrets/{secret['id']}", json={"value": "new"})
    assert len(emu.objects("deployments")) == before == 1


# ---- failing deployments -------------------------------------------------------------------------

BROKEN_IMAGE = "ghcr.io/stagecraft/api:broken"
REASON = "Instance stopped: the application exited with code 1"


def deploy(client, service_id, image):
    service = client.patch(f"/v1/services/{service_id}",
                           json={"definition": with_changes(docker={"image": image})}).json()["service"]
    return service["latest_deployment_id"]


def healthy_service(client):
    service = create_service(client, create_app(client)["id"])
    return client.get(f"/v1/services/{service['id']}").json()["service"]


def test_a_deployment_of_a_failing_image_reads_erroring_then_error_with_the_reason(koyeb):
    emu, client = koyeb
    emu.fail_image(BROKEN_IMAGE, REASON)
    failing = deploy(client, healthy_service(client)["id"], BROKEN_IMAGE)
    reads = [client.get(f"/v1/deployments/{failing}").json()["deployment"] for _ in range(2)]
    assert [(d["status"], d["messages"]) for d in reads] == [("ERRORING", [REASON]), ("ERROR", [REASON])]


def test_a_failed_deployment_leaves_the_previous_one_active_and_healthy(koyeb):
    emu, client = koyeb
    emu.fail_image(BROKEN_IMAGE, REASON)
    service = healthy_service(client)
    deploy(client, service["id"], BROKEN_IMAGE)
    after = client.get(f"/v1/services/{service['id']}").json()["service"]
    active = client.get(f"/v1/deployments/{after['active_deployment_id']}").json()["deployment"]
    assert (after["active_deployment_id"], active["status"]) == (service["active_deployment_id"], "HEALTHY")


def test_a_service_whose_latest_deployment_failed_is_degraded_while_the_old_one_serves(koyeb):
    emu, client = koyeb
    emu.fail_image(BROKEN_IMAGE, REASON)
    service = healthy_service(client)
    deploy(client, service["id"], BROKEN_IMAGE)
    assert client.get(f"/v1/services/{service['id']}").json()["service"]["status"] == "DEGRADED"


def test_a_service_whose_first_deployment_failed_is_unhealthy_with_nothing_active(koyeb):
    emu, client = koyeb
    emu.fail_image(BROKEN_IMAGE, REASON)
    service = create_service(client, create_app(client)["id"], definition=with_changes(docker={"image": BROKEN_IMAGE}))
    after = client.get(f"/v1/services/{service['id']}").json()["service"]
    assert (after["status"], after["active_deployment_id"]) == ("UNHEALTHY", "")


def test_a_failing_deployment_is_starting_for_the_readiness_reads_first(koyeb):
    emu, client = koyeb
    emu.fail_image(BROKEN_IMAGE, REASON)
    service_id = healthy_service(client)["id"]
    emu.set_readiness_delay(polls=2)
    failing = deploy(client, service_id, BROKEN_IMAGE)
    statuses = [client.get(f"/v1/deployments/{failing}").json()["deployment"]["status"] for _ in range(3)]
    assert statuses == ["STARTING", "STARTING", "ERRORING"]


def test_a_good_deployment_after_a_failed_one_becomes_active_and_the_service_healthy(koyeb):
    emu, client = koyeb
    emu.fail_image(BROKEN_IMAGE, REASON)
    service_id = healthy_service(client)["id"]
    deploy(client, service_id, BROKEN_IMAGE)
    fixed = deploy(client, service_id, "ghcr.io/stagecraft/api:1.0.1")
    after = client.get(f"/v1/services/{service_id}").json()["service"]
    assert (after["status"], after["active_deployment_id"]) == ("HEALTHY", fixed)


def test_fail_image_is_a_control_action_for_an_emulator_in_another_process(koyeb):
    from tests.emulators.control import run_action

    emu, client = koyeb
    assert run_action(str(client.base_url).rstrip("/"), "fail_image", image=BROKEN_IMAGE, reason=REASON) == {
        "image": BROKEN_IMAGE, "reason": REASON}
    assert emu.failing_images == {BROKEN_IMAGE: REASON}
