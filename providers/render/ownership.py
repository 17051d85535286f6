"""Which Render resources this stack manages, and the errors when something says otherwise (DESIGN §5).

- A **web service** carries the env var ``STAGECRAFT_OWNER=<project>/<stack>`` in its env var set (which this
  stack owns whole). A dashboard-made service that names another stack is refused; a same-named service found
  after a lost create answer is ours only with the marker or a creation time after our attempt.
- A **Key Value** instance stores no free-form field (`keyValuePOSTInput`: name, plan, region, policy, IP allow
  list), so one is ours only when this very create call made it.
"""

from __future__ import annotations

from .._http import Claim
from .client import API

OWNER_ENV = "STAGECRAFT_OWNER"
"""Env var of every web service this stack manages: the stack that manages it."""
PORT_ENV = "PORT"
"""Env var Render routes web traffic to (render.com/docs/web-services: default 10000); set from ``port``."""
RESERVED_ENV = (OWNER_ENV, PORT_ENV)
OWNER_PATTERN = r"[A-Za-z0-9._-]+/[A-Za-z0-9._-]+"
OWNER_HINT = 'must be "<project>/<stack>", e.g. "stagecraft/beta"'


def service_claim(name: str, owner: str) -> Claim:
    """What a web service create or takeover is about, with the way out."""
    return Claim(
        api=API, kind="web service", name=name, owner=owner,
        resolve=("If no other stack uses it, remove its STAGECRAFT_OWNER env var in the Render dashboard "
                 "(Environment tab); otherwise point this stack at another service (stagecraft:render.serviceId)."),
    )


def key_value_claim(name: str, owner: str) -> Claim:
    """What a Key Value create is about, with the way out when the name is already used in the workspace."""
    return Claim(
        api=API, kind="Key Value instance", name=name, owner=owner,
        resolve=(f"Render stores nothing on a Key Value instance that could show which stack made it. If no stack "
                 f"uses {name!r}, delete it in the Render dashboard and pulumi up creates it again; otherwise give "
                 f"this stack another project or stack name."),
    )
