"""Cross-key rules of `pr-<n>` stacks and `prStacks`, each problem located at the key that fixes it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic_core import InitErrorDetails

from settings.located import located

if TYPE_CHECKING:
    from settings.models import StackSettings


def pr_stack_problems(settings: "StackSettings") -> list[InitErrorDetails]:
    """Every rule of PR stacks the settings break."""
    if not settings.is_pr:
        if settings.pr_stacks.base is not None:
            return [located(("prStacks", "base"), settings.pr_stacks.base,
                            f"names a PR stack's base, and {settings.stack!r} is not a pr-<n> stack; remove the key",
                            kind="remove_key")]
        return []
    problems = []
    why_not_own = None
    if settings.postgres.platform != "neon":
        why_not_own = (f"'own' gives each PR a database forked from the base's Neon branch, but the base's database is "
                       f"on {settings.postgres.platform!r}; use 'shared' (a PR never gets a database of its own "
                       "otherwise)")
    elif settings.backend.platform != "koyeb":
        why_not_own = (f"'own' runs each PR's backend as a service of its own, which stagecraft makes on koyeb; the "
                       f"base's backend is on {settings.backend.platform!r} (one project or service per stack there); "
                       "use 'shared'")
    if settings.pr_stacks.backend == "own" and why_not_own:
        problems.append(located(("prStacks", "backend"), "own", why_not_own, fix_value="shared"))
    if settings.frontend.platform == "local":
        problems.append(located(
            ("prStacks", "base"), settings.pr_stacks.base,
            "a pr-<n> stack previews on its base's projects, but this base's frontends are `local`; name a deployed "
            "stack (uat, beta, preprod)", fix_value="uat"))
    return problems
