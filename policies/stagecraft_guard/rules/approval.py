"""production-approval and production-approval-notice: production changes only after a human approved them.

Evidence is what GitHub Actions provides once the ``production`` environment's required reviewers approve: a
job that declares ``environment: production`` does not start until they do, and the workflow passes

- ``STAGECRAFT_APPROVAL=<environment>:<run id>:<approver>[,<approver>...]`` (the approvers come from
  ``GET /repos/{owner}/{repo}/actions/runs/{run_id}/approvals``),

next to the variables GitHub Actions sets itself: ``GITHUB_ACTIONS=true``, ``GITHUB_RUN_ID``, ``GITHUB_REF``,
``GITHUB_ACTOR``. The evidence must name the configured environment, belong to *this* run (its run id equals
``GITHUB_RUN_ID``, so a value copied from another run's log does not count), come from the deploy branch
(``refs/heads/main``) and name an approver other than the person who started the run.

What is trusted, and why: environment variables can be set by whoever runs ``pulumi``, so this is not proof
against someone who already holds production credentials. It stops the accidents the gate is for (a
``pulumi up -s production`` from a laptop or from an ungated job). The actual lock is that production's
credentials (the Pulumi secrets passphrase, cloud tokens) are secrets of the GitHub ``production`` environment,
which GitHub hands only to jobs its reviewers approved; production-gate checks those reviewers exist.

``production-approval`` (mandatory) runs on the stack's root resource, the first one registered, during the
update phase, so a refused update changes nothing. During a preview it stays silent and
``production-approval-notice`` (advisory) says that an approval will be needed, and whether evidence is present.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, List, Mapping, Optional, Tuple

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)

from ..options import PRODUCTION_SCHEMA, Reader, boolean_schema, parsed_or_reported, string_schema
from ..report import message
from ..stack import StackContext, current

NAME = "production-approval"
DESCRIPTION = "A production update runs only with approval evidence from the gated GitHub Actions job."
NOTICE_NAME = "production-approval-notice"
NOTICE_DESCRIPTION = "A preview of production says that an update will need approval evidence."

STACK_TYPE = "pulumi:pulumi:Stack"
APPROVAL_VAR = "STAGECRAFT_APPROVAL"
_LOGIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$")
_RUN_ID = re.compile(r"^[0-9]+$")


@dataclass(frozen=True)
class ApprovalConfig:
    """This policy's settings."""

    production: bool
    environment: str
    branch: str
    allow_self_approval: bool


@dataclass(frozen=True)
class Evidence:
    """Parsed ``STAGECRAFT_APPROVAL``."""

    environment: str
    run_id: str
    approvers: Tuple[str, ...]


SCHEMA = PolicyConfigSchema(properties={
    "production": PRODUCTION_SCHEMA,
    "environment": string_schema("GitHub environment whose reviewers approve production deploys.", "production"),
    "branch": string_schema("The only branch production is deployed from.", "main"),
    "allowSelfApproval": boolean_schema("Accept the person who started the run as its only approver.", False),
})

NOTICE_SCHEMA = PolicyConfigSchema(properties={
    "production": PRODUCTION_SCHEMA,
    "environment": string_schema("GitHub environment whose reviewers approve production deploys.", "production"),
})


def parse_config(raw: Optional[Mapping[str, Any]]) -> ApprovalConfig:
    """Validate and type the settings."""
    reader = Reader(NAME, raw, ["production", "environment", "branch", "allowSelfApproval"])
    return ApprovalConfig(
        production=reader.boolean("production", False),
        environment=reader.string("environment", "production"),
        branch=reader.string("branch", "main"),
        allow_self_approval=reader.boolean("allowSelfApproval", False),
    )


def parse_notice_config(raw: Optional[Mapping[str, Any]]) -> ApprovalConfig:
    """Validate and type the notice's settings (branch rules do not apply to a notice)."""
    reader = Reader(NOTICE_NAME, raw, ["production", "environment"])
    return ApprovalConfig(production=reader.boolean("production", False),
                          environment=reader.string("environment", "production"), branch="main",
                          allow_self_approval=False)


