"""SupabaseEmulator and SupabaseStorageEmulator over HTTP with raw httpx calls, each project on a real database."""

from __future__ import annotations

import functools

import pytest

from tests.emulators import ConformanceRegistry
from tests.emulators.supabase import SupabaseEmulator
from tests.emulators.supabase_storage import SupabaseStorageEmulator
from tests.emulators.support import loopback_client
from tests.machine import database_exists, project_admin_url

ADMIN_URL = functools.cache(project_admin_url)

TOKEN = {"Authorization": "Bearer sbp_test"}
PROJECT = {"name": "stagecraft-beta-db", "organization_slug": "stagecraft-org", "db_pass": "p4ss-w0rd-long-enough",
           "region_selection": {"type": "specific", "code": "eu-central-1"}}


@pytest.fixture
def supabase():
    emu = SupabaseEmulator(postgres_admin_url=ADMIN_URL(), token="sbp_test")
    storage = SupabaseStorageEmulator(emu)
    emu.add_organization("stagecraft-org")
    try:
        with emu.serve() as base_url, storage.serve() as storage_url, \
                loopback_client(base_url, headers=TOKEN) as client:
            yield emu, storage, client, storage_url
    finally:
        emu.close()
    assert (emu.response_mismatches, storage.response_mismatches) == ([], [])


def create(client, **changes) -> dict:
    response = client.post("/v1/projects", json={**PROJECT, **changes})
    assert response.status_code == 201, response.text
    return response.json()


def active(client, ref: str) -> None:
    for _ in range(10):
        if client.get(f"/v1/projects/{ref}").json()["status"] == "ACTIVE_HEALTHY":
            return
    raise AssertionError("the project never became ACTIVE_HEALTHY")


def secret_key(client, ref: str) -> str:
    keys = client.get(f"/v1/projects/{ref}/api-keys", params={"reveal": "true"}).json()
    return next(k["api_key"] for k in keys if k["type"] == "secret")


def test_a_new_project_is_unknown_then_coming_up_then_active_healthy(supabase):
    _, _, client, _ = supabase
    project = create(client)
    statuses = [client.get(f"/v1/projects/{project['ref']}").json()["status"] for _ in range(2)]
    assert (project["status"], statuses, len(project["ref"])) == ("UNKNOWN", ["COMING_UP", "ACTIVE_HEALTHY"], 20)


def test_deleting_a_project_still_provisioning_is_refused_with_400(supabase):
    _, _, client, _ = supabase
    project = create(client)
    refused = client.delete(f"/v1/projects/{project['ref']}")
    active(client, project["ref"])
    accepted = client.delete(f"/v1/projects/{project['ref']}")
    assert (refused.status_code, accepted.status_code, client.get(f"/v1/projects/{project['ref']}").status_code) == (
        400, 200, 404)


def test_a_deleted_project_takes_its_database_with_it(supabase):
    emu, _, client, _ = supabase
    project = create(client)
    active(client, project["ref"])
    client.delete(f"/v1/projects/{project['ref']}")
    assert database_exists(emu.databases.database_name(project["ref"])) is False


def test_a_region_that_does_not_exist_is_refused():
    emu = SupabaseEmulator(postgres_admin_url=ADMIN_URL(), fail_on_violation=False, conformance=ConformanceRegistry())
    emu.add_organization("stagecraft-org")
    with emu.serve() as url, loopback_client(url, headers=TOKEN) as client:
        response = client.post("/v1/projects", json={**PROJECT, "region_selection": {"type": "specific",
                                                                                      "code": "mars-1"}})
    assert (response.status_code, emu.objects("projects")) == (400, [])


def test_a_third_free_project_is_refused(supabase):
    _, _, client, _ = supabase
    create(client)
    create(client)
    assert client.post("/v1/projects", json=PROJECT).status_code == 400


def test_secret_keys_are_masked_unless_revealed(supabase):
    _, _, client, _ = supabase
    ref = create(client)["ref"]
    masked = client.get(f"/v1/projects/{ref}/api-keys").json()
    secret = next(k for k in masked if k["type"] == "secret")["api_key"]
    legacy = next(k for k in masked if k["name"] == "service_role")["api_key"]
    revealed = secret_key(client, ref)
    assert (secret.startswith("sb_secret_") and "·" in secret, revealed.startswith("sb_secret_") and "·" not in revealed,
            legacy.count(".")) == (True, True, 2)


def test_sql_really_enables_extensions_on_the_projects_database(supabase):
    emu, _, client, _ = supabase
    ref = create(client)["ref"]
    active(client, ref)
    response = client.post(f"/v1/projects/{ref}/database/query", json={"query": (
        'create extension if not exists vector with schema extensions; '
        'create extension if not exists pg_trgm with schema extensions; '
        'create extension if not exists "uuid-ossp" with schema extensions;')})
    rows = client.post(f"/v1/projects/{ref}/database/query",
                       json={"query": "select extname from pg_extension order by extname"}).json()
    assert (response.status_code, [r["extname"] for r in rows], emu.extensions(ref)) == (
        201, ["pg_trgm", "plpgsql", "uuid-ossp", "vector"], ["pg_trgm", "plpgsql", "uuid-ossp", "vector"])


def test_sql_that_postgres_refuses_is_400_with_its_message(supabase):
    _, _, client, _ = supabase
    ref = create(client)["ref"]
    active(client, ref)
    response = client.post(f"/v1/projects/{ref}/database/query", json={"query": "select * from nowhere"})
    assert (response.status_code, "relation \"nowhere\" does not exist" in response.json()["message"]) == (400, True)


