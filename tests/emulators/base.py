"""The emulator core shared by every API: validation, faults, latency, readiness, dispatch, request log.

A concrete emulator (see `koyeb.py`) declares its spec file, its collections, how it authenticates and what
its error bodies look like, and implements operations as methods decorated with `@handles("<operationId>")`.
`Emulator.handle` turns one raw request into one `Outcome` (a response, or a dropped connection); the HTTP
server in `server.py` only moves bytes.
"""

from __future__ import annotations

import json
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, ClassVar, Iterator, Mapping, NamedTuple, Sequence

from .conformance import CONFORMANCE, ConformanceRegistry
from .faults import RATE_KINDS, Fault, FaultPlan
from .spec import ApiSpec, load_spec
from .state import IdMaker, Readiness, Store, clone
from .validation import CheckedRequest, RequestValidator, ResponseMismatch, Violation

CONTROL_PREFIX = "/__emulator__"


class RequestRecord(NamedTuple):
    """One handled request: `status` is None when the connection was dropped without a response."""

    method: str
    path: str
    status: int | None


class RequestTiming(NamedTuple):
    """When the request at the same index of `Emulator.requests` arrived and was answered (time.monotonic())."""

    started: float
    finished: float


@dataclass(frozen=True)
class RawRequest:
    """An HTTP request as received."""

    method: str
    path: str
    query: str
    headers: Mapping[str, str]
    body: bytes


@dataclass
class Outcome:
    """What the server should do: send a response, or drop the connection (`status` None)."""

    status: int | None
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)

    @property
    def dropped(self) -> bool:
        """True when the connection must be closed without a response."""
        return self.status is None


@dataclass
class ApiRequest:
    """A validated request as an operation handler sees it."""

    method: str
    path: str
    operation_id: str
    path_params: dict[str, Any]
    query: dict[str, Any]
    body: Any
    headers: Mapping[str, str]
    touched: dict[str, bool] = field(default_factory=dict)


@dataclass
class Reply:
    """A handler's answer: status, JSON-able body (None for no body) and extra headers."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


class ApiError(Exception):
    """Raised by handlers for an API-level error; rendered in the API's own error shape."""

    def __init__(self, status: int, message: str, fields: Sequence[tuple[str, str]] = ()):
        super().__init__(message)
        self.status = status
        self.message = message
        self.fields = tuple(fields)


class SpecViolationError(AssertionError):
    """Requests sent to an emulator did not match the vendor spec."""


def bearer_token(headers: Mapping[str, str]) -> str:
    """The token of an `Authorization: Bearer <token>` header, or "" when there is none."""
    value = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
    scheme, _, token = value.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def handles(*operation_ids: str) -> Callable[[Callable], Callable]:
    """Mark an emulator method as the handler of these spec operationIds."""

    def mark(fn: Callable) -> Callable:
        fn._handles = operation_ids  # type: ignore[attr-defined]
        return fn

    return mark


