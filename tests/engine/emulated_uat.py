"""The uat stack's dynamic resources on a throwaway stack, against emulated Koyeb, Neon and Upstash accounts.

Shared by the engine test (tests/engine/test_uat_dynamic_stack.py) and the benchmark (benchmarks/uat_emulated.py).
"""

from __future__ import annotations

import os
from contextlib import ExitStack
from pathlib import Path

from tests.emulators import KoyebEmulator, NeonEmulator, UpstashEmulator
from tests.engine.cli import ProjectCopy

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


def uat_dynamic_stack(tmp_path: Path, accounts: EmulatedAccounts,
                      image: str = "ghcr.io/weedgo/backend:1.0.0") -> ProjectCopy:
    """A new `uat` stack of programs/uat_dynamic.py whose providers point at `accounts`."""
    return ProjectCopy(tmp_path / "project", "uat", {"uattest:neonProjectId": accounts.project_id,
                                                     "uattest:image": image},
                       extra_env=accounts.env, passphrase="engine-test-passphrase", program=PROGRAM)
