"""Problems a model rule finds, located at the key that fixes them (never at the section the rule sits on).

A rule of `BackendSettings` that finds no image raises `located_error("BackendSettings", [located(("image",), ...)])`;
pydantic prefixes the section's own location, so the message and the fix name `stagecraft:backend.image`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError


def located(loc: tuple[Any, ...], value: Any, message: str, *, fix_value: Any = None,
            fix_command: str | None = None, kind: str = "value_error", key: str | None = None) -> InitErrorDetails:
    """One problem at `loc` (relative to the model the rule sits on).

    `fix_value` is a shell word that makes the key right (`settings.fixes.value_word`/`placeholder` make one);
    `fix_command` a whole command for fixes that change more than the one key (`{stack}` stands for the stack);
    `kind="remove_key"` says the fix is to remove the key; `key` names what to change when it is no config key
    (the stack's own name, which `pulumi stack rename` changes)."""
    # Braces in a message are pydantic template fields: pass the message as a field so it is never templated.
    context: dict[str, Any] = {"message": message}
    if fix_value is not None:
        context["fix_value"] = fix_value
    if fix_command is not None:
        context["fix_command"] = fix_command
    if key is not None:
        context["key"] = key
    return InitErrorDetails(type=PydanticCustomError(kind, "{message}", context), loc=loc, input=value)


def located_error(title: str, problems: Sequence[InitErrorDetails]) -> ValidationError:
    """The error a model rule raises for its problems."""
    return ValidationError.from_exception_data(title, list(problems))