def test_sql_before_the_project_is_active_is_refused(supabase):
    _, _, client, _ = supabase
    ref = create(client)["ref"]
    assert client.post(f"/v1/projects/{ref}/database/query", json={"query": "select 1"}).status_code == 400


def storage_client(storage_url: str, ref: str, key: str):
    return loopback_client(f"{storage_url}/{ref}/storage/v1", headers={"apikey": key})


def test_storage_errors_are_http_400_with_the_logical_status_in_the_body(supabase):
    _, _, client, storage_url = supabase
    ref = create(client)["ref"]
    active(client, ref)
    with storage_client(storage_url, ref, secret_key(client, ref)) as storage:
        missing = storage.get("/bucket/uploads")
        storage.post("/bucket/", json={"name": "uploads"})
        duplicate = storage.post("/bucket/", json={"name": "uploads"})
    assert ((missing.status_code, missing.json()["statusCode"], missing.json()["code"]),
            (duplicate.status_code, duplicate.json()["statusCode"], duplicate.json()["code"])) == (
        (400, "404", "NoSuchBucket"), (400, "409", "BucketAlreadyExists"))


def test_a_bucket_with_objects_cannot_be_deleted(supabase):
    _, _, client, storage_url = supabase
    ref = create(client)["ref"]
    active(client, ref)
    with storage_client(storage_url, ref, secret_key(client, ref)) as storage:
        storage.post("/bucket/", json={"name": "uploads"})
        storage.post("/object/uploads/probe/a.txt", content=b"hello", headers={"Content-Type": "text/plain"})
        refused = storage.delete("/bucket/uploads")
        storage.delete("/object/uploads/probe/a.txt")
        deleted = storage.delete("/bucket/uploads")
    assert ((refused.status_code, refused.json()["statusCode"]), deleted.json()) == (
        (400, "409"), {"message": "Successfully deleted"})


def test_objects_round_trip_with_the_secret_key(supabase):
    _, storage_emu, client, storage_url = supabase
    ref = create(client)["ref"]
    active(client, ref)
    with storage_client(storage_url, ref, secret_key(client, ref)) as storage:
        storage.post("/bucket/", json={"name": "uploads"})
        storage.post("/object/uploads/health/probe.txt", content=b"ok", headers={"Content-Type": "text/plain"})
        read = storage.get("/object/authenticated/uploads/health/probe.txt")
    assert (read.content, storage_emu.objects_in(ref, "uploads")) == (b"ok", {"health/probe.txt": b"ok"})


def test_a_secret_key_in_authorization_is_not_a_jwt(supabase):
    _, _, client, storage_url = supabase
    ref = create(client)["ref"]
    key = secret_key(client, ref)
    with loopback_client(f"{storage_url}/{ref}/storage/v1",
                         headers={"apikey": key, "Authorization": f"Bearer {key}"}) as storage:
        response = storage.get("/bucket/")
    assert (response.status_code, response.json()["code"]) == (400, "InvalidJWT")


def test_the_publishable_key_cannot_create_buckets(supabase):
    _, _, client, storage_url = supabase
    ref = create(client)["ref"]
    keys = client.get(f"/v1/projects/{ref}/api-keys").json()
    publishable = next(k["api_key"] for k in keys if k["type"] == "publishable")
    with storage_client(storage_url, ref, publishable) as storage:
        response = storage.post("/bucket/", json={"name": "uploads"})
    assert (response.status_code, response.json()["statusCode"]) == (400, "403")


def test_the_management_api_lists_the_projects_buckets(supabase):
    _, _, client, storage_url = supabase
    ref = create(client)["ref"]
    active(client, ref)
    with storage_client(storage_url, ref, secret_key(client, ref)) as storage:
        storage.post("/bucket/", json={"name": "uploads", "public": False})
    assert [b["name"] for b in client.get(f"/v1/projects/{ref}/storage/buckets").json()] == ["uploads"]


def test_emptying_a_bucket_is_queued(supabase):
    emu, storage_emu, client, storage_url = supabase
    ref = create(client)["ref"]
    active(client, ref)
    with storage_client(storage_url, ref, secret_key(client, ref)) as storage:
        storage.post("/bucket/", json={"name": "uploads"})
        storage.post("/object/uploads/a.txt", content=b"a", headers={"Content-Type": "text/plain"})
        storage.post("/bucket/uploads/empty")
        first = storage.delete("/bucket/uploads")
        second = storage.delete("/bucket/uploads")
    assert (first.json()["statusCode"], second.json()) == ("409", {"message": "Successfully deleted"})


def test_the_pooler_config_gives_session_and_transaction_modes(supabase):
    _, _, client, _ = supabase
    ref = create(client)["ref"]
    poolers = {p["pool_mode"]: (p["db_host"], p["db_port"], p["db_user"])
               for p in client.get(f"/v1/projects/{ref}/config/database/pooler").json()}
    host = "aws-0-eu-central-1.pooler.supabase.com"
    assert poolers == {"session": (host, 5432, f"postgres.{ref}"), "transaction": (host, 6543, f"postgres.{ref}")}


def test_a_project_is_renamed_in_place(supabase):
    _, _, client, _ = supabase
    ref = create(client)["ref"]
    client.patch(f"/v1/projects/{ref}", json={"name": "renamed"})
    assert client.get(f"/v1/projects/{ref}").json()["name"] == "renamed"
