"""free-tier-coverage (advisory): say so when a platform resource type has no free-tier facts in the tables.

The other free-tier rules match exact type tokens, so a new resource type (say a Render Key Value store) would
pass them unchecked. This rule names such types: a dynamic provider's type, or a type of a platform the tables
know, that no table lists.
"""

from __future__ import annotations

from typing import List

from pulumi_policy import EnforcementLevel, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy

from ..catalog import Catalog
from ..props import is_dynamic
from ..report import message, subject

NAME = "free-tier-coverage"
DESCRIPTION = "Every platform resource type has free-tier facts in policies/limits."


def check(type_token: str, name: str, catalog: Catalog) -> List[str]:
    """The advisory message for an uncovered type (empty when covered or not a platform resource)."""
    platform = catalog.platform_of(type_token)
    if catalog.is_known_type(type_token) or (platform is None and not is_dynamic(type_token)):
        return []
    where = f"policies/limits/{platform.id}.toml" if platform else "a new policies/limits/<platform>.toml"
    return [message(
        f"{subject(name, type_token)}: no free-tier table lists this type, so its plan, quotas and cost are not checked.",
        source="policies/limits/*.toml",
        fix=f"add the type to known_types in {where}, with its [[plan]], [[quota]], [[price]] or [[data]] entries",
    )]


def policy(catalog: Catalog) -> ResourceValidationPolicy:
    """The policy object (advisory by default)."""

    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        for text in check(args.resource_type, args.name, catalog):
            report(text, None)

    return ResourceValidationPolicy(name=NAME, description=DESCRIPTION, validate=validate,
                                    enforcement_level=EnforcementLevel.ADVISORY)