class Emulator:
    """Base class of the API emulators. Fresh instances hold an empty account."""

    api: ClassVar[str] = ""
    spec_file: ClassVar[str] = ""
    collections: ClassVar[tuple[str, ...]] = ()
    secret_fields: ClassVar[frozenset[str]] = frozenset({"password", "rest_token", "read_only_rest_token", "value"})

    def __init__(
        self,
        *,
        seed: int | None = None,
        strict_unknown_fields: bool = True,
        fail_on_violation: bool = True,
        spec_path: str | None = None,
        conformance: ConformanceRegistry = CONFORMANCE,
    ):
        """Options: `seed` makes ids reproducible; `strict_unknown_fields` reports body fields the schema does
        not declare; `fail_on_violation` makes `serve()` raise at exit when a request violated the spec;
        `conformance` is the registry totals go to (tests that send bad requests on purpose pass their own,
        so the process-wide summary only counts real clients)."""
        self.conformance = conformance
        self._load_description(spec_path or self.spec_file, strict_unknown_fields)
        self.fail_on_violation = fail_on_violation
        self.ids = IdMaker(seed)
        self.store = Store(self.collections)
        self.readiness = Readiness()
        self.readiness_polls = 0
        self.latency = 0.0
        self.faults = FaultPlan()
        self.requests: list[RequestRecord] = []
        self.request_times: list[RequestTiming] = []
        self.violations: list[Violation] = []
        self.response_mismatches: list[ResponseMismatch] = []
        self.unimplemented: list[str] = []
        self._checked = 0
        self._lock = threading.RLock()
        self._log_lock = threading.Lock()
        self._stopping = threading.Event()
        self._handlers = self._collect_handlers()

    def _load_description(self, path: str, strict_unknown_fields: bool) -> None:
        """Load the vendor's API description and the validator built on it (here an OpenAPI/Swagger spec;
        the GraphQL emulators in `graphql.py` load an introspection schema instead)."""
        self.spec: ApiSpec = load_spec(path)
        self.validator = RequestValidator(self.spec, strict_unknown_fields=strict_unknown_fields)

    # ---- configuration API ------------------------------------------------------------------------

    @property
    def checked(self) -> int:
        """How many API requests were validated against the vendor spec."""
        return self._checked

    def inject(self, fault: Fault, *, method: str | None = None, path: str | None = None, times: int | None = 1) -> None:
        """Apply `fault` to the next `times` requests matching method/path (path: fnmatch glob; None = any)."""
        self.faults.add(fault, method=method, path=path, times=times)

    def inject_rate(
        self,
        fraction: float,
        seed: int,
        kinds: Sequence[str] = RATE_KINDS,
        *,
        method: str | None = None,
        path: str | None = None,
        retry_after: float | None = 1,
        timeout_seconds: float = 5.0,
    ) -> None:
        """Fail `fraction` of requests at random (seeded) with faults of the given kinds."""
        self.faults.set_rate(
            fraction, seed, kinds, method=method, path=path, retry_after=retry_after, timeout_seconds=timeout_seconds
        )

    def clear_faults(self) -> None:
        """Disarm all injected faults."""
        self.faults.clear()

    def set_latency(self, seconds: float) -> None:
        """Delay every API request by `seconds` before handling it."""
        if seconds < 0:
            raise ValueError(f"set_latency(seconds={seconds}): latency must be >= 0")
        self.latency = float(seconds)

    def set_readiness_delay(self, polls: int) -> None:
        """Resources created or changed from now on report not-ready for `polls` reads, then ready."""
        if polls < 0:
            raise ValueError(f"set_readiness_delay(polls={polls}): polls must be >= 0")
        self.readiness_polls = int(polls)

    def objects(self, collection: str) -> list[dict[str, Any]]:
        """What the emulated account holds in `collection`, in the API's representation (copies)."""
        with self._lock:
            return [clone(self.render(collection, record)) for record in self.store.values(collection)]

    def assert_conformant(self) -> None:
        """Raise `SpecViolationError` listing every request that did not match the spec."""
        if self.violations:
            listed = "\n".join(f"  - {v}" for v in self.violations)
            raise SpecViolationError(
                f"{len(self.violations)} request(s) to the {self.api} emulator did not match "
                f"{self.spec.path.name}:\n{listed}"
            )

    @contextmanager
    def serve(self, port: int = 0) -> Iterator[str]:
        """Serve on 127.0.0.1 (a free port unless given); yields the base URL.

        On a clean exit, raises `SpecViolationError` if any request during the block violated the spec
        (unless the emulator was built with `fail_on_violation=False`).
        """
        from .server import EmulatorServer

        before = len(self.violations)
        server = EmulatorServer(self, port=port)
        base_url = server.start()
        try:
            yield base_url
        finally:
            server.stop()
        if self.fail_on_violation and len(self.violations) > before:
            listed = "\n".join(f"  - {v}" for v in self.violations[before:])
            raise SpecViolationError(
                f"{len(self.violations) - before} request(s) to the {self.api} emulator did not match "
                f"{self.spec.path.name}:\n{listed}"
            )

    # ---- hooks for concrete emulators -------------------------------------------------------------

    def authenticate(self, headers: Mapping[str, str]) -> bool:
        """Whether the request carries the credentials the real API requires."""
        raise NotImplementedError

    def error_body(self, status: int, message: str, fields: Sequence[tuple[str, str]] = ()) -> Any:
        """The API's own error body for `status`."""
        raise NotImplementedError

    def render(self, collection: str, record: dict[str, Any]) -> dict[str, Any]:
        """A stored record in the API's representation (must not consume readiness reads)."""
        return record

    # ---- helpers for handlers ---------------------------------------------------------------------

    def touch(self, request: ApiRequest | None, key: str) -> bool:
        """Count one read of a readiness key (at most once per request); return whether it is ready at it.

        Without a request (rendering for `objects()`), nothing is consumed and the current state is returned.
        """
        if request is None:
            return self.readiness.is_ready(key)
        if key not in request.touched:
            request.touched[key] = self.readiness.read(key)
        return request.touched[key]

    def begin(self, key: str) -> None:
        """Start the readiness countdown of a new or changed resource."""
        self.readiness.start(key, self.readiness_polls)

    def is_ready(self, key: str) -> bool:
        """Whether a readiness key is ready, without consuming a read."""
        return self.readiness.is_ready(key)

    # ---- request handling -------------------------------------------------------------------------

    def _collect_handlers(self) -> dict[str, Callable[[ApiRequest], Reply]]:
        found: dict[str, Callable[[ApiRequest], Reply]] = {}
        for name in dir(type(self)):
            fn = getattr(type(self), name, None)
            for op_id in getattr(fn, "_handles", ()):
                if op_id not in self.spec.by_operation_id:
                    raise RuntimeError(
                        f"{type(self).__name__}.{name} handles {op_id!r}, which is not an operationId in "
                        f"{self.spec.path.name}"
                    )
                found[op_id] = getattr(self, name)
        return found

    def implemented_operations(self) -> tuple[str, ...]:
        """The operationIds this emulator serves."""
        return tuple(sorted(self._handlers))

    def _log(self, method: str, path: str, status: int | None, started: float) -> None:
        with self._log_lock:
            self.requests.append(RequestRecord(method, path, status))
            self.request_times.append(RequestTiming(started, time.monotonic()))

    def _encode(self, reply: Reply) -> Outcome:
        headers = list(reply.headers.items())
        if reply.body is None or reply.status == 204:
            return Outcome(reply.status, b"", headers)
        headers.append(("Content-Type", "application/json"))
        return Outcome(reply.status, json.dumps(reply.body).encode("utf-8"), headers)

    def _error_reply(self, status: int, message: str, fields: Sequence[tuple[str, str]] = ()) -> Reply:
        return Reply(status, self.error_body(status, message, fields))

    def handle(self, raw: RawRequest) -> Outcome:
        """Handle one request end to end (validation, faults, auth, dispatch, response check)."""
        if raw.path == CONTROL_PREFIX or raw.path.startswith(CONTROL_PREFIX + "/"):
            from .control import handle_control

            return handle_control(self, raw)
        started = time.monotonic()
        if self.latency:
            self._stopping.wait(self.latency)

        checked = self.validator.validate(raw.method, raw.path, raw.query, raw.headers, raw.body)
        with self._log_lock:
            self._checked += 1
        self.conformance.record_checked(self.api)
        if checked.problems:
            violation = Violation(self.api, checked.method, raw.path, checked.operation_id, tuple(checked.problems))
            with self._log_lock:
                self.violations.append(violation)
            self.conformance.record_violation(violation)

        fault = self.faults.pick(checked.method, checked.matched_path or raw.path)
        if fault is not None and not fault.acts:
            return self._apply_fault(fault, checked, raw, started)

        reply = self._dispatch(checked, raw)
        self._check_response(checked, raw, reply)
        if fault is not None:
            self._log(checked.method, raw.path, None, started)
            return Outcome(None)
        outcome = self._encode(reply)
        self._log(checked.method, raw.path, outcome.status, started)
        return outcome

    def _apply_fault(self, fault: Fault, checked: CheckedRequest, raw: RawRequest, started: float) -> Outcome:
        if fault.kind == "status":
            assert fault.status_code is not None
            reply = self._error_reply(fault.status_code, f"injected fault: HTTP {fault.status_code}")
            if fault.retry_after is not None:
                reply.headers["Retry-After"] = f"{fault.retry_after:g}"
            self._check_response(checked, raw, reply)
            outcome = self._encode(reply)
            self._log(checked.method, raw.path, outcome.status, started)
            return outcome
        if fault.kind == "timeout":
            self._stopping.wait(fault.seconds)
        self._log(checked.method, raw.path, None, started)
        return Outcome(None)

    def _dispatch(self, checked: CheckedRequest, raw: RawRequest) -> Reply:
        if not self.authenticate(raw.headers):
            return self._error_reply(401, "authentication required: send the credentials this API expects")
        if checked.problems:
            fields = [_split_problem(p) for p in checked.problems]
            message = f"request does not match the {self.api} API spec: " + "; ".join(checked.problems)
            return self._error_reply(400, message, fields)
        assert checked.operation is not None
        handler = self._handlers.get(checked.operation.operation_id)
        if handler is None:
            with self._log_lock:
                self.unimplemented.append(checked.operation.operation_id)
            self.conformance.record_unimplemented(self.api, checked.operation.operation_id)
            return self._error_reply(
                501, f"the {self.api} emulator does not implement {checked.operation.operation_id} (the spec has it)"
            )
        request = ApiRequest(
            method=checked.method,
            path=raw.path,
            operation_id=checked.operation.operation_id,
            path_params=checked.path_params,
            query=checked.query,
            body=checked.body,
            headers=raw.headers,
        )
        with self._lock:
            try:
                return handler(request)
            except ApiError as err:
                return self._error_reply(err.status, err.message, err.fields)

    def _check_response(self, checked: CheckedRequest, raw: RawRequest, reply: Reply) -> None:
        if checked.operation is None:
            return
        problems = self.validator.response_problems(
            checked.operation, reply.status, reply.body, reply.body is not None and reply.status != 204
        )
        if problems:
            mismatch = ResponseMismatch(
                self.api, checked.method, raw.path, checked.operation.operation_id, reply.status, tuple(problems)
            )
            with self._log_lock:
                self.response_mismatches.append(mismatch)
            self.conformance.record_response_mismatch(mismatch)

    def stats(self) -> dict[str, Any]:
        """Conformance counts, fault and request totals, and remaining objects per collection."""
        with self._lock:
            counts = self.store.counts()
        return {
            "api": self.api,
            "spec": self.spec.path.name,
            "checked": self._checked,
            "violations": [str(v) for v in self.violations],
            "response_mismatches": [str(m) for m in self.response_mismatches],
            "unimplemented": sorted(set(self.unimplemented)),
            "requests": len(self.requests),
            "faults_fired": [list(f) for f in self.faults.fired],
            "objects": counts,
        }


def _split_problem(problem: str) -> tuple[str, str]:
    where, _, what = problem.partition(": ")
    return (where, what) if what else ("", problem)
