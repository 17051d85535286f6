"""The seed's targets, each environment judged against them, and the winner of each category.

Targets (the seed's): average latency < 500 ms, p95 < 1000 ms, success > 99 %, uptime > 99.9 %, cold start
< 15 s, database query < 100 ms. A winner is the environment with the best value in a category; equal values
go to the lower average latency, then to the name in alphabetical order, so the answer is always one name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping, Optional

from .uptime import WINDOWS

Environment = Mapping[str, Any]


def _nested(*keys: str) -> Callable[[Environment], Optional[float]]:
    def read(environment: Environment) -> Optional[float]:
        value: Any = environment
        for key in keys:
            if not isinstance(value, Mapping):
                return None
            value = value.get(key)
        return value if isinstance(value, (int, float)) else None

    return read


def widest_uptime(environment: Environment) -> Optional[float]:
    """The uptime of the widest window that has data (30 d, else 7 d, else 24 h, else 1 h)."""
    windows = environment.get("uptime") or {}
    for name, _length in reversed(WINDOWS):
        if windows.get(name) is not None:
            return windows[name]
    return None


@dataclass(frozen=True)
class Category:
    """One figure, its target and which direction is better."""

    key: str
    """Name in the document (`targets.<key>`, `winners.<key>`, `verdicts.<key>`)."""
    title: str
    threshold: float
    lower_is_better: bool
    unit: str
    """`ms` or `fraction`."""
    read: Callable[[Environment], Optional[float]]

    def met(self, value: Optional[float]) -> Optional[bool]:
        """Whether the value meets the target (strictly), None without a value."""
        if value is None:
            return None
        return value < self.threshold if self.lower_is_better else value > self.threshold

    def describe(self) -> str:
        """The target as a sentence fragment, e.g. 'p95 latency < 1000 ms'."""
        sign = "<" if self.lower_is_better else ">"
        shown = f"{self.threshold:g} ms" if self.unit == "ms" else f"{self.threshold * 100:g} %"
        return f"{self.title} {sign} {shown}"


CATEGORIES: tuple[Category, ...] = (
    Category("latencyAvg", "average latency", 500, True, "ms", _nested("latencyMs", "avg")),
    Category("latencyP95", "p95 latency", 1000, True, "ms", _nested("latencyMs", "p95")),
    Category("successRate", "success rate", 0.99, False, "fraction", _nested("successRate")),
    Category("uptime", "uptime", 0.999, False, "fraction", widest_uptime),
    Category("coldStart", "cold start", 15000, True, "ms", _nested("coldStart", "ms")),
    Category("dbQuery", "database query time", 100, True, "ms", _nested("dbQueryMs", "avg")),
)


def verdicts(environment: Environment) -> dict[str, dict[str, Any]]:
    """Every category's value and whether it meets the target."""
    out = {}
    for category in CATEGORIES:
        value = category.read(environment)
        out[category.key] = {"value": value, "met": category.met(value)}
    return out


def winner(category: Category, environments: Mapping[str, Environment]) -> Optional[str]:
    """The best environment in a category (None when no environment has a value)."""
    candidates = []
    for name, environment in environments.items():
        value = category.read(environment)
        if value is None:
            continue
        # A failed cold start has no meaningful speed: it cannot win.
        if category.key == "coldStart" and not (environment.get("coldStart") or {}).get("ok", False):
            continue
        tiebreak = _nested("latencyMs", "avg")(environment)
        ranked = value if category.lower_is_better else -value
        candidates.append((ranked, tiebreak if tiebreak is not None else float("inf"), name))
    return min(candidates)[2] if candidates else None


def winners(environments: Mapping[str, Environment]) -> dict[str, Optional[str]]:
    """The winner of every category."""
    return {category.key: winner(category, environments) for category in CATEGORIES}


def target_table() -> dict[str, dict[str, Any]]:
    """The targets as the document states them."""
    return {c.key: {"title": c.title, "threshold": c.threshold, "unit": c.unit,
                    "better": "lower" if c.lower_is_better else "higher", "description": c.describe()}
            for c in CATEGORIES}
