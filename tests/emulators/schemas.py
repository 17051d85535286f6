"""JSON-schema checks against a spec's schemas, with OpenAPI semantics.

Schemas are validated with `openapi-schema-validator`'s OpenAPI 3.0 dialect (draft 4 plus `nullable`,
`readOnly`/`writeOnly` by direction), which also fits Swagger 2.0 schemas (`x-nullable` is mapped to
`nullable` at load time). `$ref`s resolve against the whole document through a `referencing` registry.

Two things go beyond plain schema validation, both deliberate:
- formats are checked where a wrong value is unambiguous (`int32`, `int64`/`uint64` also as decimal strings,
  `date-time`, `date`, `uuid`, `byte`, `email`);
- request bodies are checked for fields the schema does not declare. The vendor schemas leave objects open
  (no `additionalProperties: false`), so a misspelt field would otherwise pass silently and be ignored or
  rejected by the real service; here it is reported as "unknown field".

Problem messages never echo values of fields whose names look secret (password, token, value, ...).
"""

from __future__ import annotations

import base64
import binascii
import datetime as _dt
import re
import threading
import uuid
from typing import Any, Iterable, Mapping

from jsonschema import FormatChecker
from jsonschema.exceptions import ValidationError
from openapi_schema_validator import OAS30ReadValidator, OAS30WriteValidator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4
from rfc3339_validator import validate_rfc3339

from .spec import ApiSpec, resolve_pointer

_SENSITIVE = re.compile(r"pass(word)?|secret|token|api[_-]?key|credential|value|private", re.IGNORECASE)
_DECIMAL = re.compile(r"^-?[0-9]+$")
_UNSIGNED = re.compile(r"^[0-9]+$")


def _int_range(bits: int, signed: bool):
    low, high = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)

    def check(instance: object) -> bool:
        if isinstance(instance, bool):
            return True
        if isinstance(instance, str):
            # grpc-gateway (Koyeb) encodes 64-bit integers as decimal strings.
            if not (_DECIMAL if signed else _UNSIGNED).match(instance):
                return False
            instance = int(instance)
        if isinstance(instance, int):
            return low <= instance <= high
        return True

    return check


def _is_date(instance: object) -> bool:
    if not isinstance(instance, str):
        return True
    try:
        _dt.date.fromisoformat(instance)
    except ValueError:
        return False
    return len(instance) == 10


def _is_date_time(instance: object) -> bool:
    return not isinstance(instance, str) or validate_rfc3339(instance)


def _is_uuid(instance: object) -> bool:
    if not isinstance(instance, str):
        return True
    try:
        uuid.UUID(instance)
    except ValueError:
        return False
    return True


