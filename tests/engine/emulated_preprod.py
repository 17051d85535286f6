"""The preprod stack's dynamic resources on a throwaway stack, against emulated Railway and Expo EAS accounts.

The Railway emulator backs each Postgres template service with a real database on the project's PostgreSQL
server, so the extensions are enabled over SQL for real.
"""

from __future__ import annotations

import os
from contextlib import ExitStack
from pathlib import Path

from tests.emulators import EasEmulator, RailwayEmulator
from tests.engine.cli import ProjectCopy
from tests.machine import project_admin_url

PROGRAM = Path(__file__).parent / "programs" / "preprod_dynamic.py"
COLLECTIONS = {"railway": ("projects", "environments", "services", "instances", "variables", "domains", "volumes",
                           "volume_instances"),
               "eas": ("branches", "channels")}


class EmulatedPreprodAccounts:
    """Railway and EAS accounts served on loopback, and the environment that points the providers at them."""

    def __init__(self, stack: ExitStack) -> None:
        self.railway = RailwayEmulator(token="railway-test-token", postgres_admin_url=project_admin_url())
        self.eas = EasEmulator(token="expo-test-token")
        self.app_id = self.eas.add_app("weedgo-mobile")
        self.env = {
            "RAILWAY_API_URL": stack.enter_context(self.railway.serve()), "RAILWAY_API_TOKEN": "railway-test-token",
            "EXPO_API_URL": stack.enter_context(self.eas.serve()), "EXPO_TOKEN": "expo-test-token",
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


def preprod_dynamic_stack(tmp_path: Path, accounts: EmulatedPreprodAccounts,
                          image: str = "ghcr.io/weedgo/backend:1.0.0") -> ProjectCopy:
    """A new `preprod` stack of programs/preprod_dynamic.py whose providers point at `accounts`."""
    return ProjectCopy(tmp_path / "project", "preprod", {"preprodtest:easProjectId": accounts.app_id,
                                                         "preprodtest:image": image},
                       extra_env=accounts.env, passphrase="engine-test-passphrase", program=PROGRAM)
