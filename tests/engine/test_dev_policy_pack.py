"""The project's own dev program under the project's policy pack, on the real engine (the PR check's form)."""

from __future__ import annotations

import secrets

import pytest

from tests.engine.cli import ProjectCopy
from tests.engine.dev_stack import dev_config
from tests.machine import PROJECT_ROOT, database_exists

pytestmark = pytest.mark.engine

POLICY_PACK = str(PROJECT_ROOT / "policies")


def test_preview_and_up_of_dev_pass_the_policy_pack(tmp_path):
    name = f"sc_test_{secrets.token_hex(4)}"
    project = ProjectCopy(tmp_path / "project", "dev", dev_config(tmp_path, name))
    preview = project.preview("--policy-pack", POLICY_PACK).check()
    assert "Policy Violations" not in preview.output
    project.stack_command("up", "--yes", "--policy-pack", POLICY_PACK).check()
    assert database_exists(name)
    project.destroy().check()
