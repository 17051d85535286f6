"""Settings of the production approval (DESIGN §7): which repository, environment, branch and OIDC issuer prove it.

The same facts configure the policy pack's `production-approval` (policies/config/production.json); both checks use
the shared verifier in `policies/stagecraft_approval`, whose defaults these are.
"""

from __future__ import annotations

import re
from typing import Mapping

from pydantic import BaseModel, Field, field_validator
from pydantic_core import PydanticCustomError

import policies.stagecraft_approval as stagecraft_approval
from policies.stagecraft_approval import (
    DEFAULT_API_URL,
    DEFAULT_AUDIENCE,
    GITHUB_ISSUER,
    REPOSITORY_PATTERN,
    TOKEN_VAR,
    ApprovalRequirements,
    url_problem,
)

from settings.model_config import SETTINGS_MODEL

_MODEL = SETTINGS_MODEL


class ApprovalSettings(BaseModel):
    """How a production update proves that the `production` environment's reviewers approved it."""

    model_config = _MODEL

    repository: str = Field(default="", description="owner/name of the GitHub repository whose workflow deploys production "
                                        "(required before a production update).")
    environment: str = Field(default="production", min_length=1,
                             description="GitHub environment whose required reviewers approve production deploys.")
    branch: str = Field(default="main", min_length=1, description="The only branch production is deployed from.")
    issuer: str = Field(default=GITHUB_ISSUER, description="OIDC issuer of the deploy job's ID token.")
    audience: str = Field(default=DEFAULT_AUDIENCE, min_length=1,
                          description="Audience the deploy job requests its ID token for.")
    api_url: str = Field(default=DEFAULT_API_URL, description="GitHub REST API base URL (for the run's approvals).")
    allow_self_approval: bool = Field(default=False,
                                      description="Accept the person who started the run as its only approver.")

    @field_validator("repository")
    @classmethod
    def _owner_and_name(cls, value: str) -> str:
        if value and not re.match(REPOSITORY_PATTERN, value):
            raise PydanticCustomError("approval_repository", "is not <owner>/<name> (e.g. acme/shop)")
        return value

    @field_validator("issuer", "api_url")
    @classmethod
    def _secure_url(cls, value: str) -> str:
        problem = url_problem(value)
        if problem:
            raise PydanticCustomError("approval_url", "{problem}", {"problem": problem})
        return value.rstrip("/")

    def requirements(self) -> ApprovalRequirements:
        """What the shared verifier checks."""
        return ApprovalRequirements(repository=self.repository, environment=self.environment, branch=self.branch,
                                    issuer=self.issuer, audience=self.audience, api_url=self.api_url,
                                    allow_self_approval=self.allow_self_approval)


def approval_problem(settings: ApprovalSettings, stack: str, environ: Mapping[str, str]) -> str | None:
    """Why a production update of `stack` may not go ahead (None: its approval verified). Call it only for an update
    of production, never for a preview: a PR check previews production without any approval."""
    if not settings.repository:
        return (f"stagecraft:approval.repository: stack {stack!r} is production, and its updates are approved through "
                f"GitHub, but the repository is not set (the same value as production-approval.repository in "
                f"policies/config/{stack}.json). Fix: pulumi config set --path 'stagecraft:approval.repository' "
                f"'<owner>/<name>' -s {stack}. Nothing was changed.")
    verdict = stagecraft_approval.verify_approval(environ, settings.requirements())
    if verdict.accepted:
        return None
    listed = "\n".join(f"  - {p}" for p in verdict.problems)
    return (f"stack {stack!r} is production and this update has no verified approval:\n{listed}\n"
            f"Fix: merge to {settings.branch} and approve the deploy in GitHub (Actions -> the run -> Review "
            f"deployments); the job with `environment: {settings.environment}` passes {TOKEN_VAR}, GITHUB_RUN_ID and "
            f"GITHUB_TOKEN itself (README: Production approval). Nothing was changed.")
