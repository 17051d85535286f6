"""Find the model field behind a config location (`('frontend', 'apps', 0, 'devPort')`), by alias as config spells it.

The fixes use it to tell a leaf from a section (a section never gets `config set`), and to know a field's default
(removing a bad key restores it) or whether empty text is a meaningful value there.
"""

from __future__ import annotations

import typing
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

_NO_DEFAULT = object()


def _candidates(annotation: Any) -> list[Any]:
    """`X | None`, `tuple[X, ...]`, `dict[str, X]`, `Annotated[X, ...]` -> the types inside."""
    args = typing.get_args(annotation)
    return [annotation, *[a for arg in args for a in _candidates(arg)]] if args else [annotation]


def _model_in(annotation: Any) -> type[BaseModel] | None:
    for candidate in _candidates(annotation):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def _container_in(annotation: Any) -> bool:
    origins = {typing.get_origin(c) for c in _candidates(annotation)}
    return bool(origins & {tuple, list, dict})


def _by_alias(model: type[BaseModel], name: str) -> FieldInfo | None:
    for field_name, field in model.model_fields.items():
        if name in (field.alias, field_name):
            return field
    return None


def field_at(model: type[BaseModel], loc: Sequence[Any]) -> FieldInfo | None:
    """The field a location ends at (list indices and dict keys step into the item type), or None."""
    field: FieldInfo | None = None
    current: type[BaseModel] | None = model
    pending_container = False
    for part in loc:
        if pending_container:
            pending_container = False  # an index or a dict key: the item has the same model
            continue
        if current is None:
            return None
        field = _by_alias(current, str(part))
        if field is None:
            return None
        current = _model_in(field.annotation)
        pending_container = _container_in(field.annotation)
    return field


def is_section(model: type[BaseModel], loc: Sequence[Any]) -> bool:
    """Whether the location is an object of settings (or the root), not a value `config set` can write."""
    if not loc:
        return True
    field = field_at(model, loc)
    if field is None:
        return False
    # `apps` (a list of objects) and `apps[0]` are sections, and so is a dict of objects; `exclude[0]` is a value.
    return _model_in(field.annotation) is not None


def default_of(model: type[BaseModel], loc: Sequence[Any]) -> Any:
    """The field's plain default at the location, or `NO_DEFAULT` (required, computed, or a factory)."""
    field = field_at(model, loc)
    if not loc or isinstance(loc[-1], int) or field is None or field.is_required() \
            or field.default is PydanticUndefined:
        return _NO_DEFAULT
    return field.default


NO_DEFAULT = _NO_DEFAULT


def section_model(model: type[BaseModel], loc: Sequence[Any]) -> type[BaseModel] | None:
    """The settings model of the section at the location (the root model for `()`)."""
    if not loc:
        return model
    field = field_at(model, loc)
    return _model_in(field.annotation) if field is not None else None


def first_required(model: type[BaseModel], loc: Sequence[Any]) -> tuple[Any, ...]:
    """The first key a missing section cannot do without (its `platform` where it has one), as a location."""
    section = section_model(model, loc)
    if section is None:
        return tuple(loc)
    required = [field.alias or name for name, field in section.model_fields.items() if field.is_required()]
    if not required:
        return tuple(loc)
    chosen = "platform" if "platform" in required else required[0]
    return first_required(model, (*loc, chosen))


def sibling_keys(model: type[BaseModel], loc: Sequence[Any]) -> list[str]:
    """The keys the section holding the location accepts (for "did you mean")."""
    section = section_model(model, loc[:-1])
    return [field.alias or name for name, field in section.model_fields.items()] if section is not None else []
