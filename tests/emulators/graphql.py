"""GraphQL on the emulator machinery: every operation parsed and validated with graphql-core, then executed.

A GraphQL emulator (Railway, Expo EAS) is an `Emulator` whose API description is the vendor's introspection
schema (`shared/reference/apis/*.schema.json`) instead of an OpenAPI spec. One request is handled like this:

1. the body must be `{"query", "variables"?, "operationName"?}` sent as POST to the API's one endpoint;
2. the query is parsed and validated against the schema with graphql-core (unknown fields or arguments,
   wrong argument types, undeclared variables, ...), and the variables are coerced against their declared
   types (a missing required variable, an unknown input field, a wrong scalar); strict like the REST side,
   variables the operation does not declare are problems too. Any problem is a `Violation`, counted in the
   process-wide conformance registry like a REST spec violation, and answered as GraphQL does (HTTP 400,
   `errors` with `extensions.code = GRAPHQL_VALIDATION_FAILED`);
3. faults are picked by route `<operation type>/<first root field>` (`mutation/serviceCreate`,
   `query/*`), so path globs aim at operations;
4. the operation is executed with graphql-core against the emulator's own resolvers (`@resolves("Type.field")`),
   so the response has exactly the selected fields, with non-null and enum rules enforced by the schema:
   an emulator answer that breaks them is a `ResponseMismatch` (an emulator bug, not a client fault).

Resolvers receive the `GraphQLCall` (headers, readiness reads of this request) and the field's arguments.
A field without a resolver is read from the parent value: a dict key, called with the field's arguments when
it is callable (how rendered records expose fields that take arguments). A root or namespace field nobody
resolves is reported as unimplemented. A resolver raises `GraphQLApiError(message, **extensions)` for an API
error; it is answered in GraphQL's shape (HTTP 200, `data` null up to the nearest nullable field, `errors`
with `message`, `path`, `locations` and the vendor's `extensions`).
"""

from __future__ import annotations

import dataclasses
import json
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, ClassVar, Mapping

from graphql import (
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    build_client_schema,
    execute,
    get_named_type,
    is_object_type,
    parse,
    validate,
)
from graphql.execution.values import get_variable_values
from graphql.language import DocumentNode, FieldNode

from .base import CONTROL_PREFIX, Emulator, Outcome, RawRequest, Reply
from .spec import specs_dir
from .validation import CheckedRequest, ResponseMismatch, Violation


