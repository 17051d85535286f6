"""Whole GitHub response objects from the few fields the emulator models.

GitHub's schemas require many members the emulator has no behaviour for (a pull request's `head.repo` alone
requires 80: `forks_count`, `archive_url`, ...). `skeleton` fills every *required* member of a schema in
`github.openapi.json` with the first value the schema allows (null where nullable, the first enum member, zero,
false, "", an empty list, a fixed date-time), recursively; `shaped` lays the modelled fields over it. So each
answer validates against the spec, and the only meaningful values in it are the ones the emulator models.
"""

from __future__ import annotations

import copy
import functools
from typing import Any, Mapping

from .spec import ApiSpec

FIXED_TIME = "2026-01-01T00:00:00Z"
_MAX_DEPTH = 12


def skeleton(spec: ApiSpec, schema_name: str) -> dict[str, Any]:
    """The smallest object that satisfies `#/components/schemas/<schema_name>` (a fresh copy each call)."""
    return copy.deepcopy(_cached_skeleton(spec, schema_name))


def shaped(spec: ApiSpec, schema_name: str, modelled: Mapping[str, Any]) -> dict[str, Any]:
    """`skeleton(schema_name)` with `modelled` laid over it (nested mappings are merged, not replaced)."""
    return _overlay(skeleton(spec, schema_name), modelled)


@functools.lru_cache(maxsize=None)
def _cached_skeleton(spec: ApiSpec, schema_name: str) -> Any:
    schema = spec.document["components"]["schemas"][schema_name]
    return _value(spec, schema, 0)


def _value(spec: ApiSpec, schema: Any, depth: int) -> Any:
    schema, _ = spec.deref(schema)
    if not isinstance(schema, Mapping):
        return None
    if "allOf" in schema:
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            value = _value(spec, part, depth + 1)
            if isinstance(value, dict):
                merged.update(value)
        return merged
    if schema.get("nullable") is True:
        return None
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return _value(spec, schema[key][0], depth + 1)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object" or (kind is None and "properties" in schema):
        if depth > _MAX_DEPTH:
            return {}
        properties = schema.get("properties") or {}
        return {name: _value(spec, properties.get(name, {}), depth + 1) for name in schema.get("required") or []}
    if kind == "array":
        return []
    if kind == "integer" or kind == "number":
        return schema.get("minimum", 0)
    if kind == "boolean":
        return False
    if kind == "string":
        return FIXED_TIME if schema.get("format") == "date-time" else ""
    return None


def _overlay(base: dict[str, Any], modelled: Mapping[str, Any]) -> dict[str, Any]:
    for key, value in modelled.items():
        if isinstance(value, Mapping) and isinstance(base.get(key), dict):
            base[key] = _overlay(base[key], value)
        else:
            base[key] = copy.deepcopy(value)
    return base
