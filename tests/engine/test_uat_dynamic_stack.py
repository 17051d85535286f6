"""The uat stack's dynamic resources on the real engine, against the Koyeb, Neon and Upstash emulators."""

from __future__ import annotations

import os
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.emulators import KoyebEmulator, NeonEmulator, UpstashEmulator
from tests.engine.cli import ProjectCopy

pytestmark = pytest.mark.engine

PROGRAM = Path(__file__).parent / "programs" / "uat_dynamic.py"
COLLECTIONS = {"koyeb": ("apps", "services", "secrets"), "neon": ("branches", "endpoints", "roles", "databases"),
               "upstash": ("databases",)}


class EmulatedAccounts:
    """The three emulated accounts served on loopback, and the environment that points providers at them."""

    def __init__(self, stack: ExitStack) -> None:
        self.koyeb, self.neon, self.upstash = KoyebEmulator(), NeonEmulator(), UpstashEmulator()
        self.project_id = self.neon.add_project("stagecraft-uat-db")
        self.baseline = self.snapshot()
        self.env = {
            "KOYEB_API_URL": stack.enter_context(self.koyeb.serve()), "KOYEB_TOKEN": "koyeb-test-token",
            "NEON_API_URL": stack.enter_context(self.neon.serve()), "NEON_API_KEY": "neon-test-key",
            "UPSTASH_API_URL": stack.enter_context(self.upstash.serve()), "UPSTASH_EMAIL": "ops@example.com",
            "UPSTASH_API_KEY": "upstash-test-key",
            "STAGECRAFT_HTTP_BACKOFF_SCALE": os.environ.get("STAGECRAFT_HTTP_BACKOFF_SCALE", "0.05"),
        }

    def emulators(self):
        return {"koyeb": self.koyeb, "neon": self.neon, "upstash": self.upstash}

    def snapshot(self) -> dict[str, list[str]]:
        """Names of what each account holds, per collection."""
        return {f"{api}.{c}": sorted(_ident(o) for o in emu.objects(c))
                for api, emu in self.emulators().items() for c in COLLECTIONS[api]}

    def created(self) -> dict[str, list[str]]:
        """What the stack added on top of the seeded Neon project."""
        now = self.snapshot()
        return {k: [n for n in v if n not in self.baseline[k]] for k, v in now.items()}

    def writes(self) -> int:
        return sum(1 for emu in self.emulators().values() for method, _path, _status in emu.requests
                   if method not in ("GET", "HEAD"))

    def request_count(self) -> int:
        return sum(len(emu.requests) for emu in self.emulators().values())


def _ident(obj: dict) -> str:
    return str(obj.get("name") or obj.get("database_name") or obj.get("id"))


def _stack(tmp_path: Path, accounts: EmulatedAccounts, image: str = "ghcr.io/weedgo/backend:1.0.0") -> ProjectCopy:
    return ProjectCopy(tmp_path / "project", "uat", {"uattest:neonProjectId": accounts.project_id,
                                                     "uattest:image": image},
                       extra_env=accounts.env, passphrase="engine-test-passphrase", program=PROGRAM)


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
        _lifecycle(_stack(tmp_path, accounts), accounts)


def test_a_no_op_up_sends_no_write(tmp_path):
    with ExitStack() as stack:
        accounts = EmulatedAccounts(stack)
        project = _stack(tmp_path, accounts)
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
        _lifecycle(_stack(tmp_path, accounts), accounts)
