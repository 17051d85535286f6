"""What validated of a stack's settings when the whole did not: section by section, value by value.

The rules that span sections and the checks that need a machine or an API (settings.preflight) can then still run
for everything that is right, and report in the same message as the other problems (DESIGN §3: one message listing
every problem). A rule or check that reads a value that did not validate is skipped: that value's problem is in the
message already.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Iterable, Mapping
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError


T = TypeVar("T")


class Unavailable(AttributeError):
    """A rule or check read a part of the settings that did not validate (an AttributeError, so `getattr` with a
    default and `hasattr` treat it as absent)."""


def each(*checks: Callable[[], Iterable[T]]) -> list[T]:
    """What every check returns, less the checks that read a part of the settings that did not validate."""
    found: list[T] = []
    for check in checks:
        try:
            found += [item for item in check() if item is not None]
        except Unavailable:
            continue
    return found


class PartialSettings:
    """Attribute access like the settings model, for the values that validated (and its properties and methods,
    computed from those)."""

    def __init__(self, model: type[BaseModel], parts: Mapping[str, Any], fields_set: set[str]) -> None:
        self._model = model
        self._parts = dict(parts)
        self.model_fields_set = fields_set

    def __getattr__(self, name: str) -> Any:
        parts = self.__dict__.get("_parts", {})
        if name in parts:
            return parts[name]
        derived = getattr(self.__dict__.get("_model"), name, None)
        if isinstance(derived, property) and derived.fget is not None:
            return derived.fget(self)  # e.g. `is_pr`, from the stack name alone
        if isinstance(derived, types.FunctionType):
            return types.MethodType(derived, self)  # e.g. `physical_name`
        raise Unavailable(name)


def _model_in(annotation: Any) -> type[BaseModel] | None:
    candidates = [annotation, *typing.get_args(annotation)] if typing.get_origin(annotation) is not tuple else []
    for candidate in candidates:
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def partial_settings(model: type[BaseModel], data: Mapping[str, Any]) -> PartialSettings:
    """Every field of `model` that validates from `data` (its default when absent); a section that does not validate
    as a whole is itself partial."""
    parts: dict[str, Any] = {}
    fields_set: set[str] = set()
    for name, field in model.model_fields.items():
        key = field.alias or name
        if key in data or name in data:
            value = data[key] if key in data else data[name]
            fields_set.add(name)
        elif not field.is_required():
            parts[name] = field.get_default(call_default_factory=True)
            continue
        else:
            continue
        adapter = TypeAdapter(Annotated[field.annotation, *field.metadata]) if field.metadata \
            else TypeAdapter(field.annotation)
        try:
            parts[name] = adapter.validate_python(value)
        except ValidationError:
            nested = _model_in(field.annotation)
            if nested is not None and isinstance(value, Mapping):
                parts[name] = partial_settings(nested, value)
    return PartialSettings(model, parts, fields_set)
