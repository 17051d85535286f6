"""Which Koyeb resources this stack made, and the error when a name it wants belongs to someone else (DESIGN §5).

What Koyeb can store as a marker (koyeb.openapi.json): an app (`App`, `CreateApp`) and a secret (`Secret`,
`CreateSecret`) have no labels, tags, description or other free-form field; a service's deployment definition
has env entries. So:

- a **service** is ours when its definition carries ``STAGECRAFT_OWNER=<project>/<stack>``;
- an **app** is ours when a service in it carries that marker (our service is what we put in our app);
- a **secret** is ours only when this very create call made it (creation time after our dropped attempt, see
  ``providers/_http/converge.py``); nothing else can prove it.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional

from .._http import Claim
from .client import API

OWNER_ENV = "STAGECRAFT_OWNER"
"""Env entry of every service definition this stack deploys: the stack that owns the service."""
SECRETS_DIGEST_ENV = "STAGECRAFT_SECRETS_DIGEST"
"""Env entry carrying the digest of the service's secret values (see ``service.py``)."""
RESERVED_ENV = (OWNER_ENV, SECRETS_DIGEST_ENV)
"""Env names the provider sets itself; ``env`` may not use them."""
OWNER_PATTERN = r"[A-Za-z0-9._-]+/[A-Za-z0-9._-]+"
OWNER_HINT = 'must be "<project>/<stack>", e.g. "stagecraft/uat"'


def owner_of(definition: Optional[Mapping[str, Any]]) -> Optional[str]:
    """The owner marker a deployment definition carries, or None."""
    for entry in (definition or {}).get("env") or []:
        if entry.get("key") == OWNER_ENV and "value" in entry:
            return str(entry["value"])
    return None


def app_claim(name: str, owner: str) -> Claim:
    """What an app create is about, with the way out when the name is taken."""
    return Claim(
        api=API, kind="app", name=name, owner=owner,
        resolve=(f"If nothing uses that app, delete it (koyeb apps delete {name}); otherwise give this stack "
                 "another project or stack name so its physical names differ."),
    )


def service_claim(app_name: str, name: str, owner: str) -> Claim:
    """What a service create is about, with the way out when the name is taken in the app."""
    return Claim(
        api=API, kind="service", name=f"{app_name}/{name}" if app_name else name, owner=owner,
        resolve=(f"If nothing uses that service, delete it (koyeb services delete {app_name or '<app>'}/{name}); "
                 "otherwise give this stack another project or stack name so its physical names differ."),
    )


def secret_claim(name: str, owner: str) -> Claim:
    """What a secret create is about, with the way out when the name is taken in the organization."""
    return Claim(
        api=API, kind="secret", name=name, owner=owner,
        resolve=(f"Koyeb secrets carry no owner, so nothing can show which stack made this one. If no service of "
                 f"another stack uses it, delete it (koyeb secrets delete {name}) so this stack can create it with "
                 "its own value; otherwise give this stack another project or stack name."),
    )
