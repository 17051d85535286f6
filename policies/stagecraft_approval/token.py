"""Verifying the ID token itself: RS256 signature by the issuer's key, then ``iss``, ``aud``, ``exp``/``nbf``/``iat``.

Claims are trusted only after the signature verifies (PyJWT checks the signature before any claim, so an
``ExpiredSignatureError`` already means a genuine, expired token).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict, Mapping, Tuple

import jwt

from .keys import Fetch, UnusableKey, signing_key
from .requirements import ApprovalRequirements

ALGORITHM = "RS256"
REQUIRED_CLAIMS = ("exp", "iat", "iss", "aud", "repository", "ref", "run_id", "actor")


def verified_claims(token: str, requirements: ApprovalRequirements, fetch: Fetch) -> Tuple[Dict[str, Any], str]:
    """(claims, "") for a token that verifies, or ({}, why not)."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        return {}, "is not a JSON Web Token (expected header.payload.signature, base64url)"
    if header.get("alg") != ALGORITHM:
        return {}, f"is signed with {header.get('alg')!r}; only {ALGORITHM} tokens from the issuer are accepted"
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        return {}, "has no key id (kid) in its header, so no published key can verify it"
    try:
        key = signing_key(requirements.issuer, kid, fetch)
    except UnusableKey as exc:
        return {}, str(exc)
    try:
        claims = jwt.decode(token, key, algorithms=[ALGORITHM], audience=requirements.audience,
                            issuer=requirements.issuer, leeway=requirements.leeway_seconds,
                            options={"require": list(REQUIRED_CLAIMS)})
    except jwt.InvalidSignatureError:
        return {}, f"signature does not verify against the issuer's key {kid!r}: it was not signed by the issuer"
    except jwt.ExpiredSignatureError:
        return {}, f"expired at {_when(_unverified(token).get('exp'))}; rerun the deploy job for a fresh token"
    except jwt.ImmatureSignatureError:
        return {}, f"is not valid before {_when(_unverified(token).get('nbf'))} (nbf)"
    except jwt.InvalidAudienceError:
        return {}, (f"is for audience {_unverified(token).get('aud')!r}, not {requirements.audience!r}; the "
                    f"workflow must request it with audience={requirements.audience}")
    except jwt.InvalidIssuerError:
        return {}, f"was issued by {_unverified(token).get('iss')!r}, not {requirements.issuer!r}"
    except jwt.MissingRequiredClaimError as exc:
        return {}, f"lacks the {exc.claim!r} claim"
    except jwt.PyJWTError as exc:
        return {}, f"does not verify: {exc}"
    return claims, ""


def _unverified(token: str) -> Mapping[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})


def _when(epoch: Any) -> str:
    try:
        return dt.datetime.fromtimestamp(float(epoch), dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    except (TypeError, ValueError, OverflowError):
        return repr(epoch)
