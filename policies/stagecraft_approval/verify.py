"""One verdict on a production update: the token, its claims, this run, and who approved it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, List, Mapping, Optional, Tuple

from .approvals import approvers_of
from .fetch import get_json
from .requirements import API_TOKEN_VAR, LEGACY_EVIDENCE_VAR, RUN_ID_VAR, TOKEN_VAR, ApprovalRequirements
from .token import verified_claims


@dataclass(frozen=True)
class Verdict:
    """The outcome: accepted when ``problems`` is empty."""

    problems: Tuple[str, ...]
    run_id: str = ""
    actor: str = ""
    approvers: Tuple[str, ...] = ()

    @property
    def accepted(self) -> bool:
        """Whether the update may go ahead."""
        return not self.problems

    def summary(self) -> str:
        """One line for logs and the preview notice."""
        if self.accepted:
            return f"run {self.run_id} started by {self.actor}, approved by {', '.join(self.approvers)}"
        return "; ".join(self.problems)


def verify_approval(env: Mapping[str, str], requirements: ApprovalRequirements,
                    fetch: Optional[Callable[..., Any]] = None) -> Verdict:
    """Judge the approval evidence in ``env`` (the environment of the ``pulumi`` run) against ``requirements``."""
    fetch = fetch or get_json
    token = env.get(TOKEN_VAR, "").strip()
    if not token:
        legacy = (f" ({LEGACY_EVIDENCE_VAR} and the GITHUB_* variables are not evidence: anyone can set them)"
                  if env.get(LEGACY_EVIDENCE_VAR) else "")
        return Verdict((f"{TOKEN_VAR} is not set: no GitHub Actions OIDC ID token from the job of the "
                        f"{requirements.environment!r} environment{legacy}",))
    claims, why = verified_claims(token, requirements, fetch)
    if why:
        return Verdict((f"the OIDC token in {TOKEN_VAR} {why}",))
    problems = _claim_problems(claims, env, requirements)
    run_id, actor = str(claims.get("run_id", "")), str(claims.get("actor", ""))
    if problems:
        return Verdict(tuple(problems), run_id, actor)
    api_token = env.get(API_TOKEN_VAR, "").strip()
    if not api_token:
        return Verdict((f"{API_TOKEN_VAR} is not set, so the run's approvals cannot be read; pass the job's "
                        f"github.token (permissions: actions: read) as {API_TOKEN_VAR}",), run_id, actor)
    approvers, why = approvers_of(run_id, requirements, api_token, fetch)
    if why:
        return Verdict((why,), run_id, actor)
    return Verdict(tuple(_approval_problems(approvers, run_id, actor, requirements)), run_id, actor, approvers)


def _claim_problems(claims: Mapping[str, Any], env: Mapping[str, str],
                    requirements: ApprovalRequirements) -> List[str]:
    problems = []
    repository = str(claims.get("repository", ""))
    if repository.lower() != requirements.repository.lower():
        problems.append(f"the token was issued to repository {repository!r}, not {requirements.repository!r}")
    environment = claims.get("environment")
    if environment is None:
        problems.append(f"the token comes from a job that names no environment; only the job with "
                        f"`environment: {requirements.environment}` counts")
    elif environment != requirements.environment:
        problems.append(f"the token comes from environment {environment!r}, not {requirements.environment!r}")
    if claims.get("ref") != requirements.ref:
        problems.append(f"the token comes from ref {claims.get('ref')!r}; production deploys run from "
                        f"{requirements.ref}")
    run_id = env.get(RUN_ID_VAR, "").strip()
    if not run_id:
        problems.append(f"{RUN_ID_VAR} is not set, so the token cannot be matched to this run")
    elif str(claims.get("run_id")) != run_id:
        problems.append(f"the token is for run {claims.get('run_id')} but this is run {run_id} ({RUN_ID_VAR}); a "
                        "token from another run does not count")
    return problems


def _approval_problems(approvers: Tuple[str, ...], run_id: str, actor: str,
                       requirements: ApprovalRequirements) -> List[str]:
    if not approvers:
        return [f"nobody approved the {requirements.environment!r} environment for run {run_id} (its approvals list "
                "no approved review for it)"]
    if requirements.allow_self_approval:
        return []
    if not [a for a in approvers if a.lower() != actor.lower()]:
        return [f"the only approver of run {run_id} is {actor!r}, who started it (the token's actor); another "
                "reviewer must approve"]
    return []
