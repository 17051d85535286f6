"""The allowances of policies/limits/*.toml, looked up by id, turning raw figures into readings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..policy_pack import catalog
from .model import Reading


@dataclass(frozen=True)
class Allowance:
    """One meter's free amount or one quota's limit."""

    id: str
    limit: float
    unit: str
    source: str
    confirmed: bool


class Allowances:
    """The pack's catalog seen as allowances."""

    def __init__(self, loaded: Any = None) -> None:
        self._catalog = loaded if loaded is not None else catalog()

    def get(self, allowance_id: str) -> Allowance:
        """The allowance with that id; an unknown id is a programming error (KeyError)."""
        meter = self._catalog.meter(allowance_id)
        if meter is not None:
            return Allowance(meter.id, float(meter.free), meter.unit, meter.cite(), meter.confirmed)
        quota = self._catalog.quota(allowance_id)
        if quota is not None:
            return Allowance(quota.id, float(quota.limit), quota.unit, quota.cite(), quota.confirmed)
        raise KeyError(f"{allowance_id} is neither a [[meter]] nor a [[quota]] in policies/limits")

    def reading(self, allowance_id: str, used: float, scope: str) -> Reading:
        """A figure against its allowance."""
        allowance = self.get(allowance_id)
        return Reading(allowance.id, allowance.unit, scope, float(used), allowance.limit, allowance.source,
                       allowance.confirmed)

    def ids(self, platform: str) -> list[str]:
        """Every meter and quota id of a platform."""
        return sorted([m.id for m in self._catalog.meters if m.platform == platform]
                      + [q.id for q in self._catalog.quotas if q.platform == platform])

    def platforms(self) -> list[tuple[str, str]]:
        """(id, name) of every platform that has meters or quotas."""
        having = {m.platform for m in self._catalog.meters} | {q.platform for q in self._catalog.quotas}
        return [(p.id, p.name) for p in self._catalog.platforms if p.id in having]
