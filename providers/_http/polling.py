"""Bounded waiting for a resource to report ready."""

from __future__ import annotations

import time
from typing import Callable, Literal, TypeVar

from .errors import ResourceFailed, WaitTimeout
from .settings import WAIT_TIMEOUT_VAR, Timing

T = TypeVar("T")
Verdict = Literal["ready", "pending", "failed"]


def wait_until(
    fetch: Callable[[], T],
    classify: Callable[[T], tuple[Verdict, str]],
    *,
    api: str,
    what: str,
    timing: Timing,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> T:
    """Poll ``fetch`` until ``classify`` says ready; return the last fetched value.

    ``classify`` returns a verdict and a short state description (used in messages). Raises
    ``ResourceFailed`` on a "failed" verdict and ``WaitTimeout`` once ``timing.wait_timeout`` has passed.
    """
    started = clock()
    while True:
        current = fetch()
        verdict, state = classify(current)
        if verdict == "ready":
            return current
        if verdict == "failed":
            raise ResourceFailed(f"{api}: {what} failed while starting: {state}")
        waited = clock() - started
        if waited >= timing.wait_timeout:
            raise WaitTimeout(api=api, what=what, waited=waited, last_state=state, setting=WAIT_TIMEOUT_VAR)
        sleep(timing.poll_interval * timing.scale)
