"""production-gate: when a stack manages the delivery gate, the gate is really closed.

The gate is two GitHub resources: the ``production`` repository environment, whose required reviewers hold
production deploy jobs (and its secrets) until they approve, and branch protection on ``main``, which requires
at least two approving reviews and lets nobody push directly (admins included, no force pushes). A stack that
manages one of them must manage both, configured that way. Reviewer ids resolved only during the update are
judged then.

Config: ``environment``, ``branch``, ``minApprovingReviews`` (2 or more).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, List, Mapping, Optional, Tuple

from pulumi_policy import PolicyConfigSchema, ReportViolation, StackValidationArgs, StackValidationPolicy

from ..options import ConfigError, Reader, number_schema, parsed_or_reported, string_schema
from ..props import as_number
from ..report import message
from ..resource import Resource

NAME = "production-gate"
DESCRIPTION = "The production gate is configured: required reviewers on the production environment, 2 approving reviews and no direct pushes on main."

ENVIRONMENT_TYPE = "github:index/repositoryEnvironment:RepositoryEnvironment"
PROTECTION_TYPE = "github:index/branchProtection:BranchProtection"
SOURCE = "DESIGN.md §1 (production gate: manual approval, 2 reviews on main) and §7"


@dataclass(frozen=True)
class GateConfig:
    """This policy's settings."""

    environment: str
    branch: str
    min_reviews: float


SCHEMA = PolicyConfigSchema(properties={
    "environment": string_schema("GitHub environment that gates production deploys.", "production"),
    "branch": string_schema("Branch production is deployed from.", "main"),
    "minApprovingReviews": number_schema("Approving reviews required on the branch.", 2, minimum=2),
})


def parse_config(raw: Optional[Mapping[str, Any]]) -> GateConfig:
    """Validate and type the settings."""
    reader = Reader(NAME, raw, ["environment", "branch", "minApprovingReviews"])
    reviews = reader.number("minApprovingReviews", 2, minimum=2)
    if reviews != int(reviews):
        raise ConfigError(NAME, "minApprovingReviews", f"{reviews} is not a whole number", "use e.g. 2")
    return GateConfig(environment=reader.string("environment", "production"), branch=reader.string("branch", "main"),
                      min_reviews=reviews)


def _reviewer_count(resource: Resource) -> Optional[int]:
    """Number of user and team ids among the environment's reviewers (``None`` while unknown)."""
    reviewers = resource.get("reviewers")
    if not reviewers.present or reviewers.value is None:
        return 0
    if not reviewers.known:
        return None
    count = 0
    for entry in reviewers.value or []:
        if not isinstance(entry, Mapping):
            continue
        for kind in ("users", "teams"):
            ids = entry.get(kind) or []
            if any(not isinstance(i, (int, float, str)) for i in ids):
                return None
            count += len(ids)
    return count


def _environment_problems(resource: Resource, config: GateConfig) -> List[str]:
    count = _reviewer_count(resource)
    if count is None or count > 0:
        return []
    return [message(
        f"{resource.subject}: the GitHub environment {config.environment!r} has no required reviewers, so a production "
        "deploy job would start without anyone approving it.",
        limit="at least one required reviewer (user or team id) on the production environment",
        source=SOURCE,
        fix="set reviewers=[{users: [<numeric user id>, ...]}] or teams (ids, e.g. from github.get_user(...).id)",
    )]


def _protection_problems(resource: Resource, config: GateConfig) -> List[str]:
    problems: List[str] = []
    reviews = resource.get("required_pull_request_reviews", 0, "required_approving_review_count")
    block = resource.get("required_pull_request_reviews")
    if block.known and reviews.known:
        number = as_number(reviews.value) if reviews.present else None
        if not block.present or not block.value:
            problems.append(f"{resource.subject}: branch {config.branch!r} does not require pull request reviews, "
                            "so changes can land without review.")
        elif number is None or number < config.min_reviews:
            shown = "not set (GitHub's default is 1)" if number is None else f"{number:g}"
            problems.append(f"{resource.subject}: branch {config.branch!r} requires {shown} approving review(s).")
    force = resource.get("allows_force_pushes")
    if force.usable and force.value is True:
        problems.append(f"{resource.subject}: branch {config.branch!r} allows force pushes.")
    admins = resource.get("enforce_admins")
    if admins.known and admins.value is not True:
        problems.append(f"{resource.subject}: enforce_admins is not true, so administrators can push to "
                        f"{config.branch!r} directly, bypassing the reviews.")
    return [message(
        p,
        limit=f"{config.min_reviews:g} approving reviews, no direct or force pushes on {config.branch!r}",
        source=SOURCE,
        fix=(f"set required_pull_request_reviews=[{{required_approving_review_count: {config.min_reviews:g}}}], "
             "enforce_admins=True, allows_force_pushes=False"),
    ) for p in problems]


def _named(resource: Resource, field_name: str, expected: str) -> bool:
    value = resource.get(field_name)
    return value.usable and value.value == expected


def check(resources: List[Resource], config: GateConfig) -> List[Tuple[str, Optional[str]]]:
    """(message, urn) for every gate problem in the stack."""
    environments = [r for r in resources if r.type == ENVIRONMENT_TYPE and _named(r, "environment", config.environment)]
    protections = [r for r in resources if r.type == PROTECTION_TYPE and _named(r, "pattern", config.branch)]
    found: List[Tuple[str, Optional[str]]] = []
    for resource in environments:
        found += [(m, resource.urn) for m in _environment_problems(resource, config)]
    for resource in protections:
        found += [(m, resource.urn) for m in _protection_problems(resource, config)]
    if environments and not protections:
        found.append((message(
            f"the stack manages the GitHub environment {config.environment!r} but no branch protection for "
            f"{config.branch!r}, so half of the production gate is missing.",
            limit=f"both halves: the {config.environment!r} environment and protection of {config.branch!r}",
            source=SOURCE,
            fix=f"add a github.BranchProtection with pattern={config.branch!r} to the same stack",
        ), environments[0].urn))
    if protections and not environments:
        found.append((message(
            f"the stack protects {config.branch!r} but manages no GitHub environment {config.environment!r} with "
            "required reviewers, so half of the production gate is missing.",
            limit=f"both halves: the {config.environment!r} environment and protection of {config.branch!r}",
            source=SOURCE,
            fix=f"add a github.RepositoryEnvironment environment={config.environment!r} with reviewers",
        ), protections[0].urn))
    return found


def policy() -> StackValidationPolicy:
    """The policy object."""

    def validate(args: StackValidationArgs, report: ReportViolation) -> None:
        config = parsed_or_reported(parse_config, args.get_config(), report)
        if config is None:
            return
        for text, urn in check([Resource.from_stack(r) for r in args.resources], config):
            report(text, urn)

    return StackValidationPolicy(name=NAME, description=DESCRIPTION, validate=validate, config_schema=SCHEMA)
