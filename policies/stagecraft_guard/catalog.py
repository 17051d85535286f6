"""The free-tier tables in ``policies/limits/*.toml``, loaded and checked once.

Each platform file holds its sources (what was read, and when) and typed entries that cite them:

- ``plan``: a field whose value picks a paid tier; ``free`` lists the values that stay free.
- ``limit``: a per-resource free-tier ceiling (``max``, ``one_of``, ``not``), optionally only ``when`` other
  fields have given values.
- ``quota``: a count of resources within a stack (optionally per ``group_by`` value, only those matching
  ``where``), with ``already_used`` for what the platform itself takes.
- ``meter``: a free allowance that only declared usage can be compared with (storage, requests, hours).
- ``price``: a monthly list price for a paid value of a plan field (for the cost estimate).
- ``data``: resource types that hold data (protection and isolation rules).

Field names are written in snake_case; :mod:`stagecraft_guard.props` converts them for official providers.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field as dc_field
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping, Optional

LIMITS_DIR = Path(__file__).resolve().parent.parent / "limits"
"""Where the platform tables live (``policies/limits``)."""

BUDGET_FILE = "budget.toml"


class CatalogError(ValueError):
    """A limits table is malformed; the message names the file and the entry."""


@dataclass(frozen=True)
class Source:
    """Where a number comes from."""

    id: str
    """Key of the source in its file."""
    title: str
    """What was read (document, page or file)."""
    as_of: str
    """The date of the source as read."""
    via: str
    """Where in this project the reading is recorded."""

    def cite(self, confirmed: bool) -> str:
        """One line naming the source and date, flagging an unconfirmed number."""
        text = f"{self.title} (as of {self.as_of}; {self.via})"
        return text if confirmed else f"{text}; UNCONFIRMED"


@dataclass(frozen=True)
class Fact:
    """What every table entry shares: its platform, source and whether the number is confirmed."""

    platform: str
    source: Source
    confirmed: bool
    note: str

    def cite(self) -> str:
        """The source line for messages."""
        return self.source.cite(self.confirmed)


@dataclass(frozen=True)
class Plan(Fact):
    """A field whose value selects a paid plan, instance type or tier."""

    type: str = ""
    field: str = ""
    free: tuple[str, ...] = ()


@dataclass(frozen=True)
class Limit(Fact):
    """A per-resource free-tier ceiling."""

    id: str = ""
    type: str = ""
    field: str = ""
    unit: str = ""
    when: Mapping[str, Any] = dc_field(default_factory=dict)
    max: Optional[float] = None
    one_of: Optional[tuple[Any, ...]] = None
    not_: Optional[tuple[Any, ...]] = None


@dataclass(frozen=True)
class Quota(Fact):
    """A count of resources within one stack."""

    id: str = ""
    types: tuple[str, ...] = ()
    limit: float = 0
    unit: str = ""
    where: Mapping[str, Any] = dc_field(default_factory=dict)
    group_by: Optional[str] = None
    already_used: float = 0


@dataclass(frozen=True)
class Meter(Fact):
    """A free allowance that only declared usage can be compared with."""

    id: str = ""
    free: float = 0
    unit: str = ""


@dataclass(frozen=True)
class Price(Fact):
    """The monthly list price of one paid value of a plan field."""

    type: str = ""
    field: str = ""
    value: str = ""
    usd_month: float = 0
    multiply_by: Optional[str] = None


@dataclass(frozen=True)
class DataType:
    """A resource type that holds data."""

    platform: str
    type: str
    what: str
    name_field: str


@dataclass(frozen=True)
class Platform:
    """One platform's table."""

    id: str
    name: str
    token_prefixes: tuple[str, ...]
    known_types: tuple[str, ...]


@dataclass(frozen=True)
class Budget:
    """The project's cap on all environments' budgets together."""

    all_environments_monthly_usd: float
    source: str
    counted_stacks: tuple[str, ...]


