"""Reading our settings back out of a Koyeb deployment definition, and the digest of a service's secret values.

Why a digest: a Koyeb deployment does not pick up a changed secret value. Secrets reach a service as env
entries that name the secret (koyeb.com/docs/reference/secrets, "Using Secrets in your applications"), a new
deployment is made only when the service's configuration changes (koyeb.com/docs/reference/deployments:
"Changes to Service configuration always result in changes to Deployments"), and updating a secret is not
such a change: the spec's deployment trigger types are UNKNOWN_TYPE, GIT, RESUME and DATABASE_SYNC, and
koyeb-cli's `secrets update` sends the secret and touches no service. So the definition carries
``STAGECRAFT_SECRETS_DIGEST``, a short digest of the secret values: a changed value is a changed definition,
Koyeb deploys it, and the deployment record shows which values it was started with.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Mapping, Optional

from .ownership import OWNER_ENV, RESERVED_ENV, SECRETS_DIGEST_ENV

DIGEST_LENGTH = 16
"""Hex characters of sha256 kept: enough to tell two sets of values apart, far too few to recover one."""
DIGEST_PATTERN = rf"[0-9a-f]{{{DIGEST_LENGTH}}}"


def secrets_digest(values: Mapping[str, str]) -> str:
    """The digest of a service's secret values (env name -> value), as ``STAGECRAFT_SECRETS_DIGEST`` carries it.

    The names are part of it, so moving a value to another variable changes it too. Only a prefix of the
    sha256 is kept; the values themselves never leave this function.
    """
    canonical = json.dumps(sorted((str(k), str(v)) for k, v in values.items()), separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:DIGEST_LENGTH]


def env_entries(env: Mapping[str, str], secret_env: Mapping[str, str], owner: str,
                secret_digest: Optional[str]) -> list[dict[str, str]]:
    """The definition's ``env``: plain values, secret references, then the owner marker and the digest."""
    entries = [{"key": k, "value": v} for k, v in sorted(env.items())]
    entries += [{"key": k, "secret": s} for k, s in sorted(secret_env.items())]
    entries.append({"key": OWNER_ENV, "value": owner})
    if secret_digest:
        entries.append({"key": SECRETS_DIGEST_ENV, "value": secret_digest})
    return entries


def fields_from_definition(definition: Mapping[str, Any]) -> dict[str, Any]:
    """The input fields a definition carries (the inverse of ``service.build_definition`` for what we set)."""
    out: dict[str, Any] = {}
    if "docker" in definition:
        out["docker_image"] = (definition.get("docker") or {}).get("image")
    if "regions" in definition:
        out["regions"] = list(definition.get("regions") or [])
    instance_types = definition.get("instance_types") or []
    if instance_types:
        out["instance_type"] = instance_types[0].get("type")
    scalings = definition.get("scalings") or []
    if scalings:
        out["min_scale"] = int(scalings[0].get("min", 0))
        out["max_scale"] = int(scalings[0].get("max", 0))
    ports = definition.get("ports") or []
    if ports:
        out["port"] = int(ports[0].get("port", 0))
    checks = [c.get("http") for c in definition.get("health_checks") or [] if c.get("http")]
    if checks:
        out["health_check_path"] = checks[0].get("path")
    if "env" in definition:
        entries = definition.get("env") or []
        plain = {e["key"]: e.get("value", "") for e in entries if "secret" not in e}
        out["owner"] = plain.pop(OWNER_ENV, None)
        out["secret_digest"] = plain.pop(SECRETS_DIGEST_ENV, None)
        out["env"] = {k: v for k, v in plain.items() if k not in RESERVED_ENV}
        out["secret_env"] = {e["key"]: e["secret"] for e in entries if "secret" in e}
    return out


def same_settings(deployed: Optional[Mapping[str, Any]], wanted: Mapping[str, Any]) -> bool:
    """Whether a deployed definition runs what ``wanted`` asks for (Koyeb may add defaults of its own)."""
    return deployed is not None and fields_from_definition(deployed) == fields_from_definition(wanted)