def _is_byte(instance: object) -> bool:
    if not isinstance(instance, str):
        return True
    try:
        base64.b64decode(instance.encode("ascii"), validate=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        return False
    return True


def _is_email(instance: object) -> bool:
    return not isinstance(instance, str) or bool(re.match(r"^[^@\s]+@[^@\s]+$", instance))


FORMAT_CHECKER = FormatChecker(formats=())
for _name, _check in {
    "int32": _int_range(32, True),
    "int64": _int_range(64, True),
    "uint32": _int_range(32, False),
    "uint64": _int_range(64, False),
    "date-time": _is_date_time,
    "date": _is_date,
    "uuid": _is_uuid,
    "byte": _is_byte,
    "email": _is_email,
}.items():
    FORMAT_CHECKER.checks(_name)(_check)


def location(prefix: str, path: Iterable[Any]) -> str:
    """Render a JSON path like `body.definition.env[2].key`."""
    out = prefix
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "body"


def _is_sensitive_path(path: Iterable[Any]) -> bool:
    return any(isinstance(p, str) and _SENSITIVE.search(p) for p in path)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def describe(error: ValidationError, prefix: str) -> str:
    """One readable line for a schema error, with the value hidden when the field looks secret."""
    where = location(prefix, error.absolute_path)
    hidden = _is_sensitive_path(error.absolute_path)
    shown = "value" if hidden else _short(error.instance)
    kind = error.validator
    if kind == "type":
        expected = error.validator_value
        actual = type(error.instance).__name__ if not hidden else "another type"
        if error.instance is None:
            return f"{where}: null is not allowed (the schema does not mark it nullable); expected {expected}"
        return f"{where}: expected {expected}, got {actual}"
    if kind == "enum":
        return f"{where}: {shown} is not one of {list(error.validator_value)}"
    if kind == "required":
        return f"{where}: {error.message}"
    if kind == "format":
        return f"{where}: {shown} is not a valid {error.validator_value}"
    if kind in ("pattern", "minLength", "maxLength", "minimum", "maximum", "minItems", "maxItems", "multipleOf"):
        return f"{where}: {shown} violates {kind}={error.validator_value!r}"
    if kind == "additionalProperties":
        return f"{where}: {error.message}"
    if kind in ("oneOf", "anyOf"):
        return f"{where}: matches none of the {kind} alternatives"
    if kind == "readOnly":
        return f"{where}: is read-only and must not be sent"
    if kind == "writeOnly":
        return f"{where}: is write-only and must not be returned"
    return f"{where}: {'value rejected by ' + str(kind) if hidden else error.message}"


class SchemaChecker:
    """Validates instances against schemas of one spec, caching a validator per schema pointer."""

    def __init__(self, spec: ApiSpec):
        self.spec = spec
        resource = Resource.from_contents(spec.document, default_specification=DRAFT4)
        self._registry = Registry().with_resource(spec.uri, resource)
        self._cache: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()

    def _validator(self, schema_key: str, schema: Mapping[str, Any], direction: str):
        key = (direction, schema_key)
        with self._lock:
            found = self._cache.get(key)
            if found is None:
                cls = OAS30WriteValidator if direction == "request" else OAS30ReadValidator
                found = cls(schema, registry=self._registry, format_checker=FORMAT_CHECKER)
                self._cache[key] = found
        return found

    def problems(
        self,
        instance: Any,
        *,
        schema_pointer: str | None = None,
        inline_schema: Mapping[str, Any] | None = None,
        direction: str = "request",
        prefix: str = "body",
        check_unknown: bool = False,
    ) -> list[str]:
        """Every mismatch between `instance` and the schema (addressed by pointer or given inline)."""
        if schema_pointer is not None:
            schema: Mapping[str, Any] = {"$ref": f"{self.spec.uri}#{schema_pointer}"}
            schema_key = schema_pointer
        elif inline_schema is not None:
            schema, schema_key = inline_schema, repr(sorted(inline_schema.items(), key=lambda kv: kv[0]))
        else:
            return []
        validator = self._validator(schema_key, schema, direction)
        errors = sorted((e for e in validator.iter_errors(instance) if not _overlapping_alternatives(e)),
                        key=lambda e: list(map(str, e.absolute_path)))
        found = [describe(e, prefix) for e in errors]
        if check_unknown and schema_pointer is not None:
            target = resolve_pointer(self.spec.document, schema_pointer)
            found.extend(UnknownFieldFinder(self.spec).find(target, instance, prefix))
        return found


def _overlapping_alternatives(error: ValidationError) -> bool:
    """A `oneOf` without a discriminator that the instance satisfies more than once (no sub-errors: none failed).

    Render's spec describes `serviceDetails` as a `oneOf` of web, private-service and worker details that differ
    only in optional fields, so every real web-service body matches several; the vendor's generated clients
    (render-oss/cli `pkg/client`, the Terraform provider's `FromWebServiceDetailsPOST`) pick the branch from the
    service `type`. Such an instance is accepted; one that matches no alternative is still reported.
    """
    return (error.validator == "oneOf" and not error.context
            and isinstance(error.schema, Mapping) and "discriminator" not in error.schema)


class UnknownFieldFinder:
    """Reports object members that the schema does not declare (for schemas that leave objects open)."""

    def __init__(self, spec: ApiSpec):
        self.spec = spec

    def _resolve(self, schema: Any) -> Mapping[str, Any]:
        target, _ = self.spec.deref(schema)
        return target if isinstance(target, Mapping) else {}

    def _branches(self, schema: Mapping[str, Any]) -> list[Mapping[str, Any]]:
        out = [schema]
        for key in ("allOf", "anyOf", "oneOf"):
            for sub in schema.get(key) or []:
                out.extend(self._branches(self._resolve(sub)))
        return out

    def _shape(self, schema: Mapping[str, Any]) -> tuple[dict[str, Any], bool]:
        """(declared property -> schema, open?) over the schema and its composition branches."""
        props: dict[str, Any] = {}
        open_ = False
        branches = self._branches(schema)
        for branch in branches:
            for name, sub in (branch.get("properties") or {}).items():
                props.setdefault(name, sub)
            extra = branch.get("additionalProperties")
            if extra is True or isinstance(extra, Mapping) or branch.get("patternProperties"):
                open_ = True
        declares_anything = any("properties" in b for b in branches)
        if not declares_anything:
            open_ = True
        return props, open_

    def find(self, schema: Any, instance: Any, prefix: str, _path: tuple = (), _seen=None) -> list[str]:
        """Unknown members anywhere inside `instance`, as readable problems."""
        seen = _seen if _seen is not None else set()
        schema = self._resolve(schema)
        marker = (id(schema), id(instance))
        if marker in seen:
            return []
        seen.add(marker)
        problems: list[str] = []
        if isinstance(instance, dict):
            props, open_ = self._shape(schema)
            for key, value in instance.items():
                if key in props:
                    problems.extend(self.find(props[key], value, prefix, _path + (key,), seen))
                elif not open_:
                    problems.append(
                        f"{location(prefix, _path)}: unknown field {key!r} (not declared by the vendor schema)"
                    )
                else:
                    extra = next(
                        (b.get("additionalProperties") for b in self._branches(schema)
                         if isinstance(b.get("additionalProperties"), Mapping)),
                        None,
                    )
                    if extra is not None:
                        problems.extend(self.find(extra, value, prefix, _path + (key,), seen))
        elif isinstance(instance, list):
            items = next((b.get("items") for b in self._branches(schema) if isinstance(b.get("items"), Mapping)), None)
            if items is not None:
                for index, value in enumerate(instance):
                    problems.extend(self.find(items, value, prefix, _path + (index,), seen))
        return problems
