"""free-tier-plan: in a stack declared free, every resource stays on its platform's free plan and limits.

Checked per resource before it is created or changed, so a violation stops ``pulumi up`` before that resource
is touched. Plan fields come from the ``[[plan]]`` entries of the platform tables (a missing value is refused:
the platform's default may be paid), per-resource ceilings from ``[[limit]]`` entries. A value not known during
preview is judged when ``pulumi up`` runs with the real value.

Config: ``paidPlatforms``, the platforms this stack may pay for (the stack is "declared free" for every other
platform; the monthly-budget rule still caps what the paid ones cost).
"""

from __future__ import annotations

from typing import Any, List, Mapping, Optional

from pulumi_policy import PolicyConfigSchema, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy

from ..catalog import Catalog, Limit, Plan
from ..options import ConfigError, Reader, parsed_or_reported
from ..props import UNKNOWN, as_number
from ..report import message
from ..resource import Resource
from ..stack import StackContext, current
from ..stack_config import config_name

NAME = "free-tier-plan"
DESCRIPTION = "Resources in a stack declared free use their platform's free plan, instance type and free-tier limits."


def schema(catalog: Catalog) -> PolicyConfigSchema:
    """The config schema (platform ids come from the tables)."""
    return PolicyConfigSchema(properties={
        "paidPlatforms": {
            "type": "array",
            "items": {"type": "string", "enum": sorted(p.id for p in catalog.platforms)},
            "uniqueItems": True,
            "default": [],
            "description": "Platforms this stack may pay for; free-tier checks are skipped for them.",
        },
    })


def parse_config(catalog: Catalog, raw: Optional[Mapping[str, Any]]) -> frozenset:
    """The set of paid platform ids."""
    reader = Reader(NAME, raw, ["paidPlatforms"])
    paid = reader.strings("paidPlatforms")
    known = {p.id for p in catalog.platforms}
    for platform in paid:
        if platform not in known:
            raise ConfigError(NAME, "paidPlatforms", f"unknown platform {platform!r}",
                              f"use ids from policies/limits/*.toml: {', '.join(sorted(known))}")
    return frozenset(paid)


def _matches(resource: Resource, conditions: Mapping[str, Any]) -> Optional[bool]:
    """Whether the resource has all the given field values (``None`` while one is unknown)."""
    for field_name, expected in conditions.items():
        value = resource.get(field_name)
        if not value.present:
            return False
        if not value.known:
            return None
        if value.value != expected:
            return False
    return True


def _declared(stack: StackContext, platform_name: str) -> str:
    where = f"policies/config/{config_name(stack.name)}.json" if stack.name else "the policy config"
    return (f"stack {stack.name or '(unnamed)'!r} is declared free for {platform_name} "
            f"({NAME}.paidPlatforms in {where} does not list it)")


def _fix_paid(platform_id: str, stack: StackContext) -> str:
    where = f"policies/config/{config_name(stack.name)}.json" if stack.name else "the policy config"
    return (f"or, if this stack may pay for it, add {platform_id!r} to {NAME}.paidPlatforms in {where} "
            "(monthly-budget still caps the cost)")


def _plan_violation(resource: Resource, plan: Plan, stack: StackContext, platform_name: str) -> Optional[str]:
    value = resource.get(plan.field)
    free = ", ".join(repr(v) for v in plan.free)
    if value.present and not value.known:
        return None
    if not value.present or value.value is None:
        what = (f"{resource.subject}: {plan.field} is not set, so {platform_name}'s default applies and it may "
                f"not be free; {_declared(stack, platform_name)}.")
    elif str(value.value) in plan.free:
        return None
    else:
        what = (f"{resource.subject}: {plan.field} is {value.value!r}, a paid {platform_name} option; "
                f"{_declared(stack, platform_name)}.")
    return message(
        what,
        limit=f"{plan.field} must be one of {free} on the {platform_name} free tier",
        source=plan.cite(),
        fix=f"set {plan.field} to {plan.free[0]!r}, {_fix_paid(plan.platform, stack)}",
    )


def _limit_violation(resource: Resource, limit: Limit, stack: StackContext, platform_name: str) -> Optional[str]:
    if _matches(resource, limit.when) is not True:
        return None
    value = resource.get(limit.field)
    if not value.usable or value.value is None:
        return None
    problem: Optional[str] = None
    allowed: str = ""
    if limit.max is not None:
        number = as_number(value.value)
        allowed = f"at most {limit.max:g}"
        if number is not None and number > limit.max:
            problem = f"{limit.field} is {number:g}"
    if limit.one_of is not None:
        chosen = value.value if isinstance(value.value, list) else [value.value]
        outside = [v for v in chosen if v is not UNKNOWN and v not in limit.one_of]
        allowed = "one of " + ", ".join(repr(v) for v in limit.one_of)
        if outside:
            problem = f"{limit.field} has {', '.join(repr(v) for v in outside)}"
    if limit.not_ is not None:
        number = as_number(value.value)
        forbidden = [v for v in limit.not_ if v == value.value or (number is not None and as_number(v) == number)]
        allowed = "not " + ", ".join(repr(v) for v in limit.not_)
        if forbidden:
            problem = f"{limit.field} is {value.value!r}"
    if problem is None:
        return None
    when = (" when " + ", ".join(f"{k} = {v!r}" for k, v in limit.when.items())) if limit.when else ""
    return message(
        f"{resource.subject}: {problem}, outside the {platform_name} free tier; {_declared(stack, platform_name)}.",
        limit=f"{limit.field}: {allowed}{when} ({limit.unit}) [{limit.id}]",
        source=limit.cite(),
        fix=f"change {limit.field} to {allowed}, {_fix_paid(limit.platform, stack)}",
    )


def check(resource: Resource, catalog: Catalog, paid: frozenset, stack: StackContext) -> List[str]:
    """Violation messages for one resource."""
    platform = catalog.platform_of(resource.type)
    if platform is None or platform.id in paid:
        return []
    found = [_plan_violation(resource, plan, stack, platform.name) for plan in catalog.plans_for(resource.type)]
    found += [_limit_violation(resource, lim, stack, platform.name) for lim in catalog.limits_for(resource.type)]
    return [m for m in found if m]


def policy(catalog: Catalog, env: Optional[Mapping[str, str]] = None) -> ResourceValidationPolicy:
    """The policy object (``env`` replaces the process environment in tests)."""

    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        paid = parsed_or_reported(lambda raw: parse_config(catalog, raw), args.get_config(), report)
        if paid is None:
            return
        for text in check(Resource.from_args(args), catalog, paid, current(env)):
            report(text, None)

    return ResourceValidationPolicy(name=NAME, description=DESCRIPTION, validate=validate,
                                    config_schema=schema(catalog))
