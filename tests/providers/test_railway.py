"""Railway providers against the Railway emulator: project, service, domain, volume, template databases."""

from __future__ import annotations

from typing import Iterator

import pytest

from providers._http import ResourceFailed, Unauthorized
from providers._http.converge import ForeignResource
from providers.railway.client import RailwayClient
from providers.railway.database import TemplateDatabaseProvider
from providers.railway.domain import ServiceDomainProvider
from providers.railway.project import ProjectProvider
from providers.railway.service import ServiceArgs, ServiceProvider
from providers.railway.volume import VolumeProvider
from tests.emulators import Fault, RailwayEmulator

OWNER = "stagecraft/preprod"
TOKEN = "railway-test-token"


@pytest.fixture
def railway(monkeypatch: pytest.MonkeyPatch, fast_http: None) -> Iterator[RailwayEmulator]:
    """A fresh Railway emulator; RAILWAY_API_URL / RAILWAY_API_TOKEN point at it."""
    emu = RailwayEmulator(token=TOKEN)
    with emu.serve() as url:
        monkeypatch.setenv("RAILWAY_API_URL", url)
        monkeypatch.setenv("RAILWAY_API_TOKEN", TOKEN)
        yield emu
    assert emu.response_mismatches == []


def make_project(name: str = "stagecraft-preprod") -> tuple[str, dict]:
    created = ProjectProvider().create({"name": name, "environment": "preprod", "owner": OWNER})
    return created.id, created.outs


def service_props(project_id: str, environment_id: str, **changes) -> dict:
    props = {"project_id": project_id, "environment_id": environment_id, "name": "stagecraft-preprod-api",
             "image": "ghcr.io/acme/api:1", "port": 8000, "owner": OWNER, "variables": {"ENVIRONMENT": "preprod"},
             "secret_variables": {"JWT_SECRET": "s3cret-value"}, "health_check_path": "/api/health",
             "num_replicas": 1}
    return {**props, **changes}


def make_service(**changes) -> tuple[str, dict, dict]:
    project_id, project = make_project()
    props = service_props(project_id, project["environment_id"], **changes)
    created = ServiceProvider().create(props)
    return created.id, created.outs, props


def test_project_creates_the_stack_environment(railway):
    _, outs = make_project()
    assert [e["name"] for e in railway.objects("environments")] == ["preprod"] and outs["environment_id"]


def test_project_description_carries_the_owner(railway):
    make_project()
    assert OWNER in railway.objects("projects")[0]["description"]


def test_project_after_a_dropped_create_is_adopted_not_duplicated(railway):
    railway.inject(Fault.drop_after_action(), path="mutation/projectCreate")
    make_project()
    assert len(railway.objects("projects")) == 1


def test_a_deleted_project_reads_as_gone(railway):
    project_id, outs = make_project()
    ProjectProvider().delete(project_id, outs)
    assert ProjectProvider().read(project_id, outs).id == ""


def test_gone_is_also_not_found_wording(monkeypatch, fast_http):
    emu = RailwayEmulator(token=TOKEN, not_found_wording="not found")
    with emu.serve() as url:
        monkeypatch.setenv("RAILWAY_API_URL", url)
        monkeypatch.setenv("RAILWAY_API_TOKEN", TOKEN)
        assert ProjectProvider().read("no-such-id", {"name": "x", "environment": "preprod", "owner": OWNER}).id == ""


def test_a_project_holding_a_service_of_someone_else_is_not_deleted(railway):
    project_id, outs = make_project()
    with RailwayClient.from_env() as client:
        client.create_service(project_id, outs["environment_id"], "added-by-hand")
    with pytest.raises(ForeignResource, match="added-by-hand"):
        ProjectProvider().delete(project_id, outs)
    assert [p["id"] for p in railway.objects("projects")] == [project_id]


def test_a_project_whose_own_services_are_gone_is_deleted(railway):
    service_id, service_outs, _ = make_service()
    project_id = service_outs["project_id"]
    project = ProjectProvider().read(project_id, {"name": "stagecraft-preprod", "environment": "preprod",
                                                  "owner": OWNER}).outs
    ServiceProvider().delete(service_id, service_outs)
    ProjectProvider().delete(project_id, project)
    assert railway.objects("projects") == []


