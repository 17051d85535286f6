"""`pr-<n>` stacks derive their configuration from their base stack's (DESIGN §1).

A PR stack has (almost) no configuration of its own: the program reads `Pulumi.<base>.yaml`, takes its `stagecraft:`
keys, lays the PR stack's own keys over them (key by key), and validates the result like any stack. The base is
`stagecraft:prStacks.base` on the PR stack, else `$STAGECRAFT_PR_BASE_STACK` (what the pr-stacks workflow sets from
the PR's base branch), else `uat`. `prStacks.backend` (usually in the base's file, where the team decides for all its
PRs) is `shared` (the frontends only, pointed at the base's backend) or `own` (a per-PR backend and a Neon branch
forked from the base's).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, Field

from settings.model_config import SETTINGS_MODEL

_MODEL = SETTINGS_MODEL

PR_STACK = re.compile(r"^pr-([1-9][0-9]*)$")
BASE_VAR = "STAGECRAFT_PR_BASE_STACK"
"""Set by .github/workflows/pr-stacks.yml from the PR's base branch (develop -> uat, staging -> beta, ...)."""
DEFAULT_BASE = "uat"
BASE_KEY = "stagecraft:prStacks.base"
NOT_INHERITED = ("environment", "rollback", "mobile", "jwtRotation")
"""Base keys a PR stack does not take: its ENVIRONMENT is `preview`, a base's rollback pin is the base's, an EAS
channel belongs to an environment, and a PR's own secret is generated for it."""
NEVER_A_BASE = {"production": "a PR never shares production's backend, projects or data",
                "foundation": "the foundation holds no product to preview",
                "dev": "dev runs everything on one machine; it has no projects to preview on"}


class PrStacksSettings(BaseModel):
    """How a `pr-<n>` stack is made from its base stack."""

    model_config = _MODEL

    base: str | None = Field(default=None, pattern=r"^[A-Za-z0-9._-]+$",
                             description="(pr-<n> stacks) The stack this PR previews on: its config, projects and "
                                         f"backend. Default: ${BASE_VAR}, else `{DEFAULT_BASE}`.")
    backend: Literal["shared", "own"] = Field(
        default="shared",
        description="`shared`: the PR's frontends use the base stack's backend (and so its data); `own`: each PR gets "
                    "its own backend and a Neon branch forked from the base's (the base's database must be on neon, and "
                    "its backend platform needs room for one more: the quota check says so at preview).")


class PrConfigError(ValueError):
    """The PR stack's base cannot be used; the message names the key and the fix."""


def pr_number(stack: str) -> int | None:
    """n of a `pr-<n>` stack, else None."""
    match = PR_STACK.match(stack)
    return int(match.group(1)) if match else None


def base_of(stack: str, own: Mapping[str, Any], environ: Mapping[str, str]) -> str:
    """The base stack's name: the PR stack's `prStacks.base`, else $STAGECRAFT_PR_BASE_STACK, else `uat`."""
    configured = (own.get("prStacks") or {}).get("base") if isinstance(own.get("prStacks"), Mapping) else None
    return str(configured or environ.get(BASE_VAR) or DEFAULT_BASE)


def stack_files(project_root: Path) -> list[str]:
    """Stacks with a `Pulumi.<stack>.yaml` in the project."""
    return sorted(path.name[len("Pulumi."):-len(".yaml")] for path in project_root.glob("Pulumi.*.yaml"))


def stagecraft_config(path: Path, key_prefix: str = "stagecraft:", secure: str = "refuse") -> dict[str, Any]:
    """The `stagecraft:` keys of a stack's config file, as values (objects stay objects). A secret value cannot be
    read without that stack's secrets provider: `secure="refuse"` raises naming it, `"skip"` leaves it out."""
    # libyaml's loader when the wheel has it: every preview and up reads every stack's file (the quota check).
    document = yaml.load(path.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
    found: dict[str, Any] = {}
    for full_key, value in (document.get("config") or {}).items():
        if not str(full_key).startswith(key_prefix):
            continue
        if isinstance(value, Mapping) and "secure" in value:
            if secure == "skip":
                continue
            raise PrConfigError(f"{full_key} in {path.name} is a secret, which a PR stack cannot decrypt (each stack has "
                                f"its own). Fix: set it on the PR stack too, or make it plain if it is not a secret.")
        found[str(full_key)[len(key_prefix):]] = value
    return found


def derive(stack: str, own: Mapping[str, Any], project_root: Path, environ: Mapping[str, str]) -> dict[str, Any]:
    """The raw configuration of PR stack `stack`: its base's `stagecraft:` keys with the PR's own laid over them."""
    base = base_of(stack, own, environ)
    how = f"pulumi config set --path '{BASE_KEY}' uat -s {stack}"  # (or $STAGECRAFT_PR_BASE_STACK)
    if PR_STACK.match(base):
        raise PrConfigError(f"{BASE_KEY}: {base!r} is itself a PR stack; a PR previews on a deployed stack. Fix: {how}")
    if base in NEVER_A_BASE:
        raise PrConfigError(f"{BASE_KEY}: {base!r} cannot be a PR's base: {NEVER_A_BASE[base]}. Fix: {how}")
    path = project_root / f"Pulumi.{base}.yaml"
    if not path.is_file():
        known = [s for s in stack_files(project_root) if s not in NEVER_A_BASE and not PR_STACK.match(s)]
        raise PrConfigError(f"{BASE_KEY}: there is no stack {base!r} to derive {stack} from (no {path.name} in "
                            f"{project_root}); the stacks a PR can preview on are: {', '.join(known) or 'none'}. "
                            f"Fix: {how}")
    base_config = stagecraft_config(path)
    if base_config.get("environment") == "production":
        # A stack of any name that declares itself production is production: its backend and data are never shared.
        raise PrConfigError(f"{BASE_KEY}: {base!r} cannot be a PR's base: its {path.name} declares "
                            f"stagecraft:environment production, and {NEVER_A_BASE['production']}. Fix: {how}")
    inherited = {key: value for key, value in base_config.items() if key not in NOT_INHERITED}
    merged = _overlay(inherited, own)
    pr_stacks = dict(merged.get("prStacks") or {})
    pr_stacks["base"] = base
    merged["prStacks"] = pr_stacks
    return merged


def _overlay(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        below = merged.get(key)
        merged[key] = _overlay(below, value) if isinstance(below, Mapping) and isinstance(value, Mapping) else value
    return merged
