"""Loading and indexing vendor API descriptions (Swagger 2.0 and OpenAPI 3.0.x, JSON or YAML).

A parsed spec is cached per file for the whole process (the Koyeb document is 590 KB), so every emulator
instance shares one `ApiSpec`. The index turns the document into `Operation` records (method, path
template, parameters, request body, responses) whose schemas are addressed by JSON pointers into the
original document, so `$ref`s inside them resolve against the whole document.
"""

from __future__ import annotations

import copy
import functools
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import unquote, urlsplit

import yaml

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

SPECS_DIR_ENV = "STAGECRAFT_API_SPECS_DIR"
# Descriptions written here from a vendor's published schema when the vendor ships none that fits (each cites its source).
LOCAL_SPECS_DIR = Path(__file__).resolve().parent / "specs"


def specs_dir() -> Path:
    """The folder holding the vendor specs: `$STAGECRAFT_API_SPECS_DIR` or `<repo>/../shared/reference/apis`."""
    override = os.environ.get(SPECS_DIR_ENV)
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[3] / "shared" / "reference" / "apis"


class SpecError(Exception):
    """The spec file is missing, unreadable, or not a Swagger 2.0 / OpenAPI 3.0 document."""


def escape_pointer_token(token: str) -> str:
    """Escape one JSON-pointer token (RFC 6901)."""
    return token.replace("~", "~0").replace("/", "~1")


def pointer(*tokens: str | int) -> str:
    """Build a JSON pointer from raw tokens."""
    return "".join("/" + escape_pointer_token(str(t)) for t in tokens)


def resolve_pointer(document: Any, ptr: str) -> Any:
    """Return the value at JSON pointer `ptr` (with or without a leading '#')."""
    ptr = ptr[1:] if ptr.startswith("#") else ptr
    node = document
    if not ptr:
        return node
    for raw in ptr.lstrip("/").split("/"):
        token = unquote(raw).replace("~1", "/").replace("~0", "~")
        if isinstance(node, list):
            node = node[int(token)]
        else:
            node = node[token]
    return node


@dataclass(frozen=True)
class Parameter:
    """One path, query or header parameter of an operation.

    `schema_pointer` addresses the parameter's schema in the document (OpenAPI 3); Swagger 2.0 keeps the
    schema keywords on the parameter itself, so `inline_schema` carries a synthetic schema instead.
    """

    name: str
    location: str
    required: bool
    schema_pointer: str | None
    inline_schema: Mapping[str, Any] | None
    style: str
    explode: bool
    resolved_schema: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def schema_type(self) -> str | None:
        """The declared JSON type of the parameter's schema (after following `$ref`s), or None."""
        value = self.resolved_schema.get("type")
        return value if isinstance(value, str) else None

    @property
    def is_array(self) -> bool:
        """True when the parameter's schema is an array (values may repeat or be comma separated)."""
        return self.schema_type == "array"


@dataclass(frozen=True)
class RequestBody:
    """The JSON request body an operation accepts."""

    required: bool
    media_types: tuple[str, ...]
    schema_pointer: str | None


@dataclass(frozen=True)
class Operation:
    """One method on one path template, with everything needed to validate a call to it."""

    method: str
    template: str
    operation_id: str
    parameters: tuple[Parameter, ...]
    body: RequestBody | None
    responses: Mapping[str, str | None]
    """Status code (or "default", or "2XX") -> JSON pointer to the JSON response schema, None if no body."""

    def response_schema_pointer(self, status: int) -> tuple[bool, str | None]:
        """(declared, pointer) for a status: exact code first, then `NXX`, then `default`."""
        for key in (str(status), f"{str(status)[0]}XX", "default"):
            if key in self.responses:
                return True, self.responses[key]
        return False, None


@dataclass(frozen=True)
class RouteMatch:
    """Result of matching a request path: the operation (or why none) and the decoded path parameters."""

    operation: Operation | None
    path_params: Mapping[str, str]
    problem: str | None
    allowed_methods: tuple[str, ...] = ()
    path: str = ""
    """The request path as matched against the templates (without the spec's base path, when stripped)."""


@dataclass(frozen=True)
class _Template:
    text: str
    segments: tuple[re.Pattern[str] | str, ...]
    specificity: tuple[int, ...]
    methods: Mapping[str, Operation]


_PARAM_IN_SEGMENT = re.compile(r"\{([^}/]+)\}")


def _compile_segment(segment: str) -> re.Pattern[str] | str:
    if "{" not in segment:
        return segment
    parts: list[str] = []
    last = 0
    for m in _PARAM_IN_SEGMENT.finditer(segment):
        parts.append(re.escape(segment[last : m.start()]))
        parts.append(f"(?P<{_group_name(m.group(1))}>.+?)")
        last = m.end()
    parts.append(re.escape(segment[last:]))
    return re.compile("^" + "".join(parts) + "$")


