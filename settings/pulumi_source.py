"""Reads the stack's settings from the running Pulumi program (the only place that touches `pulumi.Config`)."""

from __future__ import annotations

import os
from pathlib import Path

import pulumi
from pulumi.runtime import config as runtime_config

from settings.load import ConfigError, parse_raw_config
from settings.partial import Unavailable
from settings.preflight import preflight_problems
from settings.problems import Problem, render
from settings.raw_config import engine_config_problems, unused_provider_problems
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
    """Validated settings of the current stack; a bad value ends the program with one message naming every key."""
    return _checked(project_root, machine_checks=False)


def deployable_settings(project_root: Path = PROJECT_ROOT) -> AnySettings:
    """Validated settings of the current stack, checked against this machine, the environment and the platforms
    (settings.preflight): every problem of the configuration and of those checks ends the program in one message,
    before any resource is registered, in `preview` and `up` alike."""
    return _checked(project_root, machine_checks=True)


def _checked(project_root: Path, *, machine_checks: bool) -> AnySettings:
    stack = pulumi.get_stack()
    values, secret_keys = current_config_values(), current_secret_keys()
    tree, problems = engine_config_problems(values, secret_keys, stack, parse_raw_config(values))
    settings, view = None, None
    try:
        settings = view = load_stack(pulumi.get_project(), stack, tree, project_root=project_root, environ=os.environ,
                                     secret_keys=secret_keys)
    except ConfigError as exc:
        problems += exc.problems
        view = exc.partial
    if view is not None:
        # A key of a provider the stack does not use needs removing, whatever else is wrong with it.
        unused = _unless_unavailable(lambda: unused_provider_problems(values, view, stack))
        problems = [p for p in problems if p.key not in {u.key for u in unused}] + unused
        if machine_checks:
            # One problem per key: what the configuration says first, then what only the machine could tell.
            reported = {problem.key for problem in problems}
            problems += [p for p in preflight_problems(view, config_keys=set(values), project_root=project_root)
                         if p.key not in reported]
    if problems or settings is None:
        # RunError ends the program with the message alone, before any resource is registered.
        raise pulumi.RunError(render(stack, problems))
    return settings


def _unless_unavailable(check) -> list[Problem]:
    try:
        return check()
    except Unavailable:
        return []
