"""What a production approval must show, and where it comes from."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Optional
from urllib.parse import urlsplit

GITHUB_ISSUER = "https://token.actions.githubusercontent.com"
"""GitHub Actions' OIDC issuer (platform-apis.md §10, "Issuer")."""
DEFAULT_API_URL = "https://api.github.com"
DEFAULT_AUDIENCE = "stagecraft"
"""The audience the production workflow asks for (``$ACTIONS_ID_TOKEN_REQUEST_URL&audience=stagecraft``)."""

TOKEN_VAR = "STAGECRAFT_OIDC_TOKEN"
RUN_ID_VAR = "GITHUB_RUN_ID"
API_TOKEN_VAR = "GITHUB_TOKEN"
LEGACY_EVIDENCE_VAR = "STAGECRAFT_APPROVAL"
"""The old, forgeable evidence (plain text anyone could set); it is ignored and says so."""

REPOSITORY_PATTERN = r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$"
_REPOSITORY = re.compile(REPOSITORY_PATTERN)
_LOOPBACK_NAMES = {"localhost"}


@dataclass(frozen=True)
class ApprovalRequirements:
    """The settings one verification runs with (from the pack's config or the stack's settings)."""

    repository: str
    """``owner/name`` of the repository whose workflow deploys production."""
    environment: str = "production"
    branch: str = "main"
    issuer: str = GITHUB_ISSUER
    audience: str = DEFAULT_AUDIENCE
    api_url: str = DEFAULT_API_URL
    allow_self_approval: bool = False
    leeway_seconds: float = 30.0
    """Clock skew tolerated on ``exp``/``nbf``/``iat``."""

    @property
    def ref(self) -> str:
        """The ref production is deployed from."""
        return f"refs/heads/{self.branch}"


def repository_problem(value: str) -> Optional[str]:
    """Why ``value`` is not an ``owner/name`` repository, or None."""
    if not value:
        return "is not set"
    if not _REPOSITORY.match(value):
        return f"is {value!r}, not <owner>/<name>"
    return None


def url_problem(value: str) -> Optional[str]:
    """Why ``value`` cannot be an issuer or API URL: https, or plain http to this machine only (tests)."""
    parts = urlsplit(value)
    if parts.scheme == "https" and parts.hostname:
        return None
    if parts.scheme == "http" and parts.hostname and _is_loopback(parts.hostname):
        return None
    return f"is {value!r}: use an https:// URL (plain http only to a loopback address, for tests)"


def _is_loopback(host: str) -> bool:
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
