"""Cold starts: the first request after a known idle period, against the warm median.

A free service that sleeps (Render's after 15 minutes without traffic) answers its first request late. A
probe is a cold probe when the history shows that nobody probed the environment for at least the idle
period before it (from the end of the previous answer to this request); the history, not this run alone,
is what makes the idle period known, so the first run against a new history measures no cold start.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

from .history import StoredProbe

DEFAULT_IDLE_PERIOD = 900.0
"""Fifteen minutes: Render's free web services sleep after that long without traffic."""


@dataclass(frozen=True)
class ColdStart:
    """The latest cold probe of an environment."""

    ms: float
    """How long that first request took, in milliseconds."""
    observed_at: float
    """When it was sent (Unix time)."""
    idle_seconds: float
    """How long the environment had not been probed before it."""
    ok: bool
    """Whether it succeeded (a cold start that timed out counts as a failed one)."""


def cold_probes(probes: Sequence[StoredProbe], previous: Optional[float], idle_period: float) -> list[tuple[StoredProbe, float]]:
    """Probes preceded by at least `idle_period` seconds without a probe, with that gap.

    `probes` are one environment's probes; `previous` is when the answer to the probe before the first of
    them came (None when there was none, which leaves the first one's idle period unknown).
    """
    found = []
    last_end = previous
    for probe in sorted(probes, key=lambda p: p.started_at):
        if last_end is not None and probe.started_at - last_end >= idle_period:
            found.append((probe, probe.started_at - last_end))
        last_end = max(last_end or 0.0, probe.started_at + probe.latency_ms / 1000)
    return found


def latest_cold_start(probes: Sequence[StoredProbe], previous: Optional[float], idle_period: float) -> Optional[ColdStart]:
    """The most recent cold probe, or None when the history shows none."""
    found = cold_probes(probes, previous, idle_period)
    if not found:
        return None
    probe, gap = found[-1]
    return ColdStart(ms=probe.latency_ms, observed_at=probe.started_at, idle_seconds=gap, ok=probe.ok)
