"""Reads the stack's settings from the running Pulumi program (the only place that touches `pulumi.Config`)."""

from __future__ import annotations

import os
from pathlib import Path

import pulumi
from pulumi.runtime import config as runtime_config

from settings.load import ConfigError, parse_raw_config
from settings.stack_loader import AnySettings, load_stack

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def current_config_values() -> dict[str, str]:
    """Every config value of the stack as the engine handed it to the program (`namespace:key` -> text)."""
    return {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}


def current_secret_keys() -> set[str]:
    """The config keys the engine says are secrets (set with `pulumi config set --secret`)."""
    return {key for key in current_config_values() if runtime_config.is_config_secret(key)} | set(
        runtime_config.get_config_secret_keys_env())


def settings_from_pulumi(project_root: Path = PROJECT_ROOT) -> AnySettings:
    """Validated settings of the current stack; a bad value ends the program with one clear message."""
    try:
        return load_stack(pulumi.get_project(), pulumi.get_stack(), parse_raw_config(current_config_values()),
                          project_root=project_root, environ=os.environ, secret_keys=current_secret_keys())
    except ConfigError as exc:
        # RunError ends the program with the message alone, before any resource is registered.
        raise pulumi.RunError(str(exc)) from None
