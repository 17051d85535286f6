"""Uptime over fixed windows, from the probe history.

Each probe speaks for the time from its start until the next probe of the same environment, but for at most
`coverage` seconds: a probe every minute covers the whole minute, while a daily run's probes cover only a few
minutes each and the hours between runs count as unknown, not as up or down. Uptime of a window is the
time covered by successful probes over all covered time in the window; a window with no covered time has
no uptime (None), never 100 %.
"""

from __future__ import annotations

from typing import Optional, Sequence

from .history import StoredProbe

WINDOWS: tuple[tuple[str, float], ...] = (("1h", 3600.0), ("24h", 86400.0), ("7d", 7 * 86400.0),
                                          ("30d", 30 * 86400.0))
"""Window name -> length in seconds, as the comparison document names them."""

DEFAULT_COVERAGE = 300.0
"""Seconds one probe speaks for at most (five minutes)."""


def uptime(probes: Sequence[StoredProbe], now: float, window: float, coverage: float = DEFAULT_COVERAGE) -> Optional[float]:
    """The fraction of covered time in [now - window, now] during which the environment answered healthy."""
    start = now - window
    up = covered = 0.0
    ordered = sorted(probes, key=lambda p: p.started_at)
    for index, probe in enumerate(ordered):
        following = ordered[index + 1].started_at if index + 1 < len(ordered) else now
        end = min(following, probe.started_at + coverage, now)
        span = max(0.0, end - max(probe.started_at, start))
        covered += span
        if probe.ok:
            up += span
    return up / covered if covered > 0 else None


def uptime_windows(probes: Sequence[StoredProbe], now: float, coverage: float = DEFAULT_COVERAGE) -> dict[str, Optional[float]]:
    """Uptime for every window in :data:`WINDOWS`."""
    return {name: uptime(probes, now, length, coverage) for name, length in WINDOWS}


def history_span() -> float:
    """How far back the widest window reaches."""
    return max(length for _name, length in WINDOWS)
