"""The dev stack's program under mocks: inventory, wiring, secrets, names."""

from __future__ import annotations

import pytest

from tests.unit.harness import build_stack, stack_config

LOCAL = "pulumi-python:dynamic/local"


@pytest.fixture(scope="module")
def dev():
    return build_stack("dev", stack_config("dev"))


def test_dev_registers_one_database_bucket_secret_and_thirteen_env_files(dev):
    counts = dev.count_by_type()
    assert counts[f"{LOCAL}:PostgresDatabase"] == 1
    assert counts[f"{LOCAL}:BucketDirectory"] == 1
    assert counts[f"{LOCAL}:GeneratedSecret"] == 1
    assert counts[f"{LOCAL}:EnvFile"] == 13  # the backend's and twelve frontends'


def test_dev_registers_no_cloud_resource(dev):
    cloud = [r.type for r in dev.resources if r.custom and not r.type.startswith(f"{LOCAL}:")]
    assert cloud == []


def test_every_frontend_env_file_carries_the_backend_url(dev):
    frontend_files = [r for r in dev.of_type(f"{LOCAL}:EnvFile") if not r.inputs["path"].endswith(".env.backend")]
    assert len(frontend_files) == 12
    assert {r.inputs["values"]["VITE_API_URL"] for r in frontend_files} == {"http://localhost:8000"}


def test_backend_env_file_has_every_connection_setting(dev):
    (backend,) = [r for r in dev.of_type(f"{LOCAL}:EnvFile") if r.inputs["path"].endswith(".env.backend")]
    values = backend.inputs["values"]
    assert values["DATABASE_URL"].startswith("postgresql://app:")
    assert values["REDIS_URL"] == "memory://"
    assert values["JWT_SECRET"] == "mock-generated-secret"
    assert values["ENVIRONMENT"] == "development"
    assert values["STORAGE_BUCKET"] == "stagecraft-dev-uploads"
    assert values["STORAGE_ENDPOINT"].startswith("file://")


def test_database_has_the_three_extensions(dev):
    (db,) = dev.of_type(f"{LOCAL}:PostgresDatabase")
    assert sorted(db.inputs["extensions"]) == ["pg_trgm", "uuid-ossp", "vector"]


def test_connection_secrets_are_secret_outputs(dev):
    assert {"database.connectionUri", "redis.url", "jwtSecret"} <= dev.secret_paths


def test_non_secret_outputs_are_plain(dev):
    assert "api.url" not in dev.secret_paths
    assert dev.outputs["api"] == {"url": "http://localhost:8000", "healthUrl": "http://localhost:8000/api/health",
                                  "platform": "local"}


def test_outputs_follow_schema_version_1(dev):
    assert dev.outputs["schemaVersion"] == 1
    assert set(dev.outputs) == {"schemaVersion", "environment", "stack", "api", "apps", "database", "redis",
                                "storage", "jwtSecret", "mobile", "release"}
    assert dev.outputs["mobile"] is None  # dev ships no mobile channel
    assert dev.outputs["release"] is None  # nothing deployed to a platform: nothing to roll back
    assert len(dev.outputs["apps"]) == 12
    assert dev.outputs["apps"]["weedgo-commerce-pot-palace"]["url"] == "http://localhost:3000"


def test_bucket_name_carries_project_and_stack(dev):
    (bucket,) = dev.of_type(f"{LOCAL}:BucketDirectory")
    assert bucket.inputs["path"].endswith("/stagecraft-dev-uploads")


def test_excluded_app_is_not_deployed():
    config = stack_config("dev", {"stagecraft:frontend": {"platform": "local", "exclude": ["ai-admin-dashboard"]}})
    built = build_stack("dev", config)
    assert "ai-admin-dashboard" not in built.outputs["apps"]
    assert len(built.outputs["apps"]) == 11


def test_backend_env_file_values_are_passed_as_a_secret(dev):
    (backend,) = [r for r in dev.of_type(f"{LOCAL}:EnvFile") if r.inputs["path"].endswith(".env.backend")]
    assert "values" in backend.secret_inputs
