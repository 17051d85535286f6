"""Decide whether a name or a value looks like a credential.

Judgements return a reason that never quotes the value. Two kinds of evidence:

- the value itself: a URL with a password in it, a ``password=``/``token=`` query parameter, a private key,
  a JSON Web Token, or a token with a well-known vendor prefix;
- the name it is stored under: ``*PASSWORD*``, ``*SECRET*``, ``*TOKEN*``, ``*API_KEY*``, ``DATABASE_URL``,
  ``*_DSN`` and similar, when the value is not empty or a bare number/boolean.
"""

from __future__ import annotations

import re
from typing import Iterable, Optional, Sequence

_URL_PASSWORD = re.compile(r"\b[a-z][a-z0-9+.\-]*://[^\s/:@]+:[^\s/@]+@", re.IGNORECASE)
_QUERY_SECRET = re.compile(
    r"[?&](password|passwd|pwd|token|access_token|secret|api_key|apikey|sslpassword)=[^&\s]+", re.IGNORECASE
)
_PRIVATE_KEY = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")
_JWT = re.compile(r"\beyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}")
_VENDOR_TOKEN = re.compile(
    r"\b("
    r"gh[pousr]_[A-Za-z0-9]{30,}"          # GitHub tokens
    r"|github_pat_[A-Za-z0-9_]{40,}"       # GitHub fine-grained tokens
    r"|glpat-[A-Za-z0-9_\-]{20,}"          # GitLab
    r"|sk_(live|test)_[A-Za-z0-9]{16,}"    # Stripe secret keys
    r"|rk_live_[A-Za-z0-9]{16,}"           # Stripe restricted keys
    r"|sbp_[a-f0-9]{40}"                   # Supabase personal access tokens
    r"|napi_[A-Za-z0-9]{32,}"              # Neon API keys
    r"|rnd_[A-Za-z0-9]{20,}"               # Render API keys
    r"|xox[abpr]-[A-Za-z0-9\-]{10,}"       # Slack
    r"|AKIA[0-9A-Z]{16}"                   # AWS access key ids
    r"|AIza[0-9A-Za-z_\-]{35}"             # Google API keys
    r")"
)

_SECRET_NAME = re.compile(
    r"(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIAL|SIGNING_?KEY|AUTH_?KEY"
    r"|DATABASE_URL|_DSN$|^DSN$|CONNECTION_?STRING|CONN_?STR)",
    re.IGNORECASE,
)
_REFERENCE_SUFFIX = re.compile(
    r"_(FILE|PATH|DIR|NAME|ID|KEY_ID|ARN|REF|HEADER|LENGTH|LEN|POLICY|ROTATION|TTL|EXPIRY|EXPIRES|URL_ENV|DIGEST)$"
)
"""Names that point at or describe a credential rather than hold it (ADMIN_PASSWORD_FILE, JWT_SECRET_NAME, and the
koyeb Service's SECRET_DIGEST: a sha256 over the secrets' values that rolls a deployment when one changes)."""
_TRIVIAL = re.compile(r"^(\d+(\.\d+)?|true|false|yes|no|on|off|none|null)?$", re.IGNORECASE)

PUBLIC_BUILD_PREFIXES = ("VITE_", "NEXT_PUBLIC_", "EXPO_PUBLIC_", "REACT_APP_")
"""Variables with these prefixes are compiled into frontend bundles that anyone can download."""


def value_reason(value: str) -> Optional[str]:
    """Why the value itself looks like a credential, or ``None``."""
    if _URL_PASSWORD.search(value):
        return "looks like a URL with a password in it"
    if _QUERY_SECRET.search(value):
        return "carries a password or token as a query parameter"
    if _PRIVATE_KEY.search(value):
        return "contains a private key"
    if _JWT.search(value):
        return "contains a JSON Web Token"
    if _VENDOR_TOKEN.search(value):
        return "has the shape of a vendor API token"
    return None


def name_reason(name: str, value: object, extra_patterns: Sequence[str] = ()) -> Optional[str]:
    """Why a non-trivial value stored under ``name`` is probably a credential, or ``None``."""
    if isinstance(value, str) and _TRIVIAL.match(value.strip()):
        return None
    if isinstance(value, (bool, int, float)) or value is None:
        return None
    if _REFERENCE_SUFFIX.search(_normalised(name)):
        return None
    if _SECRET_NAME.search(name) or any(re.search(p, name, re.IGNORECASE) for p in extra_patterns):
        return f"is named like a credential ({name!r})"
    return None


def _normalised(name: str) -> str:
    """``adminPasswordFile`` / ``admin-password-file`` -> ``ADMIN_PASSWORD_FILE``."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).replace("-", "_").upper()


def credential_reason(name: str, value: object, *, allow_names: Iterable[str] = (),
                      extra_patterns: Sequence[str] = ()) -> Optional[str]:
    """Why ``value`` under ``name`` looks like a credential (value evidence first), or ``None``.

    ``value`` may be a string or an unknown placeholder; for unknowns only the name can be judged.
    Names in ``allow_names`` are exempt from the name test, never from the value test.
    """
    if isinstance(value, str):
        reason = value_reason(value)
        if reason:
            return reason
    if name in set(allow_names):
        return None
    return name_reason(name, value, extra_patterns)


def is_public_build_variable(name: str) -> bool:
    """Whether a variable is compiled into a public frontend bundle."""
    return name.upper().startswith(PUBLIC_BUILD_PREFIXES)
