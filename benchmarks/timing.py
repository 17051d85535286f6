"""Paired timing of CLI runs: each round runs every contender once (in an order that alternates between
rounds, so drift on a busy machine lands on all of them), and the figures are medians over rounds."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field
from typing import Callable, Dict, List

from tests.engine.cli import Result


@dataclass
class Samples:
    """Wall times in seconds per contender, one per round."""

    times: Dict[str, List[float]] = field(default_factory=dict)

    def add(self, name: str, seconds: float) -> None:
        self.times.setdefault(name, []).append(seconds)

    def median(self, name: str) -> float:
        return statistics.median(self.times[name])

    def paired_ratio(self, numerator: str, denominator: str) -> float:
        """Median over rounds of numerator / denominator measured in the same round."""
        return statistics.median(a / b for a, b in zip(self.times[numerator], self.times[denominator]))

    def spread(self, name: str) -> str:
        values = self.times[name]
        return f"median {self.median(name):.2f} s (min {min(values):.2f}, max {max(values):.2f}, n={len(values)})"


def timed(action: Callable[[], Result]) -> float:
    """Seconds one CLI run took; the run must succeed."""
    start = time.perf_counter()
    action().check()
    return time.perf_counter() - start


def paired_rounds(contenders: Dict[str, Callable[[], Result]], rounds: int) -> Samples:
    """Run every contender once per round, reversing the order every other round."""
    samples = Samples()
    names = list(contenders)
    for round_number in range(rounds):
        order = names if round_number % 2 == 0 else list(reversed(names))
        for name in order:
            samples.add(name, timed(contenders[name]))
    return samples


def verdict(value: float, limit: float) -> str:
    """`ok` or `MISSED` against a goal that is an upper limit."""
    return "ok" if value <= limit else "MISSED"
