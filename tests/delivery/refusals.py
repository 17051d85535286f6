"""The refused cases every approval check (the pack's callback, the preflight, the engine runs) must turn down.

Each case builds the job's environment from the scene: which token, which run, and the message part that the
refusal must contain.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable, Dict

from tests.delivery.approval_scene import RUN_ID, SELF_APPROVED_RUN, ApprovalScene

FORGERY = {"GITHUB_ACTIONS": "true", "GITHUB_RUN_ID": "1", "GITHUB_REF": "refs/heads/main", "GITHUB_ACTOR": "me",
           "STAGECRAFT_APPROVAL": "production:1:anyone"}
"""The five variables that used to pass the gate from a laptop."""


@dataclass(frozen=True)
class Refusal:
    """One refused case: the environment of the run, and what the refusal says."""

    name: str
    job_env: Callable[[ApprovalScene], Dict[str, str]]
    says: str


def _minted(**claims) -> Callable[[ApprovalScene], Dict[str, str]]:
    return lambda scene: scene.job_env(scene.issuer.mint(**claims))


REFUSALS = (
    Refusal("expired token", _minted(iat=int(time.time()) - 900, nbf=int(time.time()) - 900,
                                     exp=int(time.time()) - 600), "expired at"),
    Refusal("wrong environment", _minted(environment="staging"),
            "the token comes from environment 'staging', not 'production'"),
    Refusal("wrong ref", _minted(ref="refs/heads/feature"),
            "the token comes from ref 'refs/heads/feature'; production deploys run from refs/heads/main"),
    Refusal("wrong repository", _minted(repository="evil/fork"),
            "the token was issued to repository 'evil/fork', not 'acme/shop'"),
    Refusal("token for another run", lambda scene: scene.job_env(scene.issuer.mint(run_id=SELF_APPROVED_RUN)),
            f"the token is for run {SELF_APPROVED_RUN} but this is run {RUN_ID} (GITHUB_RUN_ID)"),
    Refusal("self-approval", lambda scene: scene.job_env(scene.issuer.mint(run_id=SELF_APPROVED_RUN, actor="reviewer"),
                                                         SELF_APPROVED_RUN),
            f"the only approver of run {SELF_APPROVED_RUN} is 'reviewer', who started it"),
    Refusal("token signed by another key", lambda scene: scene.job_env(scene.issuer.mint_with_other_key()),
            "signature does not verify against the issuer's key"),
    Refusal("five-variable forgery", lambda scene: dict(FORGERY),
            "STAGECRAFT_OIDC_TOKEN is not set"),
)
