"""Bad input on the real engine: one clear message naming the key, and nothing changed."""

from __future__ import annotations

import secrets

import pytest

from tests.engine.cli import ProjectCopy
from tests.engine.dev_stack import dev_config
from tests.machine import closed_port, database_exists

pytestmark = pytest.mark.engine


def _assert_refused_and_unchanged(project: ProjectCopy, tmp_path, name: str, *expected: str) -> None:
    for result in (project.preview(), project.up()):
        assert result.returncode != 0
        for text in expected:
            assert text in result.output, result.output[-3000:]
        assert "Traceback" not in result.output
    assert not database_exists(name)
    assert not (tmp_path / "env").exists()
    assert project.resource_count() == 0


@pytest.fixture
def name():
    return f"sc_test_{secrets.token_hex(4)}"


def test_unknown_platform_is_refused(tmp_path, name):
    config = {**dev_config(tmp_path, name), "stagecraft:backend": {"platform": "heroku"}}
    project = ProjectCopy(tmp_path / "project", "dev", config)
    _assert_refused_and_unchanged(project, tmp_path, name, "stagecraft:backend.platform",
                                  "pulumi config set --path 'stagecraft:backend.platform' koyeb -s dev")


def test_malformed_port_is_refused(tmp_path, name):
    config = dev_config(tmp_path, name)
    config["stagecraft:backend"] = {"platform": "local", "port": "80x"}
    project = ProjectCopy(tmp_path / "project", "dev", config)
    _assert_refused_and_unchanged(project, tmp_path, name, "stagecraft:backend.port", "'80x'",
                                  "fix: pulumi config rm --path 'stagecraft:backend.port' -s dev")


def test_missing_required_key_is_refused(tmp_path, name):
    config = {k: v for k, v in dev_config(tmp_path, name).items() if k != "stagecraft:storage"}
    project = ProjectCopy(tmp_path / "project", "dev", config)
    _assert_refused_and_unchanged(project, tmp_path, name, "stagecraft:storage.platform: is required but not set",
                                  "fix: pulumi config set --path 'stagecraft:storage.platform' ")


def test_unreachable_postgres_is_refused(tmp_path, name):
    port = closed_port()
    project = ProjectCopy(tmp_path / "project", "dev", dev_config(tmp_path, name, port=port))
    _assert_refused_and_unchanged(project, tmp_path, name,
                                  f"stagecraft:postgres.local.port: the server at host 127.0.0.1, port {port}")
