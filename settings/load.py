"""Turns a stack's raw configuration into `StackSettings`, or one clear error naming every key and its fix."""

from __future__ import annotations

import difflib
import json
import re
import typing
from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from settings.fixes import NAMESPACE, key_of, move_command, placeholder, rm_command, set_command, value_word
from settings.flat_keys import is_flat, lift_flat_keys, parse_path
from settings.model_paths import NO_DEFAULT, default_of, field_at, first_required, is_section, sibling_keys
from settings.models import StackSettings, cross_key_problems
from settings.partial import partial_settings
from settings.problems import ConfigError, Problem, render
from settings.text_values import text_value_problems

__all__ = ["NAMESPACE", "ConfigError", "environment_for", "load_settings", "parse_raw_config", "validated"]

_FIXED_ENVIRONMENTS = {
    "dev": "development",
    "uat": "uat",
    "beta": "beta",
    "preprod": "preprod",
    "production": "production",
}
_PR_STACK = re.compile(r"^pr-[1-9][0-9]*$")


def environment_for(stack: str, configured: str | None) -> str:
    """The ENVIRONMENT of a stack: its configured value, else derived from the stack name (DESIGN.md §3)."""
    if configured:
        return configured
    if stack in _FIXED_ENVIRONMENTS:
        return _FIXED_ENVIRONMENTS[stack]
    if _PR_STACK.match(stack):
        return "preview"
    problem = Problem(f"{NAMESPACE}:environment",
                      f"stack {stack!r} is not one of dev, uat, beta, preprod, production or pr-<number>, so it must "
                      f"say which environment it is (development, preview, uat, beta, preprod or production)",
                      set_command(f"{NAMESPACE}:environment", "uat", stack, path=False))
    raise ConfigError(render(stack, [problem]), [problem])


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
    known: list[Problem] = []
    try:
        data["environment"] = environment_for(stack, data.pop("environment", None))
    except ConfigError as exc:
        known = exc.problems
    return validated(StackSettings, stack, {**data, "project": project, "stack": stack}, known)


Model = TypeVar("Model", bound=BaseModel)


def validated(model: type[Model], stack: str, data: Mapping[str, Any], known: list[Problem] | None = None) -> Model:
    """`model` validated from `data`, or `ConfigError` naming every key that is wrong and its fix (with the
    `known` problems found before, and what did validate, for the checks that can still run)."""
    data, flat = lift_flat_keys(data, stack)  # keys the engine handed over are lifted already (settings.raw_config)
    problems = [*(known or []), *flat, *text_value_problems(model, data, stack)]
    try:
        settings = view = model.model_validate(data)
    except ValidationError as exc:
        settings, view = None, partial_settings(model, data)
        found = _problems(exc, model, stack, data)
        if model is StackSettings:
            # The rules across sections run only once every section is valid; run them on what is, so the message
            # lists their problems too.
            crossing = cross_key_problems(view)  # type: ignore[arg-type]
            if crossing:
                found += _problems(ValidationError.from_exception_data(model.__name__, crossing), model, stack, data)
        reported = {problem.key for problem in problems}
        problems += [p for p in found if p.key not in reported]
    if problems:
        raise ConfigError(render(stack, problems), problems, view)
    return settings


def _problems(exc: ValidationError, model: type[BaseModel], stack: str, data: Mapping[str, Any]) -> list[Problem]:
    problems = []
    for error in exc.errors():
        loc = tuple(error["loc"])
        reason = _reason(error)
        if error["type"] == "missing" and is_section(model, loc) and loc:
            reason += f" (the whole `{key_of(loc)}` section is missing)"
            loc = first_required(model, loc)
        elif error["type"] != "missing" and is_section(model, loc):
            loc = _key_named_in(model, loc, reason)
        key = (error.get("ctx") or {}).get("key") or (key_of(loc) if loc else "")
        problems.append(Problem(key, reason + _did_you_mean(error, model, loc), _fix(error, model, loc, stack, data)))
    return problems