class GraphQLApiError(Exception):
    """An API-level error a resolver raises; `extensions` become the error's `extensions` member."""

    def __init__(self, message: str, **extensions: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extensions = extensions or None


@dataclass(frozen=True)
class GraphQLDescription:
    """The introspection schema an emulator validates against (`path` as the REST specs have it)."""

    path: Path
    schema: GraphQLSchema


@lru_cache(maxsize=None)
def _load_schema(resolved: str) -> GraphQLDescription:
    raw = json.loads(Path(resolved).read_text(encoding="utf-8"))
    # Railway's file is a full introspection response ({"data": {"__schema": ...}}); EAS's is the bare result.
    result = raw.get("data", raw) if isinstance(raw, dict) else raw
    return GraphQLDescription(Path(resolved), build_client_schema(result))


def load_graphql_schema(name_or_path: str) -> GraphQLDescription:
    """Load (once per process) an introspection schema: a file name inside `specs_dir()` or a path."""
    candidate = Path(name_or_path)
    if not candidate.is_absolute() and not candidate.exists():
        candidate = specs_dir() / candidate
    if not candidate.is_file():
        raise FileNotFoundError(f"GraphQL introspection schema {name_or_path!r} not found (looked at {candidate})")
    return _load_schema(str(candidate.resolve()))


def resolves(*fields: str) -> Callable[[Callable], Callable]:
    """Mark an emulator method as the resolver of these schema fields (`"Query.project"`, `"AppQuery.byId"`)."""

    def mark(fn: Callable) -> Callable:
        fn._resolves = fields  # type: ignore[attr-defined]
        return fn

    return mark


@dataclass
class GraphQLCall:
    """One GraphQL request as resolvers see it."""

    headers: Mapping[str, str]
    operation_type: str
    root_fields: tuple[str, ...]
    touched: dict[str, bool] = field(default_factory=dict)


@dataclass(frozen=True)
class CheckedOperation:
    """A GraphQL request after validation: its document, chosen operation, coerced variables and problems."""

    document: DocumentNode | None
    operation: OperationDefinitionNode | None
    variables: dict[str, Any]
    problems: tuple[str, ...]

    @property
    def operation_type(self) -> str:
        """`query`, `mutation` or `subscription` (`unknown` when the body could not be parsed)."""
        return self.operation.operation.value if self.operation is not None else "unknown"

    @property
    def root_fields(self) -> tuple[str, ...]:
        """Names of the operation's top-level fields, in order."""
        if self.operation is None:
            return ()
        return tuple(s.name.value for s in self.operation.selection_set.selections if isinstance(s, FieldNode))

    @property
    def route(self) -> str:
        """`<operation type>/<first root field>`: what fault filters and the request log see."""
        return f"{self.operation_type}/{self.root_fields[0] if self.root_fields else '-'}"


def check_operation(schema: GraphQLSchema, body: bytes) -> CheckedOperation:
    """Parse and validate one GraphQL request body against `schema`; never raises for bad input."""
    try:
        payload = json.loads(body or b"null")
    except ValueError as exc:
        return CheckedOperation(None, None, {}, (f"body: not valid JSON ({exc})",))
    if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
        return CheckedOperation(None, None, {}, ('body: must be a JSON object with a "query" string',))
    unknown_members = sorted(set(payload) - {"query", "variables", "operationName", "extensions"})
    problems = [f"body.{m}: not a member of a GraphQL request" for m in unknown_members]
    variables = payload.get("variables") or {}
    if not isinstance(variables, dict):
        return CheckedOperation(None, None, {}, (*problems, "body.variables: must be a JSON object"))
    try:
        document = parse(payload["query"])
    except GraphQLError as exc:
        return CheckedOperation(None, None, {}, (*problems, f"query: syntax error: {exc.message}"))
    problems.extend(f"query: {error.message}" for error in validate(schema, document))
    operation = _pick_operation(document, payload.get("operationName"), problems)
    coerced: dict[str, Any] = {}
    if operation is not None and not problems:
        declared = {d.variable.name.value for d in operation.variable_definitions or ()}
        problems.extend(f"variables.{name}: not declared by the operation" for name in sorted(set(variables) - declared))
        values = get_variable_values(schema, operation.variable_definitions or (), variables)
        if isinstance(values, list):
            problems.extend(f"variables: {error.message}" for error in values)
        else:
            coerced = values
    return CheckedOperation(document, operation, coerced, tuple(problems))


def _pick_operation(document: DocumentNode, name: Any, problems: list[str]) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is not None:
        chosen = [op for op in operations if op.name is not None and op.name.value == name]
        if not chosen:
            problems.append(f"operationName: no operation named {name!r} in the document")
            return None
        return chosen[0]
    if len(operations) != 1:
        problems.append("operationName: required when the document holds several operations")
        return None
    return operations[0]


class GraphQLEmulator(Emulator):
    """Base of the GraphQL emulators: one endpoint, introspection-schema validation, resolvers per field."""

    endpoint_path: ClassVar[str] = "/graphql"
    """The one path the API serves (Railway `/graphql/v2`, EAS `/graphql`)."""

    def _load_description(self, path: str, strict_unknown_fields: bool) -> None:
        self.spec = load_graphql_schema(path)
        self.schema = self.spec.schema
        self.validator = None
        self.operation_counts: dict[str, int] = {}

    def _collect_handlers(self) -> dict[str, Callable[..., Any]]:
        found: dict[str, Callable[..., Any]] = {}
        for name in dir(type(self)):
            fn = getattr(type(self), name, None)
            for target in getattr(fn, "_resolves", ()):
                type_name, _, field_name = target.partition(".")
                gql_type = self.schema.get_type(type_name)
                if not is_object_type(gql_type) or field_name not in gql_type.fields:  # type: ignore[union-attr]
                    raise RuntimeError(
                        f"{type(self).__name__}.{name} resolves {target!r}, which is not a field in {self.spec.path.name}"
                    )
                found[target] = getattr(self, name)
        return found

    def implemented_operations(self) -> tuple[str, ...]:
        """The schema fields this emulator resolves (`Type.field`)."""
        return tuple(sorted(self._handlers))

    # ---- hooks ------------------------------------------------------------------------------------

    def error_body(self, status: int, message: str, fields: Any = ()) -> Any:
        return {"errors": [{"message": message, **({"extensions": ext} if (ext := self.error_extensions(status)) else {})}]}

    def error_extensions(self, status: int) -> dict[str, Any]:
        """Extensions of a transport-level error answer (a fault, an unauthenticated call): vendor-specific."""
        return {}

    def unauthenticated(self, call: GraphQLCall) -> Reply:
        """The answer to a request without valid credentials (each vendor words it its own way)."""
        return Reply(200, {"data": None, "errors": [{"message": "Not Authorized"}]})

    # ---- request handling -------------------------------------------------------------------------

    def handle(self, raw: RawRequest) -> Outcome:
        """Handle one request end to end (validation, faults, auth, execution, response check)."""
        if raw.path == CONTROL_PREFIX or raw.path.startswith(CONTROL_PREFIX + "/"):
            from .control import handle_control

            return handle_control(self, raw)
        started = time.monotonic()
        if self.latency:
            self._stopping.wait(self.latency)
        checked = self._check(raw)
        with self._log_lock:
            self._checked += 1
            for root in checked.root_fields:
                key = f"{checked.operation_type} {root}"
                self.operation_counts[key] = self.operation_counts.get(key, 0) + 1
        self.conformance.record_checked(self.api)
        logged = dataclasses.replace(raw, path=f"{self.endpoint_path}#{checked.route}")
        rest_view = CheckedRequest(method=raw.method.upper(), path=logged.path, operation=None,
                                   matched_path=checked.route)
        if checked.problems:
            violation = Violation(self.api, raw.method.upper(), logged.path, checked.route, checked.problems)
            with self._log_lock:
                self.violations.append(violation)
            self.conformance.record_violation(violation)
            outcome = self._encode(Reply(400, {"errors": [
                {"message": p, "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"}} for p in checked.problems]}))
            self._log(raw.method.upper(), logged.path, outcome.status, started)
            return outcome

        fault = self.faults.pick("POST", checked.route)
        if fault is not None and not fault.acts:
            return self._apply_fault(fault, rest_view, logged, started)
        reply = self._execute(raw, checked)
        if fault is not None:
            self._log("POST", logged.path, None, started)
            return Outcome(None)
        outcome = self._encode(reply)
        self._log("POST", logged.path, outcome.status, started)
        return outcome

    def _check(self, raw: RawRequest) -> CheckedOperation:
        if raw.method.upper() != "POST" or raw.path.rstrip("/") != self.endpoint_path:
            return CheckedOperation(None, None, {}, (
                f"request: the {self.api} GraphQL API takes POST {self.endpoint_path}, not {raw.method} {raw.path}",))
        content_type = next((v for k, v in raw.headers.items() if k.lower() == "content-type"), "")
        if "json" not in content_type.lower():
            return CheckedOperation(None, None, {}, (f"header.Content-Type: {content_type!r} is not application/json",))
        return check_operation(self.schema, raw.body)

    def _execute(self, raw: RawRequest, checked: CheckedOperation) -> Reply:
        call = GraphQLCall(raw.headers, checked.operation_type, checked.root_fields)
        if not self.authenticate(raw.headers):
            return self.unauthenticated(call)
        with self._lock:
            self.before_operation(call)
            result = execute(
                self.schema, checked.document, root_value={}, context_value=call,
                variable_values=checked.variables, operation_name=checked.operation.name.value
                if checked.operation.name else None, field_resolver=self._resolve,
            )
        body: dict[str, Any] = {"data": result.data}
        if result.errors:
            body["errors"] = [error.formatted for error in result.errors]
            self._note_emulator_bugs(raw, checked, result.errors)
        return Reply(200, body)

    def before_operation(self, call: GraphQLCall) -> None:
        """Called under the lock before each authenticated operation (e.g. to finish background work)."""

    def _resolve(self, source: Any, info: Any, **args: Any) -> Any:
        key = f"{info.parent_type.name}.{info.field_name}"
        handler = self._handlers.get(key)
        if handler is not None:
            return handler(info.context, **args)
        if isinstance(source, Mapping) and info.field_name in source:
            value = source[info.field_name]
            return value(**args) if callable(value) else value
        if info.parent_type in (self.schema.query_type, self.schema.mutation_type) or (
                is_object_type(get_named_type(info.return_type)) and isinstance(source, Mapping) and not source):
            with self._log_lock:
                self.unimplemented.append(key)
            self.conformance.record_unimplemented(self.api, key)
            raise GraphQLApiError(f"the {self.api} emulator does not implement {key} (the schema has it)")
        return None

    def _note_emulator_bugs(self, raw: RawRequest, checked: CheckedOperation, errors: list[GraphQLError]) -> None:
        problems = tuple(
            f"{'.'.join(map(str, e.path or ()))}: {e.message}" for e in errors
            if not isinstance(e.original_error, GraphQLApiError))
        if problems:
            mismatch = ResponseMismatch(self.api, "POST", f"{self.endpoint_path}#{checked.route}", checked.route,
                                        200, problems)
            with self._log_lock:
                self.response_mismatches.append(mismatch)
            self.conformance.record_response_mismatch(mismatch)

    # ---- helpers for tests and handlers ----------------------------------------------------------------

    def mutations(self) -> int:
        """How many answered requests were mutations (the GraphQL count of writes)."""
        return sum(1 for r in list(self.requests) if "#mutation/" in r.path)

    def stats(self) -> dict[str, Any]:
        stats = super().stats()
        stats["operations"] = dict(self.operation_counts)
        return stats


def connection(nodes: list[Any]) -> dict[str, Any]:
    """A Relay connection (`edges { node }`, `pageInfo`) over `nodes`, all on one page."""
    return {
        "edges": [{"node": node, "cursor": str(index)} for index, node in enumerate(nodes)],
        "pageInfo": {"hasNextPage": False, "hasPreviousPage": False,
                     "startCursor": "0" if nodes else None, "endCursor": str(len(nodes) - 1) if nodes else None},
    }
