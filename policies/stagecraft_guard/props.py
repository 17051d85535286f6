"""Read resource properties the way the engine delivers them to a policy.

Three facts shape every read:

- Names: official (bridged) providers' properties arrive camelCase (``productionBranch``); our dynamic
  providers' arrive exactly as the program passed them (snake_case). Rules name fields in snake_case;
  :func:`wire_name` converts for official tokens only. User-chosen keys inside maps (env var names) are never
  converted.
- Unknowns: during preview a value computed from another resource is an "unknown" sentinel, and
  pulumi-policy's proxy raises when it is read. Reads here never raise; they return a :class:`Value` with
  ``known=False`` so each rule decides what an unknown means.
- Secrets: with :mod:`stagecraft_guard.envelope` installed, secret values arrive wrapped; reads unwrap them
  and set ``secret=True`` (also for everything inside a secret object or list).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterator, Mapping, Optional, Sequence, Tuple, Union

from pulumi_policy.proxy import (
    UNKNOWN_ARCHIVE_VALUE,
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_ASSET_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
    UnknownValueError,
)

from .envelope import is_secret_envelope

DYNAMIC_PREFIX = "pulumi-python:dynamic/"

_SENTINELS = frozenset({
    UNKNOWN_ARCHIVE_VALUE, UNKNOWN_ARRAY_VALUE, UNKNOWN_ASSET_VALUE, UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE, UNKNOWN_OBJECT_VALUE, UNKNOWN_STRING_VALUE,
})


class _Unknown:
    """The value of a property that is not known yet (preview)."""

    _instance: Optional["_Unknown"] = None

    def __new__(cls) -> "_Unknown":
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "<unknown at preview>"


UNKNOWN = _Unknown()
"""Marker for a value that is computed later (only during preview)."""

Key = Union[str, int]


@dataclass(frozen=True)
class Value:
    """One property read: whether it was there, known, secret, and its plain value."""

    present: bool
    known: bool
    secret: bool
    value: Any

    @property
    def usable(self) -> bool:
        """Present and known: a rule can judge it."""
        return self.present and self.known


MISSING = Value(present=False, known=True, secret=False, value=None)


@dataclass(frozen=True)
class Leaf:
    """A scalar somewhere inside a resource's properties."""

    path: Tuple[Key, ...]
    """Keys from the top (wire names for fields, user keys inside maps)."""
    value: Any
    """The plain value, or :data:`UNKNOWN`."""
    secret: bool
    """Whether the value or anything around it was marked secret."""

    @property
    def name(self) -> str:
        """The nearest string key (a field or an env var name), for name-based judgements."""
        for key in reversed(self.path):
            if isinstance(key, str):
                return key
        return ""

    def dotted(self) -> str:
        """The path as ``a.b[0].c`` for messages."""
        text = ""
        for key in self.path:
            text += f"[{key}]" if isinstance(key, int) else (f".{key}" if text else key)
        return text


def is_dynamic(type_token: str) -> bool:
    """Whether a type token belongs to a Python dynamic provider (snake_case properties)."""
    return type_token.startswith(DYNAMIC_PREFIX)


def camel(name: str) -> str:
    """``production_branch`` -> ``productionBranch``."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def wire_name(type_token: str, field_name: str) -> str:
    """The property name as the engine delivers it for this resource type."""
    return field_name if is_dynamic(type_token) else camel(field_name)


def _raw_get(container: Any, key: Key) -> Tuple[bool, Any]:
    """(present, raw value) without letting an unknown raise."""
    try:
        if isinstance(key, int):
            if not isinstance(container, Sequence) or isinstance(container, (str, bytes)):
                return False, None
            if key >= len(container):
                return False, None
            return True, container[key]
        if not isinstance(container, Mapping) or key not in container:
            return False, None
        return True, container[key]
    except UnknownValueError:
        return True, UNKNOWN


def _is_unknown(raw: Any) -> bool:
    return raw is UNKNOWN or (isinstance(raw, str) and raw in _SENTINELS)


def _unwrap(raw: Any) -> Tuple[Any, bool, bool]:
    """(inner value, known, secret) for one raw value, peeling nested secret envelopes."""
    secret = False
    while is_secret_envelope(raw):
        secret = True
        present, raw = _raw_get(raw, "value")
        if not present:
            return UNKNOWN, False, True
    if _is_unknown(raw):
        return UNKNOWN, False, secret
    return raw, True, secret


def read(props: Mapping[str, Any], type_token: str, *fields: Key) -> Value:
    """Read a (nested) field; string keys are schema field names in snake_case."""
    current: Any = props
    secret = False
    for key in fields:
        wire = wire_name(type_token, key) if isinstance(key, str) else key
        present, raw = _raw_get(current, wire)
        if not present:
            return MISSING
        current, known, was_secret = _unwrap(raw)
        secret = secret or was_secret
        if not known:
            return Value(present=True, known=False, secret=secret, value=UNKNOWN)
    return Value(present=True, known=True, secret=secret, value=plain(current))


def plain(raw: Any) -> Any:
    """A plain copy: envelopes removed, unknowns as :data:`UNKNOWN`, proxies as dicts and lists."""
    value, known, _ = _unwrap(raw)
    if not known:
        return UNKNOWN
    if isinstance(value, Mapping):
        return {key: plain(_raw_get(value, key)[1]) for key in value}
    if isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
        return [plain(_raw_get(value, index)[1]) for index in range(len(value))]
    return value


def leaves(props: Mapping[str, Any], skip: frozenset = frozenset()) -> Iterator[Leaf]:
    """Every scalar in the properties with its path and secretness.

    Top-level keys in ``skip`` (wire names) and keys starting with ``__`` (engine-internal) are left out.
    """
    for key in props:
        if key.startswith("__") or key in skip:
            continue
        yield from _walk(_raw_get(props, key)[1], (key,), False)


def _walk(raw: Any, path: Tuple[Key, ...], secret: bool) -> Iterator[Leaf]:
    value, known, was_secret = _unwrap(raw)
    secret = secret or was_secret
    if not known:
        yield Leaf(path=path, value=UNKNOWN, secret=secret)
    elif isinstance(value, Mapping):
        for key in value:
            yield from _walk(_raw_get(value, key)[1], path + (key,), secret)
    elif isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
        for index in range(len(value)):
            yield from _walk(_raw_get(value, index)[1], path + (index,), secret)
    else:
        yield Leaf(path=path, value=value, secret=secret)


_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def as_number(value: Any) -> Optional[float]:
    """A number from a property value (numbers arrive as floats; numeric strings are accepted)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str) and _NUMBER.match(value.strip()):
        return float(value)
    return None
