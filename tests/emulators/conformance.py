"""The process-wide conformance registry: how many requests every emulator checked, and what failed.

`CONFORMANCE` accumulates across all emulator instances in the process; the test session can print
`format_conformance_summary()` at the end.
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

from .validation import ResponseMismatch, Violation


class ConformanceRegistry:
    """Counts checked requests per API and keeps request violations and emulator response mismatches."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.checked: Counter[str] = Counter()
        self.violations: list[Violation] = []
        self.response_mismatches: list[ResponseMismatch] = []
        self.unimplemented: Counter[str] = Counter()

    def record_checked(self, api: str) -> None:
        """Count one request validated against `api`'s spec."""
        with self._lock:
            self.checked[api] += 1

    def record_violation(self, violation: Violation) -> None:
        """Keep one request that did not match the spec."""
        with self._lock:
            self.violations.append(violation)

    def record_response_mismatch(self, mismatch: ResponseMismatch) -> None:
        """Keep one emulator response that did not match the spec (an emulator bug)."""
        with self._lock:
            self.response_mismatches.append(mismatch)

    def record_unimplemented(self, api: str, operation_id: str) -> None:
        """Count a valid request for an operation the emulator does not implement."""
        with self._lock:
            self.unimplemented[f"{api}:{operation_id}"] += 1

    def totals(self) -> dict[str, Any]:
        """A JSON-friendly snapshot."""
        with self._lock:
            return {
                "checked": dict(self.checked),
                "checked_total": sum(self.checked.values()),
                "violations": [str(v) for v in self.violations],
                "response_mismatches": [str(m) for m in self.response_mismatches],
                "unimplemented": dict(self.unimplemented),
            }

    def reset(self) -> None:
        """Forget everything (for tests of the registry itself)."""
        with self._lock:
            self.checked.clear()
            self.violations.clear()
            self.response_mismatches.clear()
            self.unimplemented.clear()


CONFORMANCE = ConformanceRegistry()


def format_conformance_summary(registry: ConformanceRegistry = CONFORMANCE, *, limit: int = 10) -> str:
    """One totals line (plus up to `limit` example problems) for the end of a test session."""
    totals = registry.totals()
    per_api = ", ".join(f"{api} {count}" for api, count in sorted(totals["checked"].items())) or "none"
    line = (
        f"API emulator conformance: {totals['checked_total']} requests checked against vendor specs ({per_api}); "
        f"{len(totals['violations'])} request violations; "
        f"{len(totals['response_mismatches'])} emulator response mismatches; "
        f"{sum(totals['unimplemented'].values())} calls to unimplemented operations"
    )
    details = [f"  violation: {v}" for v in totals["violations"][:limit]]
    details += [f"  emulator mismatch: {m}" for m in totals["response_mismatches"][:limit]]
    details += [f"  unimplemented: {op} x{n}" for op, n in list(totals["unimplemented"].items())[:limit]]
    return "\n".join([line, *details])
