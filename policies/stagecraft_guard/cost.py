"""Estimate a stack's monthly cost from its resources' plans and the price tables.

The estimate is the list price of every paid plan value in the stack (times ``multiply_by`` when the table
says so, e.g. Koyeb instances) plus the usage charges the stack declares (``expectedMeteredUsd``). Free values
cost nothing. A value the tables cannot price, or a plan field left unset, makes the estimate incomplete; the
budget rule refuses an incomplete estimate because it cannot show the stack fits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, List, Mapping, Tuple

from .catalog import Catalog
from .props import as_number
from .resource import Resource


@dataclass(frozen=True)
class Item:
    """One priced resource."""

    subject: str
    detail: str
    usd: float
    citation: str


@dataclass(frozen=True)
class Gap:
    """A resource the estimate could not price."""

    subject: str
    detail: str


@dataclass(frozen=True)
class Estimate:
    """A stack's estimated monthly cost."""

    items: Tuple[Item, ...] = ()
    metered: Mapping[str, float] = field(default_factory=dict)
    unpriced: Tuple[Gap, ...] = ()
    unknown: Tuple[Gap, ...] = ()

    @property
    def total(self) -> float:
        """USD per month, priced items plus declared usage."""
        return round(sum(i.usd for i in self.items) + sum(self.metered.values()), 2)

    def lines(self) -> List[str]:
        """Human-readable breakdown, most expensive first."""
        out = [f"{i.subject}: {i.detail} ${i.usd:.2f}/month [{i.citation}]"
               for i in sorted(self.items, key=lambda i: -i.usd)]
        out += [f"declared usage on {platform}: ${usd:.2f}/month (monthly-budget.expectedMeteredUsd)"
                for platform, usd in sorted(self.metered.items())]
        out += [f"{g.subject}: {g.detail} (not known during preview; not counted)" for g in self.unknown]
        return out


def estimate(resources: Iterable[Resource], catalog: Catalog, metered: Mapping[str, float]) -> Estimate:
    """The monthly cost estimate of ``resources``."""
    items: List[Item] = []
    unpriced: List[Gap] = []
    unknown: List[Gap] = []
    for resource in resources:
        for plan in catalog.plans_for(resource.type):
            value = resource.get(plan.field)
            if not value.present or value.value is None:
                unpriced.append(Gap(resource.subject, f"{plan.field} is not set, so the platform's default "
                                                      "(possibly paid) applies"))
                continue
            if not value.known:
                unknown.append(Gap(resource.subject, f"{plan.field}"))
                continue
            chosen = str(value.value)
            if chosen in plan.free:
                continue
            price = catalog.price_of(resource.type, plan.field, chosen)
            if price is None:
                unpriced.append(Gap(resource.subject, f"{plan.field} {chosen!r} has no price in "
                                                      f"policies/limits/{plan.platform}.toml"))
                continue
            count, how = 1.0, ""
            if price.multiply_by:
                times = resource.get(price.multiply_by)
                number = as_number(times.value) if times.usable else None
                if number is not None and number > 1:
                    count, how = number, f" x {number:g} ({price.multiply_by})"
            items.append(Item(resource.subject, f"{plan.field} {chosen!r}{how}",
                              round(price.usd_month * count, 2), price.cite()))
    return Estimate(items=tuple(items), metered=dict(metered), unpriced=tuple(unpriced), unknown=tuple(unknown))
