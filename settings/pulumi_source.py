"""Reads the stack's settings from the running Pulumi program (the only place that touches `pulumi.Config`)."""

from __future__ import annotations

import pulumi
from pulumi.runtime import config as runtime_config

from settings.load import ConfigError, load_settings, parse_raw_config
from settings.models import StackSettings


def current_config_values() -> dict[str, str]:
    """Every config value of the stack as the engine handed it to the program (`namespace:key` -> text)."""
    return {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}


def settings_from_pulumi() -> StackSettings:
    """Validated settings of the current stack; a bad value ends the program with one clear message."""
    try:
        return load_settings(pulumi.get_project(), pulumi.get_stack(), parse_raw_config(current_config_values()))
    except ConfigError as exc:
        # RunError ends the program with the message alone, before any resource is registered.
        raise pulumi.RunError(str(exc)) from None
