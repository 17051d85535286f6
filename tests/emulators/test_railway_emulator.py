"""RailwayEmulator over HTTP with raw GraphQL calls: one test per platform rule."""

from __future__ import annotations

import pytest

from tests.emulators import RailwayEmulator
from tests.emulators.support import loopback_client

CREATE_PROJECT = ("mutation($i: ProjectCreateInput!) { projectCreate(input: $i) { id environments { edges { node "
                  "{ id name } } } } }")
CREATE_SERVICE = "mutation($i: ServiceCreateInput!) { serviceCreate(input: $i) { id name } }"
INSTANCE = ("query($s: String!, $e: String!) { serviceInstance(serviceId: $s, environmentId: $e) { numReplicas "
            "region startCommand source { image } latestDeployment { id status meta } } }")
UPDATE = ("mutation($s: String!, $e: String, $i: ServiceInstanceUpdateInput!) { serviceInstanceUpdate(serviceId: $s, "
          "environmentId: $e, input: $i) }")
DEPLOY = "mutation($s: String!, $e: String!) { serviceInstanceDeployV2(serviceId: $s, environmentId: $e) }"
DEPLOYMENT = "query($id: String!) { deployment(id: $id) { id status } }"
UPSERT = "mutation($i: VariableCollectionUpsertInput!) { variableCollectionUpsert(input: $i) }"
VARIABLES = ("query($p: String!, $e: String!, $s: String, $u: Boolean) { variables(projectId: $p, environmentId: $e, "
             "serviceId: $s, unrendered: $u) }")
TEMPLATE = "query($c: String!) { template(code: $c) { id serializedConfig } }"
DEPLOY_TEMPLATE = "mutation($i: TemplateDeployV2Input!) { templateDeployV2(input: $i) { projectId workflowId } }"
WORKFLOW = "query($w: String!) { workflowStatus(workflowId: $w) { status error } }"
PROJECT = "query($id: String!) { project(id: $id) { id services { edges { node { id name templateId } } } } }"


@pytest.fixture
def railway():
    emu = RailwayEmulator()
    with emu.serve() as base_url, loopback_client(base_url, headers={"Authorization": "Bearer t"}) as client:
        yield emu, client
    assert emu.response_mismatches == []


def call(client, query, **variables):
    body = client.post("/graphql/v2", json={"query": query, "variables": variables}).json()
    return body


def data(client, query, **variables):
    body = call(client, query, **variables)
    assert "errors" not in body, body
    return body["data"]


def project(client, name="stagecraft-preprod", env="preprod"):
    created = data(client, CREATE_PROJECT, i={"name": name, "defaultEnvironmentName": env})["projectCreate"]
    return created["id"], created["environments"]["edges"][0]["node"]["id"]


def service(client, pid, eid, image="ghcr.io/acme/api:1", **extra):
    created = data(client, CREATE_SERVICE, i={"projectId": pid, "environmentId": eid, "name": "api",
                                              "source": {"image": image}, **extra})
    return created["serviceCreate"]["id"]


def test_a_project_comes_with_its_default_environment(railway):
    _, client = railway
    created = data(client, CREATE_PROJECT, i={"name": "p", "defaultEnvironmentName": "preprod"})["projectCreate"]
    assert [e["node"]["name"] for e in created["environments"]["edges"]] == ["preprod"]


def test_without_credentials_operations_answer_not_authorized(railway):
    _, client = railway
    body = client.post("/graphql/v2", json={"query": "query { projects { edges { node { id } } } }"},
                       headers={"Authorization": ""}).json()
    assert body["errors"][0]["message"] == "Not Authorized"


def test_template_lookup_needs_no_credentials(railway):
    _, client = railway
    body = client.post("/graphql/v2", json={"query": TEMPLATE, "variables": {"c": "postgres"}},
                       headers={"Authorization": ""}).json()
    assert body["data"]["template"]["serializedConfig"]["services"]


def test_a_deleted_project_answers_not_authorized(railway):
    _, client = railway
    pid, _ = project(client)
    data(client, "mutation($id: String!) { projectDelete(id: $id) }", id=pid)
    assert call(client, PROJECT, id=pid)["errors"][0]["message"] == "Not Authorized"


def test_the_not_found_wording_can_be_chosen():
    emu = RailwayEmulator(not_found_wording="not found")
    with emu.serve() as base_url, loopback_client(base_url, headers={"Authorization": "Bearer t"}) as client:
        assert call(client, PROJECT, id="nope")["errors"][0]["message"] == "Project not found"


def test_a_service_from_an_image_is_deployed_at_once(railway):
    _, client = railway
    pid, eid = project(client)
    sid = service(client, pid, eid)
    latest = data(client, INSTANCE, s=sid, e=eid)["serviceInstance"]["latestDeployment"]
    assert (latest["status"], latest["meta"]["image"]) == ("SUCCESS", "ghcr.io/acme/api:1")


