"""production-isolation: a non-production stack never uses production's database branch or bucket.

Per resource of a non-production stack, before it is created or changed:

- a Neon branch named like production's (default ``main``) in production's project (or in any project while
  no project id is configured), or any Neon resource on a production branch id, or a branch whose parent is
  a production branch (that copies production data) unless it is schema-only (it copies none);
- a data resource (``[[data]]`` types in the tables) whose name is a configured production bucket or starts
  with production's physical-name prefix (``stagecraft-production-``: names are ``<project>-<stack>-<name>``);
- any input anywhere (secrets included) that mentions a production host, bucket, branch id or the prefix,
  e.g. a ``DATABASE_URL`` pointing at production's database host.

Values are compared, never printed. Production stacks are exempt (they are the production data).
Config: ``production`` and the production identifiers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, List, Mapping, Optional, Tuple

from pulumi_policy import PolicyConfigSchema, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy

from ..catalog import Catalog
from ..options import PRODUCTION_SCHEMA, Reader, parsed_or_reported, string_schema, strings_schema
from ..report import message
from ..resource import Resource
from ..stack import StackContext, current

NAME = "production-isolation"
DESCRIPTION = "A non-production stack never points at the production database branch, bucket or hosts."

NEON_BRANCH = "pulumi-python:dynamic/neon:Branch"
NEON_ON_BRANCH = ("pulumi-python:dynamic/neon:Branch", "pulumi-python:dynamic/neon:Endpoint",
                  "pulumi-python:dynamic/neon:Role", "pulumi-python:dynamic/neon:Database")
SOURCE = "DESIGN.md §1 (production uses the Neon main branch) and §7 (non-production never points at production)"


@dataclass(frozen=True)
class IsolationConfig:
    """This policy's settings: whether the stack is production, and how production's data is recognised."""

    production: bool
    name_prefix: str
    neon_branch_names: Tuple[str, ...]
    neon_project_ids: Tuple[str, ...]
    neon_branch_ids: Tuple[str, ...]
    buckets: Tuple[str, ...]
    hosts: Tuple[str, ...]


SCHEMA = PolicyConfigSchema(properties={
    "production": PRODUCTION_SCHEMA,
    "productionNamePrefix": string_schema("Physical-name prefix of production's resources.", "stagecraft-production-"),
    "productionNeonBranchNames": strings_schema("Names of production's Neon branches.", ["main"]),
    "productionNeonProjectIds": strings_schema("Neon project ids holding production's branches (empty: any project)."),
    "productionNeonBranchIds": strings_schema("Neon branch ids of production (br-...)."),
    "productionBuckets": strings_schema("Production bucket names."),
    "productionHosts": strings_schema("Production database/cache hosts (e.g. ep-....neon.tech)."),
})


def parse_config(raw: Optional[Mapping[str, Any]]) -> IsolationConfig:
    """Validate and type the settings."""
    reader = Reader(NAME, raw, ["production", "productionNamePrefix", "productionNeonBranchNames",
                                "productionNeonProjectIds", "productionNeonBranchIds", "productionBuckets",
                                "productionHosts"])
    return IsolationConfig(
        production=reader.boolean("production", False),
        name_prefix=reader.string("productionNamePrefix", "stagecraft-production-"),
        neon_branch_names=reader.strings("productionNeonBranchNames", ["main"]),
        neon_project_ids=reader.strings("productionNeonProjectIds"),
        neon_branch_ids=reader.strings("productionNeonBranchIds"),
        buckets=reader.strings("productionBuckets"),
        hosts=reader.strings("productionHosts"),
    )


def _text(resource: Resource, field_name: str) -> Optional[str]:
    value = resource.get(field_name)
    return value.value if value.usable and isinstance(value.value, str) else None


def _violation(resource: Resource, what: str, fix: str, stack: StackContext) -> str:
    return message(
        f"{resource.subject}: {what} in non-production stack {stack.name or '(unnamed)'!r}.",
        limit="non-production stacks use their own database branch, bucket and hosts",
        source=SOURCE,
        fix=fix,
    )


def _neon_problems(resource: Resource, config: IsolationConfig, stack: StackContext) -> List[str]:
    found: List[str] = []
    if resource.type == NEON_BRANCH:
        name = _text(resource, "name")
        project = resource.get("project_id")
        in_production_project = (not config.neon_project_ids or not project.usable
                                 or project.value in config.neon_project_ids)
        if name in config.neon_branch_names and in_production_project:
            found.append(_violation(resource, f"manages the Neon branch {name!r}, which is production's",
                                    "give this stack its own branch (e.g. <project>-<stack>-db) from a non-production "
                                    "parent", stack))
        # A schema-only branch takes the parent's schema and none of its data (a new root branch, neon.openapi.json
        # BranchCreateRequest.init_source): that is how a non-production stack starts from production's schema.
        if _text(resource, "parent_id") in config.neon_branch_ids and _text(resource, "init_source") != "schema-only":
            found.append(_violation(resource, "branches from a production branch, copying production data",
                                    "branch from the staging branch instead (parent_id of a non-production branch)",
                                    stack))
    if resource.type in NEON_ON_BRANCH and _text(resource, "branch_id") in config.neon_branch_ids:
        found.append(_violation(resource, "works on a production branch id",
                                "point branch_id at this stack's own branch", stack))
    return found


def _mentions(text: str, config: IsolationConfig) -> Optional[str]:
    if config.name_prefix and config.name_prefix in text:
        return f"production's name prefix {config.name_prefix!r}"
    for host in config.hosts:
        if host in text:
            return f"the production host {host!r}"
    for bucket in config.buckets:
        if bucket == text or f"/{bucket}" in text or f"{bucket}." in text:
            return f"the production bucket {bucket!r}"
    for branch_id in config.neon_branch_ids:
        if branch_id in text:
            return f"the production branch id {branch_id!r}"
    return None


def check(resource: Resource, catalog: Catalog, config: IsolationConfig, stack: StackContext) -> List[str]:
    """Violation messages for one resource."""
    if stack.is_production(config.production) or resource.type.startswith("pulumi:"):
        return []
    found = _neon_problems(resource, config, stack)
    data = catalog.data_type(resource.type)
    skip: frozenset = frozenset()
    if data:
        name = _text(resource, data.name_field)
        if name and (name in config.buckets or name.startswith(config.name_prefix)):
            found.append(_violation(resource, f"is the production {data.what} {name!r}",
                                    f"name it for this stack ({data.name_field} = <project>-<stack>-<name>)", stack))
            skip = frozenset({data.name_field})
    if resource.type in NEON_ON_BRANCH:
        skip = skip | {"name", "branch_id", "parent_id"}
    for leaf in resource.leaves(skip_fields=skip):
        if not isinstance(leaf.value, str):
            continue
        mention = _mentions(leaf.value, config)
        if mention:
            secret = " (a secret; its value is not shown)" if leaf.secret else ""
            found.append(_violation(resource, f"input {leaf.dotted()}{secret} refers to {mention}",
                                    "use this stack's own connection settings (its own component outputs)", stack))
    return found


def policy(catalog: Catalog, env: Optional[Mapping[str, str]] = None) -> ResourceValidationPolicy:
    """The policy object (``env`` replaces the process environment in tests)."""

    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        config = parsed_or_reported(parse_config, args.get_config(), report)
        if config is None:
            return
        for text in check(Resource.from_args(args), catalog, config, current(env)):
            report(text, None)

    return ResourceValidationPolicy(name=NAME, description=DESCRIPTION, validate=validate, config_schema=SCHEMA)
