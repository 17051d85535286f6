"""The stack the settings describe, built once the stacks it depends on have been read (`__main__.py` composes it).

- the `foundation`: `Foundation`;
- a `pr-<n>` stack: `PrEnvironment` on its base stack's projects (the base read and checked first);
- any other stack: `ProductEnvironment` (the foundation read and checked first when its database is on Neon; the
  builds a rollback pins, checked by the preflight, handed over).

The other stacks are read before any resource is registered, so a stack that cannot be read stops the program with
the key to fix and nothing changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

from components.stack_reference import check_stack
from settings.foundation import FoundationSettings
from settings.stack_loader import AnySettings


class StackProgram(Protocol):
    """What every kind of stack gives `__main__.py`."""

    def stack_outputs(self) -> dict[str, Any]:
        """The stack's versioned output document (docs/outputs.md)."""


def build_stack(settings: AnySettings, project_root: Path, environ: Mapping[str, str],
                reader: Any = None) -> StackProgram:
    """The component of this stack. `environ`: the variables `__main__.py` hands over (where the build folder is,
    `STAGECRAFT_BUILD_DIR`); components read no environment themselves. `reader` replaces the engine's stack-output
    read (tests)."""
    if isinstance(settings, FoundationSettings):
        from components.foundation import Foundation

        return Foundation("foundation", settings)
    if settings.is_pr:
        from components.pr_environment import PrEnvironment, base_need

        return PrEnvironment("preview", settings, project_root, check_stack(base_need(settings), reader))
    from components.environment import ProductEnvironment
    from components.foundation import foundation_need
    from providers.build.builder import build_dir
    from settings.rollback import pinned_artifacts

    foundation = check_stack(foundation_need(settings.stack, settings.foundation.stack), reader) \
        if settings.postgres.platform == "neon" else None
    pinned = pinned_artifacts(settings.rollback, build_dir(project_root, environ))
    return ProductEnvironment("product", settings, project_root, foundation=foundation, pinned=pinned)
