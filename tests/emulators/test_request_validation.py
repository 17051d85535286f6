"""RequestValidator: a conforming request passes; each kind of mismatch is reported with its location."""

from __future__ import annotations

import json

import pytest

from tests.emulators.spec import load_spec
from tests.emulators.validation import RequestValidator

JSON = {"Content-Type": "application/json"}
KOYEB_APP = {"name": "stagecraft-uat"}
NEON_ROLE = {"role": {"name": "app"}}
UPSTASH_DATABASE = {"database_name": "stagecraft-uat-cache", "platform": "aws", "primary_region": "us-east-1"}


@pytest.fixture(scope="module")
def koyeb():
    return RequestValidator(load_spec("koyeb.openapi.json"))


@pytest.fixture(scope="module")
def neon():
    return RequestValidator(load_spec("neon.openapi.json"))


@pytest.fixture(scope="module")
def upstash():
    return RequestValidator(load_spec("upstash.openapi.yml"))


def check(validator, method, path, body=None, query="", headers=JSON):
    raw = json.dumps(body).encode() if body is not None else b""
    return validator.validate(method, path, query, headers, raw)


def test_conforming_request_has_no_problems(koyeb):
    result = check(koyeb, "POST", "/v1/apps", KOYEB_APP)
    assert (result.operation_id, result.problems) == ("CreateApp", [])


def test_unknown_path_is_a_problem(koyeb):
    assert "unknown path" in check(koyeb, "GET", "/v1/application").problems[0]


def test_method_not_defined_for_path_is_a_problem(koyeb):
    assert "method POST is not defined" in check(koyeb, "POST", "/v1/apps/abc", KOYEB_APP).problems[0]


def test_missing_required_body_field_is_a_problem(neon):
    problems = check(neon, "POST", "/projects/p-1/branches/br-1/roles", {"role": {}}).problems
    assert problems == ["body.role: 'name' is a required property"]


def test_wrong_type_is_a_problem(koyeb):
    assert check(koyeb, "POST", "/v1/apps", {"name": 7}).problems == ["body.name: expected string, got int"]


def test_value_outside_enum_is_a_problem(upstash):
    problems = check(upstash, "POST", "/redis/database", {**UPSTASH_DATABASE, "platform": "azure"}).problems
    assert problems == ["body.platform: 'azure' is not one of ['aws', 'gcp']"]


def test_enum_inside_nested_array_is_checked(upstash):
    body = {**UPSTASH_DATABASE, "read_regions": ["mars-north-1"]}
    assert check(upstash, "POST", "/redis/database", body).problems[0].startswith("body.read_regions[0]:")


def test_unknown_query_parameter_is_a_problem(koyeb):
    problems = check(koyeb, "GET", "/v1/apps", query="nmae=x").problems
    assert problems[0].startswith("query.nmae: unknown query parameter for ListApps")


def test_query_parameter_of_wrong_type_is_a_problem(koyeb):
    assert check(koyeb, "POST", "/v1/services", {}, query="dry_run=yes").problems == [
        "query.dry_run: 'yes' is not a boolean (use true or false)"
    ]


def test_query_parameter_out_of_range_is_a_problem(neon):
    assert check(neon, "GET", "/projects/p-1/branches", query="limit=0").problems == [
        "query.limit: 0 violates minimum=1"
    ]


def test_repeated_array_query_parameter_is_decoded_and_each_item_checked(koyeb):
    result = check(koyeb, "GET", "/v1/services", query="types=WEB&types=CRON")
    assert result.problems == ["query.types[1]: 'CRON' is not one of ['INVALID_TYPE', 'WEB', 'WORKER', 'DATABASE', 'SANDBOX']"]


def test_scalar_query_parameter_given_twice_is_a_problem(koyeb):
    assert "given 2 times" in check(koyeb, "GET", "/v1/apps", query="name=a&name=b").problems[0]


def test_required_query_parameter_missing_is_a_problem(neon):
    problems = check(neon, "GET", "/projects/p-1/connection_uri", query="role_name=app").problems
    assert problems == ["query.database_name: required query parameter is missing"]


def test_path_parameter_failing_its_pattern_is_a_problem(neon):
    assert check(neon, "GET", "/projects/Not_An_Id").problems[0].startswith("path.project_id:")


def test_unknown_body_field_is_a_problem_even_though_the_schema_is_open(koyeb):
    problems = check(koyeb, "POST", "/v1/services", {"app_id": "a", "definition": {"instance_type": "free"}}).problems
    assert problems == ["body.definition: unknown field 'instance_type' (not declared by the vendor schema)"]


