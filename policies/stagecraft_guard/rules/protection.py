"""production-data-protection: production's data resources cannot be deleted by a routine update.

In a production stack, every resource type the tables mark as holding data (``[[data]]``: Neon projects,
branches and databases, Upstash databases, R2 buckets, Supabase projects, local databases) must be created
with ``protect=True``. The engine (3.79) does not show policies ``retain_on_delete``, so protection is the
option this rule can see; use both.
"""

from __future__ import annotations

from typing import Any, List, Mapping, Optional

from pulumi_policy import PolicyConfigSchema, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy

from ..catalog import Catalog
from ..options import PRODUCTION_SCHEMA, Reader, parsed_or_reported
from ..report import message
from ..resource import Resource
from ..stack import StackContext, current

NAME = "production-data-protection"
DESCRIPTION = "Production data resources (databases, buckets) are protected against deletion."

SCHEMA = PolicyConfigSchema(properties={"production": PRODUCTION_SCHEMA})


def parse_config(raw: Optional[Mapping[str, Any]]) -> bool:
    """Whether the stack is configured as production."""
    return Reader(NAME, raw, ["production"]).boolean("production", False)


def check(resource: Resource, catalog: Catalog, configured_production: bool, stack: StackContext) -> List[str]:
    """Violation messages for one resource."""
    data = catalog.data_type(resource.type)
    if data is None or resource.protect or not stack.is_production(configured_production):
        return []
    return [message(
        f"{resource.subject} holds data ({data.what}) in production stack {stack.name or '(unnamed)'!r} and is not "
        "protected: a `pulumi destroy`, a removal from the program or a replacement would delete it.",
        limit="production data resources are created with protect=True",
        source="DESIGN.md §7 (production data resources protected)",
        fix="create it with pulumi.ResourceOptions(protect=True, retain_on_delete=True)",
    )]


def policy(catalog: Catalog, env: Optional[Mapping[str, str]] = None) -> ResourceValidationPolicy:
    """The policy object (``env`` replaces the process environment in tests)."""

    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        configured = parsed_or_reported(parse_config, args.get_config(), report)
        if configured is None:
            return
        for text in check(Resource.from_args(args), catalog, configured, current(env)):
            report(text, None)

    return ResourceValidationPolicy(name=NAME, description=DESCRIPTION, validate=validate, config_schema=SCHEMA)
