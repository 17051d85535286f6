"""Reads the product's `/api/health` answer, defensively.

The agreed shape (examples/product/api): ``{"status": "ok"|"degraded", "environment": str, "checks":
{"database": {"ok": bool, "latencyMs": float, "extensions": [...]}, "redis": {...}, "storage": {...}}}``.
Anything else (HTML from a frontend host's fallback page, a proxy's error page, a field of the wrong type)
is read as "not a health document" or as a missing figure, never as a crash.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional

HEALTHY = "ok"
"""The only status that counts as a successful probe; "degraded" means a check of the API failed."""


@dataclass(frozen=True)
class CheckReport:
    """One check the API ran on itself."""

    ok: Optional[bool]
    """Whether the check passed (None when the answer did not say)."""
    latency_ms: Optional[float]
    """How long the check took inside the API, in milliseconds (None when absent or not a number)."""
    error: str = ""
    """What the check reported as its error (empty when none)."""


@dataclass(frozen=True)
class HealthReport:
    """What a health answer said about the API."""

    status: Optional[str]
    """The overall status ("ok", "degraded", ...); None when the answer is not a health document."""
    environment: Optional[str] = None
    """The environment the API says it runs in."""
    checks: Mapping[str, CheckReport] = field(default_factory=dict)
    """Check name -> its result."""
    problem: str = ""
    """Why the answer is not a health document (empty when it is one)."""

    @property
    def is_document(self) -> bool:
        """Whether the answer was a health document at all."""
        return self.status is not None

    @property
    def database_ms(self) -> Optional[float]:
        """The database check's own latency, the API's measure of its query time."""
        check = self.checks.get("database")
        return check.latency_ms if check else None

    def failed_checks(self) -> list[str]:
        """Names of the checks that reported ok = false."""
        return sorted(name for name, check in self.checks.items() if check.ok is False)

    def describe_failure(self) -> str:
        """`status 'degraded' (failed checks: redis: connection refused)`, for probe errors."""
        failed = [f"{name}: {self.checks[name].error}" if self.checks[name].error else name
                  for name in self.failed_checks()]
        detail = f" (failed checks: {'; '.join(failed)})" if failed else ""
        return f"status {self.status!r}{detail}"[:300]


def _number(value: Any) -> Optional[float]:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    number = float(value)
    return number if math.isfinite(number) and number >= 0 else None


def _check(value: Any) -> CheckReport:
    if not isinstance(value, Mapping):
        return CheckReport(ok=None, latency_ms=None)
    ok = value.get("ok")
    error = value.get("error")
    return CheckReport(ok=ok if isinstance(ok, bool) else None, latency_ms=_number(value.get("latencyMs")),
                       error=error[:120] if isinstance(error, str) else "")


def parse_health(body: bytes) -> HealthReport:
    """Read a health answer's body; never raises."""
    try:
        document = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        start = body[:40].decode("utf-8", "replace").strip().replace("\n", " ")
        return HealthReport(status=None, problem=f"answer is not JSON (starts with {start!r})")
    if not isinstance(document, Mapping) or not isinstance(document.get("status"), str):
        return HealthReport(status=None, problem="answer is JSON but has no string 'status'")
    checks = document.get("checks")
    environment = document.get("environment")
    return HealthReport(
        status=document["status"],
        environment=environment if isinstance(environment, str) else None,
        checks={str(k): _check(v) for k, v in checks.items()} if isinstance(checks, Mapping) else {},
    )
