"""production-approval and production-approval-notice: production changes only after a human approved them.

Evidence is a GitHub Actions OIDC ID token, which only GitHub can sign: the job that declares
``environment: production`` (and so starts only after the environment's required reviewers approve) asks the
runner's token service for one (``permissions: id-token: write``) and passes it as ``STAGECRAFT_OIDC_TOKEN``, next
to ``GITHUB_RUN_ID`` and the job's ``GITHUB_TOKEN`` (``actions: read``). The shared verifier
(``policies/stagecraft_approval``, also used by the program's preflight) accepts it only if its RS256 signature
verifies against the issuer's published keys and its claims name the configured repository, the environment, the
deploy branch and this run, and the run's approvals show a reviewer other than the actor. Plain environment
variables (the old ``STAGECRAFT_APPROVAL=<environment>:<run id>:<approvers>``) prove nothing and are ignored.

``production-approval`` (mandatory) runs on the stack's root resource, the first one registered, during the update
phase, so a refused update changes nothing. During a preview it stays silent and ``production-approval-notice``
(advisory) says that an approval will be needed, and whether a token is present.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, List, Mapping, Optional

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)
from stagecraft_approval import (
    DEFAULT_API_URL,
    DEFAULT_AUDIENCE,
    GITHUB_ISSUER,
    REPOSITORY_PATTERN,
    TOKEN_VAR,
    ApprovalRequirements,
    url_problem,
    verify_approval,
)

from ..options import PRODUCTION_SCHEMA, ConfigError, Reader, boolean_schema, parsed_or_reported, string_schema
from ..report import message
from ..stack import StackContext, current

NAME = "production-approval"
DESCRIPTION = "A production update runs only with a verified GitHub Actions OIDC token of the approved deploy job."
NOTICE_NAME = "production-approval-notice"
NOTICE_DESCRIPTION = "A preview of production says that an update will need approval evidence."

STACK_TYPE = "pulumi:pulumi:Stack"
_SETTINGS = ["production", "environment", "branch", "allowSelfApproval", "repository", "issuer", "audience", "apiUrl"]


@dataclass(frozen=True)
class ApprovalConfig:
    """This policy's settings."""

    production: bool
    environment: str
    branch: str
    allow_self_approval: bool
    repository: str = ""
    issuer: str = GITHUB_ISSUER
    audience: str = DEFAULT_AUDIENCE
    api_url: str = DEFAULT_API_URL

    def requirements(self) -> ApprovalRequirements:
        """What the shared verifier checks."""
        return ApprovalRequirements(repository=self.repository, environment=self.environment, branch=self.branch,
                                    issuer=self.issuer, audience=self.audience, api_url=self.api_url,
                                    allow_self_approval=self.allow_self_approval)


SCHEMA = PolicyConfigSchema(properties={
    "production": PRODUCTION_SCHEMA,
    "environment": string_schema("GitHub environment whose reviewers approve production deploys.", "production"),
    "branch": string_schema("The only branch production is deployed from.", "main"),
    "allowSelfApproval": boolean_schema("Accept the person who started the run as its only approver.", False),
    "repository": {"type": "string", "pattern": REPOSITORY_PATTERN,
                   "description": "owner/name of the GitHub repository whose workflow deploys production."},
    "issuer": string_schema("OIDC issuer of the deploy job's ID token (discovery document at "
                            "<issuer>/.well-known/openid-configuration).", GITHUB_ISSUER),
    "audience": string_schema("Audience the deploy job requests its ID token for.", DEFAULT_AUDIENCE),
    "apiUrl": string_schema("GitHub REST API base URL (for the run's approvals).", DEFAULT_API_URL),
})

NOTICE_SCHEMA = PolicyConfigSchema(properties={
    "production": PRODUCTION_SCHEMA,
    "environment": string_schema("GitHub environment whose reviewers approve production deploys.", "production"),
})


def parse_config(raw: Optional[Mapping[str, Any]]) -> ApprovalConfig:
    """Validate and type the settings."""
    reader = Reader(NAME, raw, _SETTINGS)
    repository = reader.raw.get("repository") or ""
    if repository and (not isinstance(repository, str) or not re.match(REPOSITORY_PATTERN, repository)):
        raise ConfigError(NAME, "repository", f"{repository!r} is not <owner>/<name>", 'use e.g. "acme/shop"')
    urls = {}
    for key, default in (("issuer", GITHUB_ISSUER), ("apiUrl", DEFAULT_API_URL)):
        urls[key] = reader.string(key, default)
        problem = url_problem(urls[key])
        if problem:
            raise ConfigError(NAME, key, problem, f"use {default}")
    return ApprovalConfig(
        production=reader.boolean("production", False),
        environment=reader.string("environment", "production"),
        branch=reader.string("branch", "main"),
        allow_self_approval=reader.boolean("allowSelfApproval", False),
        repository=repository,
        issuer=urls["issuer"].rstrip("/"),
        audience=reader.string("audience", DEFAULT_AUDIENCE),
        api_url=urls["apiUrl"].rstrip("/"),
    )


