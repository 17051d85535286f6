"""The preprod stack's components on a throwaway stack, against emulated Railway and Expo EAS accounts.

The Railway emulator backs each Postgres template service with a real database on the project's PostgreSQL
server, so the extensions are enabled over SQL for real. The builds of the stand-in product run for real too
(their artifacts cached by content, shared with the other engine tests).
"""

from __future__ import annotations

import os
from contextlib import ExitStack
from pathlib import Path

from tests.emulators import EasEmulator, RailwayEmulator
from tests.engine.cli import ProjectCopy
from tests.engine.emulated_uat import BUILD_CACHE
from tests.machine import project_admin_url

PROGRAM = Path(__file__).parent / "programs" / "preprod_dynamic.py"
COLLECTIONS = {"railway": ("projects", "environments", "services", "instances", "variables", "domains", "volumes",
                           "volume_instances"),
               "eas": ("branches", "channels")}
EAS_TOKEN = "expo-test-token"


class EmulatedPreprodAccounts:
    """Railway and EAS accounts served on loopback, and the environment that points the providers at them.

    Whatever happens in the test, the real databases standing in for Railway's Postgres go when the stack closes."""

    def __init__(self, stack: ExitStack) -> None:
        self.railway = RailwayEmulator(token="railway-test-token", postgres_admin_url=project_admin_url())
        self.eas = EasEmulator(token=EAS_TOKEN)
        stack.callback(self.railway.drop_backing_databases)
        self.app_id = self.eas.add_app("weedgo-mobile")
        self.env = {
            "RAILWAY_API_URL": stack.enter_context(self.railway.serve()), "RAILWAY_API_TOKEN": "railway-test-token",
            "EXPO_API_URL": stack.enter_context(self.eas.serve()), "EXPO_TOKEN": EAS_TOKEN,
            "STAGECRAFT_BUILD_DIR": str(BUILD_CACHE),
            "STAGECRAFT_HTTP_BACKOFF_SCALE": os.environ.get("STAGECRAFT_HTTP_BACKOFF_SCALE", "0.05"),
        }

    def emulators(self):
        return {"railway": self.railway, "eas": self.eas}

    def counts(self) -> dict[str, int]:
        """How many objects each account holds, per collection (the seeded app aside)."""
        return {f"{api}.{c}": len(emu.objects(c)) for api, emu in self.emulators().items() for c in COLLECTIONS[api]}

    def mutations(self) -> int:
        """GraphQL writes sent to both accounts."""
        return sum(emu.mutations() for emu in self.emulators().values())


def preprod_config(accounts: EmulatedPreprodAccounts, **values: object) -> dict[str, object]:
    """The program's config for `accounts`, plus `preprodtest:<key>` values (image, apps)."""
    return {"preprodtest:easProjectId": accounts.app_id, **{f"preprodtest:{k}": v for k, v in values.items()}}


def preprod_dynamic_stack(tmp_path: Path, accounts: EmulatedPreprodAccounts,
                          image: str = "ghcr.io/weedgo/backend:1.0.0", **values: object) -> ProjectCopy:
    """A new `preprod` stack of programs/preprod_dynamic.py whose providers point at `accounts`."""
    return ProjectCopy(tmp_path / "project", "preprod", preprod_config(accounts, image=image, **values),
                       extra_env=accounts.env, passphrase="engine-test-passphrase", program=PROGRAM)
