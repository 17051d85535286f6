"""Supabase providers: input checks (no network), then Project, Extensions and Bucket against the emulators,
whose projects each sit on a real PostgreSQL database."""

from __future__ import annotations

import functools
from typing import Iterator

import pytest

from providers._http import ForeignResource, ProviderError
from providers.supabase.bucket import BucketProvider
from providers.supabase.extensions import ExtensionsProvider
from providers.supabase.project import ProjectProvider
from tests.emulators import Fault, SupabaseEmulator, SupabaseStorageEmulator
from tests.emulators.support import loopback_client
from tests.machine import project_admin_url

OWNER = "stagecraft/beta"
ADMIN_URL = functools.cache(project_admin_url)
PROJECT = {"name": "stagecraft-beta-db", "organization_slug": "stagecraft-org", "region": "eu-central-1",
           "owner": OWNER, "db_pass": "a-generated-password-of-48-characters-xxxxxxxxxx", "plan": "free"}
EXTENSIONS = ["vector", "pg_trgm", "uuid-ossp"]


class Supabase:
    """The two emulators of one account."""

    def __init__(self, management: SupabaseEmulator, storage: SupabaseStorageEmulator, url: str,
                 storage_url: str) -> None:
        self.management, self.storage, self.url, self.storage_url = management, storage, url, storage_url


@pytest.fixture
def supabase(monkeypatch: pytest.MonkeyPatch, fast_http: None) -> Iterator[Supabase]:
    """Management and Storage emulators; SUPABASE_API_URL, _ACCESS_TOKEN and _STORAGE_URL_TEMPLATE point at them."""
    management = SupabaseEmulator(postgres_admin_url=ADMIN_URL(), token="sbp-test-token")
    storage = SupabaseStorageEmulator(management)
    management.add_organization("stagecraft-org")
    try:
        with management.serve() as url, storage.serve() as storage_url:
            monkeypatch.setenv("SUPABASE_API_URL", url)
            monkeypatch.setenv("SUPABASE_ACCESS_TOKEN", "sbp-test-token")
            monkeypatch.setenv("SUPABASE_STORAGE_URL_TEMPLATE", storage_url + "/{ref}/storage/v1")
            yield Supabase(management, storage, url, storage_url)
    finally:
        management.close()


def failures(result) -> dict[str, str]:
    return {f.property: f.reason for f in result.failures}


def bucket_props(ref: str, **changes) -> dict:
    return {"project_ref": ref, "name": "stagecraft-beta-uploads", "owner": OWNER, "public": False, **changes}


# --- check ---------------------------------------------------------------------------------------------------

def test_a_region_supabase_does_not_have_fails_check():
    reasons = failures(ProjectProvider().check({}, {**PROJECT, "region": "mars-north-1"}))
    assert "eu-central-1" in reasons["region"]


def test_a_short_database_password_fails_check():
    assert "db_pass" in failures(ProjectProvider().check({}, {**PROJECT, "db_pass": "short"}))


def test_a_bucket_name_that_is_not_s3_safe_fails_check():
    assert "name" in failures(BucketProvider().check({}, bucket_props("a" * 20, name="Uploads Bucket")))


def test_a_region_change_replaces_the_project_but_a_new_password_does_not():
    provider = ProjectProvider()
    moved = provider.diff("ref", PROJECT, {**PROJECT, "region": "us-east-1"})
    rotated = provider.diff("ref", PROJECT, {**PROJECT, "db_pass": "another-generated-password-of-48-chars-xxxxxxx"})
    assert (moved.replaces, rotated.replaces, rotated.changes) == (["region"], [], True)


# --- project ---------------------------------------------------------------------------------------------------

def test_create_waits_for_active_healthy_and_reports_the_pooler_and_key(supabase):
    created = ProjectProvider().create(PROJECT)
    project = supabase.management.project(created.id)
    assert (project["status"], created.outs["pooler_host"], created.outs["pooler_port"],
            created.outs["pooler_user"], created.outs["service_key"].startswith("sb_secret_")) == (
        "ACTIVE_HEALTHY", "aws-0-eu-central-1.pooler.supabase.com", 5432, f"postgres.{created.id}", True)


