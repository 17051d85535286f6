"""The environment comparison document (schema: docs/schemas/environment_comparison.v1.schema.json).

Built from this run's probes (latency, success, database query time) and from the history that already
holds them (uptime windows, cold start), then judged against the targets and ranked per category. The JSON
file, the HTML page and the terminal table are all renderings of this one document.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any, Mapping, Optional, Sequence

from . import verdicts
from .coldstart import DEFAULT_IDLE_PERIOD, latest_cold_start
from .history import History, StoredProbe
from .probe import ProbeResult
from .stats import distribution, success_rate
from .targets import Target
from .uptime import DEFAULT_COVERAGE, history_span, uptime_windows

SCHEMA_VERSION = 1
"""Bumped only when a field is removed or changes meaning (docs/operations.md)."""

_TOP_ERRORS = 5


@dataclass(frozen=True)
class RunSettings:
    """How the probes of this run were taken."""

    samples: int
    concurrency: int
    timeout: float
    idle_period: float = DEFAULT_IDLE_PERIOD
    coverage: float = DEFAULT_COVERAGE


def iso(timestamp: float) -> str:
    """Unix time as ISO 8601 UTC with a Z, to the millisecond."""
    moment = dt.datetime.fromtimestamp(timestamp, tz=dt.timezone.utc)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _rounded(value: Optional[float], digits: int = 2) -> Optional[float]:
    return None if value is None else round(value, digits)


def _cold_start(history: History, name: str, probes: Sequence[StoredProbe], settings: RunSettings,
                first_of_run: float, warm_median: Optional[float]) -> Optional[dict[str, Any]]:
    if not probes:
        return None
    previous = history.previous_probe_end(name, probes[0].started_at)
    cold = latest_cold_start(probes, previous, settings.idle_period)
    if cold is None:
        return None
    return {
        "ms": round(cold.ms, 2),
        "warmMedianMs": _rounded(warm_median),
        "penaltyMs": _rounded(cold.ms - warm_median if warm_median is not None else None),
        "observedAt": iso(cold.observed_at),
        "idleSeconds": round(cold.idle_seconds, 1),
        "ok": cold.ok,
        "thisRun": cold.observed_at >= first_of_run,
    }


def environment_figures(target: Target, results: Sequence[ProbeResult], history: History, now: float,
                        settings: RunSettings) -> dict[str, Any]:
    """Everything the document says about one environment (history must already hold `results`)."""
    ordered = sorted(results, key=lambda r: r.started_at)
    first = ordered[0] if ordered else None
    first_is_cold = False
    if first is not None:
        previous = history.previous_probe_end(target.name, first.started_at)
        first_is_cold = previous is not None and first.started_at - previous >= settings.idle_period
    # The cold probe is reported as the cold start; the latency figures are those of a warm service.
    warm = [r.latency_ms for r in ordered if r.ok and not (first_is_cold and r is first)]
    latency = distribution(warm)
    database = distribution(r.db_ms for r in ordered if r.ok and r.db_ms is not None)
    errors = Counter(r.error for r in ordered if not r.ok)
    history_probes = history.probes(target.name, now - history_span() - settings.coverage, now)
    figures: dict[str, Any] = {
        "healthUrl": target.health_url,
        "stack": target.stack,
        "samples": len(ordered),
        "successes": sum(1 for r in ordered if r.ok),
        "successRate": _rounded(success_rate([r.ok for r in ordered]), 4),
        "latencyMs": latency.as_dict() if latency else None,
        "latencySamplesMs": [round(value, 2) for value in warm],
        "dbQueryMs": database.as_dict() if database else None,
        "uptime": {k: _rounded(v, 6) for k, v in uptime_windows(history_probes, now, settings.coverage).items()},
        "coldStart": _cold_start(history, target.name, history_probes, settings, first.started_at if first else now,
                                 latency.p50 if latency else None),
        "errors": [{"error": text, "count": count} for text, count in errors.most_common(_TOP_ERRORS)],
    }
    figures["verdicts"] = verdicts.verdicts(figures)
    return figures


def build_document(targets: Sequence[Target], results: Mapping[str, Sequence[ProbeResult]], history: History,
                   settings: RunSettings, run_id: str, now: float,
                   usage: Optional[Mapping[str, Any]] = None) -> dict[str, Any]:
    """The whole comparison document."""
    environments = {t.name: environment_figures(t, results.get(t.name, ()), history, now, settings)
                    for t in targets}
    return {
        "schemaVersion": SCHEMA_VERSION,
        "generatedAt": iso(now),
        "run": {
            "id": run_id,
            "samplesPerEnvironment": settings.samples,
            "concurrency": settings.concurrency,
            "timeoutSeconds": settings.timeout,
            "idlePeriodSeconds": settings.idle_period,
            "uptimeCoverageSeconds": settings.coverage,
            "history": history.description,
        },
        "targets": verdicts.target_table(),
        "environments": environments,
        "winners": verdicts.winners(environments),
        "usage": dict(usage) if usage is not None else None,
    }
