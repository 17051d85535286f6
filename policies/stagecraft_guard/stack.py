"""What the engine tells a policy pack about the run: the stack's name and whether it is a preview.

The engine starts the pack with ``PULUMI_STACK``, ``PULUMI_PROJECT`` and ``PULUMI_DRY_RUN`` in its
environment (``constructEnv`` in the engine's analyzer plugin), plus the environment of the ``pulumi``
command itself, which is where CI's approval evidence comes from (see :mod:`stagecraft_guard.rules.approval`).
A new pack process is started for each phase, so ``pulumi up`` runs it once as a preview and once for real.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Mapping, Optional

PRODUCTION_STACK = "production"
"""The stack that is production by name, whatever its config says."""

PR_STACK = re.compile(r"^pr-[1-9][0-9]*$")


@dataclass(frozen=True)
class StackContext:
    """The run as the pack sees it."""

    name: str
    """Stack name (empty when the engine did not say, e.g. in a unit test that sets nothing)."""
    dry_run: bool
    """True during ``pulumi preview`` and the preview phase of ``pulumi up``."""
    env: Mapping[str, str]
    """The environment of the run (CI variables live here)."""

    @property
    def is_pr(self) -> bool:
        """Whether this is an ephemeral ``pr-<n>`` stack."""
        return bool(PR_STACK.match(self.name))

    def is_production(self, configured: bool) -> bool:
        """Production if named so, or configured so; config can add production, never remove it."""
        return self.name == PRODUCTION_STACK or configured


def current(env: Optional[Mapping[str, str]] = None) -> StackContext:
    """The context of this run, from ``env`` (default: the process environment)."""
    env = os.environ if env is None else env
    return StackContext(
        name=env.get("PULUMI_STACK", ""),
        dry_run=env.get("PULUMI_DRY_RUN", "").lower() == "true",
        env=env,
    )
