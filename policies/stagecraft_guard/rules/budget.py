"""monthly-budget: a stack's estimated monthly cost stays within its budget, and the budgets within the cap.

A stack validation (it needs every resource), run in the preview that ``pulumi up`` starts with. The estimate
(:mod:`stagecraft_guard.cost`) is shown in every message. Three more facts are checked: the budgets of all
long-lived environments (``policies/config/*.json`` of ``counted_stacks`` in ``policies/limits/budget.toml``)
add up to at most the project cap; an ephemeral ``pr-<n>`` stack has budget 0 (their number is unbounded); and
a stack that is not one of the counted environments has budget 0 (its spending would be unaccounted).

Config: ``budgetUsd`` and ``expectedMeteredUsd`` (platform id -> declared monthly usage charges).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Mapping, Optional

from pulumi_policy import PolicyConfigSchema, ReportViolation, StackValidationArgs, StackValidationPolicy

from ..catalog import Catalog
from ..cost import Estimate, estimate
from ..options import ConfigError, Reader, number_schema, parsed_or_reported
from ..report import message
from ..resource import Resource
from ..stack import StackContext, current
from ..stack_config import budgets, config_name

NAME = "monthly-budget"
DESCRIPTION = "The stack's estimated monthly cost stays within its budget; all environments' budgets stay within the project cap."

BudgetsReader = Callable[[tuple], Mapping[str, float]]


@dataclass(frozen=True)
class BudgetConfig:
    """This policy's settings."""

    budget_usd: float
    metered_usd: Mapping[str, float]


def schema(catalog: Catalog) -> PolicyConfigSchema:
    """The config schema."""
    return PolicyConfigSchema(properties={
        "budgetUsd": number_schema("Monthly budget of this stack in USD.", 0),
        "expectedMeteredUsd": {
            "type": "object",
            "propertyNames": {"enum": sorted(p.id for p in catalog.platforms)},
            "additionalProperties": {"type": "number", "minimum": 0},
            "default": {},
            "description": "Platform id -> expected monthly usage charges in USD beyond plan prices.",
        },
    })


def parse_config(catalog: Catalog, raw: Optional[Mapping[str, Any]]) -> BudgetConfig:
    """Validate and type the settings."""
    reader = Reader(NAME, raw, ["budgetUsd", "expectedMeteredUsd"])
    metered: Dict[str, float] = {}
    known = {p.id for p in catalog.platforms}
    for platform, usd in reader.mapping("expectedMeteredUsd").items():
        if platform not in known:
            raise ConfigError(NAME, f"expectedMeteredUsd.{platform}", "unknown platform",
                              f"use one of {', '.join(sorted(known))}")
        if isinstance(usd, bool) or not isinstance(usd, (int, float)) or usd < 0:
            raise ConfigError(NAME, f"expectedMeteredUsd.{platform}", f"expected USD >= 0, got {usd!r}",
                              "use a JSON number")
        metered[platform] = float(usd)
    return BudgetConfig(budget_usd=reader.number("budgetUsd", 0), metered_usd=metered)


def _file(stack: StackContext) -> str:
    return f"policies/config/{config_name(stack.name)}.json" if stack.name else "the policy config"


def _estimate_text(found: Estimate) -> str:
    lines = found.lines()
    return "\n".join(["  estimate:"] + [f"    - {line}" for line in lines]) if lines else "  estimate: nothing priced"