def test_unknown_body_fields_pass_when_strict_checking_is_off():
    lenient = RequestValidator(load_spec("koyeb.openapi.json"), strict_unknown_fields=False)
    assert check(lenient, "POST", "/v1/apps", {"name": "x", "extra": 1}).problems == []


def test_fields_from_every_allof_branch_are_known(neon):
    body = {"branch": {"name": "uat"}, "annotation_value": {"owner": "ci"}}
    assert check(neon, "POST", "/projects/p-1/branches", body).problems == []


def test_required_body_missing_is_a_problem(upstash):
    assert check(upstash, "POST", "/redis/database").problems == ["body: createDatabase requires a JSON request body"]


def test_body_sent_to_an_operation_without_one_is_a_problem(neon):
    problems = check(neon, "POST", "/projects/p-1/endpoints/ep-1/start", {"force": True}).problems
    assert problems == ["body: startProjectEndpoint takes no request body, but one was sent"]


def test_empty_json_body_counts_as_no_body(upstash):
    assert check(upstash, "POST", "/redis/enable-tls/db-1", None).problems == []
    assert upstash.validate("POST", "/redis/enable-tls/db-1", "", JSON, b"null").problems == []


def test_nullable_field_accepts_null(neon):
    body = {"branch": {"expires_at": None}}
    assert check(neon, "PATCH", "/projects/p-1/branches/br-1", body).problems == []


def test_null_in_a_field_not_marked_nullable_is_a_problem(neon):
    problems = check(neon, "PATCH", "/projects/p-1/branches/br-1", {"branch": {"name": None}}).problems
    assert problems[0].startswith("body.branch.name: null is not allowed")


def test_malformed_date_time_is_a_problem(neon):
    body = {"branch": {"parent_timestamp": "yesterday"}}
    assert check(neon, "POST", "/projects/p-1/branches", body).problems == [
        "body.branch.parent_timestamp: 'yesterday' is not a valid date-time"
    ]


def test_non_json_content_type_is_a_problem(koyeb):
    result = koyeb.validate("POST", "/v1/apps", "", {"Content-Type": "text/plain"}, b'{"name": "x"}')
    assert result.problems[0].startswith("header.Content-Type:")


def test_malformed_json_is_a_problem(koyeb):
    result = koyeb.validate("POST", "/v1/apps", "", JSON, b'{"name": ')
    assert result.problems[0].startswith("body: not valid JSON")


def test_binary_upload_body_is_checked_only_for_its_media_type():
    netlify = RequestValidator(load_spec("netlify.swagger.yml"))
    path = "/api/v1/deploys/d-1/files/index.html"
    accepted = netlify.validate("PUT", path, "", {"Content-Type": "application/octet-stream"}, b"<html></html>")
    refused = netlify.validate("PUT", path, "", JSON, b"{}")
    assert (accepted.problems, refused.problems[0].startswith("header.Content-Type:")) == ([], True)


def test_secret_looking_field_values_are_not_echoed(koyeb):
    body = {"name": "db-url", "value": {"leak": "hunter2-very-secret"}}
    problems = check(koyeb, "POST", "/v1/secrets", body).problems
    assert problems and "hunter2" not in " ".join(problems)


def test_decoded_inputs_are_handed_over(koyeb):
    result = check(koyeb, "PUT", "/v1/services/svc-1", {"definition": {}}, query="dry_run=true")
    assert (result.path_params, result.query, result.body) == ({"id": "svc-1"}, {"dry_run": True}, {"definition": {}})


def _vendor_request_examples():
    for name in ("neon.openapi.json", "render.openapi.json"):
        spec = load_spec(name)
        for op in spec.operations:
            raw = spec.document["paths"][op.template][op.method.lower()].get("requestBody")
            if raw is None or op.body is None or op.body.schema_pointer is None:
                continue
            body, _ = spec.deref(raw)
            for media in (body.get("content") or {}).values():
                values = [media["example"]] if "example" in media else []
                values += [spec.deref(e)[0].get("value") for e in (media.get("examples") or {}).values()]
                for index, value in enumerate(values):
                    yield pytest.param(name, op.body.schema_pointer, value, id=f"{op.operation_id}-{index}")


@pytest.mark.parametrize("name, schema_pointer, example", list(_vendor_request_examples()))
def test_vendor_request_examples_pass_strict_validation(name, schema_pointer, example):
    checker = RequestValidator(load_spec(name)).schemas
    assert checker.problems(example, schema_pointer=schema_pointer, check_unknown=True) == []
