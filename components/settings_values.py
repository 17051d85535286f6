"""Values a component takes from the stack's settings: the settings models are the one place that knows defaults
(DESIGN §3), so component Args leave them unset and say so when a platform needs one that was not given."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def require_settings(component: str, args: Any, fields: Iterable[str]) -> None:
    """Raise naming every field of `args` the chosen platform needs but the caller left unset (None)."""
    missing = [field for field in fields if getattr(args, field) is None]
    if missing:
        raise ValueError(f"{component}: platform {args.platform!r} needs {', '.join(missing)} "
                         f"(pass the stack's settings value)")