def check(resources: List[Resource], catalog: Catalog, config: BudgetConfig, stack: StackContext,
          other_budgets: Mapping[str, float]) -> List[str]:
    """Violation messages for the stack; ``other_budgets`` are the configured budgets of the other stacks."""
    found: List[str] = []
    cap = catalog.budget.all_environments_monthly_usd
    name = stack.name or "(unnamed)"
    if stack.is_pr and config.budget_usd > 0:
        found.append(message(
            f"stack {name!r} is an ephemeral PR stack with a budget of ${config.budget_usd:.2f}; PR stacks must be free "
            "because any number of them can exist at once.",
            limit="budgetUsd 0 for pr-<n> stacks",
            source=catalog.budget.source,
            fix=f"set {NAME}.budgetUsd to 0 in {_file(stack)} and keep PR stacks on free plans",
        ))
    elif stack.name and not stack.is_pr and stack.name not in catalog.budget.counted_stacks and config.budget_usd > 0:
        found.append(message(
            f"stack {name!r} has a budget of ${config.budget_usd:.2f} but is not one of the environments whose budgets "
            f"are added up ({', '.join(catalog.budget.counted_stacks)}), so its spending would be unaccounted.",
            limit=f"all environments together at most ${cap:.2f}/month",
            source=catalog.budget.source,
            fix=f"set {NAME}.budgetUsd to 0, or add the stack to counted_stacks in policies/limits/budget.toml",
        ))
    found_estimate = estimate(resources, catalog, config.metered_usd)
    if found_estimate.unpriced:
        gaps = "; ".join(f"{g.subject}: {g.detail}" for g in found_estimate.unpriced)
        found.append(message(
            f"the monthly cost of stack {name!r} cannot be estimated, so it cannot be shown to fit its budget of "
            f"${config.budget_usd:.2f}: {gaps}.\n{_estimate_text(found_estimate)}",
            limit=f"budgetUsd {config.budget_usd:g} ({_file(stack)})",
            source="price tables in policies/limits/*.toml",
            fix="set the plan field explicitly, and add a [[price]] entry (with its source) for any paid value used",
        ))
    total = found_estimate.total
    if total > config.budget_usd:
        found.append(message(
            f"the estimated monthly cost of stack {name!r} is ${total:.2f}, over its budget of "
            f"${config.budget_usd:.2f}.\n{_estimate_text(found_estimate)}",
            limit=f"{NAME}.budgetUsd = {config.budget_usd:g} in {_file(stack)}; all environments together at most "
                  f"${cap:.2f}/month",
            source=f"prices: policies/limits/*.toml (each item cites its own); cap: {catalog.budget.source}",
            fix=("move the priced resources to free plans, or raise budgetUsd within the project cap "
                 f"(the other environments' budgets add up to ${sum(v for k, v in other_budgets.items() if k != stack.name):.2f})"),
        ))
    if stack.name in catalog.budget.counted_stacks:
        combined = dict(other_budgets)
        combined[stack.name] = config.budget_usd
        total_budgets = round(sum(combined.values()), 2)
        if total_budgets > cap:
            parts = ", ".join(f"{k} ${v:.2f}" for k, v in sorted(combined.items()))
            found.append(message(
                f"the monthly budgets of all environments add up to ${total_budgets:.2f} ({parts}), over the project "
                f"cap of ${cap:.2f}.",
                limit=f"all environments together at most ${cap:.2f}/month",
                source=catalog.budget.source,
                fix="lower monthly-budget.budgetUsd in policies/config/<stack>.json until the total fits",
            ))
    return found


def policy(catalog: Catalog, env: Optional[Mapping[str, str]] = None,
           read_budgets: Optional[BudgetsReader] = None) -> StackValidationPolicy:
    """The policy object; ``read_budgets`` replaces reading ``policies/config`` in tests."""
    read = read_budgets or budgets

    def validate(args: StackValidationArgs, report: ReportViolation) -> None:
        config = parsed_or_reported(lambda raw: parse_config(catalog, raw), args.get_config(), report)
        if config is None:
            return
        stack = current(env)
        others = {k: v for k, v in read(catalog.budget.counted_stacks).items() if k != stack.name}
        resources = [Resource.from_stack(r) for r in args.resources]
        for text in check(resources, catalog, config, stack, others):
            report(text, None)

    return StackValidationPolicy(name=NAME, description=DESCRIPTION, validate=validate,
                                 config_schema=schema(catalog))
