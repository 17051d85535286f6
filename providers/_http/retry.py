"""Which failures are retried, and how long to wait before the next try."""

from __future__ import annotations

import random
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Callable, Optional

from .settings import Timing

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
# 423 Locked: the resource is busy with another operation (Neon); the request was not applied.
RETRYABLE_STATUSES = frozenset({423, 429, 500, 502, 503, 504})


def is_retryable_status(status: int, *, idempotent: bool, unsafe_retry_statuses: frozenset[int]) -> bool:
    """True when a response with ``status`` should be retried.

    An idempotent request is retried on any transient status. A non-idempotent one only on statuses that
    prove the server did not act (``unsafe_retry_statuses``): a 500 after a POST may hide a created resource.
    """
    if status not in RETRYABLE_STATUSES:
        return False
    return idempotent or status in unsafe_retry_statuses


def parse_retry_after(value: Optional[str], *, now: Optional[datetime] = None) -> Optional[float]:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP date), or None if absent/garbled."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    current = now or datetime.now(timezone.utc)
    return max(0.0, (when - current).total_seconds())


def backoff_delay(retry_number: int, timing: Timing, *, rand: Callable[[], float] = random.random) -> float:
    """Delay before retry ``retry_number`` (1-based): exponential, capped, with "equal jitter", then scaled.

    Half of the exponential step is fixed and half random, so concurrent clients spread out while each still
    waits at least half the nominal delay.
    """
    nominal = min(timing.max_delay, timing.base_delay * (2 ** (retry_number - 1)))
    return (nominal / 2 + rand() * nominal / 2) * timing.scale


def retry_after_delay(header_seconds: float, timing: Timing) -> float:
    """The server's ``Retry-After`` capped at ``max_retry_after``, then scaled."""
    return min(header_seconds, timing.max_retry_after) * timing.scale
