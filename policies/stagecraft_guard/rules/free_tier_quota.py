"""free-tier-quota: counts of resources within a stack stay within the platforms' free quotas.

A stack validation: it sees every resource of the stack (during preview, as planned), counts the resources of
each ``[[quota]]`` entry (only those matching its ``where``, per ``group_by`` value), and compares the count plus
what the platform already uses with the limit. It runs in the preview that ``pulumi up`` starts with, so an
over-quota plan is refused before anything changes.

Usage that no resource input shows (storage, requests, compute hours) is checked from the stack's declared
``expectedUsage`` against the tables' ``[[meter]]`` allowances.

Config: ``overrides`` (quota id -> ``{limit, reason}``, e.g. after moving an account to a paid plan) and
``expectedUsage`` (meter id -> amount).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Tuple

from pulumi_policy import PolicyConfigSchema, ReportViolation, StackValidationArgs, StackValidationPolicy

from ..catalog import Catalog, Quota
from ..options import ConfigError, Reader, parsed_or_reported
from ..report import message
from ..resource import Resource
from ..stack import StackContext, current
from ..stack_config import config_name

NAME = "free-tier-quota"
DESCRIPTION = "Each platform's free quotas (projects, branches, databases, services, declared usage) hold within the stack."


@dataclass(frozen=True)
class Override:
    """A raised (or lowered) quota limit and why."""

    limit: float
    reason: str


@dataclass(frozen=True)
class QuotaConfig:
    """This policy's settings."""

    overrides: Mapping[str, Override]
    expected_usage: Mapping[str, float]


def schema(catalog: Catalog) -> PolicyConfigSchema:
    """The config schema (quota and meter ids come from the tables)."""
    return PolicyConfigSchema(properties={
        "overrides": {
            "type": "object",
            "propertyNames": {"enum": sorted(q.id for q in catalog.quotas)},
            "additionalProperties": {
                "type": "object",
                "properties": {
                    "limit": {"type": "number", "minimum": 0},
                    "reason": {"type": "string", "minLength": 1},
                },
                "required": ["limit", "reason"],
                "additionalProperties": False,
            },
            "default": {},
            "description": "Quota id -> {limit, reason}: a different limit for this stack's account, with why.",
        },
        "expectedUsage": {
            "type": "object",
            "propertyNames": {"enum": sorted(m.id for m in catalog.meters)},
            "additionalProperties": {"type": "number", "minimum": 0},
            "default": {},
            "description": "Meter id -> expected monthly amount, checked against the free allowance.",
        },
    })


def parse_config(catalog: Catalog, raw: Optional[Mapping[str, Any]]) -> QuotaConfig:
    """Validate and type the settings."""
    reader = Reader(NAME, raw, ["overrides", "expectedUsage"])
    overrides: Dict[str, Override] = {}
    for quota_id, value in reader.mapping("overrides").items():
        if catalog.quota(quota_id) is None:
            raise ConfigError(NAME, f"overrides.{quota_id}", "no such quota",
                              f"use an id from policies/limits/*.toml: {', '.join(q.id for q in catalog.quotas)}")
        if (not isinstance(value, Mapping) or isinstance(value.get("limit"), bool)
                or not isinstance(value.get("limit"), (int, float)) or value.get("limit") < 0
                or not isinstance(value.get("reason"), str) or not value.get("reason")):
            raise ConfigError(NAME, f"overrides.{quota_id}", f"expected {{limit: number >= 0, reason: text}}, got {value!r}",
                              'write e.g. {"limit": 20, "reason": "account on the Launch plan since 2026-05"}')
        overrides[quota_id] = Override(limit=float(value["limit"]), reason=value["reason"])
    usage: Dict[str, float] = {}
    for meter_id, amount in reader.mapping("expectedUsage").items():
        if catalog.meter(meter_id) is None:
            raise ConfigError(NAME, f"expectedUsage.{meter_id}", "no such meter",
                              f"use an id from policies/limits/*.toml: {', '.join(m.id for m in catalog.meters)}")
        if isinstance(amount, bool) or not isinstance(amount, (int, float)) or amount < 0:
            raise ConfigError(NAME, f"expectedUsage.{meter_id}", f"expected a number >= 0, got {amount!r}",
                              "use a JSON number")
        usage[meter_id] = float(amount)
    return QuotaConfig(overrides=overrides, expected_usage=usage)


