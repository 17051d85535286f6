"""The critical path of a run against the emulators: the longest chain of requests in which each request was sent
after the previous one was answered, from the emulators' request logs and their timestamps.

Requests that overlap cannot depend on each other; a request sent soon after another was answered may (a provider
waiting for a create before it polls, the engine waiting for a resource before its dependents). A request sent
long after only waited for something else: with many requests in flight, any request is "after" most others, so
a link also needs the gap between the answer and the next request to be at most `max_gap` (the time a provider
or the engine takes to act on an answer). The chain with the largest total time spent in requests is what no
amount of parallelism can shorten: the run's physical limit at this API latency.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Iterable, List, Mapping

from tests.emulators.base import Emulator


MAX_GAP = 0.25
"""Seconds between an answer and a request that depends on it, at most (benchmarks/uat_emulated.py --max-gap)."""


@dataclass(frozen=True)
class TimedRequest:
    """One request an emulator answered: which API, what, and when (time.monotonic() seconds)."""

    api: str
    method: str
    path: str
    status: int | None
    started: float
    finished: float

    @property
    def seconds(self) -> float:
        return self.finished - self.started


def marks(emulators: Mapping[str, Emulator]) -> Dict[str, int]:
    """How many requests each emulator has logged so far (to take only a later run's requests)."""
    return {name: len(emulator.requests) for name, emulator in emulators.items()}


def requests_since(emulators: Mapping[str, Emulator], since: Mapping[str, int]) -> List[TimedRequest]:
    """Every request logged after `since`, across the emulators, in the order they were sent."""
    found = []
    for name, emulator in emulators.items():
        for record, timing in list(zip(emulator.requests, emulator.request_times))[since.get(name, 0):]:
            found.append(TimedRequest(name, record.method, record.path, record.status, timing.started,
                                      timing.finished))
    return sorted(found, key=lambda request: request.started)


def critical_path(requests: Iterable[TimedRequest], max_gap: float = MAX_GAP) -> List[TimedRequest]:
    """The chain (each sent at most `max_gap` after the previous was answered) with the most time in requests,
    first to last."""
    ordered = sorted(requests, key=lambda request: request.started)
    best: List[float] = []
    before: List[int] = []
    for i, request in enumerate(ordered):
        candidates = [j for j in range(i) if 0 <= request.started - ordered[j].finished <= max_gap]
        j = max(candidates, key=lambda k: best[k], default=-1)
        best.append(request.seconds + (best[j] if j >= 0 else 0.0))
        before.append(j)
    if not ordered:
        return []
    chain, i = [], max(range(len(ordered)), key=lambda k: best[k])
    while i >= 0:
        chain.append(ordered[i])
        i = before[i]
    return list(reversed(chain))