def _key_named_in(model: type[BaseModel], loc: tuple[Any, ...], reason: str) -> tuple[Any, ...]:
    """A rule about a whole section names the key to change in its message (`prStacks.base is for ...`): locate
    the problem there, so the key printed and its fix are that key, never the section."""
    for quoted, dotted in _KEY_WORD.findall(reason):
        candidate = parse_path(quoted or dotted)
        for base in (loc, ()):
            if candidate and not is_section(model, (*base, *candidate)) and field_at(model, (*base, *candidate)):
                return (*base, *candidate)
    own_keys = set(sibling_keys(model, (*loc, "")))
    for word in re.findall(r"[A-Za-z][A-Za-z0-9]*", reason):
        if word in own_keys and not is_section(model, (*loc, word)):
            return (*loc, word)
    return loc


_KEY_WORD = re.compile(r"`([a-z][A-Za-z0-9]*(?:\.[A-Za-z][A-Za-z0-9]*|\[\d+\])*)`"
                       r"|\b([a-z][A-Za-z0-9]*(?:\.[A-Za-z][A-Za-z0-9]*|\[\d+\])+)")


def _reason(error: Mapping[str, Any]) -> str:
    kind = error["type"]
    if kind == "missing":
        return "is required but not set"
    if kind == "extra_forbidden":
        return "is not a known setting, so nothing would read it"
    message = str(error["msg"]).removeprefix("Value error, ")
    if kind not in ("value_error",) and "message" not in (error.get("ctx") or {}) and "input" in error \
            and not isinstance(error["input"], dict | list):
        message += f" (got {error['input']!r})"
    return message


def _suggestion(error: Mapping[str, Any], model: type[BaseModel], loc: tuple[Any, ...]) -> str | None:
    if error["type"] != "extra_forbidden" or not loc or not isinstance(loc[-1], str):
        return None
    found = difflib.get_close_matches(loc[-1], sibling_keys(model, loc), n=1, cutoff=0.75)
    return found[0] if found else None


def _did_you_mean(error: Mapping[str, Any], model: type[BaseModel], loc: tuple[Any, ...]) -> str:
    suggestion = _suggestion(error, model, loc)
    return f"; did you mean `{key_of((*loc[:-1], suggestion))}`?" if suggestion else ""


def _fix(error: Mapping[str, Any], model: type[BaseModel], loc: tuple[Any, ...], stack: str,
         data: Mapping[str, Any]) -> str:
    kind, ctx = error["type"], error.get("ctx") or {}
    key = key_of(loc)
    if kind == "extra_forbidden":
        if len(loc) == 1 and is_flat(str(loc[0])):
            return rm_command(key, stack, path=False)
        suggestion = _suggestion(error, model, loc)
        target = (*loc[:-1], suggestion)
        if suggestion and _value_at(data, target) is None:
            return move_command(key, key_of(target), stack, value=error.get("input"), secret=False,
                                source_is_path=True)
        return rm_command(key, stack)
    if kind == "remove_key":
        return rm_command(key, stack)
    if not loc or is_section(model, loc):
        return f"set the keys of `{key}` listed in docs/configuration.md"
    # A rule can say how to fix itself: a whole command, or a value that works (already a shell word).
    if ctx.get("fix_command"):
        return str(ctx["fix_command"]).replace("{stack}", stack)
    if ctx.get("fix_value") is not None:
        return set_command(key, _shell_word(str(ctx["fix_value"])), stack)
    expected = ctx.get("expected")
    if kind == "literal_error" and isinstance(expected, str):
        return set_command(key, value_word(expected.split(",")[0].split(" or ")[0].strip().strip("'")), stack)
    choices = _choices(model, loc)
    if kind == "missing" and choices:
        return set_command(key, value_word(choices[0]), stack)
    default = default_of(model, loc)
    if kind != "missing" and default is not NO_DEFAULT and default is not None and _value_at(data, loc) is not None:
        return rm_command(key, stack)  # the default is a value that works
    return set_command(key, placeholder(str(loc[-1]) if isinstance(loc[-1], str) else "value"), stack)


def _shell_word(value: str) -> str:
    """A rule's fix value as one shell word: quoted unless the rule quoted it (or made it a `"$(...)"` read)."""
    return value if value[:1] in ("'", '"') else value_word(value)


def _choices(model: type[BaseModel], loc: tuple[Any, ...]) -> tuple[Any, ...]:
    field = field_at(model, loc)
    annotation = field.annotation if field is not None else None
    return typing.get_args(annotation) if typing.get_origin(annotation) is typing.Literal else ()


def _value_at(data: Mapping[str, Any], loc: tuple[Any, ...]) -> Any:
    node: Any = data
    for part in loc:
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            return None
    return node
