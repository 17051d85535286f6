"""Checking one HTTP request (and the emulator's response) against a vendor spec.

`RequestValidator.validate` matches method and path to an operation, then checks path parameters, query
parameters (unknown names, types after decoding, repeats, enums, ranges), required headers and the JSON body.
Every problem becomes one line in `CheckedRequest.problems`; an empty list means the request conforms.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Mapping
from urllib.parse import parse_qsl

from .schemas import SchemaChecker
from .spec import ApiSpec, Operation, Parameter, is_json_media_type

_NO_DATA_BODIES = (b"", b"null", b"{}")


@dataclass(frozen=True)
class Violation:
    """A request that does not match the vendor spec."""

    api: str
    method: str
    path: str
    operation_id: str | None
    problems: tuple[str, ...]

    def __str__(self) -> str:
        op = f" ({self.operation_id})" if self.operation_id else ""
        return f"[{self.api}] {self.method} {self.path}{op}: " + "; ".join(self.problems)


@dataclass(frozen=True)
class ResponseMismatch:
    """A response the emulator produced that does not match the vendor spec: an emulator bug."""

    api: str
    method: str
    path: str
    operation_id: str
    status: int
    problems: tuple[str, ...]

    def __str__(self) -> str:
        return f"[{self.api}] {self.method} {self.path} ({self.operation_id}) -> {self.status}: " + "; ".join(self.problems)


@dataclass
class CheckedRequest:
    """A request after validation: the operation it maps to, decoded inputs, and any problems."""

    method: str
    path: str
    operation: Operation | None
    path_params: dict[str, Any] = field(default_factory=dict)
    query: dict[str, Any] = field(default_factory=dict)
    body: Any = None
    problems: list[str] = field(default_factory=list)
    matched_path: str = ""

    @property
    def operation_id(self) -> str | None:
        """The operationId of the matched operation, if any."""
        return self.operation.operation_id if self.operation else None


class RequestValidator:
    """Validates requests (and responses) against one spec."""

    def __init__(self, spec: ApiSpec, *, strict_unknown_fields: bool = True):
        self.spec = spec
        self.schemas = SchemaChecker(spec)
        self.strict_unknown_fields = strict_unknown_fields

    def validate(
        self,
        method: str,
        path: str,
        query_string: str,
        headers: Mapping[str, str],
        body: bytes,
    ) -> CheckedRequest:
        """Check one request; never raises for bad input, it reports problems instead."""
        match = self.spec.match(method, path)
        checked = CheckedRequest(method=method.upper(), path=path, operation=match.operation, matched_path=match.path)
        if match.operation is None:
            checked.problems.append(match.problem or "no matching operation")
            return checked
        op = match.operation
        checked.path_params = self._path_params(op, match.path_params, checked.problems)
        checked.query = self._query(op, query_string, checked.problems)
        self._headers(op, headers, checked.problems)
        checked.body = self._body(op, headers, body, checked.problems)
        return checked

    # ---- parameters -------------------------------------------------------------------------------

    def _params(self, op: Operation, where: str) -> dict[str, Parameter]:
        return {p.name: p for p in op.parameters if p.location == where}

    def _check_value(self, param: Parameter, value: Any, label: str) -> list[str]:
        return self.schemas.problems(
            value,
            schema_pointer=param.schema_pointer,
            inline_schema=param.inline_schema,
            direction="request",
            prefix=label,
        )

    def _path_params(self, op: Operation, raw: Mapping[str, str], problems: list[str]) -> dict[str, Any]:
        declared = self._params(op, "path")
        out: dict[str, Any] = {}
        for name, text in raw.items():
            param = declared.get(name)
            if param is None:
                # A template variable the operation forgot to declare: accept it as a string.
                out[name] = text
                continue
            value, error = _coerce(param, text)
            label = f"path.{name}"
            if error:
                problems.append(f"{label}: {error}")
                continue
            problems.extend(self._check_value(param, value, label))
            out[name] = value
        return out

    def _query(self, op: Operation, query_string: str, problems: list[str]) -> dict[str, Any]:
        declared = self._params(op, "query")
        pairs = parse_qsl(query_string, keep_blank_values=True)
        grouped: dict[str, list[str]] = {}
        for key, value in pairs:
            grouped.setdefault(key, []).append(value)
        out: dict[str, Any] = {}
        for name, values in grouped.items():
            param = declared.get(name)
            label = f"query.{name}"
            if param is None:
                known = ", ".join(sorted(declared)) or "none"
                problems.append(f"{label}: unknown query parameter for {op.operation_id} (declared: {known})")
                continue
            if param.is_array:
                items: list[str] = []
                for value in values:
                    items.extend(_split_array(param, value))
                coerced, errors = [], []
                for index, item in enumerate(items):
                    value, error = _coerce_item(param, item)
                    if error:
                        errors.append(f"{label}[{index}]: {error}")
                    coerced.append(value)
                if errors:
                    problems.extend(errors)
                    continue
                problems.extend(self._check_value(param, coerced, label))
                out[name] = coerced
                continue
            if len(values) > 1:
                problems.append(f"{label}: given {len(values)} times but it is not an array parameter")
                continue
            value, error = _coerce(param, values[0])
            if error:
                problems.append(f"{label}: {error}")
                continue
            problems.extend(self._check_value(param, value, label))
            out[name] = value
        for name, param in declared.items():
            if param.required and name not in grouped:
                problems.append(f"query.{name}: required query parameter is missing")
        return out

    def _headers(self, op: Operation, headers: Mapping[str, str], problems: list[str]) -> None:
        lowered = {k.lower() for k in headers}
        for param in op.parameters:
            if param.location == "header" and param.required and param.name.lower() not in lowered:
                problems.append(f"header.{param.name}: required header is missing")

    # ---- body -------------------------------------------------------------------------------------

    def _body(self, op: Operation, headers: Mapping[str, str], raw: bytes, problems: list[str]) -> Any:
        stripped = raw.strip()
        spec_body = op.body
        if spec_body is None:
            if stripped not in _NO_DATA_BODIES:
                problems.append(f"body: {op.operation_id} takes no request body, but one was sent")
            return _parse_quietly(stripped)
        if not stripped:
            if spec_body.required:
                problems.append(f"body: {op.operation_id} requires a JSON request body")
            return None
        content_type = _header(headers, "content-type")
        if not any(is_json_media_type(t) for t in spec_body.media_types):
            # Uploads (octet-stream, multipart): only the media type can be checked here.
            declared = {t.split(";")[0].strip().lower() for t in spec_body.media_types}
            if content_type is not None and content_type.split(";")[0].strip().lower() not in declared:
                problems.append(f"header.Content-Type: {content_type!r} is not one of {sorted(declared)}")
            return raw
        if content_type is not None and "json" not in content_type.lower():
            problems.append(f"header.Content-Type: {content_type!r} is not JSON; {op.operation_id} takes application/json")
            return None
        try:
            body = json.loads(stripped)
        except ValueError as exc:
            problems.append(f"body: not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})")
            return None
        problems.extend(
            self.schemas.problems(
                body,
                schema_pointer=spec_body.schema_pointer,
                direction="request",
                prefix="body",
                check_unknown=self.strict_unknown_fields,
            )
        )
        return body

    # ---- responses --------------------------------------------------------------------------------

    def response_problems(self, op: Operation, status: int, body: Any, has_body: bool) -> list[str]:
        """Mismatches between a response and the spec. Undeclared error statuses are not judged."""
        declared, ptr = op.response_schema_pointer(status)
        success = 200 <= status < 300
        if success and str(status) not in op.responses and "2XX" not in op.responses:
            # `default` describes errors in these specs; a success status must be listed itself.
            return [f"status {status} is not a declared response of {op.operation_id}"]
        if not declared:
            return []
        if ptr is None:
            return ["response has a body but the spec declares none"] if has_body and status < 300 else []
        if not has_body:
            return [f"response has no body; the spec declares one for status {status}"]
        return self.schemas.problems(body, schema_pointer=ptr, direction="response", prefix="response")


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


def _parse_quietly(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


def _split_array(param: Parameter, value: str) -> list[str]:
    if param.explode and param.style == "form":
        return [value]
    separator = {"ssv": " ", "tsv": "\t", "pipes": "|", "spaceDelimited": " ", "pipeDelimited": "|"}.get(param.style, ",")
    return value.split(separator) if value != "" else []


def _item_type(param: Parameter) -> str | None:
    items = param.resolved_schema.get("items")
    if isinstance(items, Mapping):
        kind = items.get("type")
        return kind if isinstance(kind, str) else None
    return None


def _coerce(param: Parameter, text: str) -> tuple[Any, str | None]:
    return _convert(param.schema_type, text)


def _coerce_item(param: Parameter, text: str) -> tuple[Any, str | None]:
    return _convert(_item_type(param), text)


def _convert(kind: str | None, text: str) -> tuple[Any, str | None]:
    if kind == "integer":
        try:
            return int(text, 10), None
        except ValueError:
            return text, f"{text!r} is not an integer"
    if kind == "number":
        try:
            return float(text), None
        except ValueError:
            return text, f"{text!r} is not a number"
    if kind == "boolean":
        if text in ("true", "false"):
            return text == "true", None
        return text, f"{text!r} is not a boolean (use true or false)"
    return text, None