def test_service_names_are_unique_in_a_project(railway):
    _, client = railway
    pid, eid = project(client)
    service(client, pid, eid)
    body = call(client, CREATE_SERVICE, i={"projectId": pid, "environmentId": eid, "name": "api"})
    assert "already exists" in body["errors"][0]["message"]


def test_settings_change_without_a_deployment_until_one_is_requested(railway):
    _, client = railway
    pid, eid = project(client)
    sid = service(client, pid, eid)
    first = data(client, INSTANCE, s=sid, e=eid)["serviceInstance"]["latestDeployment"]["id"]
    data(client, UPDATE, s=sid, e=eid, i={"startCommand": "uvicorn app:app"})
    assert data(client, INSTANCE, s=sid, e=eid)["serviceInstance"]["latestDeployment"]["id"] == first
    new = data(client, DEPLOY, s=sid, e=eid)["serviceInstanceDeployV2"]
    meta = data(client, INSTANCE, s=sid, e=eid)["serviceInstance"]["latestDeployment"]
    assert (meta["id"], meta["meta"]["serviceManifest"]["deploy"]["startCommand"]) == (new, "uvicorn app:app")


def test_more_replicas_than_the_free_plan_allows_are_refused(railway):
    _, client = railway
    pid, eid = project(client)
    sid = service(client, pid, eid)
    assert "replicas" in call(client, UPDATE, s=sid, e=eid, i={"numReplicas": 2})["errors"][0]["message"]


def test_an_unknown_region_is_refused(railway):
    _, client = railway
    pid, eid = project(client)
    sid = service(client, pid, eid)
    assert "Invalid region" in call(client, UPDATE, s=sid, e=eid, i={"region": "mars-1"})["errors"][0]["message"]


def test_a_deployment_reports_deploying_until_ready():
    emu = RailwayEmulator()
    emu.set_readiness_delay(2)
    with emu.serve() as base_url, loopback_client(base_url, headers={"Authorization": "Bearer t"}) as client:
        pid, eid = project(client)
        sid = service(client, pid, eid)
        dep = data(client, INSTANCE, s=sid, e=eid)["serviceInstance"]["latestDeployment"]["id"]
        statuses = [data(client, DEPLOYMENT, id=dep)["deployment"]["status"] for _ in range(2)]
    assert statuses == ["DEPLOYING", "SUCCESS"]


def test_a_failing_image_fails_and_the_previous_deployment_keeps_serving(railway):
    emu, client = railway
    pid, eid = project(client)
    sid = service(client, pid, eid)
    emu.fail_image("ghcr.io/acme/api:2", "Healthcheck failed")
    data(client, UPDATE, s=sid, e=eid, i={"source": {"image": "ghcr.io/acme/api:2"}})
    new = data(client, DEPLOY, s=sid, e=eid)["serviceInstanceDeployV2"]
    active = data(client, "query($s: String!, $e: String!) { serviceInstance(serviceId: $s, environmentId: $e) "
                          "{ activeDeployments { meta } } }", s=sid, e=eid)
    assert (data(client, DEPLOYMENT, id=new)["deployment"]["status"],
            [d["meta"]["image"] for d in active["serviceInstance"]["activeDeployments"]]) == (
        "FAILED", ["ghcr.io/acme/api:1"])


def test_a_variable_upsert_deploys_unless_told_to_skip(railway):
    _, client = railway
    pid, eid = project(client)
    sid = service(client, pid, eid)
    before = data(client, INSTANCE, s=sid, e=eid)["serviceInstance"]["latestDeployment"]["id"]
    data(client, UPSERT, i={"projectId": pid, "environmentId": eid, "serviceId": sid, "variables": {"A": "1"},
                            "skipDeploys": True})
    skipped = data(client, INSTANCE, s=sid, e=eid)["serviceInstance"]["latestDeployment"]["id"]
    data(client, UPSERT, i={"projectId": pid, "environmentId": eid, "serviceId": sid, "variables": {"B": "2"}})
    deployed = data(client, INSTANCE, s=sid, e=eid)["serviceInstance"]["latestDeployment"]["id"]
    assert (skipped == before, deployed != before) == (True, True)


def test_replace_removes_the_variables_not_sent(railway):
    _, client = railway
    pid, eid = project(client)
    sid = service(client, pid, eid, variables={"OLD": "x"})
    data(client, UPSERT, i={"projectId": pid, "environmentId": eid, "serviceId": sid, "variables": {"NEW": "y"},
                            "replace": True, "skipDeploys": True})
    assert data(client, VARIABLES, p=pid, e=eid, s=sid)["variables"] == {"NEW": "y"}


