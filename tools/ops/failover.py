"""Routing decisions from health, with hysteresis.

A backend leaves the routing after `failAfter` consecutive failed probes and comes back after `recoverAfter`
consecutive successful ones, so one lost probe changes nothing. Each change is reported with how long it
took from the first probe of the streak that caused it (for a failover: from the first failed probe).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Mapping, Optional, Sequence

from .failover_config import Backend


@dataclass
class Health:
    """What the controller knows of one backend."""

    in_service: bool = True
    """Whether it receives traffic (backends start in service: traffic goes as configured until probes say otherwise)."""
    streak: int = 0
    """Consecutive probes that disagree with `in_service` (failures while in, successes while out)."""
    streak_started: Optional[float] = None
    """When the first probe of that streak was sent."""


@dataclass(frozen=True)
class Change:
    """One backend taken out of or brought back into the routing."""

    backend: str
    in_service: bool
    probes: int
    """How many consecutive probes decided it."""
    seconds: float
    """From the first probe of the streak to this decision."""
    reason: str


@dataclass
class Controller:
    """Hysteresis over per-backend probe results."""

    fail_after: int
    recover_after: int
    health: dict[str, Health] = field(default_factory=dict)

    def observe(self, backend: str, ok: bool, probed_at: float, now: float, reason: str = "") -> Optional[Change]:
        """Take one probe result; returns the change it causes, if any."""
        state = self.health.setdefault(backend, Health())
        agrees = ok == state.in_service
        if agrees:
            state.streak, state.streak_started = 0, None
            return None
        if state.streak == 0:
            state.streak_started = probed_at
        state.streak += 1
        needed = self.fail_after if state.in_service else self.recover_after
        if state.streak < needed:
            return None
        change = Change(backend=backend, in_service=not state.in_service, probes=state.streak,
                        seconds=now - (state.streak_started or probed_at), reason=reason)
        state.in_service, state.streak, state.streak_started = not state.in_service, 0, None
        return change

    def in_service(self, backend: str) -> bool:
        """Whether the backend currently receives traffic."""
        return self.health.setdefault(backend, Health()).in_service

    def to_json(self) -> dict[str, Any]:
        """The counters, for the `--once` state file."""
        return {name: asdict(state) for name, state in self.health.items()}

    @classmethod
    def from_json(cls, fail_after: int, recover_after: int, data: Mapping[str, Any]) -> "Controller":
        """Counters saved by :meth:`to_json` (unknown backends are ignored by the caller)."""
        return cls(fail_after, recover_after, {name: Health(**values) for name, values in data.items()})


@dataclass(frozen=True)
class Route:
    """One server line of the upstream."""

    backend: Backend
    down: bool


def routing(backends: Sequence[Backend], controller: Controller) -> list[Route]:
    """The upstream's servers: out-of-service ones marked down; backups stay backups (nginx uses them when every
    other server is down). When no backend at all is in service, none is marked down: nginx then tries them
    all, which can only do better than refusing every request."""
    if not any(controller.in_service(b.name) for b in backends):
        return [Route(b, down=False) for b in backends]
    return [Route(b, down=not controller.in_service(b.name)) for b in backends]


def describe(routes: Sequence[Route]) -> str:
    """`uat 90, beta 10, preprod backup` with `(down)` for servers out of service."""
    parts = []
    for route in routes:
        role = "backup" if route.backend.backup else str(route.backend.weight)
        parts.append(f"{route.backend.name} {role}{' (down)' if route.down else ''}")
    return ", ".join(parts)