def _group_name(param: str) -> str:
    # Regex group names must be identifiers; keep a reversible mapping for odd parameter names.
    return "p_" + "".join(c if c.isalnum() else f"_{ord(c):x}_" for c in param)


def _param_from_group(group: str) -> str:
    body = group[2:]
    return re.sub(r"_([0-9a-f]+)_", lambda m: chr(int(m.group(1), 16)), body)


class ApiSpec:
    """An indexed Swagger 2.0 or OpenAPI 3.0.x document."""

    def __init__(self, path: Path, document: Mapping[str, Any]):
        self.path = path
        self.document = document
        if "swagger" in document and str(document["swagger"]).startswith("2."):
            self.kind = "swagger2"
            self.version = str(document["swagger"])
        elif "openapi" in document and str(document["openapi"]).startswith("3.0"):
            self.kind = "openapi3"
            self.version = str(document["openapi"])
        else:
            raise SpecError(
                f"{path}: not a Swagger 2.0 or OpenAPI 3.0.x document (no 'swagger: 2.x' / 'openapi: 3.0.x' key); "
                "GraphQL schemas need a different validator"
            )
        self.uri = f"urn:stagecraft-spec:{path.name}"
        self.base_path = self._base_path()
        self.operations: tuple[Operation, ...] = tuple(self._index_operations())
        self.by_operation_id: dict[str, Operation] = {op.operation_id: op for op in self.operations}
        self._templates_by_length: dict[int, list[_Template]] = {}
        self._build_templates()

    def __repr__(self) -> str:
        return f"ApiSpec({self.path.name}, {self.kind} {self.version}, {len(self.operations)} operations)"

    # ---- indexing ---------------------------------------------------------------------------------

    def _base_path(self) -> str:
        if self.kind == "swagger2":
            base = str(self.document.get("basePath") or "")
        else:
            servers = self.document.get("servers") or []
            base = urlsplit(str(servers[0].get("url", ""))).path if servers else ""
        base = base.rstrip("/")
        return base if base.startswith("/") or not base else "/" + base

    def deref(self, node: Any) -> tuple[Any, str | None]:
        """Follow local `$ref`s on `node`; return (target, pointer of target or None if not a ref)."""
        seen = set()
        ptr = None
        while isinstance(node, Mapping) and isinstance(node.get("$ref"), str):
            ref = node["$ref"]
            if not ref.startswith("#"):
                raise SpecError(f"{self.path.name}: only local $refs are supported, found {ref!r}")
            if ref in seen:
                raise SpecError(f"{self.path.name}: circular $ref {ref!r}")
            seen.add(ref)
            ptr = ref[1:]
            node = resolve_pointer(self.document, ptr)
        return node, ptr

    def _index_operations(self):
        paths = self.document.get("paths") or {}
        seen_ids: set[str] = set()
        for template, item in paths.items():
            item, item_ptr = self.deref(item)
            item_ptr = item_ptr or pointer("paths", template)
            shared = list(item.get("parameters") or [])
            for method in HTTP_METHODS:
                op = item.get(method)
                if not isinstance(op, Mapping):
                    continue
                op_ptr = item_ptr + pointer(method)
                op_id = str(op.get("operationId") or f"{method.upper()} {template}")
                if op_id in seen_ids:
                    op_id = f"{op_id}#{method.upper()} {template}"
                seen_ids.add(op_id)
                params, body = self._parameters(shared, item_ptr, list(op.get("parameters") or []), op_ptr)
                if body is not None and op.get("consumes"):
                    body = RequestBody(body.required, tuple(op["consumes"]), body.schema_pointer)
                if self.kind == "openapi3" and "requestBody" in op:
                    body = self._oas_body(op["requestBody"], op_ptr + pointer("requestBody"))
                yield Operation(
                    method=method.upper(),
                    template=template,
                    operation_id=op_id,
                    parameters=tuple(params),
                    body=body,
                    responses=self._responses(op.get("responses") or {}, op_ptr + pointer("responses")),
                )

    def _parameters(self, shared, item_ptr, own, op_ptr):
        merged: dict[tuple[str, str], tuple[Mapping, str]] = {}
        for source, base in ((shared, item_ptr + pointer("parameters")), (own, op_ptr + pointer("parameters"))):
            for index, raw in enumerate(source):
                param, ref_ptr = self.deref(raw)
                merged[(param["name"], param["in"])] = (param, ref_ptr or base + pointer(index))
        params: list[Parameter] = []
        body: RequestBody | None = None
        for (name, location), (param, ptr) in merged.items():
            if location == "body":
                body = RequestBody(
                    required=bool(param.get("required", False)),
                    media_types=tuple(self.document.get("consumes") or ("application/json",)),
                    schema_pointer=ptr + pointer("schema"),
                )
                continue
            if location == "formData":
                # Multipart/form uploads are outside what these emulators serve; the body stays unchecked.
                continue
            if self.kind == "swagger2":
                schema_ptr, inline = None, self._swagger_param_schema(param)
                style = {"multi": "form", "csv": "form"}.get(param.get("collectionFormat", "csv"), "form")
                explode = param.get("collectionFormat") == "multi"
                if param.get("collectionFormat") in ("ssv", "tsv", "pipes"):
                    style = param["collectionFormat"]
            else:
                schema_ptr, inline = ptr + pointer("schema"), None
                style = param.get("style") or ("form" if location in ("query", "cookie") else "simple")
                explode = bool(param.get("explode", style == "form"))
            params.append(
                Parameter(
                    name=name,
                    location=location,
                    required=bool(param.get("required", location == "path")),
                    schema_pointer=schema_ptr,
                    inline_schema=inline,
                    style=style,
                    explode=explode,
                    resolved_schema=inline if inline is not None else self.deref(param.get("schema") or {})[0],
                )
            )
        return params, body

    def _swagger_param_schema(self, param: Mapping[str, Any]) -> dict[str, Any]:
        keys = (
            "type", "format", "items", "enum", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
            "minLength", "maxLength", "pattern", "minItems", "maxItems", "uniqueItems", "multipleOf", "default",
        )
        schema = {k: copy.deepcopy(param[k]) for k in keys if k in param}
        return _absolutize_refs(schema, self.uri)

    def _oas_body(self, raw, ptr) -> RequestBody:
        body, ref_ptr = self.deref(raw)
        ptr = ref_ptr or ptr
        content = body.get("content") or {}
        json_types = [t for t in content if is_json_media_type(t)]
        schema_ptr = None
        if json_types:
            chosen = json_types[0]
            if "schema" in content[chosen]:
                schema_ptr = ptr + pointer("content", chosen, "schema")
        return RequestBody(
            required=bool(body.get("required", False)),
            media_types=tuple(content) or ("application/json",),
            schema_pointer=schema_ptr,
        )

    def _responses(self, responses: Mapping[str, Any], ptr: str) -> dict[str, str | None]:
        out: dict[str, str | None] = {}
        for code, raw in responses.items():
            resp, ref_ptr = self.deref(raw)
            rptr = ref_ptr or ptr + pointer(code)
            if self.kind == "swagger2":
                out[str(code)] = rptr + pointer("schema") if "schema" in resp else None
            else:
                content = resp.get("content") or {}
                json_types = [t for t in content if is_json_media_type(t)]
                if json_types and "schema" in content[json_types[0]]:
                    out[str(code)] = rptr + pointer("content", json_types[0], "schema")
                else:
                    out[str(code)] = None
        return out

    def _build_templates(self) -> None:
        grouped: dict[str, dict[str, Operation]] = {}
        for op in self.operations:
            grouped.setdefault(op.template, {})[op.method] = op
        for text, methods in grouped.items():
            raw_segments = text.strip("/").split("/") if text.strip("/") else []
            segments = tuple(_compile_segment(s) for s in raw_segments)
            specificity = tuple(1 if isinstance(s, str) else 0 for s in segments)
            tpl = _Template(text=text, segments=segments, specificity=specificity, methods=methods)
            self._templates_by_length.setdefault(len(segments), []).append(tpl)
        for templates in self._templates_by_length.values():
            # More literal segments, earlier, wins: /branches/count beats /branches/{branch_id}.
            templates.sort(key=lambda t: t.specificity, reverse=True)

    # ---- matching ---------------------------------------------------------------------------------

    def match(self, method: str, path: str) -> RouteMatch:
        """Find the operation for `method` on a concrete request `path` (no query string).

        The spec's own base path (`/api/v2` for Neon, `/v2` for Upstash) is accepted as an optional prefix,
        because clients may be configured with either the bare host or the documented server URL.
        """
        found = self._match(method.upper(), path)
        if found.operation is None and self.base_path and (path == self.base_path or path.startswith(self.base_path + "/")):
            stripped = self._match(method.upper(), path[len(self.base_path) :] or "/")
            if stripped.operation is not None or stripped.allowed_methods:
                return stripped
        return found

    def _candidates(self, path: str) -> list[tuple[_Template, dict[str, str]]]:
        raw = path.strip("/").split("/") if path.strip("/") else []
        out = []
        for tpl in self._templates_by_length.get(len(raw), []):
            params: dict[str, str] = {}
            for pattern, value in zip(tpl.segments, raw):
                if isinstance(pattern, str):
                    if pattern != value:
                        break
                else:
                    m = pattern.match(value)
                    if not m or any(not v for v in m.groupdict().values()):
                        break
                    params.update({_param_from_group(k): unquote(v) for k, v in m.groupdict().items()})
            else:
                out.append((tpl, params))
        return out

    def _match(self, method: str, path: str) -> RouteMatch:
        candidates = self._candidates(path)
        if not candidates:
            return RouteMatch(
                None, {}, f"unknown path {path!r}: no path template in {self.path.name} matches it", path=path
            )
        for tpl, params in candidates:
            if method in tpl.methods:
                return RouteMatch(tpl.methods[method], params, None, path=path)
        allowed = tuple(sorted({m for tpl, _ in candidates for m in tpl.methods}))
        return RouteMatch(
            None,
            {},
            f"method {method} is not defined for {candidates[0][0].text} in {self.path.name} "
            f"(defined: {', '.join(allowed)})",
            allowed,
            path=path,
        )


