"""Text that deploys but breaks the product: an empty or whitespace-only value (`storage.localRoot: " "`, an image
of spaces, `postgres.local.host: ""`) or one with stray spaces around it (`" env"` is a folder named ` env`).

Every text setting of the model tree is checked the same way; empty text passes only where the field's own default
is empty text (it means "not set" there, as `jwtRotation` and `approval.repository`). Free-form maps (secrets by
name) are not judged: their values may be credentials, which a fix must never print.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from settings.fixes import key_of, placeholder, rm_command, set_command, value_word
from settings.model_paths import NO_DEFAULT, default_of, field_at, is_section
from settings.problems import Problem


def _holds_text(annotation: Any) -> bool:
    """`str`, `str | None`, `tuple[str, ...]`, a Literal of strings: text a user types (never a free-form map)."""
    if annotation is str:
        return True
    origin = typing.get_origin(annotation)
    if origin is dict or origin is Mapping:
        return False
    if origin is typing.Literal:
        return all(isinstance(arg, str) for arg in typing.get_args(annotation))
    return any(_holds_text(arg) for arg in typing.get_args(annotation) if arg is not type(None))


def _leaves(value: Any, loc: tuple[Any, ...]):
    if isinstance(value, Mapping):
        for name, item in value.items():
            yield from _leaves(item, (*loc, name))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, (*loc, index))
    else:
        yield loc, value


def text_value_problems(model: type[BaseModel], data: Mapping[str, Any], stack: str) -> list[Problem]:
    """Every text value that is empty where empty means nothing, only whitespace, or padded with whitespace."""
    problems = []
    for loc, value in _leaves(dict(data), ()):
        if not isinstance(value, str) or value == value.strip() and value:
            continue
        field = field_at(model, loc)
        if field is None or is_section(model, loc) or not _holds_text(field.annotation):
            continue
        default = default_of(model, loc)
        key = key_of(loc)
        if value == "" and default == "":
            continue
        if value.strip():
            problems.append(Problem(key, f"{value!r} starts or ends with whitespace, which would become part of the "
                                         f"name, path or address", set_command(key, value_word(value.strip()), stack)))
            continue
        what = "is empty" if value == "" else "is only whitespace"
        restore = isinstance(default, str) and default and default is not NO_DEFAULT
        problems.append(Problem(key, f"{what}: it needs a value" + (f" (default {default!r})" if restore else ""),
                                rm_command(key, stack) if restore else
                                set_command(key, placeholder(str(loc[-1]) if isinstance(loc[-1], str) else "value"),
                                            stack)))
    return problems
