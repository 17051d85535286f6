"""Fault injection: what can go wrong on a request, and the rules that decide when it does.

Kinds of fault:
- `Fault.status(code, retry_after=None)`: answer `code` at once (the action does not happen), in the API's
  own error shape, with a `Retry-After` header when given (typically 429 or 503).
- `Fault.timeout(seconds)`: hold the request for `seconds`, then close the connection without acting and
  without answering, like a gateway that hung (the client's own timeout should fire first).
- `Fault.drop_after_action()`: perform the request (state really changes), then close the connection
  without sending the response: the case a client can only resolve by reading back what exists.
- `Fault.drop_before_action()`: close the connection without acting and without answering.

Rules are consumed in the order they were added; the first rule whose method/path filters match and that
has uses left fires. Path filters are `fnmatch` globs over the request path (no query string).
"""

from __future__ import annotations

import fnmatch
import random
import threading
from dataclasses import dataclass
from typing import Iterable

RATE_KINDS = ("429", "500", "503", "drop_after_action")


@dataclass(frozen=True)
class Fault:
    """One fault to inject. Build with the class methods."""

    kind: str
    status_code: int | None = None
    retry_after: float | None = None
    seconds: float = 0.0

    @classmethod
    def status(cls, code: int, retry_after: float | None = None) -> "Fault":
        """Answer with HTTP `code` (4xx/5xx) instead of acting; `retry_after` seconds go in `Retry-After`."""
        if not 400 <= int(code) <= 599:
            raise ValueError(f"Fault.status(code={code}): code must be an HTTP error status between 400 and 599")
        if retry_after is not None and retry_after < 0:
            raise ValueError(f"Fault.status(retry_after={retry_after}): retry_after must be >= 0 seconds")
        return cls("status", status_code=int(code), retry_after=retry_after)

    @classmethod
    def timeout(cls, seconds: float = 5.0) -> "Fault":
        """Hold the request `seconds`, then drop it unanswered and without acting."""
        if seconds < 0:
            raise ValueError(f"Fault.timeout(seconds={seconds}): seconds must be >= 0")
        return cls("timeout", seconds=float(seconds))

    @classmethod
    def drop_after_action(cls) -> "Fault":
        """Act on the request, then close the connection without a response."""
        return cls("drop_after_action")

    @classmethod
    def drop_before_action(cls) -> "Fault":
        """Close the connection without acting and without a response."""
        return cls("drop_before_action")

    @property
    def acts(self) -> bool:
        """Whether the request is carried out when this fault fires."""
        return self.kind == "drop_after_action"

    def describe(self) -> str:
        """Short human label, e.g. `429 (Retry-After 1)` or `timeout 5s`."""
        if self.kind == "status":
            extra = f" (Retry-After {self.retry_after:g})" if self.retry_after is not None else ""
            return f"{self.status_code}{extra}"
        if self.kind == "timeout":
            return f"timeout {self.seconds:g}s"
        return self.kind


def fault_from_kind(kind: str, *, retry_after: float | None = 1, timeout_seconds: float = 5.0) -> Fault:
    """Map a short kind name ("429", "503", "timeout", "drop_after_action", ...) to a `Fault`."""
    if kind.isdigit():
        code = int(kind)
        return Fault.status(code, retry_after=retry_after if code in (429, 503) else None)
    if kind == "timeout":
        return Fault.timeout(timeout_seconds)
    if kind == "drop_after_action":
        return Fault.drop_after_action()
    if kind == "drop_before_action":
        return Fault.drop_before_action()
    raise ValueError(
        f"unknown fault kind {kind!r}: use an HTTP status like '429' or '503', 'timeout', "
        "'drop_after_action' or 'drop_before_action'"
    )


def _matches(method_filter: str | None, path_filter: str | None, method: str, path: str) -> bool:
    if method_filter is not None and method_filter.upper() != method.upper():
        return False
    if path_filter is not None and not fnmatch.fnmatchcase(path, path_filter):
        return False
    return True


@dataclass
class _Rule:
    fault: Fault
    method: str | None
    path: str | None
    remaining: int | None


@dataclass
class _Rate:
    fraction: float
    rng: random.Random
    faults: tuple[Fault, ...]
    method: str | None
    path: str | None


class FaultPlan:
    """The faults armed on one emulator. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[_Rule] = []
        self._rate: _Rate | None = None
        self.fired: list[tuple[str, str, str]] = []
        """(method, path, fault label) for every fault that fired, in order."""

    def add(self, fault: Fault, *, method: str | None = None, path: str | None = None, times: int | None = 1) -> None:
        """Arm `fault` for the next `times` matching requests (None: every matching request)."""
        if not isinstance(fault, Fault):
            raise TypeError(f"inject(fault=...): expected a Fault (e.g. Fault.status(503)), got {type(fault).__name__}")
        if times is not None and times < 1:
            raise ValueError(f"inject(times={times}): times must be >= 1, or None for every matching request")
        with self._lock:
            self._rules.append(_Rule(fault, method, path, times))

    def set_rate(
        self,
        fraction: float,
        seed: int,
        kinds: Iterable[str] = RATE_KINDS,
        *,
        method: str | None = None,
        path: str | None = None,
        retry_after: float | None = 1,
        timeout_seconds: float = 5.0,
    ) -> None:
        """Fail a `fraction` of matching requests at random (reproducible with `seed`) with one of `kinds`."""
        if not 0.0 <= fraction <= 1.0:
            raise ValueError(f"inject_rate(fraction={fraction}): fraction must be between 0 and 1")
        faults = tuple(fault_from_kind(k, retry_after=retry_after, timeout_seconds=timeout_seconds) for k in kinds)
        if not faults:
            raise ValueError("inject_rate(kinds=()): give at least one fault kind, e.g. ('429', '503')")
        with self._lock:
            self._rate = _Rate(fraction, random.Random(seed), faults, method, path)

    def clear(self) -> None:
        """Disarm every rule and the random rate."""
        with self._lock:
            self._rules.clear()
            self._rate = None

    @property
    def pending(self) -> int:
        """How many one-shot rule uses are still armed (rules with unlimited uses count as one)."""
        with self._lock:
            return sum(r.remaining if r.remaining is not None else 1 for r in self._rules)

    def pick(self, method: str, path: str) -> Fault | None:
        """The fault to apply to this request, consuming one use of its rule; None if the request is clean."""
        with self._lock:
            for rule in self._rules:
                if _matches(rule.method, rule.path, method, path):
                    if rule.remaining is not None:
                        rule.remaining -= 1
                        if rule.remaining == 0:
                            self._rules.remove(rule)
                    self.fired.append((method, path, rule.fault.describe()))
                    return rule.fault
            rate = self._rate
            if rate is not None and _matches(rate.method, rate.path, method, path):
                if rate.rng.random() < rate.fraction:
                    fault = rate.faults[rate.rng.randrange(len(rate.faults))]
                    self.fired.append((method, path, fault.describe()))
                    return fault
        return None