def is_json_media_type(media_type: str) -> bool:
    """Whether a media type carries JSON (`application/json`, `*+json`, or the wildcard)."""
    base = media_type.split(";")[0].strip().lower()
    return base == "application/json" or base.endswith("+json") or base == "*/*"


def _absolutize_refs(node: Any, uri: str) -> Any:
    if isinstance(node, dict):
        return {
            k: (uri + v if k == "$ref" and isinstance(v, str) and v.startswith("#") else _absolutize_refs(v, uri))
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_absolutize_refs(v, uri) for v in node]
    return node


def _read_document(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SpecError(f"cannot read API spec {path}: {exc.strerror}; set {SPECS_DIR_ENV} to the specs folder") from exc
    if path.suffix.lower() == ".json":
        return json.loads(text)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(text, Loader=loader)


def _swagger_nullable(node: Any) -> Any:
    # Swagger 2.0 spells OpenAPI's `nullable` as the vendor extension `x-nullable`.
    if isinstance(node, dict):
        out = {k: _swagger_nullable(v) for k, v in node.items()}
        if out.get("x-nullable") is True:
            out["nullable"] = True
        return out
    if isinstance(node, list):
        return [_swagger_nullable(v) for v in node]
    return node


def _without_unmappable_discriminators(node: Any) -> Any:
    """Drop a `discriminator` that has no `mapping` over inline `oneOf`/`anyOf` alternatives.

    OpenAPI 3.0's implicit mapping names component schemas, so such a discriminator maps values to nothing (the
    validator then reports `#/components/schemas/<value>` unresolvable for every instance). Supabase's
    `V1CreateProjectBody.region_selection` is one; without it the alternatives are still checked by shape.
    """
    if isinstance(node, dict):
        out = {k: _without_unmappable_discriminators(v) for k, v in node.items()}
        alternatives = out.get("oneOf") or out.get("anyOf") or []
        inline = alternatives and not any(isinstance(a, Mapping) and "$ref" in a for a in alternatives)
        if isinstance(out.get("discriminator"), Mapping) and "mapping" not in out["discriminator"] and inline:
            del out["discriminator"]
        return out
    if isinstance(node, list):
        return [_without_unmappable_discriminators(v) for v in node]
    return node


def _type_lists_as_nullable(node: Any) -> Any:
    """`type: ["null", "integer"]` (JSON Schema's list form) as OpenAPI 3.0's `type: integer, nullable: true`.

    OpenAPI 3.0 allows one type only, and its validators fail on a list; Supabase Storage's generated spec uses the
    list form for nullable fields (`file_size_limit`, `allowed_mime_types` of a bucket). Several non-null types
    leave the type open.
    """
    if isinstance(node, dict):
        out = {k: _type_lists_as_nullable(v) for k, v in node.items()}
        kinds = out.get("type")
        if isinstance(kinds, list):
            concrete = [k for k in kinds if k != "null"]
            del out["type"]
            if len(concrete) == 1:
                out["type"] = concrete[0]
            if "null" in kinds:
                out["nullable"] = True
        return out
    if isinstance(node, list):
        return [_type_lists_as_nullable(v) for v in node]
    return node


@functools.lru_cache(maxsize=None)
def _load(resolved: str) -> ApiSpec:
    path = Path(resolved)
    document = _read_document(path)
    if not isinstance(document, Mapping):
        raise SpecError(f"{path}: top level is not a mapping")
    if str(document.get("swagger", "")).startswith("2."):
        document = _swagger_nullable(document)
    else:
        document = _type_lists_as_nullable(_without_unmappable_discriminators(document))
    return ApiSpec(path, document)


def load_spec(name_or_path: str | os.PathLike[str]) -> ApiSpec:
    """Load (once per process) and index a spec: a file name inside `specs_dir()` or `LOCAL_SPECS_DIR`, or a path."""
    candidate = Path(name_or_path)
    if not candidate.is_absolute() and not candidate.exists():
        local = LOCAL_SPECS_DIR / candidate
        candidate = local if local.is_file() else specs_dir() / candidate
    return _load(str(candidate.resolve()))
