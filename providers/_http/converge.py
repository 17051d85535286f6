"""Create a uniquely named resource so that a retry converges on exactly one."""

from __future__ import annotations

import time
from typing import Callable, Optional, TypeVar

from .errors import BadRequest, Conflict, ServerError, TransportError
from .retry import backoff_delay
from .settings import Timing

T = TypeVar("T")


def create_or_adopt(
    find: Callable[[], Optional[T]],
    create: Callable[[], T],
    *,
    timing: Timing,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[T, bool]:
    """Return ``(resource, adopted)``: an existing resource found by its unique name, or a new one.

    The create request itself is never blindly retried. When it fails in a way that may hide a success
    (connection dropped after sending, a 5xx) or that says the name is taken (409, or Koyeb's 400 "already
    exists" after a concurrent create), the resource is looked up by name again and adopted if it exists;
    only after a possibly-transient failure, and only if it still does not exist, is the create tried again.
    """
    existing = find()
    if existing is not None:
        return existing, True
    attempt = 0
    while True:
        attempt += 1
        try:
            return create(), False
        except (TransportError, ServerError, Conflict, BadRequest) as exc:
            found = find()
            if found is not None:
                return found, True
            if isinstance(exc, (Conflict, BadRequest)) or attempt >= timing.max_attempts:
                raise
            sleep(backoff_delay(attempt, timing))