@dataclass(frozen=True)
class Catalog:
    """All platform tables, indexed for the rules."""

    platforms: tuple[Platform, ...]
    plans: tuple[Plan, ...]
    limits: tuple[Limit, ...]
    quotas: tuple[Quota, ...]
    meters: tuple[Meter, ...]
    prices: tuple[Price, ...]
    data_types: tuple[DataType, ...]
    budget: Budget

    def platform_of(self, type_token: str) -> Optional[Platform]:
        """The platform a resource type belongs to, by token prefix."""
        for platform in self.platforms:
            if any(type_token.startswith(p) for p in platform.token_prefixes):
                return platform
        return None

    def platform(self, platform_id: str) -> Platform:
        """A platform by id."""
        for platform in self.platforms:
            if platform.id == platform_id:
                return platform
        raise KeyError(platform_id)

    def plans_for(self, type_token: str) -> tuple[Plan, ...]:
        """Plan fields of one resource type."""
        return tuple(p for p in self.plans if p.type == type_token)

    def limits_for(self, type_token: str) -> tuple[Limit, ...]:
        """Per-resource ceilings of one resource type."""
        return tuple(lim for lim in self.limits if lim.type == type_token)

    def price_of(self, type_token: str, field_name: str, value: str) -> Optional[Price]:
        """The list price of a plan value, if the table has one."""
        for price in self.prices:
            if price.type == type_token and price.field == field_name and price.value == value:
                return price
        return None

    def data_type(self, type_token: str) -> Optional[DataType]:
        """The data-holding description of a type, if it holds data."""
        for data in self.data_types:
            if data.type == type_token:
                return data
        return None

    def meter(self, meter_id: str) -> Optional[Meter]:
        """A meter by id."""
        for meter in self.meters:
            if meter.id == meter_id:
                return meter
        return None

    def quota(self, quota_id: str) -> Optional[Quota]:
        """A quota by id."""
        for quota in self.quotas:
            if quota.id == quota_id:
                return quota
        return None

    def is_known_type(self, type_token: str) -> bool:
        """Whether any table lists this exact type token."""
        return any(type_token in p.known_types for p in self.platforms)


_ENTRY_KEYS = {
    "plan": {"type", "field", "free", "source", "confirmed", "note"},
    "limit": {"id", "type", "field", "when", "max", "one_of", "not", "unit", "source", "confirmed", "note"},
    "quota": {"id", "types", "where", "group_by", "limit", "already_used", "unit", "source", "confirmed", "note"},
    "meter": {"id", "free", "unit", "source", "confirmed", "note"},
    "price": {"type", "field", "value", "usd_month", "multiply_by", "source", "confirmed", "note"},
    "data": {"type", "what", "name_field"},
}
_REQUIRED = {
    "plan": {"type", "field", "free", "source", "confirmed"},
    "limit": {"id", "type", "field", "unit", "source", "confirmed"},
    "quota": {"id", "types", "limit", "unit", "source", "confirmed"},
    "meter": {"id", "free", "unit", "source", "confirmed"},
    "price": {"type", "field", "value", "usd_month", "source", "confirmed"},
    "data": {"type", "what", "name_field"},
}


def _check_keys(where: str, kind: str, entry: Mapping[str, Any]) -> None:
    unknown = set(entry) - _ENTRY_KEYS[kind]
    if unknown:
        raise CatalogError(f"{where}: unknown key(s) {sorted(unknown)}; allowed: {sorted(_ENTRY_KEYS[kind])}")
    missing = _REQUIRED[kind] - set(entry)
    if missing:
        raise CatalogError(f"{where}: missing key(s) {sorted(missing)}")
    if "confirmed" in entry and not isinstance(entry["confirmed"], bool):
        raise CatalogError(f"{where}: 'confirmed' must be true or false")


def _fact(where: str, platform: str, sources: Mapping[str, Source], entry: Mapping[str, Any]) -> dict[str, Any]:
    source_id = entry["source"]
    if source_id not in sources:
        raise CatalogError(f"{where}: source {source_id!r} is not defined under [sources] (have {sorted(sources)})")
    return {
        "platform": platform,
        "source": sources[source_id],
        "confirmed": entry["confirmed"],
        "note": entry.get("note", ""),
    }


