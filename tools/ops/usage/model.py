"""Readings, their level against the allowance, and the usage document (the `usage` part of the comparison)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional, Sequence

WARNING = 0.8
"""A reading at or above this share of its allowance is a warning."""
ERROR = 1.0
"""A reading at or above the whole allowance is an error."""

MEASURED, NO_CREDENTIALS, NO_USAGE_API, NOT_READ, FAILED = "measured", "no-credentials", "no-usage-api", "not-read", "failed"


def level(fraction: float) -> str:
    """`ok`, `warning` (>= 80 %) or `error` (>= 100 %)."""
    return "error" if fraction >= ERROR else "warning" if fraction >= WARNING else "ok"


@dataclass(frozen=True)
class Reading:
    """One figure read from a platform, against one allowance of the limits tables."""

    id: str
    """The `[[meter]]`/`[[quota]]` id in policies/limits (e.g. `neon.storage-gb`)."""
    what: str
    """The allowance's unit as the table words it."""
    scope: str
    """What was measured (a project, a database, the account)."""
    used: float
    limit: float
    source: str
    confirmed: bool

    @property
    def fraction(self) -> float:
        """used / limit."""
        return self.used / self.limit

    @property
    def level(self) -> str:
        """ok, warning or error."""
        return level(self.fraction)

    def to_json(self) -> dict[str, Any]:
        """The document's shape."""
        return {"id": self.id, "what": self.what, "scope": self.scope, "used": round(self.used, 6),
                "limit": self.limit, "fraction": round(self.fraction, 6), "level": self.level, "source": self.source,
                "confirmed": self.confirmed}


@dataclass
class PlatformUsage:
    """What one platform's usage API said (or why it said nothing)."""

    platform: str
    name: str
    state: str
    message: str = ""
    readings: list[Reading] = field(default_factory=list)
    unmeasured: dict[str, str] = field(default_factory=dict)
    """Allowance id -> why there is no figure for it."""

    def to_json(self) -> dict[str, Any]:
        """The document's shape."""
        return {"platform": self.platform, "name": self.name, "state": self.state, "message": self.message,
                "measurements": [r.to_json() for r in self.readings],
                "unmeasured": [{"id": k, "why": v} for k, v in sorted(self.unmeasured.items())]}


def worst(platforms: Sequence[PlatformUsage]) -> str:
    """The worst level over every reading (`unknown` when nothing was measured)."""
    levels = [r.level for p in platforms for r in p.readings]
    if not levels:
        return "unknown"
    return "error" if "error" in levels else "warning" if "warning" in levels else "ok"


def document(platforms: Sequence[PlatformUsage]) -> dict[str, Any]:
    """The usage document (schema: `usage` in docs/schemas/environment_comparison.v1.schema.json)."""
    return {"thresholds": {"warning": WARNING, "error": ERROR}, "worst": worst(platforms),
            "platforms": [p.to_json() for p in platforms]}


def gigabytes(size_bytes: Optional[float]) -> float:
    """Bytes in GB of 10^9 bytes (the larger of the two readings of "GB", so warnings come early, not late)."""
    return float(size_bytes or 0) / 1e9


def megabytes(size_bytes: Optional[float]) -> float:
    """Bytes in MB of 10^6 bytes (see :func:`gigabytes`)."""
    return float(size_bytes or 0) / 1e6