def test_references_to_another_service_render_unless_unrendered(railway):
    _, client = railway
    pid, eid = project(client)
    sid = service(client, pid, eid, variables={"DATABASE_URL": "${{Postgres.DATABASE_URL}}"})
    deploy_template(client, pid, eid, "postgres")
    rendered = data(client, VARIABLES, p=pid, e=eid, s=sid)["variables"]["DATABASE_URL"]
    raw = data(client, VARIABLES, p=pid, e=eid, s=sid, u=True)["variables"]["DATABASE_URL"]
    assert (rendered.startswith("postgresql://postgres:"), raw) == (True, "${{Postgres.DATABASE_URL}}")


def deploy_template(client, pid, eid, code):
    template = data(client, TEMPLATE, c=code)["template"]
    return data(client, DEPLOY_TEMPLATE, i={"templateId": template["id"], "serializedConfig":
                                            template["serializedConfig"], "projectId": pid,
                                            "environmentId": eid})["templateDeployV2"]["workflowId"]


def test_a_template_workflow_reads_not_found_then_running_then_complete():
    emu = RailwayEmulator()
    emu.set_readiness_delay(1)
    with emu.serve() as base_url, loopback_client(base_url, headers={"Authorization": "Bearer t"}) as client:
        pid, eid = project(client)
        workflow = deploy_template(client, pid, eid, "redis")
        services_before = data(client, PROJECT, id=pid)["project"]["services"]["edges"]
        statuses = [data(client, WORKFLOW, w=workflow)["workflowStatus"]["status"] for _ in range(3)]
        services_after = data(client, PROJECT, id=pid)["project"]["services"]["edges"]
    assert (statuses, len(services_before), [s["node"]["name"] for s in services_after]) == (
        ["NotFound", "Running", "Complete"], 0, ["Redis"])


def test_a_template_service_carries_the_template_id_and_its_volume(railway):
    emu, client = railway
    pid, eid = project(client)
    deploy_template(client, pid, eid, "postgres")
    (node,) = [s["node"] for s in data(client, PROJECT, id=pid)["project"]["services"]["edges"]]
    mounts = [v["mountPath"] for v in emu.objects("volume_instances") if v["serviceId"] == node["id"]]
    assert (node["templateId"] is not None, mounts) == (True, ["/var/lib/postgresql/data"])


def test_deleting_a_service_leaves_its_volume_detached(railway):
    emu, client = railway
    pid, eid = project(client)
    deploy_template(client, pid, eid, "redis")
    (node,) = [s["node"] for s in data(client, PROJECT, id=pid)["project"]["services"]["edges"]]
    data(client, "mutation($id: String!, $e: String) { serviceDelete(id: $id, environmentId: $e) }", id=node["id"], e=eid)
    assert [v["serviceId"] for v in emu.objects("volume_instances")] == [None]


def test_an_unknown_workflow_reads_not_found(railway):
    _, client = railway
    assert data(client, WORKFLOW, w="nope")["workflowStatus"]["status"] == "NotFound"


def test_a_service_domain_is_generated_under_up_railway_app(railway):
    _, client = railway
    pid, eid = project(client)
    sid = service(client, pid, eid)
    domain = data(client, "mutation($i: ServiceDomainCreateInput!) { serviceDomainCreate(input: $i) { domain "
                          "syncStatus } }", i={"serviceId": sid, "environmentId": eid, "targetPort": 8000})
    assert domain["serviceDomainCreate"]["domain"].endswith(".up.railway.app")


def test_a_detached_volume_is_attached_with_volume_instance_update(railway):
    emu, client = railway
    pid, eid = project(client)
    sid = service(client, pid, eid)
    volume = data(client, "mutation($i: VolumeCreateInput!) { volumeCreate(input: $i) { id name } }",
                  i={"projectId": pid, "environmentId": eid, "mountPath": "/data"})["volumeCreate"]
    data(client, "mutation($v: String!, $e: String, $i: VolumeInstanceUpdateInput!) { volumeInstanceUpdate("
                 "volumeId: $v, environmentId: $e, input: $i) }", v=volume["id"], e=eid, i={"serviceId": sid})
    assert [v["serviceId"] for v in emu.objects("volume_instances")] == [sid]


def test_past_the_rate_limit_requests_answer_429_with_retry_after(railway):
    emu, client = railway
    emu.set_rate_limit(2, 60)
    statuses = [client.post("/graphql/v2", json={"query": "query { regions { id } }"}) for _ in range(3)]
    assert ([r.status_code for r in statuses], int(statuses[-1].headers["Retry-After"]) >= 1) == (
        [200, 200, 429], True)


def test_regions_list_the_ids_services_may_use(railway):
    _, client = railway
    ids = [r["region"] for r in data(client, "query { regions { region } }")["regions"]]
    assert "europe-west4-drams3a" in ids
