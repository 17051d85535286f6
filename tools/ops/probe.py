"""Probes health URLs concurrently: one lane per environment, a bound on requests in flight.

Each environment's samples run one after another in its own lane (a service is asked as a user would ask
it, and the first request after a pause is the one that shows a cold start); lanes run side by side and
take a slot of the shared bound only while a request is in flight, so a slow or sleeping environment
lengthens its own lane and nobody else's. A lane is a thread with its own keep-alive httpx client: the
blocking client costs about a third of the CPU per request of the asyncio one, which keeps the measured
latency close to the service's own on a busy machine.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Callable, Optional, Sequence

import httpx

from .health import HEALTHY, parse_health
from .targets import Target

USER_AGENT = "stagecraft-compare/0.1 (+httpx)"


@dataclass(frozen=True)
class ProbeResult:
    """One request to one environment's health URL."""

    environment: str
    url: str
    started_at: float
    """Unix time the request was sent."""
    latency_ms: float
    """Time to the complete answer (or to the failure), in milliseconds."""
    ok: bool
    """2xx with a health document whose status is "ok"."""
    http_status: Optional[int] = None
    error: str = ""
    """Why the probe failed (empty when it succeeded)."""
    health_status: Optional[str] = None
    """The status the health document reported."""
    db_ms: Optional[float] = None
    """The database check's latency as the API measured it."""


def judge(environment: str, url: str, started_at: float, latency_ms: float, status: int,
          body: bytes) -> ProbeResult:
    """Turn one HTTP answer into a probe result."""
    report = parse_health(body)
    common = dict(environment=environment, url=url, started_at=started_at, latency_ms=latency_ms,
                  http_status=status, health_status=report.status, db_ms=report.database_ms)
    if not 200 <= status < 300:
        detail = f": {report.describe_failure()}" if report.is_document else ""
        return ProbeResult(ok=False, error=f"HTTP {status}{detail}", **common)
    if not report.is_document:
        return ProbeResult(ok=False, error=report.problem, **common)
    if report.status != HEALTHY:
        return ProbeResult(ok=False, error=report.describe_failure(), **common)
    return ProbeResult(ok=True, **common)


def probe_once(client: httpx.Client, target: Target, request: httpx.Request) -> ProbeResult:
    """Send the target's prepared health request once and judge the answer; never raises for network trouble."""
    started_at = time.time()
    start = time.perf_counter()
    try:
        response = client.send(request)
        body = response.read()
    except httpx.TimeoutException:
        return ProbeResult(target.name, target.health_url, started_at, (time.perf_counter() - start) * 1000,
                           ok=False, error=f"no answer within {client.timeout.read:g} s")
    except httpx.HTTPError as exc:
        return ProbeResult(target.name, target.health_url, started_at, (time.perf_counter() - start) * 1000,
                           ok=False, error=f"request failed: {type(exc).__name__}: {exc}"[:300])
    latency_ms = (time.perf_counter() - start) * 1000
    return judge(target.name, target.health_url, started_at, latency_ms, response.status_code, body)


ProbeCallback = Callable[[ProbeResult], None]


def _lane(target: Target, samples: int, bound: threading.BoundedSemaphore, timeout: float,
          on_probe: ProbeCallback, into: list[ProbeResult]) -> None:
    headers = {"User-Agent": USER_AGENT, "Cache-Control": "no-cache", "Accept": "application/json"}
    with httpx.Client(headers=headers, timeout=timeout, follow_redirects=True) as client:
        request = client.build_request("GET", target.health_url)
        for _ in range(samples):
            with bound:
                result = probe_once(client, target, request)
            into.append(result)
            on_probe(result)


def probe_targets(targets: Sequence[Target], samples: int, concurrency: int, timeout: float,
                  on_probe: Optional[ProbeCallback] = None) -> dict[str, list[ProbeResult]]:
    """Probe every target `samples` times; at most `concurrency` requests in flight at once."""
    if samples < 1 or concurrency < 1:
        raise ValueError("samples and concurrency must be at least 1")
    results: dict[str, list[ProbeResult]] = {t.name: [] for t in targets}
    bound = threading.BoundedSemaphore(concurrency)
    report_lock = threading.Lock()

    def report(result: ProbeResult) -> None:
        if on_probe is not None:
            with report_lock:
                on_probe(result)

    lanes = [threading.Thread(target=_lane, args=(t, samples, bound, timeout, report, results[t.name]),
                              name=f"probe-{t.name}", daemon=True) for t in targets]
    for lane in lanes:
        lane.start()
    for lane in lanes:
        lane.join()
    return results
