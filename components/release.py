"""The release a stack serves, recorded after every deployment succeeded (what `stagecraft rollback` goes back to).

`release_ledger` registers the stack's `local:ReleaseLedger` (providers/local/release_ledger.py) with the backend image
and each app's build artifact (its folder key and digest), depending on every deployment so that it records a release
only when all of them succeeded. `release_output` is the stack output that says what is served, and which earlier
update a rollback brought back.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pulumi

from components.frontend_builds import FrontendBuilds
from settings.rollback import RollbackSettings


def release_ledger(name: str, image: str | None, builds: FrontendBuilds | None, rollback: RollbackSettings | None,
                   deployed: Sequence[pulumi.Resource], parent: pulumi.Resource | None = None) -> Any:
    """The stack's ledger, recording this update's release after everything in `deployed`."""
    from providers.local.release_ledger import ReleaseLedger, ReleaseLedgerArgs

    recorded = {app: pulumi.Output.all(builds.artifact_keys[app], builds.artifact_digests[app]).apply(
        lambda parts: {"key": parts[0], "digest": parts[1]}) for app in builds.artifact_keys} if builds else {}
    return ReleaseLedger(name, ReleaseLedgerArgs(image=image or "", builds=recorded,
                                                 rollback_to=rollback.to_update if rollback else None),
                         opts=pulumi.ResourceOptions(parent=parent, depends_on=list(deployed)))


def release_output(ledger: Any) -> dict[str, Any] | None:
    """What the stack serves now (docs/outputs.md `release`): the image, each app's build digest, and the update a
    rollback went back to (None unless `stagecraft rollback` pinned it)."""
    if ledger is None:
        return None
    return {"image": ledger.image,
            "builds": ledger.builds.apply(lambda builds: {app: b["digest"] for app, b in sorted((builds or {}).items())}),
            "rolledBackTo": ledger.rollback_to}
