"""Create a uniquely named resource so that a retry converges on exactly one, and nothing foreign is taken over.

DESIGN §5: ``create`` is safe to retry but adopts an existing resource only with proof that this stack made
it. Two proofs count:

- an **ownership marker** the platform stores on the resource (a Neon branch annotation, an env entry of a
  Koyeb service, ...) naming this stack; the caller's ``proves_ownership`` reads it;
- **this very call made it**: an earlier create attempt of this call may have been applied (the connection
  dropped after the request was sent, or a 5xx), and the resource found afterwards was created after that
  attempt was sent (``created_at``; a small allowance covers clock skew between us and the platform).

The create request is sent first; the platform is searched only when it reports the name taken or when an
attempt may have been applied (issue 8: a find-before-create lookup on every create lengthens the critical
path for nothing).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable, Optional, TypeVar

from .errors import ApiError, Conflict, ProviderError, ServerError, TransportError
from .retry import backoff_delay
from .settings import Timing

T = TypeVar("T")

CLOCK_SKEW_ALLOWANCE = timedelta(seconds=60)
"""How far the platform's clock may run behind ours when judging "created after our attempt was sent"."""


class ForeignResource(ProviderError):
    """A resource with the physical name this stack wants exists, and nothing proves this stack made it; or a
    resource this stack would delete holds things it did not make."""


def holds_foreign(api: str, container: str, kind: str, names: list[str], owner: str, where: str) -> ForeignResource:
    """The refusal to delete `container` (e.g. `project "x"`), whose deletion would take along the `kind` called
    `names` that stack `owner` did not create; `where` says where the user moves or deletes them."""
    listed = ", ".join(f'"{name}"' for name in names)
    return ForeignResource(
        f"{api}: {container} holds {kind} {listed} that stack {owner} did not create, and deleting it would delete "
        f"them too, so it was left in place. Move or delete them in {where}, then run pulumi destroy again.")


@dataclass(frozen=True)
class Claim:
    """What a create is about, for the proof rules and for the message when the name belongs to someone else.

    Attributes:
        api: vendor name, e.g. ``"Koyeb"``.
        kind: the platform's word for the resource, e.g. ``"app"``, ``"branch"``.
        name: the physical name that is taken.
        owner: the stack that is trying, ``<project>/<stack>``.
        resolve: what the user can do, in the platform's own terms (where to delete or rename it).
    """

    api: str
    kind: str
    name: str
    owner: str
    resolve: str

    def foreign(self) -> ForeignResource:
        """The error for a name that is taken by something this stack cannot prove it made."""
        return ForeignResource(
            f'{self.api}: {_article(self.kind)} {self.kind} named "{self.name}" already exists and nothing on it shows that stack '
            f"{self.owner} created it, so it was left untouched (stagecraft never takes over or deletes what it "
            f"did not create). {self.resolve} Then run pulumi up again."
        )


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def is_conflict(exc: Exception) -> bool:
    """Default test for "the name is taken": HTTP 409."""
    return isinstance(exc, Conflict)


def _may_have_applied(exc: Exception) -> bool:
    if isinstance(exc, TransportError):
        return exc.maybe_applied
    return isinstance(exc, ServerError)


def create_owned(
    create: Callable[[], T],
    find: Callable[[], Optional[T]],
    *,
    claim: Claim,
    timing: Timing,
    proves_ownership: Callable[[T], bool] = lambda _found: False,
    created_at: Callable[[T], Optional[datetime]] = lambda _found: None,
    name_taken: Callable[[Exception], bool] = is_conflict,
    sleep: Callable[[float], None] = time.sleep,
    now: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
) -> tuple[T, bool]:
    """Return ``(resource, adopted)``: a new resource, or one of ours found after an ambiguous or refused create.

    Args:
        create: sends the create request (never retried blindly by the HTTP layer when not idempotent).
        find: looks the resource up by its unique name; None when there is none.
        claim: names the resource and the stack, for the foreign-resource error.
        proves_ownership: True when the platform's stored marker names this stack.
        created_at: when the platform says the found resource was created (None when it does not say).
        name_taken: recognises the platform's "name already taken" answer (409, or e.g. Koyeb's 400).

    Raises:
        ForeignResource: the name is taken and neither proof holds.
        The create's own error: when it is neither ambiguous nor a taken name, or the retry budget is spent.
    """
    first_sent: Optional[datetime] = None
    ambiguous = False
    attempt = 0
    while True:
        attempt += 1
        sent = now()
        first_sent = first_sent or sent
        try:
            return create(), False
        except (ApiError, TransportError) as exc:
            taken = name_taken(exc)
            uncertain = _may_have_applied(exc)
            if not taken and not uncertain:
                raise
            ambiguous = ambiguous or uncertain
            found = find()
            if found is None:
                if taken or attempt >= timing.max_attempts:
                    raise
                sleep(backoff_delay(attempt, timing))
                continue
            if proves_ownership(found) or (ambiguous and _created_since(created_at(found), first_sent)):
                return found, True
            raise claim.foreign() from None


def _created_since(created: Optional[datetime], sent: datetime) -> bool:
    if created is None:
        return False
    if created.tzinfo is None:
        created = created.replace(tzinfo=timezone.utc)
    return created >= sent - CLOCK_SKEW_ALLOWANCE


def parse_timestamp(value: object) -> Optional[datetime]:
    """An RFC 3339 string or Unix seconds (as platforms report creation times) as an aware datetime."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(float(value), timezone.utc)
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    return None