def test_create_marks_the_database_with_the_owner(supabase):
    created = ProjectProvider().create(PROJECT)
    rows = supabase.management.databases.query(
        created.id, "select obj_description(oid, 'pg_namespace') as c from pg_namespace where nspname = 'stagecraft'")
    assert rows == [{"c": f"owner={OWNER}"}]


def test_a_repeated_create_adopts_the_project_this_stack_made(supabase):
    first = ProjectProvider().create(PROJECT)
    again = ProjectProvider().create(PROJECT)
    assert (again.id, len(supabase.management.objects("projects"))) == (first.id, 1)


def test_an_adopted_project_gets_the_password_the_program_holds_now(supabase):
    first = ProjectProvider().create(PROJECT)
    news = {**PROJECT, "db_pass": "another-generated-password-of-48-chars-xxxxxxx"}
    ProjectProvider().create(news)
    assert supabase.management.project(first.id)["_db_pass"] == news["db_pass"]


def test_a_same_named_project_of_another_stack_is_never_adopted(supabase):
    ProjectProvider().create({**PROJECT, "owner": "stagecraft/uat"})
    with pytest.raises(ForeignResource, match="stagecraft/beta"):
        ProjectProvider().create(PROJECT)
    assert len(supabase.management.objects("projects")) == 1


def test_a_lost_create_answer_adopts_the_project_this_call_made(supabase):
    supabase.management.inject(Fault.drop_after_action(), method="POST", path="/v1/projects")
    created = ProjectProvider().create(PROJECT)
    assert [p["ref"] for p in supabase.management.objects("projects")] == [created.id]


def test_read_after_create_reports_the_same_state(supabase):
    provider = ProjectProvider()
    created = provider.create(PROJECT)
    assert provider.read(created.id, {**PROJECT, **created.outs}).outs == created.outs


def test_delete_waits_out_the_refusal_while_the_project_is_provisioning(supabase):
    supabase.management.set_readiness_delay(3)
    with loopback_client(supabase.url, headers={"Authorization": "Bearer sbp-test-token"}) as client:
        body = {"name": "young", "organization_slug": "stagecraft-org", "db_pass": "x" * 20}
        ref = client.post("/v1/projects", json=body).json()["ref"]
    ProjectProvider().delete(ref, {})
    refused = [r for r in supabase.management.requests if r.method == "DELETE" and r.status == 400]
    assert (len(refused) >= 1, supabase.management.objects("projects")) == (True, [])


def test_delete_of_a_project_already_gone_is_done(supabase):
    provider = ProjectProvider()
    created = provider.create(PROJECT)
    provider.delete(created.id, created.outs)
    provider.delete(created.id, created.outs)
    assert (supabase.management.objects("projects"), provider.read(created.id, created.outs).id) == ([], "")


def test_a_project_holding_a_bucket_the_stack_did_not_create_is_left_in_place(supabase):
    provider = ProjectProvider()
    created = provider.create(PROJECT)
    with loopback_client(f"{supabase.storage_url}/{created.id}/storage/v1",
                         headers={"apikey": created.outs["service_key"]}) as storage:
        storage.post("/bucket/", json={"id": "hand-made", "name": "hand-made"}).raise_for_status()

    with pytest.raises(ForeignResource, match='"hand-made".*left in place'):
        provider.delete(created.id, created.outs)
    assert ([p["ref"] for p in supabase.management.objects("projects")],
            [b["name"] for b in supabase.storage.objects("buckets")]) == ([created.id], ["hand-made"])


def test_a_project_whose_own_bucket_went_first_is_deleted(supabase):
    provider = ProjectProvider()
    created = provider.create(PROJECT)
    bucket = BucketProvider().create(bucket_props(created.id))
    BucketProvider().delete(bucket.id, bucket.outs)

    provider.delete(created.id, created.outs)
    assert supabase.management.objects("projects") == []


def test_a_paused_project_is_left_in_place_with_the_way_to_delete_it(supabase):
    provider = ProjectProvider()
    created = provider.create(PROJECT)
    supabase.management.pause(created.id)

    with pytest.raises(ProviderError, match="is INACTIVE.*Restore the project"):
        provider.delete(created.id, created.outs)
    assert [p["ref"] for p in supabase.management.objects("projects")] == [created.id]


