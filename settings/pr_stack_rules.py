"""Cross-key rules of `pr-<n>` stacks and `prStacks`, each problem located at the key that fixes it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic_core import InitErrorDetails, PydanticCustomError

if TYPE_CHECKING:
    from settings.models import StackSettings


def _problem(loc: tuple[Any, ...], value: Any, message: str, *, fix_value: Any = None,
             kind: str = "value_error") -> InitErrorDetails:
    context = {"message": message, **({"fix_value": fix_value} if fix_value is not None else {})}
    return InitErrorDetails(type=PydanticCustomError(kind, "{message}", context), loc=loc, input=value)


def pr_stack_problems(settings: "StackSettings") -> list[InitErrorDetails]:
    """Every rule of PR stacks the settings break."""
    if not settings.is_pr:
        if settings.pr_stacks.base is not None:
            return [_problem(("prStacks", "base"), settings.pr_stacks.base,
                             f"names a PR stack's base, and {settings.stack!r} is not a pr-<n> stack; remove the key",
                             kind="remove_key")]
        return []
    problems = []
    own = settings.pr_stacks.backend == "own"
    if own and settings.postgres.platform != "neon":
        problems.append(_problem(
            ("prStacks", "backend"), "own",
            f"'own' gives each PR a database forked from the base's Neon branch, but the base's database is on "
            f"{settings.postgres.platform!r}; use 'shared' (a PR never gets a database of its own otherwise)",
            fix_value="shared"))
    elif own and settings.backend.platform != "koyeb":
        problems.append(_problem(
            ("prStacks", "backend"), "own",
            f"'own' runs each PR's backend as a service of its own, which stagecraft makes on koyeb; the base's "
            f"backend is on {settings.backend.platform!r} (one project or service per stack there); use 'shared'",
            fix_value="shared"))
    if settings.frontend.platform == "local":
        problems.append(_problem(
            ("prStacks", "base"), settings.pr_stacks.base,
            "a pr-<n> stack previews on its base's projects, but this base's frontends are `local`; name a deployed "
            "stack (uat, beta, preprod)", fix_value="uat"))
    return problems
