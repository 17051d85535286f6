"""Which kind of stack this is, and its validated settings: a product environment, a `pr-<n>` preview derived from its
base stack, or the `foundation` (DESIGN §1, §9). `__main__.py` composes whatever this returns."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

from settings.foundation import FOUNDATION_STACK, FoundationSettings
from settings.fixes import resecret_command
from settings.load import NAMESPACE, ConfigError, load_settings, validated
from settings.models import StackSettings
from settings.pr_stacks import PrConfigError, derive, pr_number
from settings.problems import Problem, render, text_problem

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
        # The fix stores the same values again as one secret, read back inside the command (never printed).
        problems = [Problem(f"{NAMESPACE}:{key}", "holds credentials but is plain config, readable by anyone with "
                            "the repository", resecret_command(f"{NAMESPACE}:{key}", stack, path=False))
                    for key in plain_secrets]
        raise ConfigError(render(stack, problems), problems)
    if is_foundation(stack, raw):
        return validated(FoundationSettings, stack, {**raw, "project": project, "stack": stack})
    if pr_number(stack) is not None:
        try:
            raw = derive(stack, raw, project_root, environ)
        except PrConfigError as exc:
            problems = [text_problem(str(exc))]
            raise ConfigError(render(stack, problems), problems) from None
    return load_settings(project, stack, raw)
