"""The GraphQL side of the emulator machinery: validation against the schema, conformance, faults, errors."""

from __future__ import annotations

import httpx
import pytest

from tests.emulators import ConformanceRegistry, Fault, RailwayEmulator
from tests.emulators.conformance import format_conformance_summary
from tests.emulators.graphql import check_operation, load_graphql_schema
from tests.emulators.support import loopback_client

PROJECTS = "query($w: String) { projects(workspaceId: $w) { edges { node { id name } } } }"
CREATE_PROJECT = "mutation($n: String) { projectCreate(input: {name: $n}) { id } }"


@pytest.fixture
def railway():
    registry = ConformanceRegistry()
    emu = RailwayEmulator(conformance=registry, fail_on_violation=False)
    with emu.serve() as base_url, loopback_client(base_url, headers={"Authorization": "Bearer t"}) as client:
        yield emu, client, registry


def post(client: httpx.Client, query: str, **variables):
    return client.post("/graphql/v2", json={"query": query, "variables": variables})


def test_both_vendor_schemas_load_and_build():
    names = {load_graphql_schema(f).schema.query_type.name for f in ("railway.schema.json", "expo-eas.schema.json")}
    assert names == {"Query", "RootQuery"}


def test_a_valid_operation_has_no_problems():
    schema = load_graphql_schema("railway.schema.json").schema
    assert check_operation(schema, b'{"query": "query { projects { edges { node { id } } } }"}').problems == ()


def test_an_unknown_field_is_a_problem():
    schema = load_graphql_schema("railway.schema.json").schema
    problems = check_operation(schema, b'{"query": "query { projects { edges { node { nme } } } }"}').problems
    assert "Cannot query field 'nme' on type 'Project'" in problems[0]


def test_an_unknown_argument_is_a_problem():
    schema = load_graphql_schema("railway.schema.json").schema
    problems = check_operation(schema, b'{"query": "query { project(idx: \\"1\\") { id } }"}').problems
    assert any("Unknown argument 'idx'" in p for p in problems)


def test_a_variable_of_the_wrong_declared_type_is_a_problem():
    schema = load_graphql_schema("expo-eas.schema.json").schema
    body = (b'{"query": "query($appId: ID!) { app { byId(appId: $appId) { id } } }", '
            b'"variables": {"appId": "x"}}')
    problems = check_operation(schema, body).problems
    assert any("Variable '$appId' of type 'ID!' used in position expecting type 'String!'" in p for p in problems)


def test_a_missing_required_variable_is_a_problem():
    schema = load_graphql_schema("railway.schema.json").schema
    problems = check_operation(schema, b'{"query": "query($id: String!) { project(id: $id) { id } }"}').problems
    assert any("'$id'" in p and "was not provided" in p for p in problems)


def test_an_unknown_input_field_in_variables_is_a_problem():
    schema = load_graphql_schema("railway.schema.json").schema
    body = (b'{"query": "mutation($i: ProjectCreateInput!) { projectCreate(input: $i) { id } }", '
            b'"variables": {"i": {"name": "a", "colour": "red"}}}')
    assert any("colour" in p for p in check_operation(schema, body).problems)


def test_an_undeclared_variable_is_a_problem():
    schema = load_graphql_schema("railway.schema.json").schema
    body = b'{"query": "query { projects { edges { node { id } } } }", "variables": {"extra": 1}}'
    assert check_operation(schema, body).problems == ("variables.extra: not declared by the operation",)


def test_invalid_operation_is_a_counted_violation_answered_400(railway):
    emu, client, registry = railway
    response = post(client, "query { projects { edges { node { nme } } } }")
    assert (response.status_code, response.json()["errors"][0]["extensions"]["code"],
            len(emu.violations), len(registry.violations)) == (400, "GRAPHQL_VALIDATION_FAILED", 1, 1)


def test_every_request_is_counted_for_its_api(railway):
    _, client, registry = railway
    post(client, PROJECTS)
    post(client, PROJECTS)
    assert registry.totals()["checked"] == {"railway": 2}


def test_conformance_summary_names_the_graphql_api(railway):
    _, client, registry = railway
    post(client, PROJECTS)
    assert "railway 1" in format_conformance_summary(registry)


def test_get_requests_are_violations(railway):
    emu, client, _ = railway
    assert client.get("/graphql/v2").status_code == 400 and len(emu.violations) == 1


def test_the_response_holds_exactly_the_selected_fields(railway):
    _, client, _ = railway
    post(client, CREATE_PROJECT, n="a")
    node = post(client, PROJECTS).json()["data"]["projects"]["edges"][0]["node"]
    assert sorted(node) == ["id", "name"]


def test_faults_are_aimed_by_operation_route(railway):
    emu, client, _ = railway
    emu.inject(Fault.status(503, retry_after=2), path="mutation/projectCreate")
    assert post(client, PROJECTS).status_code == 200
    response = post(client, CREATE_PROJECT, n="a")
    assert (response.status_code, response.headers["Retry-After"], emu.objects("projects")) == (503, "2", [])


def test_drop_after_action_acts_then_drops(railway):
    emu, client, _ = railway
    emu.inject(Fault.drop_after_action(), path="mutation/*")
    with pytest.raises(httpx.TransportError):
        post(client, CREATE_PROJECT, n="a")
    assert len(emu.objects("projects")) == 1


def test_mutations_are_counted_as_writes(railway):
    emu, client, _ = railway
    post(client, PROJECTS)
    post(client, CREATE_PROJECT, n="a")
    assert emu.mutations() == 1


def test_fields_without_a_resolver_answer_unimplemented(railway):
    emu, client, registry = railway
    response = post(client, "query { platformStatus { isStable } }")
    assert ("does not implement Query.platformStatus" in response.json()["errors"][0]["message"],
            registry.totals()["unimplemented"]) == (True, {"railway:Query.platformStatus": 1})


def test_stats_count_operations_by_root_field(railway):
    emu, client, _ = railway
    post(client, PROJECTS)
    assert emu.stats()["operations"] == {"query projects": 1}
