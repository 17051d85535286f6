"""The product API's storage check on Supabase: the Storage REST API with the project's server-side key, run for
real against the emulated Supabase Storage (no S3 keys exist for it through Supabase's API)."""

from __future__ import annotations

import functools
import sys
from typing import Iterator

import httpx
import pytest

from tests.emulators import SupabaseEmulator, SupabaseStorageEmulator
from tests.machine import project_admin_url
from tests.product.conftest import API_DIR

sys.path.insert(0, str(API_DIR))
from product_api.settings import ConfigError, load_settings  # noqa: E402

ADMIN_URL = functools.cache(project_admin_url)
TOKEN = {"Authorization": "Bearer sbp-test-token"}
BUCKET = "stagecraft-beta-uploads"


class Project:
    """One active emulated Supabase project with a bucket, and its keys."""

    def __init__(self, storage: SupabaseStorageEmulator, ref: str, endpoint: str, keys: dict[str, str]) -> None:
        self.storage, self.ref, self.endpoint, self.keys = storage, ref, endpoint, keys


@pytest.fixture
def project() -> Iterator[Project]:
    management = SupabaseEmulator(postgres_admin_url=ADMIN_URL(), token="sbp-test-token")
    storage = SupabaseStorageEmulator(management)
    management.add_organization("weedgo")
    try:
        with management.serve() as url, storage.serve() as storage_url:
            with httpx.Client(base_url=url, headers=TOKEN) as client:
                ref = client.post("/v1/projects", json={"name": "stagecraft-beta", "organization_slug": "weedgo",
                                                        "db_pass": "p" * 24}).json()["ref"]
                while client.get(f"/v1/projects/{ref}").json()["status"] != "ACTIVE_HEALTHY":
                    pass
                listed = client.get(f"/v1/projects/{ref}/api-keys", params={"reveal": "true"}).json()
            keys = {("secret" if k["type"] == "secret" else k["name"]): k["api_key"] for k in listed}
            endpoint = f"{storage_url}/{ref}/storage/v1"
            httpx.post(f"{endpoint}/bucket/", json={"name": BUCKET}, headers={"apikey": keys["secret"]}).raise_for_status()
            yield Project(storage, ref, endpoint, keys)
    finally:
        management.close()


def supabase_env(local_env: dict[str, str], project: Project, key: str, bucket: str = BUCKET) -> dict[str, str]:
    return {**local_env, "STORAGE_PLATFORM": "supabase", "STORAGE_ENDPOINT": project.endpoint,
            "STORAGE_BUCKET": bucket, "STORAGE_SERVICE_KEY": key}


def test_the_storage_check_round_trips_an_object_with_the_secret_key(api_runner, local_env, project) -> None:
    response = api_runner(supabase_env(local_env, project, project.keys["secret"])).health()
    assert (response.status_code, response.json()["checks"]["storage"]["ok"],
            project.storage.objects_in(project.ref, BUCKET)) == (200, True, {})


def test_the_legacy_service_role_jwt_works_too(api_runner, local_env, project) -> None:
    response = api_runner(supabase_env(local_env, project, project.keys["service_role"])).health()
    assert response.json()["checks"]["storage"]["ok"] is True


def test_a_missing_bucket_fails_the_check_with_storages_logical_status_and_no_key(api_runner, local_env,
                                                                                   project) -> None:
    key = project.keys["secret"]
    response = api_runner(supabase_env(local_env, project, key, bucket="nowhere")).health()
    check = response.json()["checks"]["storage"]
    assert (response.status_code, check["ok"], "404 NoSuchBucket" in check["error"], key in response.text) == (
        503, False, True, False)


def test_supabase_storage_without_a_service_key_refuses_to_start() -> None:
    with pytest.raises(ConfigError, match="STORAGE_SERVICE_KEY is not set"):
        load_settings({"ENVIRONMENT": "beta", "JWT_SECRET": "j" * 40, "DATABASE_URL": "postgresql://h/db",
                       "REDIS_URL": "memory://", "STORAGE_PLATFORM": "supabase", "STORAGE_BUCKET": "b",
                       "STORAGE_ENDPOINT": "https://ref.supabase.co/storage/v1"})
