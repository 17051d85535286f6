"""The issuer's published signing keys: discovery document -> ``jwks_uri`` -> the key with the token's ``kid``.

The path of the key set is read from the discovery document rather than assumed (platform-apis.md §10, "Keys and
algorithm": the docs name only ``/.well-known/openid-configuration``). The discovery document must name the issuer
it was fetched for (OpenID Connect Discovery 1.0, §4.3: the returned ``issuer`` must be identical to the one used
to build the URL), so a document served for another issuer is refused.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

import jwt

from .fetch import FetchError, get_json

DISCOVERY_PATH = "/.well-known/openid-configuration"

Fetch = Callable[[str], Any]


class UnusableKey(Exception):
    """No usable key: the message says what was read and what was missing."""


def signing_key(issuer: str, kid: str, fetch: Fetch = get_json) -> jwt.PyJWK:
    """The RSA key ``kid`` that ``issuer`` publishes."""
    discovery_url = issuer.rstrip("/") + DISCOVERY_PATH
    try:
        discovery = fetch(discovery_url)
    except FetchError as exc:
        raise UnusableKey(f"cannot read the issuer's discovery document: {exc}") from None
    if not isinstance(discovery, Mapping) or not isinstance(discovery.get("jwks_uri"), str):
        raise UnusableKey(f"the discovery document at {discovery_url} has no jwks_uri")
    if str(discovery.get("issuer", "")).rstrip("/") != issuer.rstrip("/"):
        raise UnusableKey(f"the discovery document at {discovery_url} names issuer {discovery.get('issuer')!r}, "
                        f"not {issuer!r}")
    jwks_uri = discovery["jwks_uri"]
    try:
        key_set = fetch(jwks_uri)
    except FetchError as exc:
        raise UnusableKey(f"cannot read the issuer's keys: {exc}") from None
    keys = key_set.get("keys") if isinstance(key_set, Mapping) else None
    if not isinstance(keys, list):
        raise UnusableKey(f"{jwks_uri} is not a JSON Web Key Set (no 'keys' list)")
    for entry in keys:
        if isinstance(entry, Mapping) and entry.get("kid") == kid:
            if entry.get("kty") != "RSA":
                raise UnusableKey(f"key {kid!r} at {jwks_uri} is not an RSA key")
            try:
                return jwt.PyJWK(dict(entry), algorithm="RS256")
            except jwt.PyJWTError as exc:
                raise UnusableKey(f"key {kid!r} at {jwks_uri} is unusable: {exc}") from None
    published = ", ".join(str(k.get("kid")) for k in keys if isinstance(k, Mapping)) or "none"
    raise UnusableKey(f"the token is signed with key id {kid!r}, which the issuer does not publish at {jwks_uri} "
                    f"(published: {published}); it was not signed by {issuer}")
