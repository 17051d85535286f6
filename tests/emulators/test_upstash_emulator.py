"""UpstashEmulator over HTTP with raw httpx calls: Redis database lifecycle and settings."""

from __future__ import annotations

import pytest

from tests.emulators import ConformanceRegistry, UpstashEmulator
from tests.emulators.control import run_action
from tests.emulators.support import loopback_client

BASIC = ("ops@stagecraft.dev", "upstash-test-key")
FREE_DATABASE = {"database_name": "stagecraft-uat-cache", "platform": "aws", "primary_region": "eu-west-1",
                 "plan": "free", "tls": True, "eviction": False}


@pytest.fixture
def upstash():
    emu = UpstashEmulator()
    with emu.serve() as base_url, loopback_client(base_url, auth=BASIC) as client:
        yield emu, client
    assert emu.response_mismatches == []


def create(client, **changes):
    response = client.post("/v2/redis/database", json={**FREE_DATABASE, **changes})
    assert response.status_code == 200, response.text
    return response.json()


def test_new_database_carries_endpoint_port_and_credentials(upstash):
    _, client = upstash
    database = create(client)
    facts = (database["endpoint"].endswith(".upstash.io"), database["port"], database["state"],
             bool(database["password"]), bool(database["rest_token"]))
    assert facts == (True, 6379, "active", True, True)


def test_new_databases_are_always_tls(upstash):
    _, client = upstash
    assert create(client, tls=False)["tls"] is True


def test_basic_auth_is_required(upstash):
    _, client = upstash
    response = client.get("/v2/redis/databases", auth=None, headers={"Authorization": "Bearer not-basic"})
    assert (response.status_code, response.json()["code"]) == (401, "UNAUTHORIZED")


def test_configured_credentials_must_match():
    emu = UpstashEmulator(email="a@b.c", api_key="right")
    with emu.serve() as base_url, loopback_client(base_url, auth=("a@b.c", "wrong")) as client:
        assert client.get("/v2/redis/databases").status_code == 401


def test_second_free_database_is_refused(upstash):
    _, client = upstash
    create(client)
    response = client.post("/v2/redis/database", json={**FREE_DATABASE, "database_name": "another"})
    assert (response.status_code, "free tier" in response.json()["message"]) == (400, True)


def test_free_database_limit_can_be_lifted():
    emu = UpstashEmulator(free_database_limit=None)
    with emu.serve() as base_url, loopback_client(base_url, auth=BASIC) as client:
        create(client)
        create(client, database_name="another")
    assert len(emu.objects("databases")) == 2


def test_credentials_hide_leaves_secrets_out(upstash):
    _, client = upstash
    database = create(client)
    hidden = client.get(f"/v2/redis/database/{database['database_id']}", params={"credentials": "hide"}).json()
    assert {"password", "rest_token", "read_only_rest_token"} & set(hidden) == set()


def test_list_returns_every_database(upstash):
    _, client = upstash
    database = create(client)
    assert [d["database_id"] for d in client.get("/v2/redis/databases").json()] == [database["database_id"]]


def test_rename_changes_the_name(upstash):
    _, client = upstash
    database = create(client)
    renamed = client.post(f"/v2/redis/rename/{database['database_id']}", json={"name": "stagecraft-beta-cache"}).json()
    assert renamed["database_name"] == "stagecraft-beta-cache"


def test_reset_password_issues_new_credentials(upstash):
    _, client = upstash
    database = create(client)
    reset = client.post(f"/v2/redis/reset-password/{database['database_id']}").json()
    assert (reset["password"] != database["password"], reset["rest_token"] != database["rest_token"]) == (True, True)


def test_enable_eviction_answers_ok_and_flips_the_flag(upstash):
    _, client = upstash
    database = create(client)
    answer = client.post(f"/v2/redis/enable-eviction/{database['database_id']}").json()
    assert (answer, client.get(f"/v2/redis/database/{database['database_id']}").json()["eviction"]) == ("OK", True)


def test_disable_eviction_turns_it_off(upstash):
    _, client = upstash
    database = create(client, eviction=True)
    client.post(f"/v2/redis/disable-eviction/{database['database_id']}")
    assert client.get(f"/v2/redis/database/{database['database_id']}").json()["eviction"] is False


def test_change_plan_then_budget(upstash):
    _, client = upstash
    database = create(client)
    client.post(f"/v2/redis/{database['database_id']}/change-plan", json={"plan_name": "payg"})
    client.patch(f"/v2/redis/update-budget/{database['database_id']}", json={"budget": 20})
    after = client.get(f"/v2/redis/database/{database['database_id']}").json()
    assert (after["type"], after["budget"]) == ("payg", 20)


def test_budget_on_a_free_database_is_refused(upstash):
    _, client = upstash
    database = create(client)
    assert client.patch(f"/v2/redis/update-budget/{database['database_id']}", json={"budget": 20}).status_code == 400


def test_read_regions_on_a_free_database_are_refused(upstash):
    _, client = upstash
    database = create(client)
    response = client.post(f"/v2/redis/update-regions/{database['database_id']}", json={"read_regions": ["us-east-1"]})
    assert response.status_code == 400


def test_deleted_database_is_404(upstash):
    _, client = upstash
    database = create(client)
    answer = client.delete(f"/v2/redis/database/{database['database_id']}").json()
    assert (answer, client.get(f"/v2/redis/database/{database['database_id']}").status_code) == ("OK", 404)


def test_create_without_primary_region_is_a_recorded_violation():
    emu = UpstashEmulator(fail_on_violation=False, conformance=ConformanceRegistry())
    with emu.serve() as base_url, loopback_client(base_url, auth=BASIC) as client:
        body = {k: v for k, v in FREE_DATABASE.items() if k != "primary_region"}
        status = client.post("/v2/redis/database", json=body).status_code
    assert (status, emu.violations[0].problems) == (400, ("body: 'primary_region' is a required property",))


def test_endpoint_can_be_answered_as_a_bare_slug_as_the_spec_allows(upstash):
    emu, client = upstash
    database = create(client)
    emu.answer_with_slug_endpoints()
    slug = client.get(f"/v2/redis/database/{database['database_id']}").json()["endpoint"]
    assert f"{slug}.upstash.io" == database["endpoint"]


def test_databases_of_one_name_are_not_refused(upstash):
    emu, client = upstash
    emu.free_database_limit = None
    create(client)
    create(client)
    assert [d["database_name"] for d in client.get("/v2/redis/databases").json()] == ["stagecraft-uat-cache"] * 2


def test_creation_time_is_unix_seconds(upstash):
    _, client = upstash
    assert isinstance(create(client)["creation_time"], int)


def test_slug_endpoints_are_switched_on_over_http(upstash):
    emu, client = upstash
    create(client)
    assert run_action(str(client.base_url).rstrip("/"), "answer_with_slug_endpoints", enabled=True) is True
    assert "." not in client.get("/v2/redis/databases").json()[0]["endpoint"]
