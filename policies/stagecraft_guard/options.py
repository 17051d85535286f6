"""Per-policy configuration: JSON-schema fragments for the engine and a strict reader for the rules.

The engine checks a policy's config against the JSON schema the policy declares (``PolicyConfigSchema``), but
only the properties the schema names: an unknown key, such as a misspelt ``budgetUsd``, passes the engine.
:class:`Reader` refuses unknown keys and wrong types with a message that names the policy, the key and the fix,
and each rule reports that message as a violation instead of running with a setting it did not understand.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Mapping, Optional, Sequence, TypeVar

from pulumi_policy import ReportViolation

T = TypeVar("T")

CONFIG_HINT = "policies/config/<stack>.json (or the file given to --policy-pack-config)"


class ConfigError(ValueError):
    """A policy's configuration is wrong; the message says where and how to fix it."""

    def __init__(self, policy: str, key: str, problem: str, fix: str) -> None:
        super().__init__(f"policy config {policy}.{key} in {CONFIG_HINT}: {problem}; {fix}")
        self.policy = policy
        self.key = key


def boolean_schema(description: str, default: bool) -> Dict[str, Any]:
    """A boolean property with its default."""
    return {"type": "boolean", "default": default, "description": description}


def number_schema(description: str, default: float, minimum: float = 0) -> Dict[str, Any]:
    """A number property with a lower bound and its default."""
    return {"type": "number", "minimum": minimum, "default": default, "description": description}


def string_schema(description: str, default: str) -> Dict[str, Any]:
    """A non-empty string property with its default."""
    return {"type": "string", "minLength": 1, "default": default, "description": description}


def strings_schema(description: str, default: Sequence[str] = ()) -> Dict[str, Any]:
    """A list of distinct non-empty strings with its default."""
    return {
        "type": "array",
        "items": {"type": "string", "minLength": 1},
        "uniqueItems": True,
        "default": list(default),
        "description": description,
    }


PRODUCTION_SCHEMA = boolean_schema(
    "Treat this stack as production (the stack named 'production' always is). Set it the same in "
    "production-approval, production-approval-notice, production-isolation and production-data-protection.",
    False,
)


class Reader:
    """Typed, strict access to one policy's config mapping."""

    def __init__(self, policy: str, raw: Optional[Mapping[str, Any]], allowed: Sequence[str]) -> None:
        self.policy = policy
        self.raw = dict(raw or {})
        unknown = sorted(set(self.raw) - set(allowed))
        if unknown:
            raise ConfigError(policy, unknown[0], f"unknown setting (allowed: {', '.join(sorted(allowed))})",
                              "remove it or fix its spelling")

    def _get(self, key: str, default: Any) -> Any:
        value = self.raw.get(key, default)
        return default if value is None else value

    def boolean(self, key: str, default: bool) -> bool:
        """A true/false setting."""
        value = self._get(key, default)
        if not isinstance(value, bool):
            raise ConfigError(self.policy, key, f"expected true or false, got {value!r}", "use a JSON boolean")
        return value

    def number(self, key: str, default: float, minimum: float = 0) -> float:
        """A number at or above ``minimum``."""
        value = self._get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(self.policy, key, f"expected a number, got {value!r}", "use a JSON number")
        if value < minimum:
            raise ConfigError(self.policy, key, f"{value} is below the minimum {minimum}",
                              f"use a value of at least {minimum}")
        return float(value)

    def string(self, key: str, default: str) -> str:
        """A non-empty string."""
        value = self._get(key, default)
        if not isinstance(value, str) or not value:
            raise ConfigError(self.policy, key, f"expected a non-empty string, got {value!r}", "use a JSON string")
        return value

    def strings(self, key: str, default: Sequence[str] = ()) -> tuple[str, ...]:
        """A list of non-empty strings."""
        value = self._get(key, list(default))
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) and v for v in value):
            raise ConfigError(self.policy, key, f"expected a list of non-empty strings, got {value!r}",
                              'use e.g. ["a", "b"]')
        return tuple(value)

    def mapping(self, key: str) -> Dict[str, Any]:
        """An object (empty when not set)."""
        value = self._get(key, {})
        if not isinstance(value, Mapping):
            raise ConfigError(self.policy, key, f"expected an object, got {value!r}", 'use e.g. {"name": ...}')
        return dict(value)


def parsed_or_reported(parse: Callable[[Optional[Mapping[str, Any]]], T], raw: Optional[Mapping[str, Any]],
                       report: ReportViolation) -> Optional[T]:
    """The parsed config, or ``None`` after reporting why it is wrong (a wrong config blocks, never weakens)."""
    try:
        return parse(raw)
    except ConfigError as exc:
        report(str(exc), None)
        return None
