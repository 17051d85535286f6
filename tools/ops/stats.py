"""Latency and success figures of one environment's probes."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable, Optional, Sequence


def percentile(values: Sequence[float], fraction: float) -> float:
    """The `fraction` quantile (0..1) by linear interpolation between closest ranks (numpy's default)."""
    if not values:
        raise ValueError("percentile of no values")
    if not 0 <= fraction <= 1:
        raise ValueError(f"fraction {fraction} is not within 0..1")
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low = math.floor(position)
    high = math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass(frozen=True)
class Distribution:
    """Summary of a set of durations in milliseconds."""

    count: int
    avg: float
    p50: float
    p95: float
    p99: float
    min: float
    max: float

    def as_dict(self) -> dict[str, float]:
        """The JSON shape (`latencyMs` and `dbQueryMs` in the comparison document)."""
        return {"avg": round(self.avg, 2), "p50": round(self.p50, 2), "p95": round(self.p95, 2),
                "p99": round(self.p99, 2), "min": round(self.min, 2), "max": round(self.max, 2)}


def distribution(values: Iterable[float]) -> Optional[Distribution]:
    """Average, percentiles and range of `values`; None when there are none."""
    data = list(values)
    if not data:
        return None
    return Distribution(count=len(data), avg=sum(data) / len(data), p50=percentile(data, 0.50),
                        p95=percentile(data, 0.95), p99=percentile(data, 0.99), min=min(data), max=max(data))


def success_rate(outcomes: Sequence[bool]) -> Optional[float]:
    """The fraction of successful probes (0..1); None without probes."""
    return sum(1 for ok in outcomes if ok) / len(outcomes) if outcomes else None
