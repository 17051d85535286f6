"""Config namespaces the program reads besides `stagecraft:`: the engine's own and the official providers' (DESIGN §3).

Pulumi hands every key of the stack to the program and says nothing about the ones nobody reads, so a mistyped
namespace (`stagecraf:backend`), a key a provider does not have (`cloudflare:apiTokn`) or a provider the stack never
uses (`vercel:apiToken` on a Cloudflare stack) would silently do nothing. The keys each provider reads are taken from
its pinned SDK (`<package>/config/vars.py`, the `__config__.get*('<key>')` calls), so they follow the pinned version.
"""

from __future__ import annotations

import importlib.util
import re
from functools import cache
from pathlib import Path
from typing import Any

ENGINE_NAMESPACE = "pulumi"
"""`pulumi:` keys are the engine's own (`pulumi:tags`, `pulumi:disable-default-providers`, ...)."""

PROVIDER_PACKAGES = {
    "cloudflare": "pulumi_cloudflare",
    "vercel": "pulumiverse_vercel",
    "github": "pulumi_github",
    "neon": "pulumi_neon",
    "random": "pulumi_random",
}
"""Namespace -> the pinned Python SDK of the official provider that reads it (pyproject.toml)."""

_KEY_READ = re.compile(r"__config__\.get\w*\('([A-Za-z0-9_]+)'\)")
_CREDENTIAL_KEY = re.compile(r"(token|key|secret|password|auth)$", re.IGNORECASE)


@cache
def provider_keys(namespace: str) -> frozenset[str] | None:
    """The keys the namespace's provider reads (None when its SDK is not installed, so its keys cannot be judged).

    Read from the SDK's source without importing it (importing a provider SDK costs a second)."""
    package = PROVIDER_PACKAGES.get(namespace)
    spec = importlib.util.find_spec(package) if package else None
    if spec is None or not spec.submodule_search_locations:
        return None
    keys: set[str] = set()
    for location in spec.submodule_search_locations:
        variables = Path(location) / "config" / "vars.py"
        if variables.is_file():
            keys |= set(_KEY_READ.findall(variables.read_text()))
    return frozenset(keys)


def is_credential_key(key: str) -> bool:
    """Whether a provider key holds a credential (`apiToken`, `apiKey`, `apiUserServiceKey`, `token`, `appAuth`)."""
    return bool(_CREDENTIAL_KEY.search(key))


def namespaces_in_use(settings: Any) -> set[str]:
    """The provider namespaces whose provider this stack creates resources with (default providers read them)."""
    if getattr(settings, "kind", None) == "foundation":
        return {"github", "neon", "random"}
    used = {"random"}
    frontend, storage = settings.frontend.platform, settings.storage.platform
    if frontend == "cloudflare-pages" or storage == "r2":
        used.add("cloudflare")
    if frontend == "vercel":
        used.add("vercel")
    return used