def test_a_bad_token_is_unauthorized_not_gone(railway, monkeypatch):
    project_id, outs = make_project()
    monkeypatch.setenv("RAILWAY_API_TOKEN", "wrong")
    with pytest.raises(Unauthorized, match="RAILWAY_API_TOKEN"):
        ProjectProvider().read(project_id, outs)


def test_deleting_a_gone_project_is_done_and_touches_no_other(railway):
    gone_id, outs = make_project()
    kept_id, _ = make_project("another-project")
    with RailwayClient.from_env() as client:
        client.delete_project(gone_id)
    ProjectProvider().delete(gone_id, outs)
    assert [p["id"] for p in railway.objects("projects")] == [kept_id]


def test_a_service_makes_exactly_one_deployment(railway):
    make_service()
    assert len(railway.objects("deployments")) == 1


def test_a_service_deployment_carries_its_settings(railway):
    make_service(start_command="uvicorn app:app")
    manifest = railway.objects("deployments")[0]["meta"]["serviceManifest"]
    assert (manifest["source"]["image"], manifest["deploy"]["startCommand"],
            manifest["deploy"]["healthcheckPath"]) == ("ghcr.io/acme/api:1", "uvicorn app:app", "/api/health")


def test_a_service_carries_its_owner_and_port(railway):
    make_service()
    (values,) = [v["values"] for v in railway.objects("variables")]
    assert (values["STAGECRAFT_OWNER"], values["PORT"], values["JWT_SECRET"]) == (OWNER, "8000", "s3cret-value")


def test_a_same_named_foreign_service_is_refused(railway):
    project_id, project = make_project()
    with RailwayClient.from_env() as client:
        client.create_service(project_id, project["environment_id"], "stagecraft-preprod-api")
    with pytest.raises(ForeignResource, match="stagecraft/preprod"):
        ServiceProvider().create(service_props(project_id, project["environment_id"]))


def test_service_refresh_of_an_untouched_service_shows_no_change(railway):
    service_id, outs, _ = make_service()
    assert ServiceProvider().read(service_id, outs).outs == outs


def test_changing_the_image_rolls_one_new_deployment(railway):
    service_id, outs, props = make_service()
    new = {**props, "image": "ghcr.io/acme/api:2"}
    updated = ServiceProvider().update(service_id, outs, new).outs
    images = [d["meta"]["image"] for d in railway.objects("deployments")]
    assert (images, updated["deployment_id"] != outs["deployment_id"]) == (
        ["ghcr.io/acme/api:1", "ghcr.io/acme/api:2"], True)


def test_changing_a_secret_rolls_a_new_deployment(railway):
    service_id, outs, props = make_service()
    ServiceProvider().update(service_id, outs, {**props, "secret_variables": {"JWT_SECRET": "rotated-value"}})
    assert len(railway.objects("deployments")) == 2


def test_a_failed_deployment_fails_with_the_reason_and_the_old_image_stays_active(railway):
    service_id, outs, props = make_service()
    railway.fail_image("ghcr.io/acme/api:bad", "Healthcheck failed on /api/health")
    with pytest.raises(ResourceFailed, match="Healthcheck failed"):
        ServiceProvider().update(service_id, outs, {**props, "image": "ghcr.io/acme/api:bad"})
    assert ServiceProvider().read(service_id, outs).outs["image"] == "ghcr.io/acme/api:1"


def test_more_replicas_than_the_region_list_allows_fails_check():
    failures = ServiceArgs.check(service_props("p", "e", region="mars-1")).failures
    assert [f.property for f in failures] == ["region"]


def test_more_than_one_replica_on_the_free_plan_fails_check():
    failures = ServiceArgs.check(service_props("p", "e", num_replicas=2, plan="free")).failures
    assert [f.property for f in failures] == ["num_replicas"] and "free plan" in failures[0].reason