def parse_notice_config(raw: Optional[Mapping[str, Any]]) -> ApprovalConfig:
    """Validate and type the notice's settings (branch rules do not apply to a notice)."""
    reader = Reader(NOTICE_NAME, raw, ["production", "environment"])
    return ApprovalConfig(production=reader.boolean("production", False),
                          environment=reader.string("environment", "production"), branch="main",
                          allow_self_approval=False)


def evidence_problems(env: Mapping[str, str], config: ApprovalConfig) -> List[str]:
    """Everything that keeps this run's evidence from counting (empty list: it counts)."""
    if not config.repository:
        return [f"policy config {NAME}.repository is not set, so no token can be matched to the repository "
                f"that deploys production"]
    return list(verify_approval(env, config.requirements()).problems)


def _applies(resource_type: str, stack: StackContext, config: ApprovalConfig) -> bool:
    return resource_type == STACK_TYPE and stack.is_production(config.production)


def _why_production(stack: StackContext) -> str:
    if stack.name == "production":
        return f"stack {stack.name!r} is production"
    return f"stack {stack.name or '(unnamed)'!r} is configured as production ({NAME}.production = true)"


def check_update(resource_type: str, stack: StackContext, config: ApprovalConfig) -> List[str]:
    """The refusal for a production update without a verified approval (nothing during a preview)."""
    if stack.dry_run or not _applies(resource_type, stack, config):
        return []
    problems = evidence_problems(stack.env, config)
    if not problems:
        return []
    listed = "\n".join(f"    - {p}" for p in problems)
    fix = (f"merge to {config.branch} and approve the deploy in GitHub (Actions -> the run -> Review deployments); "
           f"the production job passes {TOKEN_VAR}, GITHUB_RUN_ID and GITHUB_TOKEN itself")
    if not config.repository:
        fix = f'set "repository": "<owner>/<name>" under {NAME} in policies/config/{stack.name or "<stack>"}.json'
    return [message(
        f"{_why_production(stack)} and this `pulumi up` has no verified approval; nothing was changed:\n{listed}",
        limit=(f"production is updated only by the GitHub Actions job that declares `environment: "
               f"{config.environment}`, after its required reviewers approve, on refs/heads/{config.branch}, "
               f"proven by its OIDC ID token (issuer {config.issuer}, audience {config.audience})"),
        source="policies/README.md (Production approval); DESIGN.md §7; platform-apis.md §10 (OIDC ID tokens)",
        fix=fix,
    )]


def check_preview(resource_type: str, stack: StackContext, config: ApprovalConfig) -> List[str]:
    """The advisory note for a preview of production (it says whether a token is present, without verifying)."""
    if not stack.dry_run or not _applies(resource_type, stack, config):
        return []
    present = "an OIDC token is present" if stack.env.get(TOKEN_VAR) else f"no {TOKEN_VAR} in this run"
    return [message(
        f"preview only: {_why_production(stack)}, so `pulumi up` will need a verified approval; {present}.",
        limit=f"reviewers of the GitHub environment {config.environment!r} must approve the deploy job",
        source="policies/README.md (Production approval)",
        fix="nothing to do for a preview; deploy through the production workflow after review",
    )]


def policy(env: Optional[Mapping[str, str]] = None) -> ResourceValidationPolicy:
    """The mandatory approval check (``env`` replaces the process environment in tests)."""

    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        if args.resource_type != STACK_TYPE:
            return
        config = parsed_or_reported(parse_config, args.get_config(), report)
        if config is None:
            return
        for text in check_update(args.resource_type, current(env), config):
            report(text, None)

    return ResourceValidationPolicy(name=NAME, description=DESCRIPTION, validate=validate, config_schema=SCHEMA)


def notice_policy(env: Optional[Mapping[str, str]] = None) -> ResourceValidationPolicy:
    """The advisory preview note."""

    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        if args.resource_type != STACK_TYPE:
            return
        config = parsed_or_reported(parse_notice_config, args.get_config(), report)
        if config is None:
            return
        for text in check_preview(args.resource_type, current(env), config):
            report(text, None)

    return ResourceValidationPolicy(name=NOTICE_NAME, description=NOTICE_DESCRIPTION, validate=validate,
                                    enforcement_level=EnforcementLevel.ADVISORY, config_schema=NOTICE_SCHEMA)
