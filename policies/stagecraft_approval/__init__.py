"""Production approval that a laptop cannot forge: a GitHub Actions OIDC ID token, verified.

Shared by the policy pack (``production-approval``, which imports it as ``stagecraft_approval`` from inside
``policies/``) and by the program's preflight (``settings/preflight.py``, which imports it as
``policies.stagecraft_approval`` from the project root). It lives inside ``policies/`` because the pack must stay
self-contained: the engine loads that folder alone and the pack may not import the program. The program may import
from the pack's folder, so the one verifier serves both. It needs only the standard library, PyJWT and
``cryptography``, and imports nothing else of the project (relative imports only).

What counts (DESIGN.md §7):
- ``STAGECRAFT_OIDC_TOKEN`` holds an ID token whose RS256 signature verifies against the issuer's published keys
  (discovery document -> ``jwks_uri``, key chosen by ``kid``), with the expected ``iss`` and ``aud``, unexpired
  (``exp``/``nbf``/``iat``);
- its claims name the configured repository, the ``production`` environment, ``refs/heads/main`` and this run
  (``run_id`` equals ``GITHUB_RUN_ID``);
- the run's approvals (``GET /repos/{owner}/{repo}/actions/runs/{run_id}/approvals``) show the environment approved
  by someone other than the token's ``actor`` (unless self-approval is allowed).
"""

from typing import Any

from .requirements import (
    API_TOKEN_VAR,
    DEFAULT_API_URL,
    DEFAULT_AUDIENCE,
    GITHUB_ISSUER,
    LEGACY_EVIDENCE_VAR,
    REPOSITORY_PATTERN,
    RUN_ID_VAR,
    TOKEN_VAR,
    ApprovalRequirements,
    url_problem,
)

__all__ = [
    "API_TOKEN_VAR", "ApprovalRequirements", "DEFAULT_API_URL", "DEFAULT_AUDIENCE", "GITHUB_ISSUER",
    "LEGACY_EVIDENCE_VAR", "REPOSITORY_PATTERN", "RUN_ID_VAR", "TOKEN_VAR", "Verdict", "url_problem",
    "verify_approval",
]


def __getattr__(name: str) -> Any:
    """`Verdict` and `verify_approval`, imported on first use: the program reads the requirements on every run but
    verifies a token only when it deploys production, and the verifier's PyJWT and cryptography take ~90 ms to
    import."""
    if name in ("Verdict", "verify_approval"):
        from . import verify

        return getattr(verify, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