def parse_evidence(text: str) -> Optional[Evidence]:
    """``<environment>:<run id>:<approver>[,<approver>...]`` or ``None`` if it has another shape."""
    parts = text.strip().split(":")
    if len(parts) != 3 or not parts[0] or not _RUN_ID.match(parts[1]):
        return None
    approvers = tuple(a.strip() for a in parts[2].split(",") if a.strip())
    if not all(_LOGIN.match(a) for a in approvers):
        return None
    return Evidence(environment=parts[0], run_id=parts[1], approvers=approvers)


def evidence_problems(env: Mapping[str, str], config: ApprovalConfig) -> Tuple[Optional[Evidence], List[str]]:
    """The parsed evidence and everything that keeps it from counting (empty list: it counts)."""
    problems: List[str] = []
    if env.get("GITHUB_ACTIONS") != "true":
        problems.append("this run is not a GitHub Actions job (GITHUB_ACTIONS is not 'true')")
    raw = env.get(APPROVAL_VAR, "")
    if not raw:
        problems.append(f"{APPROVAL_VAR} is not set")
        return None, problems
    evidence = parse_evidence(raw)
    if evidence is None:
        problems.append(f"{APPROVAL_VAR} is not in the form <environment>:<run id>:<approver>[,<approver>...]")
        return None, problems
    if evidence.environment != config.environment:
        problems.append(f"{APPROVAL_VAR} names environment {evidence.environment!r}, not {config.environment!r}")
    run_id = env.get("GITHUB_RUN_ID", "")
    if not run_id:
        problems.append("GITHUB_RUN_ID is not set")
    elif evidence.run_id != run_id:
        problems.append(f"{APPROVAL_VAR} is for run {evidence.run_id} but this is run {run_id} (GITHUB_RUN_ID); "
                        "evidence from another run does not count")
    expected_ref = f"refs/heads/{config.branch}"
    if env.get("GITHUB_REF", "") != expected_ref:
        problems.append(f"production deploys run from {expected_ref}; this run is on "
                        f"{env.get('GITHUB_REF') or 'an unknown ref'} (GITHUB_REF)")
    if not evidence.approvers:
        problems.append(f"{APPROVAL_VAR} names no approver")
    elif not config.allow_self_approval:
        actor = env.get("GITHUB_ACTOR", "")
        if not [a for a in evidence.approvers if a.lower() != actor.lower()]:
            problems.append(f"the only approver is {actor!r}, who started the run (GITHUB_ACTOR); "
                            "another reviewer must approve")
    return evidence, problems


def _applies(resource_type: str, stack: StackContext, config: ApprovalConfig) -> bool:
    return resource_type == STACK_TYPE and stack.is_production(config.production)


def _why_production(stack: StackContext) -> str:
    if stack.name == "production":
        return f"stack {stack.name!r} is production"
    return f"stack {stack.name or '(unnamed)'!r} is configured as production ({NAME}.production = true)"


def check_update(resource_type: str, stack: StackContext, config: ApprovalConfig) -> List[str]:
    """The refusal for a production update without usable evidence (nothing during a preview)."""
    if stack.dry_run or not _applies(resource_type, stack, config):
        return []
    _, problems = evidence_problems(stack.env, config)
    if not problems:
        return []
    listed = "\n".join(f"    - {p}" for p in problems)
    return [message(
        f"{_why_production(stack)} and this `pulumi up` has no usable approval evidence; nothing was changed:\n{listed}",
        limit=(f"production is updated only by the GitHub Actions job that declares `environment: "
               f"{config.environment}`, after its required reviewers approve, on refs/heads/{config.branch}"),
        source="policies/README.md (Production approval); DESIGN.md §7 and §9",
        fix=(f"merge to {config.branch} and approve the deploy in GitHub (Actions -> the run -> Review deployments); "
             f"the workflow sets {APPROVAL_VAR}=<environment>:<run id>:<approvers>"),
    )]


def check_preview(resource_type: str, stack: StackContext, config: ApprovalConfig) -> List[str]:
    """The advisory note for a preview of production."""
    if not stack.dry_run or not _applies(resource_type, stack, config):
        return []
    evidence, problems = evidence_problems(stack.env, config)
    if problems:
        status = "no usable approval evidence in this run (" + "; ".join(problems) + ")"
    else:
        assert evidence is not None
        status = f"approval evidence present: run {evidence.run_id} approved by {', '.join(evidence.approvers)}"
    return [message(
        f"preview only: {_why_production(stack)}, so `pulumi up` will need an approval; {status}.",
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
