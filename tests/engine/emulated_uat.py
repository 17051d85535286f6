"""The uat stack's own resources on a throwaway stack, against emulated Cloudflare, Koyeb, Neon and Upstash accounts.

Shared by the engine test (tests/engine/test_uat_delivery.py) and the benchmark (benchmarks/uat_emulated.py).
"""

from __future__ import annotations

import os
from contextlib import ExitStack
from pathlib import Path

from tests.emulators import CloudflareEmulator, KoyebEmulator, NeonEmulator, UpstashEmulator
from tests.engine.account_snapshots import AccountSnapshots
from tests.engine.cli import ProjectCopy

PROGRAM = Path(__file__).parent / "programs" / "uat_dynamic.py"
COLLECTIONS = {"cloudflare": ("projects", "deployments"), "koyeb": ("apps", "services", "secrets"),
               "neon": ("branches", "endpoints", "roles", "databases"), "upstash": ("databases",)}
ACCOUNT_ID = "0123456789abcdef0123456789abcdef"
BUILD_CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "stagecraft" / "test-builds"
"""Content-addressed builds are shared by the engine tests and benchmarks (same source and values, same artifact)."""


class EmulatedAccounts(AccountSnapshots):
    """The four emulated accounts served on loopback, and the environment that points providers at them."""

    COLLECTIONS = COLLECTIONS

    def __init__(self, stack: ExitStack) -> None:
        self.cloudflare = CloudflareEmulator(account_id=ACCOUNT_ID)
        self.koyeb, self.neon, self.upstash = KoyebEmulator(), NeonEmulator(), UpstashEmulator()
        self.project_id = self.neon.add_project("stagecraft-uat-db")
        self.baseline = self.snapshot()
        self.cloudflare_url = stack.enter_context(self.cloudflare.serve())
        self.env = {
            "CLOUDFLARE_API_BASE_URL": self.cloudflare_url, "CLOUDFLARE_API_TOKEN": "cloudflare-test-token",
            "STAGECRAFT_BUILD_DIR": str(BUILD_CACHE),
            "KOYEB_API_URL": stack.enter_context(self.koyeb.serve()), "KOYEB_TOKEN": "koyeb-test-token",
            "NEON_API_URL": stack.enter_context(self.neon.serve()), "NEON_API_KEY": "neon-test-key",
            "UPSTASH_API_URL": stack.enter_context(self.upstash.serve()), "UPSTASH_EMAIL": "ops@example.com",
            "UPSTASH_API_KEY": "upstash-test-key",
            "STAGECRAFT_HTTP_BACKOFF_SCALE": os.environ.get("STAGECRAFT_HTTP_BACKOFF_SCALE", "0.05"),
        }

    def emulators(self):
        return {"cloudflare": self.cloudflare, "koyeb": self.koyeb, "neon": self.neon, "upstash": self.upstash}

    def request_count(self) -> int:
        return sum(len(emu.requests) for emu in self.emulators().values())


def uat_config(accounts: EmulatedAccounts, **values: object) -> dict[str, object]:
    """The program's config for `accounts`, plus `uattest:<key>` values (image, jwtRotation, apps)."""
    return {"uattest:neonProjectId": accounts.project_id, "uattest:cloudflareAccountId": ACCOUNT_ID,
            **{f"uattest:{key}": value for key, value in values.items()}}


def uat_dynamic_stack(tmp_path: Path, accounts: EmulatedAccounts,
                      image: str = "ghcr.io/weedgo/backend:1.0.0", **values: object) -> ProjectCopy:
    """A new `uat` stack of programs/uat_dynamic.py whose providers point at `accounts`."""
    return ProjectCopy(tmp_path / "project", "uat", uat_config(accounts, image=image, **values),
                       extra_env=accounts.env, passphrase="engine-test-passphrase", program=PROGRAM)
