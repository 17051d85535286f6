"""Which Railway resources this stack made (DESIGN §5), and the error when a name belongs to someone else.

What Railway stores that can carry a marker (railway.schema.json): a **project** has a free-form
``description``; a **service** has variables. So a project is ours when its description carries
``stagecraft-owner=<project>/<stack>``, a service (ours or a template's) when its variable ``STAGECRAFT_OWNER``
names the stack, and a domain or volume when the service or project it belongs to is ours or this very create
call made it (creation time after our dropped attempt, ``providers/_http/converge.py``).
"""

from __future__ import annotations

from typing import Any, Optional

from .._http import Claim, InputReader

OWNER_VARIABLE = "STAGECRAFT_OWNER"
"""Variable of every service this stack creates: the stack that owns it."""
DESCRIPTION_MARKER = "stagecraft-owner="
OWNER_PATTERN = r"[A-Za-z0-9._-]+/[A-Za-z0-9._-]+"
OWNER_HINT = 'must be "<project>/<stack>", e.g. "stagecraft/preprod"'
API = "Railway"


def read_owner(reader: InputReader) -> Any:
    """Validate the ``owner`` input every Railway resource has."""
    return reader.string("owner", example='"stagecraft/preprod"', pattern=OWNER_PATTERN, pattern_hint=OWNER_HINT)


def project_description(owner: str) -> str:
    """The description a project of ``owner`` is created with."""
    return f"Managed by stagecraft; {DESCRIPTION_MARKER}{owner}"


def described_owner(description: Optional[str]) -> Optional[str]:
    """The owner a project description names, or None."""
    text = description or ""
    if DESCRIPTION_MARKER not in text:
        return None
    return text.split(DESCRIPTION_MARKER, 1)[1].split()[0].strip(";,") or None


def service_claim(name: str, owner: str) -> Claim:
    """What a service create is about, with the way out when the name is taken in the project."""
    return Claim(api=API, kind="service", name=name, owner=owner,
                 resolve=(f'If nothing uses the service "{name}", delete it in the Railway dashboard (service > '
                          "Settings > Delete service); otherwise give this stack another project or stack name."))


def project_claim(name: str, owner: str) -> Claim:
    """What a project create is about (used only after an ambiguous create)."""
    return Claim(api=API, kind="project", name=name, owner=owner,
                 resolve=(f'Delete the project "{name}" in the Railway dashboard if nothing uses it, or give this '
                          "stack another project or stack name."))
