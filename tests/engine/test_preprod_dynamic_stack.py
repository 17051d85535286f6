"""The preprod stack's Railway resources and EAS channel on the real engine, against the emulators."""

from __future__ import annotations

from contextlib import ExitStack

import psycopg
import pytest

from tests.engine.cli import ProjectCopy
from tests.engine.emulated_preprod import EmulatedPreprodAccounts, preprod_dynamic_stack

pytestmark = pytest.mark.engine

EXPECTED = {"railway.projects": 1, "railway.environments": 1, "railway.services": 3, "railway.domains": 1,
            "railway.volumes": 3, "eas.branches": 1, "eas.channels": 1}
EMPTY = {key: 0 for key in ("railway.projects", "railway.environments", "railway.services", "railway.instances",
                            "railway.variables", "railway.domains", "railway.volumes", "railway.volume_instances",
                            "eas.branches", "eas.channels")}


def _assert_exactly_the_stack(accounts: EmulatedPreprodAccounts) -> None:
    counts = accounts.counts()
    assert {k: counts[k] for k in EXPECTED} == EXPECTED, counts


def _backend_images(accounts: EmulatedPreprodAccounts) -> list[str]:
    api = [s["id"] for s in accounts.railway.objects("services") if s["name"].endswith("-api")]
    return [d["meta"]["image"] for d in accounts.railway.objects("deployments") if d["serviceId"] in api]


def _lifecycle(project: ProjectCopy, accounts: EmulatedPreprodAccounts) -> None:
    project.preview().check()
    assert accounts.mutations() == 0  # a preview plans; it never changes the accounts
    project.up().check()
    _assert_exactly_the_stack(accounts)
    outputs = project.outputs()
    with psycopg.connect(outputs["databaseUrl"]) as conn:
        installed = {r[0] for r in conn.execute("SELECT extname FROM pg_extension")}
    assert {"vector", "pg_trgm", "uuid-ossp"} <= installed
    assert outputs["mobile"] == {"channel": "preprod", "branch": "preprod", "apiUrl": outputs["apiUrl"]}

    project.up("--expect-no-changes").check()
    project.refresh("--expect-no-changes").check()

    project.write_config({"preprodtest:easProjectId": accounts.app_id, "preprodtest:image": "ghcr.io/weedgo/backend:1.0.1"})
    project.up().check()
    assert _backend_images(accounts) == ["ghcr.io/weedgo/backend:1.0.0", "ghcr.io/weedgo/backend:1.0.1"]
    _assert_exactly_the_stack(accounts)

    project.destroy().check()
    assert {k: v for k, v in accounts.counts().items() if k in EMPTY} == EMPTY


def test_up_noop_refresh_image_update_destroy_leaves_the_accounts_empty(tmp_path):
    with ExitStack() as stack:
        accounts = EmulatedPreprodAccounts(stack)
        _lifecycle(preprod_dynamic_stack(tmp_path, accounts), accounts)


def test_a_no_op_up_sends_no_mutation(tmp_path):
    with ExitStack() as stack:
        accounts = EmulatedPreprodAccounts(stack)
        project = preprod_dynamic_stack(tmp_path, accounts)
        project.up().check()
        before = accounts.mutations()
        project.up("--expect-no-changes").check()
        assert accounts.mutations() == before
        project.destroy().check()


def test_with_faults_at_a_fixed_rate_the_same_sequence_converges_without_duplicates(tmp_path):
    with ExitStack() as stack:
        accounts = EmulatedPreprodAccounts(stack)
        for seed, emulator in enumerate(accounts.emulators().values()):
            emulator.inject_rate(0.15, seed=seed + 21, kinds=("429", "500", "503", "drop_after_action"),
                                 retry_after=1)
        _lifecycle(preprod_dynamic_stack(tmp_path, accounts), accounts)
