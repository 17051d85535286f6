"""The uat stack's dynamic resources on the real engine, against the Koyeb, Neon and Upstash emulators."""

from __future__ import annotations

from contextlib import ExitStack

import pytest

from tests.engine.cli import ProjectCopy
from tests.engine.emulated_uat import EmulatedAccounts, uat_dynamic_stack

pytestmark = pytest.mark.engine

EXPECTED = {
    "koyeb.apps": ["stagecraft-uat-api"],
    "koyeb.services": ["stagecraft-uat-api"],
    "koyeb.secrets": ["stagecraft-uat-api-database-url", "stagecraft-uat-api-jwt-secret",
                      "stagecraft-uat-api-redis-url"],
    "neon.branches": ["uat"],
    "neon.endpoints": 1,
    "neon.roles": ["app"],
    "neon.databases": ["app"],
    "upstash.databases": ["stagecraft-uat-cache"],
}


def _assert_exactly_the_stack(created: dict[str, list[str]]) -> None:
    for key, expected in EXPECTED.items():
        if isinstance(expected, int):
            assert len(created[key]) == expected, (key, created[key])
        else:
            assert created[key] == expected, (key, created[key])


def _lifecycle(project: ProjectCopy, accounts: EmulatedAccounts) -> None:
    project.preview().check()
    assert accounts.writes() == 0  # a preview plans; it never changes the accounts
    project.up().check()
    _assert_exactly_the_stack(accounts.created())
    service_id = accounts.koyeb.objects("services")[0]["id"]

    project.up("--expect-no-changes").check()
    project.refresh("--expect-no-changes").check()

    project.write_config({"uattest:neonProjectId": accounts.project_id, "uattest:image": "ghcr.io/weedgo/backend:1.0.1"})
    project.up().check()
    (service,) = accounts.koyeb.objects("services")
    assert service["id"] == service_id  # updated in place, not replaced
    _assert_exactly_the_stack(accounts.created())

    project.destroy().check()
    assert accounts.snapshot() == accounts.baseline


def test_up_noop_refresh_update_destroy_leaves_the_accounts_as_they_were(tmp_path):
    with ExitStack() as stack:
        accounts = EmulatedAccounts(stack)
        _lifecycle(uat_dynamic_stack(tmp_path, accounts), accounts)


def test_a_no_op_up_sends_no_write(tmp_path):
    with ExitStack() as stack:
        accounts = EmulatedAccounts(stack)
        project = uat_dynamic_stack(tmp_path, accounts)
        project.up().check()
        writes_before = accounts.writes()
        project.up("--expect-no-changes").check()
        assert accounts.writes() == writes_before
        project.destroy().check()


def test_with_faults_at_a_fixed_rate_the_same_sequence_converges_without_duplicates(tmp_path):
    with ExitStack() as stack:
        accounts = EmulatedAccounts(stack)
        for seed, emulator in enumerate(accounts.emulators().values()):
            emulator.inject_rate(0.15, seed=seed + 11, kinds=("429", "500", "503", "drop_after_action"),
                                 retry_after=1)  # whole seconds, as real APIs send; the test scales waits down
        _lifecycle(uat_dynamic_stack(tmp_path, accounts), accounts)