def test_secret_variables_still_unknown_at_preview_pass_check():
    from providers._http.inputs import UNKNOWN

    assert ServiceArgs.check(service_props("p", "e", secret_variables=UNKNOWN)).failures == []


def test_an_unknown_plan_fails_check():
    failures = ServiceArgs.check(service_props("p", "e", plan="enterprise")).failures
    assert [f.property for f in failures] == ["plan"]


def test_the_plan_is_kept_in_state_for_the_policy_pack(railway):
    _service_id, outs, _ = make_service(plan="free")
    assert outs["plan"] == "free"


def test_changing_only_the_declared_plan_deploys_nothing(railway):
    service_id, outs, props = make_service(plan="free")
    updated = ServiceProvider().update(service_id, outs, {**props, "plan": "hobby"}).outs
    assert (len(railway.objects("deployments")), updated["plan"]) == (1, "hobby")


def test_a_deleted_service_reads_as_gone(railway):
    service_id, outs, _ = make_service()
    ServiceProvider().delete(service_id, outs)
    assert ServiceProvider().read(service_id, outs).id == ""


def test_domain_is_generated_for_the_service(railway):
    service_id, outs, _ = make_service()
    created = ServiceDomainProvider().create({"project_id": outs["project_id"], "environment_id": outs["environment_id"],
                                              "service_id": service_id, "target_port": 8000})
    assert created.outs["url"].startswith("https://") and created.outs["url"].endswith(".up.railway.app")


def test_volume_is_attached_by_the_service_that_mounts_it(railway):
    project_id, project = make_project()
    volume = VolumeProvider().create({"project_id": project_id, "environment_id": project["environment_id"],
                                      "mount_path": "/data/uploads"})
    ServiceProvider().create(service_props(project_id, project["environment_id"], volume_id=volume.id,
                                           volume_mount_path="/data/uploads"))
    (instance,) = railway.objects("volume_instances")
    assert (instance["serviceId"] is not None, instance["mountPath"]) == (True, "/data/uploads")


def test_postgres_template_gives_a_public_url_and_a_private_reference(railway):
    project_id, project = make_project()
    created = TemplateDatabaseProvider().create({"project_id": project_id, "environment_id": project["environment_id"],
                                                 "template": "postgres", "owner": OWNER})
    assert (created.outs["public_url"].startswith("postgresql://"), created.outs["private_url_reference"]) == (
        True, "${{Postgres.DATABASE_URL}}")


def test_template_database_waits_through_a_slow_workflow(railway):
    railway.set_readiness_delay(3)
    project_id, project = make_project()
    TemplateDatabaseProvider().create({"project_id": project_id, "environment_id": project["environment_id"],
                                       "template": "redis", "owner": OWNER})
    assert [s["name"] for s in railway.objects("services")] == ["Redis"]


def test_a_dropped_template_deploy_is_not_deployed_twice(railway):
    project_id, project = make_project()
    railway.inject(Fault.drop_after_action(), path="mutation/templateDeployV2")
    TemplateDatabaseProvider().create({"project_id": project_id, "environment_id": project["environment_id"],
                                       "template": "redis", "owner": OWNER})
    assert len(railway.objects("services")) == 1


def test_deleting_a_template_database_removes_its_volume(railway):
    project_id, project = make_project()
    created = TemplateDatabaseProvider().create({"project_id": project_id, "environment_id": project["environment_id"],
                                                 "template": "postgres", "owner": OWNER})
    TemplateDatabaseProvider().delete(created.id, created.outs)
    assert (railway.objects("services"), railway.objects("volumes")) == ([], [])


def test_rate_limited_requests_are_retried_after_the_wait(railway, monkeypatch):
    monkeypatch.setenv("STAGECRAFT_HTTP_BACKOFF_SCALE", "0.4")  # Retry-After is whole seconds; wait 0.4 s of each
    railway.set_rate_limit(2, 1)
    for name in ("a", "b", "c"):
        make_project(name)
    assert (any(status == 429 for _m, _p, status in railway.requests), len(railway.objects("projects"))) == (True, 3)