def _matches(resource: Resource, where: Mapping[str, Any]) -> bool:
    """Counted only when every ``where`` field is known and equal (unknown values are not counted)."""
    for field_name, expected in where.items():
        value = resource.get(field_name)
        if not value.usable or value.value != expected:
            return False
    return True


def _group_key(resource: Resource, group_by: Optional[str]) -> str:
    if not group_by:
        return ""
    value = resource.get(group_by)
    if not value.present or value.value is None:
        return "(not set)"
    return str(value.value) if value.known else "(not known yet)"


def _config_file(stack: StackContext) -> str:
    return f"policies/config/{config_name(stack.name)}.json" if stack.name else "the policy config"


def quota_violations(resources: List[Resource], catalog: Catalog, config: QuotaConfig,
                     stack: StackContext) -> List[Tuple[str, Optional[str]]]:
    """(message, urn) for every quota a group of resources exceeds."""
    found: List[Tuple[str, Optional[str]]] = []
    for quota in catalog.quotas:
        override = config.overrides.get(quota.id)
        limit = override.limit if override else quota.limit
        groups: "OrderedDict[str, List[Resource]]" = OrderedDict()
        for resource in resources:
            if resource.type in quota.types and _matches(resource, quota.where):
                groups.setdefault(_group_key(resource, quota.group_by), []).append(resource)
        for key, members in groups.items():
            used = len(members) + quota.already_used
            if used <= limit:
                continue
            platform_name = catalog.platform(quota.platform).name
            found.append((_quota_message(quota, platform_name, key, members, used, limit, override, stack),
                          members[-1].urn))
    return found


def _quota_message(quota: Quota, platform_name: str, key: str, members: List[Resource], used: float,
                   limit: float, override: Optional[Override], stack: StackContext) -> str:
    kinds = " / ".join(sorted({m.type for m in members}))
    where = (" with " + ", ".join(f"{k} = {v!r}" for k, v in quota.where.items())) if quota.where else ""
    group = f" in {quota.group_by} {key!r}" if quota.group_by else ""
    already = f" plus {quota.already_used:g} the platform already uses" if quota.already_used else ""
    names = ", ".join(m.name for m in members)
    limit_text = f"{quota.limit:g} {quota.unit} [{quota.id}]"
    if override:
        limit_text += f"; overridden for this stack to {limit:g} ({override.reason})"
    note = f" Note: {quota.note}" if quota.note else ""
    return message(
        f"stack {stack.name or '(unnamed)'!r} has {len(members)} {kinds} resource(s){where}{group} ({names})"
        f"{already}: {used:g} exceeds {limit:g} on the {platform_name} free tier.{note}",
        limit=limit_text,
        source=quota.cite(),
        fix=(f"remove {used - limit:g} of them, or, if the account's plan allows more, set "
             f"{NAME}.overrides[{quota.id!r}] = {{\"limit\": n, \"reason\": \"...\"}} in {_config_file(stack)}"),
    )


def usage_violations(catalog: Catalog, config: QuotaConfig, stack: StackContext) -> List[str]:
    """Messages for declared usage above a free allowance."""
    found = []
    for meter_id, amount in config.expected_usage.items():
        meter = catalog.meter(meter_id)
        if meter is None or amount <= meter.free:
            continue
        found.append(message(
            f"stack {stack.name or '(unnamed)'!r} declares {amount:g} {meter.unit} on {meter.platform}, above the "
            f"free allowance of {meter.free:g}.",
            limit=f"{meter.free:g} {meter.unit} [{meter.id}]",
            source=meter.cite(),
            fix=(f"plan for less usage, or move this platform to a paid plan (add it to free-tier-plan.paidPlatforms "
                 f"and its cost to monthly-budget) and lower {NAME}.expectedUsage[{meter_id!r}] in "
                 f"{_config_file(stack)} to what the free part covers"),
        ))
    return found


def policy(catalog: Catalog, env: Optional[Mapping[str, str]] = None) -> StackValidationPolicy:
    """The policy object (``env`` replaces the process environment in tests)."""

    def validate(args: StackValidationArgs, report: ReportViolation) -> None:
        config = parsed_or_reported(lambda raw: parse_config(catalog, raw), args.get_config(), report)
        if config is None:
            return
        stack = current(env)
        resources = [Resource.from_stack(r) for r in args.resources]
        for text, urn in quota_violations(resources, catalog, config, stack):
            report(text, urn)
        for text in usage_violations(catalog, config, stack):
            report(text, None)

    return StackValidationPolicy(name=NAME, description=DESCRIPTION, validate=validate,
                                 config_schema=schema(catalog))
