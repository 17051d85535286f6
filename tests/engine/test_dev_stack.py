"""`pulumi up/preview/refresh/destroy -s dev` on the real engine, against the project's PostgreSQL server."""

from __future__ import annotations

import secrets

import psycopg
import pytest

from providers.local.env_file import parse_dotenv
from tests.engine.cli import ProjectCopy
from tests.engine.dev_stack import dev_config
from tests.machine import database_exists, role_exists

pytestmark = pytest.mark.engine


@pytest.fixture(scope="module")
def deployed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("dev-stack")
    name = f"sc_test_{secrets.token_hex(4)}"
    project = ProjectCopy(tmp / "project", "dev", dev_config(tmp, name))
    up = project.up().check()
    yield project, name, tmp, up
    project.destroy()


def test_up_creates_the_database_with_the_three_extensions(deployed):
    project, _name, _tmp, _up = deployed
    uri = project.outputs()["database"]["connectionUri"]
    with psycopg.connect(uri) as conn:
        extensions = {row[0] for row in conn.execute("SELECT extname FROM pg_extension")}
    assert {"vector", "pg_trgm", "uuid-ossp"} <= extensions


def test_backend_env_file_holds_the_stack_outputs_and_its_database_url_connects(deployed):
    project, _name, tmp, _up = deployed
    outputs = project.outputs()
    values = parse_dotenv((tmp / "env" / "dev" / ".env.backend").read_text())
    assert values["DATABASE_URL"] == outputs["database"]["connectionUri"]
    assert values["REDIS_URL"] == outputs["redis"]["url"] == "memory://"
    assert values["JWT_SECRET"] == outputs["jwtSecret"]
    assert values["ENVIRONMENT"] == "development"
    assert values["STORAGE_BUCKET"] == outputs["storage"]["bucket"]
    with psycopg.connect(values["DATABASE_URL"]) as conn:
        assert conn.execute("SELECT uuid_generate_v4() IS NOT NULL").fetchone() == (True,)


def test_every_frontend_env_file_points_at_the_api(deployed):
    project, _name, tmp, _up = deployed
    outputs = project.outputs()
    for app in outputs["apps"]:
        values = parse_dotenv((tmp / "env" / "dev" / f".env.{app}").read_text())
        assert values["VITE_API_URL"] == outputs["api"]["url"]


def test_env_files_are_readable_by_their_owner_only(deployed):
    _project, _name, tmp, _up = deployed
    modes = {(path.stat().st_mode & 0o777) for path in (tmp / "env" / "dev").iterdir()}
    assert modes == {0o600}


def test_second_up_changes_nothing(deployed):
    project, *_ = deployed
    project.preview("--expect-no-changes").check()
    project.up("--expect-no-changes").check()


def test_refresh_finds_no_drift(deployed):
    project, *_ = deployed
    project.refresh("--expect-no-changes").check()


def test_exported_state_has_no_secret_in_plain_text(deployed):
    project, *_ = deployed
    outputs = project.outputs()
    state = project.export()
    password = outputs["database"]["connectionUri"].split(":")[2].split("@")[0]
    assert outputs["jwtSecret"] not in state
    assert password not in state


def test_up_output_shows_secrets_masked(deployed):
    _project, _name, _tmp, up = deployed
    assert "jwtSecret    : [secret]" in up.output
    assert "connectionUri: [secret]" in up.output


def test_destroy_leaves_no_database_role_bucket_or_env_file(tmp_path):
    name = f"sc_test_{secrets.token_hex(4)}"
    project = ProjectCopy(tmp_path / "project", "dev", dev_config(tmp_path, name))
    project.up().check()
    assert database_exists(name) and role_exists(name)
    project.destroy().check()
    assert not database_exists(name)
    assert not role_exists(name)
    assert not any((tmp_path / "buckets").iterdir())
    assert not any((tmp_path / "env" / "dev").iterdir())


def test_preview_of_a_new_stack_plans_every_resource(tmp_path):
    name = f"sc_test_{secrets.token_hex(4)}"
    project = ProjectCopy(tmp_path / "project", "dev", dev_config(tmp_path, name))
    preview = project.preview().check()
    assert "+ 34 to create" in preview.output
    assert not database_exists(name)
