"""The per-stack policy config files in ``policies/config``.

Each file is in the format ``pulumi --policy-pack-config`` reads: policy name -> enforcement level, or ->
object with an optional ``enforcementLevel`` and the policy's settings; ``"all"`` sets every policy's level.
The pack loads the file for the stack it runs on by itself (as its initial config), so
``pulumi preview -s uat --policy-pack policies`` already applies ``config/uat.json``; a file given with
``--policy-pack-config`` is applied on top of it. ``pr-<n>`` stacks use ``config/pr.json``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, Iterable, Mapping, Optional, Union

from pulumi_policy import EnforcementLevel

from .stack import PR_STACK

CONFIG_DIR = Path(__file__).resolve().parent.parent / "config"
"""``policies/config``."""

PR_CONFIG = "pr"
"""The file every ``pr-<n>`` stack uses."""

LEVELS = {level.value: level for level in EnforcementLevel}


class StackConfigError(ValueError):
    """A per-stack config file cannot be used; the message names the file and the problem."""


def config_name(stack: str) -> str:
    """The config file stem for a stack name."""
    return PR_CONFIG if PR_STACK.match(stack) else stack


def file_for_stack(stack: str, directory: Path = CONFIG_DIR) -> Optional[Path]:
    """The config file for ``stack``, or ``None`` when the pack has none (schema defaults then apply)."""
    if not stack:
        return None
    path = directory / f"{config_name(stack)}.json"
    return path if path.is_file() else None


def load_file(path: Path) -> Dict[str, Any]:
    """Read one config file as a JSON object."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise StackConfigError(f"{path}: not valid JSON ({exc}); fix the file") from exc
    if not isinstance(raw, dict):
        raise StackConfigError(f"{path}: must be a JSON object of policy name -> level or settings")
    for policy, value in raw.items():
        if isinstance(value, str):
            if value not in LEVELS:
                raise StackConfigError(f"{path}: {policy}: {value!r} is not an enforcement level "
                                       f"(use one of {sorted(LEVELS)})")
        elif isinstance(value, dict):
            level = value.get("enforcementLevel")
            if level is not None and level not in LEVELS:
                raise StackConfigError(f"{path}: {policy}.enforcementLevel: {level!r} is not an enforcement level "
                                       f"(use one of {sorted(LEVELS)})")
        else:
            raise StackConfigError(f"{path}: {policy}: must be an enforcement level or an object")
    return raw


def to_initial_config(raw: Mapping[str, Any]) -> Dict[str, Union[EnforcementLevel, Dict[str, Any]]]:
    """Convert a config file's content to the ``initial_config`` pulumi-policy expects (levels as enums)."""
    converted: Dict[str, Union[EnforcementLevel, Dict[str, Any]]] = {}
    for policy, value in raw.items():
        if isinstance(value, str):
            converted[policy] = LEVELS[value]
        else:
            settings = dict(value)
            if "enforcementLevel" in settings:
                settings["enforcementLevel"] = LEVELS[settings["enforcementLevel"]]
            converted[policy] = settings
    return converted


def initial_config(stack: str, directory: Path = CONFIG_DIR) -> Optional[Dict[str, Any]]:
    """The pack's initial config for ``stack`` (``None`` if the stack has no file)."""
    path = file_for_stack(stack, directory)
    return to_initial_config(load_file(path)) if path else None


def budget_of(raw: Mapping[str, Any]) -> float:
    """``monthly-budget.budgetUsd`` of a config file's content (0 when not set, as the schema default)."""
    section = raw.get("monthly-budget")
    if isinstance(section, dict) and isinstance(section.get("budgetUsd"), (int, float)):
        return float(section["budgetUsd"])
    return 0.0


def budgets(stacks: Iterable[str], directory: Path = CONFIG_DIR) -> Dict[str, float]:
    """The configured monthly budget of each listed stack that has a config file."""
    found: Dict[str, float] = {}
    for stack in stacks:
        path = file_for_stack(stack, directory)
        if path:
            found[stack] = budget_of(load_file(path))
    return found