def _load_platform(path: Path) -> dict[str, Any]:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(f"{path.name}: not valid TOML: {exc}") from exc
    head = raw.get("platform")
    if not isinstance(head, dict) or not {"id", "name", "token_prefixes", "known_types"} <= set(head):
        raise CatalogError(f"{path.name}: needs a [platform] table with id, name, token_prefixes, known_types")
    platform_id = head["id"]
    sources = {
        key: Source(id=key, title=val["title"], as_of=val["as_of"], via=val["via"])
        for key, val in raw.get("sources", {}).items()
    }
    out: dict[str, Any] = {
        "platform": Platform(
            id=platform_id,
            name=head["name"],
            token_prefixes=tuple(head["token_prefixes"]),
            known_types=tuple(head["known_types"]),
        ),
        "plan": [], "limit": [], "quota": [], "meter": [], "price": [], "data": [],
    }
    unknown_tables = set(raw) - {"platform", "sources", *_ENTRY_KEYS}
    if unknown_tables:
        raise CatalogError(f"{path.name}: unknown table(s) {sorted(unknown_tables)}")
    for kind in _ENTRY_KEYS:
        for index, entry in enumerate(raw.get(kind, [])):
            where = f"{path.name} [[{kind}]] #{index + 1}"
            _check_keys(where, kind, entry)
            if kind == "data":
                out[kind].append(DataType(platform=platform_id, type=entry["type"], what=entry["what"],
                                          name_field=entry["name_field"]))
                continue
            fact = _fact(where, platform_id, sources, entry)
            if kind == "plan":
                out[kind].append(Plan(**fact, type=entry["type"], field=entry["field"], free=tuple(entry["free"])))
            elif kind == "limit":
                if not {"max", "one_of", "not"} & set(entry):
                    raise CatalogError(f"{where}: a limit needs one of max, one_of, not")
                out[kind].append(Limit(
                    **fact, id=entry["id"], type=entry["type"], field=entry["field"], unit=entry["unit"],
                    when=dict(entry.get("when", {})), max=entry.get("max"),
                    one_of=tuple(entry["one_of"]) if "one_of" in entry else None,
                    not_=tuple(entry["not"]) if "not" in entry else None,
                ))
            elif kind == "quota":
                out[kind].append(Quota(
                    **fact, id=entry["id"], types=tuple(entry["types"]), limit=entry["limit"], unit=entry["unit"],
                    where=dict(entry.get("where", {})), group_by=entry.get("group_by"),
                    already_used=entry.get("already_used", 0),
                ))
            elif kind == "meter":
                out[kind].append(Meter(**fact, id=entry["id"], free=entry["free"], unit=entry["unit"]))
            elif kind == "price":
                out[kind].append(Price(
                    **fact, type=entry["type"], field=entry["field"], value=entry["value"],
                    usd_month=float(entry["usd_month"]), multiply_by=entry.get("multiply_by"),
                ))
    for item in out["plan"] + out["limit"] + out["price"] + out["data"]:
        if item.type not in out["platform"].known_types:
            raise CatalogError(f"{path.name}: type {item.type!r} is used but not listed in known_types")
    for quota in out["quota"]:
        for type_token in quota.types:
            if type_token not in out["platform"].known_types:
                raise CatalogError(f"{path.name}: quota {quota.id} type {type_token!r} is not in known_types")
    return out


def _load_budget(path: Path) -> Budget:
    raw = tomllib.loads(path.read_text(encoding="utf-8")).get("budget")
    if not isinstance(raw, dict):
        raise CatalogError(f"{path.name}: needs a [budget] table")
    return Budget(
        all_environments_monthly_usd=float(raw["all_environments_monthly_usd"]),
        source=raw["source"],
        counted_stacks=tuple(raw["counted_stacks"]),
    )


def load_catalog(directory: Path = LIMITS_DIR) -> Catalog:
    """Read every platform table in ``directory`` plus ``budget.toml``; raise :class:`CatalogError` on mistakes."""
    collected: dict[str, list[Any]] = {k: [] for k in ("platform", *_ENTRY_KEYS)}
    for path in sorted(directory.glob("*.toml")):
        if path.name == BUDGET_FILE:
            continue
        loaded = _load_platform(path)
        collected["platform"].append(loaded["platform"])
        for kind in _ENTRY_KEYS:
            collected[kind].extend(loaded[kind])
    ids = [q.id for q in collected["quota"]] + [m.id for m in collected["meter"]] + [x.id for x in collected["limit"]]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise CatalogError(f"duplicate limit/quota/meter id(s) across tables: {duplicates}")
    return Catalog(
        platforms=tuple(collected["platform"]),
        plans=tuple(collected["plan"]),
        limits=tuple(collected["limit"]),
        quotas=tuple(collected["quota"]),
        meters=tuple(collected["meter"]),
        prices=tuple(collected["price"]),
        data_types=tuple(collected["data"]),
        budget=_load_budget(directory / BUDGET_FILE),
    )


@lru_cache(maxsize=1)
def default_catalog() -> Catalog:
    """The pack's own tables, loaded once per process."""
    return load_catalog()
