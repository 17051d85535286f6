"""Checks on the stack's config as the engine hands it to the program, before any model sees it (DESIGN §3).

Pulumi passes every key of `Pulumi.<stack>.yaml` and reads none of them for us, so these would otherwise do nothing
without a word: a mistyped namespace, a provider key that provider does not have, a provider the stack never uses,
and keys set without `--path` (see `settings.flat_keys`). Credentials in plain text are refused wherever they are
(a provider's `apiToken` not set with `--secret`, or any value shaped like a token or a URL with a password).
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from policies.stagecraft_guard.credentials import value_reason
from settings.fixes import NAMESPACE, leaf_settings, move_command, resecret_command, rm_command
from settings.flat_keys import lift_flat_keys, place
from settings.problems import Problem
from settings.provider_config import (
    ENGINE_NAMESPACE,
    PROVIDER_PACKAGES,
    is_credential_key,
    namespaces_in_use,
    provider_keys,
)

_KNOWN_NAMESPACES = (NAMESPACE, ENGINE_NAMESPACE, *PROVIDER_PACKAGES)
_PLAIN_CREDENTIAL = ("is a credential in plain text in Pulumi.{stack}.yaml, readable by anyone who can read the "
                     "repository; Pulumi stores it encrypted only when set with `--secret`")


def decoded(text: Any) -> Any:
    """A config value as the program reads it (objects and lists arrive as JSON text)."""
    try:
        return json.loads(text) if isinstance(text, str) else text
    except json.JSONDecodeError:
        return text


def _closest(word: str, choices: Iterable[str]) -> str | None:
    found = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.75)
    return found[0] if found else None


def _moved_or_removed(key: str, target: str | None, values: Mapping[str, Any], secret: bool,
                      stack: str) -> tuple[str, str]:
    """(what the reason adds, the fix) for a key that belongs at `target` (or nowhere)."""
    if target is None:
        return "", rm_command(key, stack, path=False)
    if target in values:
        return f"; `{target}` is set already", rm_command(key, stack, path=False)
    return f"; did you mean `{target}`?", move_command(key, target, stack, value=decoded(values[key]), secret=secret,
                                                       source_is_path=False)


def _unknown_namespace(key: str, values: Mapping[str, Any], secret: bool, stack: str) -> Problem:
    namespace, _, name = key.partition(":")
    closest = _closest(namespace, _KNOWN_NAMESPACES)
    target = f"{closest}:{name}" if closest and closest != ENGINE_NAMESPACE else None
    hint, fix = _moved_or_removed(key, target, values, secret, stack)
    return Problem(key, f"no part of the program reads the namespace {namespace!r} (it reads "
                        f"{', '.join(repr(n) for n in _KNOWN_NAMESPACES)}), so Pulumi would ignore this key{hint}", fix)


def _provider_key_problems(key: str, values: Mapping[str, Any], secret: bool, stack: str) -> list[Problem]:
    namespace, _, name = key.partition(":")
    known = provider_keys(namespace)
    if known is not None and name not in known:
        closest = _closest(name, known)
        hint, fix = _moved_or_removed(key, f"{namespace}:{closest}" if closest else None, values, secret, stack)
        listed = ", ".join(sorted(known)) or "no keys at all"
        return [Problem(key, f"is not a setting of the {namespace} provider (it reads {listed}), so Pulumi would "
                             f"ignore it{hint}", fix)]
    text = values[key]
    if not secret and (is_credential_key(name) or (isinstance(text, str) and value_reason(text))):
        return [Problem(key, _PLAIN_CREDENTIAL.format(stack=stack), resecret_command(key, stack, path=False))]
    return []


def _credential_leaves(tree: Mapping[str, Any], secret_keys: Collection[str], stack: str) -> list[Problem]:
    problems = []
    for name, value in tree.items():
        if f"{NAMESPACE}:{name}" in secret_keys:
            continue
        for leaf, item in leaf_settings(f"{NAMESPACE}:{name}", value):
            why = value_reason(item) if isinstance(item, str) else None
            if why:
                problems.append(Problem(leaf, f"{why}: {_PLAIN_CREDENTIAL.format(stack=stack)}",
                                        resecret_command(leaf, stack, path=True)))
    return problems


def engine_config_problems(values: Mapping[str, Any], secret_keys: Collection[str], stack: str,
                           tree: Mapping[str, Any]) -> tuple[dict[str, Any], list[Problem]]:
    """The `stagecraft:` tree to build settings from (flat keys laid where they belong) and every problem of the
    config map itself. `values` is the map the engine handed over, `tree` its decoded `stagecraft:` part."""
    problems: list[Problem] = []
    for key in sorted(values):
        namespace, _, _name = key.partition(":")
        secret = key in secret_keys
        if namespace in (NAMESPACE, ENGINE_NAMESPACE):
            continue
        if namespace in PROVIDER_PACKAGES:
            problems += _provider_key_problems(key, values, secret, stack)
        else:
            problems.append(_unknown_namespace(key, values, secret, stack))
    prefix = f"{NAMESPACE}:"
    flat_secrets = {key[len(prefix):] for key in secret_keys if key.startswith(prefix)}
    lifted, flat = lift_flat_keys(tree, stack, flat_secrets)
    for key in sorted(values):
        namespace, _, name = key.partition(":")
        if namespace not in _KNOWN_NAMESPACES and _closest(namespace, _KNOWN_NAMESPACES) == NAMESPACE:
            place(lifted, name, decoded(values[key]))  # judged where its fix moves it
    return lifted, [*problems, *flat, *_credential_leaves(tree, secret_keys, stack)]


def unused_provider_problems(values: Iterable[str], settings: Any, stack: str) -> list[Problem]:
    """Keys of providers the stack creates nothing with: their provider never runs, so nothing reads them."""
    in_use = namespaces_in_use(settings)
    problems = []
    for key in sorted(values):
        namespace = key.partition(":")[0]
        if namespace in PROVIDER_PACKAGES and namespace not in in_use:
            problems.append(Problem(key, f"this stack creates nothing with the {namespace} provider (its platforms: "
                                         f"{_platforms(settings)}), so Pulumi would ignore this key",
                                    rm_command(key, stack, path=False)))
    return problems


def _platforms(settings: Any) -> str:
    sections = ("frontend", "backend", "postgres", "redis", "storage")
    return ", ".join(f"{name} {platform}" for name in sections
                     if (platform := getattr(getattr(settings, name, None), "platform", None)))
