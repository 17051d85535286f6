"""Which kind of stack this is, and its validated settings: a product environment, a `pr-<n>` preview derived from its
base stack, or the `foundation` (DESIGN §1, §9). `__main__.py` composes whatever this returns."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

from settings.foundation import FOUNDATION_STACK, FoundationSettings
from settings.load import NAMESPACE, ConfigError, load_settings, validated
from settings.models import StackSettings
from settings.pr_stacks import PrConfigError, derive, pr_number

AnySettings = StackSettings | FoundationSettings
SECRET_ONLY_KEYS = ("githubSecrets",)
"""Keys that hold credentials: refused unless set with `pulumi config set --secret` (DESIGN §3)."""


def is_foundation(stack: str, raw: Mapping[str, Any]) -> bool:
    """The stack named `foundation`, or one whose config says `stagecraft:kind: foundation`."""
    return stack == FOUNDATION_STACK or raw.get("kind") == "foundation"


def load_stack(project: str, stack: str, raw: Mapping[str, Any], *, project_root: Path,
               environ: Mapping[str, str], secret_keys: Collection[str] = ()) -> AnySettings:
    """Validate the stack's settings once; raises `ConfigError` naming every wrong key and its fix."""
    plain_secrets = [key for key in SECRET_ONLY_KEYS if key in raw and f"{NAMESPACE}:{key}" not in secret_keys]
    if plain_secrets:
        key = plain_secrets[0]
        raise ConfigError(
            f"stack {stack!r} has configuration that cannot be deployed (nothing was changed):\n"
            f"  - {NAMESPACE}:{key}: holds credentials but is plain config, readable by anyone with the repository\n"
            f"    fix: pulumi config rm {NAMESPACE}:{key} -s {stack}; then set each value with "
            f"pulumi config set --secret --path '{NAMESPACE}:{key}.<environment>.<NAME>' <value> -s {stack}")
    if is_foundation(stack, raw):
        return validated(FoundationSettings, stack, {**raw, "project": project, "stack": stack})
    if pr_number(stack) is not None:
        try:
            raw = derive(stack, raw, project_root, environ)
        except PrConfigError as exc:
            raise ConfigError(f"stack {stack!r} cannot be derived from its base (nothing was changed):\n  - {exc}") \
                from None
    return load_settings(project, stack, raw)
