"""Rendering app env files from stack outputs (schema version 1)."""

from __future__ import annotations

import json

import pytest

from providers.local.env_file import parse_dotenv
from tests.unit.harness import build_stack, stack_config
from tools.render_env import OutputsError, env_files, main


@pytest.fixture(scope="module")
def outputs():
    return build_stack("dev", stack_config("dev")).outputs


def test_backend_file_carries_every_connection_setting(outputs):
    backend = env_files(outputs)[".env.backend"]
    assert backend["DATABASE_URL"] == outputs["database"]["connectionUri"]
    assert backend["REDIS_URL"] == "memory://"
    assert backend["JWT_SECRET"] == outputs["jwtSecret"]
    assert backend["ENVIRONMENT"] == "development"


def test_one_file_per_frontend_with_the_api_url(outputs):
    files = env_files(outputs)
    frontends = [name for name in files if name != ".env.backend"]
    assert len(frontends) == 12
    assert all(files[name]["VITE_API_URL"] == "http://localhost:8000" for name in frontends)


def test_unknown_schema_version_is_refused(outputs):
    with pytest.raises(OutputsError, match="schemaVersion 2"):
        env_files({**outputs, "schemaVersion": 2})


def test_masked_secrets_are_refused(outputs):
    with pytest.raises(OutputsError, match="--show-secrets"):
        env_files({**outputs, "jwtSecret": "[secret]"})


def test_cli_writes_owner_only_files(outputs, tmp_path):
    source = tmp_path / "outputs.json"
    source.write_text(json.dumps(outputs))
    assert main(["--stack", "dev", "--out", str(tmp_path / "env"), "--outputs", str(source)]) == 0
    written = tmp_path / "env" / "dev" / ".env.backend"
    assert parse_dotenv(written.read_text())["DATABASE_URL"] == outputs["database"]["connectionUri"]
    assert written.stat().st_mode & 0o777 == 0o600