def test_a_new_password_is_set_in_place(supabase):
    provider = ProjectProvider()
    created = provider.create(PROJECT)
    news = {**PROJECT, "db_pass": "another-generated-password-of-48-chars-xxxxxxx"}
    provider.update(created.id, {**PROJECT, **created.outs}, news)
    assert supabase.management.project(created.id)["_db_pass"] == news["db_pass"]


# --- extensions ----------------------------------------------------------------------------------------------

def test_extensions_are_really_enabled_in_the_projects_database(supabase):
    ref = ProjectProvider().create(PROJECT).id
    created = ExtensionsProvider().create({"project_ref": ref, "extensions": EXTENSIONS, "schema": "extensions"})
    assert (set(EXTENSIONS) <= set(supabase.management.extensions(ref)), created.outs["extensions"]) == (True, EXTENSIONS)


def test_only_the_extensions_installed_here_are_dropped(supabase):
    ref = ProjectProvider().create(PROJECT).id
    supabase.management.databases.query(ref, 'create extension "uuid-ossp" with schema extensions')
    provider = ExtensionsProvider()
    created = provider.create({"project_ref": ref, "extensions": EXTENSIONS, "schema": "extensions"})
    provider.delete(created.id, created.outs)
    assert (created.outs["installed_here"], "uuid-ossp" in supabase.management.extensions(ref),
            "vector" in supabase.management.extensions(ref)) == (["vector", "pg_trgm"], True, False)


def test_refresh_shows_an_extension_dropped_by_hand(supabase):
    ref = ProjectProvider().create(PROJECT).id
    provider = ExtensionsProvider()
    props = {"project_ref": ref, "extensions": EXTENSIONS, "schema": "extensions"}
    created = provider.create(props)
    supabase.management.databases.query(ref, "drop extension vector")
    read = provider.read(created.id, {**props, **created.outs})
    assert (read.outs["extensions"], provider.diff(created.id, read.outs, props).changes) == (["pg_trgm", "uuid-ossp"],
                                                                                              True)


# --- bucket --------------------------------------------------------------------------------------------------------

def test_a_bucket_is_created_through_the_storage_api(supabase):
    ref = ProjectProvider().create(PROJECT).id
    created = BucketProvider().create(bucket_props(ref))
    assert ([b["id"] for b in supabase.storage.objects("buckets")], created.outs["endpoint"]) == (
        ["stagecraft-beta-uploads"], f"{supabase.storage_url}/{ref}/storage/v1")


def test_a_taken_bucket_id_is_never_adopted_without_proof(supabase):
    ref = ProjectProvider().create(PROJECT).id
    BucketProvider().create(bucket_props(ref))
    with pytest.raises(ForeignResource):
        BucketProvider().create(bucket_props(ref))


def test_a_lost_bucket_create_answer_adopts_what_it_made(supabase):
    ref = ProjectProvider().create(PROJECT).id
    supabase.storage.inject(Fault.drop_after_action(), method="POST", path="/bucket/")
    BucketProvider().create(bucket_props(ref))
    assert len(supabase.storage.objects("buckets")) == 1


def test_a_bucket_gone_reads_as_gone_and_deletes_as_done(supabase):
    ref = ProjectProvider().create(PROJECT).id
    provider = BucketProvider()
    created = provider.create(bucket_props(ref))
    provider.delete(created.id, created.outs)
    provider.delete(created.id, created.outs)
    assert provider.read(created.id, created.outs).id == ""


def test_a_bucket_with_objects_is_not_deleted_and_the_error_says_why(supabase):
    project = ProjectProvider().create(PROJECT)
    created = BucketProvider().create(bucket_props(project.id))
    with loopback_client(f"{supabase.storage_url}/{project.id}/storage/v1",
                         headers={"apikey": project.outs["service_key"]}) as storage:
        storage.post("/object/stagecraft-beta-uploads/user/photo.png", content=b"png",
                     headers={"Content-Type": "image/png"})
    with pytest.raises(ProviderError, match="still holds objects"):
        BucketProvider().delete(created.id, created.outs)
    assert len(supabase.storage.objects("buckets")) == 1


def test_bucket_settings_change_in_place(supabase):
    ref = ProjectProvider().create(PROJECT).id
    provider = BucketProvider()
    created = provider.create(bucket_props(ref))
    updated = provider.update(created.id, created.outs, bucket_props(ref, file_size_limit=1_000_000))
    assert updated.outs["file_size_limit"] == 1_000_000
