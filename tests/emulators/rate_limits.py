"""Platform rate limits as fixed windows, with time that tests can compress.

A limit allows `limit` calls per `window` seconds for one key (an account, a service). The first counted call
opens a window; calls past the limit are refused until it closes, and the refusal says when that is. Vendors
state the reset as a Unix time (Netlify's `X-RateLimit-Reset`) or as seconds to wait (`Retry-After`);
`Refusal` carries both.

`time_scale` makes windows run faster: with 0.05, a one-minute window lasts three real seconds, and the reset a
refusal reports is stated in platform seconds (a client that scales its waits by the same factor sleeps the
right amount). 1.0 is real time.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class RateLimit:
    """`limit` calls per `window` platform seconds for one key; `name` says which limit in messages."""

    name: str
    limit: int
    window: float


@dataclass(frozen=True)
class Refusal:
    """A call over a limit: which limit, and when its window reopens."""

    limit: RateLimit
    retry_after: int
    """Platform seconds until the window reopens (at least 1)."""
    reset_epoch: int
    """Unix time (platform seconds) at which the window reopens."""

    def headers(self, prefix: str = "X-RateLimit") -> dict[str, str]:
        """`<prefix>-Limit/-Remaining/-Reset` (reset as Unix time) and `Retry-After`."""
        return {f"{prefix}-Limit": str(self.limit.limit), f"{prefix}-Remaining": "0",
                f"{prefix}-Reset": str(self.reset_epoch), "Retry-After": str(self.retry_after)}


class RateLimiter:
    """Counts calls per (limit, key) in fixed windows. Thread-safe."""

    def __init__(self, *, time_scale: float = 1.0, clock: Callable[[], float] = time.time) -> None:
        if time_scale <= 0:
            raise ValueError(f"RateLimiter(time_scale={time_scale}): the scale must be > 0 (1.0 is real time)")
        self.time_scale = time_scale
        self._clock = clock
        self._windows: dict[tuple[str, str], tuple[float, int]] = {}
        self._lock = threading.Lock()

    def check(self, limits: tuple[RateLimit, ...], key: str) -> Refusal | None:
        """Count one call against every limit for `key`; the first limit it exceeds, or None (then it counts)."""
        now = self._clock()
        with self._lock:
            opened = []
            for limit in limits:
                start, count = self._current(limit, key, now)
                if count >= limit.limit:
                    return self._refusal(limit, start, now)
                opened.append((limit, start, count))
            for limit, start, count in opened:
                self._windows[(limit.name, key)] = (start, count + 1)
        return None

    def reset(self) -> None:
        """Forget every count (a new day for every limit)."""
        with self._lock:
            self._windows.clear()

    def _current(self, limit: RateLimit, key: str, now: float) -> tuple[float, int]:
        start, count = self._windows.get((limit.name, key), (now, 0))
        if now - start >= limit.window * self.time_scale:
            return now, 0
        return start, count

    def _refusal(self, limit: RateLimit, start: float, now: float) -> Refusal:
        real_left = start + limit.window * self.time_scale - now
        platform_left = max(1, math.ceil(real_left / self.time_scale))
        return Refusal(limit, platform_left, math.ceil(now) + platform_left)
