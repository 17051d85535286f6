"""Turns a stack's raw configuration into `StackSettings`, or one clear error naming the key and the fix."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from settings.models import StackSettings

NAMESPACE = "stagecraft"

_FIXED_ENVIRONMENTS = {
    "dev": "development",
    "uat": "uat",
    "beta": "beta",
    "preprod": "preprod",
    "production": "production",
}
_PR_STACK = re.compile(r"^pr-[1-9][0-9]*$")


class ConfigError(ValueError):
    """Stack configuration that cannot be deployed; the message says which key and how to fix it."""


def environment_for(stack: str, configured: str | None) -> str:
    """The ENVIRONMENT of a stack: its configured value, else derived from the stack name (DESIGN.md §3)."""
    if configured:
        return configured
    if stack in _FIXED_ENVIRONMENTS:
        return _FIXED_ENVIRONMENTS[stack]
    if _PR_STACK.match(stack):
        return "preview"
    raise ConfigError(
        f"stack {stack!r} is not one of dev, uat, beta, preprod, production or pr-<number>, so "
        f"{NAMESPACE}:environment must say what it is. Fix: pulumi config set {NAMESPACE}:environment uat -s {stack}"
    )


def parse_raw_config(values: Mapping[str, str]) -> dict[str, Any]:
    """Decode `stagecraft:*` config values (Pulumi hands them over as strings; objects arrive as JSON)."""
    raw: dict[str, Any] = {}
    prefix = f"{NAMESPACE}:"
    for full_key, text in values.items():
        if not full_key.startswith(prefix):
            continue
        key = full_key[len(prefix):]
        if text == "":
            continue  # An empty value is a declared key left at its default: unset.
        try:
            raw[key] = json.loads(text)
        except (TypeError, json.JSONDecodeError):
            raw[key] = text
        if key == "environment" and not isinstance(raw[key], str):
            raw[key] = text
    return raw


def load_settings(project: str, stack: str, raw: Mapping[str, Any]) -> StackSettings:
    """Validate the whole tree once. Raises `ConfigError` listing every problem, each with its fix."""
    data = dict(raw)
    environment = environment_for(stack, data.pop("environment", None))
    return validated(StackSettings, stack, {**data, "project": project, "stack": stack, "environment": environment})


Model = TypeVar("Model", bound=BaseModel)


def validated(model: type[Model], stack: str, data: Mapping[str, Any]) -> Model:
    """`model` validated from `data`, or `ConfigError` naming every key that is wrong and its fix."""
    try:
        return model.model_validate(dict(data))
    except ValidationError as exc:
        raise ConfigError(_describe(exc, stack)) from None


def _describe(exc: ValidationError, stack: str) -> str:
    lines = [f"stack {stack!r} has configuration that cannot be deployed (nothing was changed):"]
    for error in exc.errors():
        path = _config_path(error["loc"])
        key = f"{NAMESPACE}:{path}" if path else NAMESPACE
        lines.append(f"  - {key}: {_reason(error)}")
        lines.append(f"    fix: {_fix(error, path, stack)}")
    return "\n".join(lines)


def _config_path(loc: tuple[Any, ...]) -> str:
    """`('frontend', 'apps', 0, 'devPort')` -> `frontend.apps[0].devPort`, the syntax of `pulumi config --path`."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def _reason(error: Mapping[str, Any]) -> str:
    kind = error["type"]
    if kind == "missing":
        return "is required but not set"
    if kind == "extra_forbidden":
        return "is not a known setting (a typo?)"
    message = str(error["msg"]).removeprefix("Value error, ")
    if kind not in ("value_error",) and "input" in error and not isinstance(error["input"], dict | list):
        message += f" (got {error['input']!r})"
    return message


_PLACEHOLDERS = {
    "int_parsing": "<whole number>",
    "int_type": "<whole number>",
    "float_parsing": "<number>",
    "bool_parsing": "true",
    "string_type": "<text>",
}
# Sections whose missing value is best fixed by setting their platform (the one key each of them requires).
_SECTIONS_WITH_PLATFORM = {
    field.alias or name for name, field in StackSettings.model_fields.items()
    if isinstance(field.annotation, type) and "platform" in getattr(field.annotation, "model_fields", {})
}


def _fix(error: Mapping[str, Any], path: str, stack: str) -> str:
    kind = error["type"]
    # A rule can say how to fix itself: `remove_key` (a key the platform does not use) or a value that works.
    fix_value = error.get("ctx", {}).get("fix_value")
    if kind == "extra_forbidden":
        return f"pulumi config rm --path '{NAMESPACE}:{path}' -s {stack}   (or correct its spelling)"
    if kind == "remove_key":
        return f"pulumi config rm --path '{NAMESPACE}:{path}' -s {stack}"
    if kind == "missing" and path in _SECTIONS_WITH_PLATFORM:
        path = f"{path}.platform"
        kind = "literal_error"
    expected = error.get("ctx", {}).get("expected")
    if fix_value is not None:
        value = str(fix_value)
    elif kind == "literal_error" and isinstance(expected, str):
        value = expected.split(",")[0].split(" or ")[0].strip().strip("'")
    elif kind == "literal_error":
        value = "<platform>"
    else:
        value = _PLACEHOLDERS.get(kind, "<value>")
    return f"pulumi config set --path '{NAMESPACE}:{path}' {value} -s {stack}"
