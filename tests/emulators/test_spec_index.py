"""Loading and indexing vendor specs: caching, both spec dialects, path template matching."""

from __future__ import annotations

import pytest

from tests.emulators.spec import SPECS_DIR_ENV, SpecError, load_spec

REST_SPECS = (
    "koyeb.openapi.json",
    "neon.openapi.json",
    "upstash.openapi.yml",
    "render.openapi.json",
    "supabase-management.openapi.json",
    "netlify.swagger.yml",
)


def test_spec_is_parsed_once_per_process():
    assert load_spec("koyeb.openapi.json") is load_spec("koyeb.openapi.json")


def test_swagger_document_is_indexed_as_swagger2():
    spec = load_spec("koyeb.openapi.json")
    assert (spec.kind, "CreateApp" in spec.by_operation_id) == ("swagger2", True)


def test_openapi_yaml_document_is_indexed_as_openapi3():
    spec = load_spec("upstash.openapi.yml")
    assert (spec.kind, "createDatabase" in spec.by_operation_id) == ("openapi3", True)


@pytest.mark.parametrize("name", REST_SPECS)
def test_every_rest_spec_in_the_reference_folder_indexes(name):
    assert load_spec(name).operations


def test_graphql_introspection_file_is_refused_with_a_clear_error():
    with pytest.raises(SpecError, match="GraphQL"):
        load_spec("railway.schema.json")


def test_missing_spec_file_error_names_the_folder_setting(tmp_path, monkeypatch):
    monkeypatch.setenv(SPECS_DIR_ENV, str(tmp_path))
    with pytest.raises(SpecError, match=SPECS_DIR_ENV):
        load_spec("absent.openapi.json")


def test_literal_path_segment_wins_over_a_template_variable():
    match = load_spec("neon.openapi.json").match("GET", "/projects/p-1/branches/count")
    assert match.operation.operation_id == "countProjectBranches"


def test_template_variable_serves_a_method_the_literal_path_lacks():
    match = load_spec("neon.openapi.json").match("DELETE", "/projects/p-1/branches/count")
    assert (match.operation.operation_id, match.path_params["branch_id"]) == ("deleteProjectBranch", "count")


def test_documented_server_base_path_is_accepted_as_a_prefix():
    match = load_spec("neon.openapi.json").match("GET", "/api/v2/projects/p-1")
    assert (match.operation.operation_id, match.path) == ("getProject", "/projects/p-1")


def test_path_parameters_are_url_decoded():
    match = load_spec("neon.openapi.json").match("GET", "/projects/p-1/branches/br-1/roles/app%20user")
    assert match.path_params["role_name"] == "app user"


def test_unknown_path_is_reported_with_the_spec_name():
    match = load_spec("koyeb.openapi.json").match("GET", "/v1/nothing-here")
    assert match.operation is None and "koyeb.openapi.json" in match.problem


def test_wrong_method_lists_the_methods_the_path_has():
    match = load_spec("koyeb.openapi.json").match("POST", "/v1/apps/abc")
    assert match.allowed_methods == ("DELETE", "GET", "PATCH", "PUT")


def test_operation_response_schema_falls_back_to_default():
    op = load_spec("koyeb.openapi.json").by_operation_id["GetApp"]
    declared, ptr = op.response_schema_pointer(429)
    assert declared and ptr.endswith("/default/schema")
