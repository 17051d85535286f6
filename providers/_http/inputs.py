"""Reading and validating dynamic-resource inputs in ``check``, with failures that name field and fix.

During preview an input may still be unknown (the engine's UNKNOWN sentinel); such values pass through
unvalidated and are checked again once known.
"""

from __future__ import annotations

import re
from dataclasses import fields
from typing import Any, ClassVar, Iterable, Mapping, Optional

from pulumi.dynamic import CheckFailure, CheckResult
from pulumi.output import Unknown
from pulumi.runtime import rpc

from .errors import ProviderError

UNKNOWN = rpc.UNKNOWN


def is_unknown(value: Any) -> bool:
    """True for the engine's placeholder of a value not known until apply.

    The dynamic provider host hands unknowns over as `pulumi.output.Unknown` at preview; the RPC layer's
    sentinel string can reach a provider too, so both count.
    """
    return isinstance(value, Unknown) or (isinstance(value, str) and value == UNKNOWN)


def contains_unknown(value: Any) -> bool:
    """True if ``value`` or anything nested in it is unknown."""
    if is_unknown(value):
        return True
    if isinstance(value, Mapping):
        return any(contains_unknown(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(contains_unknown(v) for v in value)
    return False


class InputReader:
    """Reads typed fields from raw resource props, recording a ``CheckFailure`` for each bad one.

    Each reader method returns the normalised value (ints as int, lists as lists), the UNKNOWN sentinel
    unchanged, or None when the field is missing/invalid (the failure is recorded).
    """

    def __init__(self, props: Mapping[str, Any], kind: str) -> None:
        self.props = props
        self.kind = kind
        self.failures: list[CheckFailure] = []

    def fail(self, name: str, reason: str) -> None:
        """Record a failure for ``name``."""
        self.failures.append(CheckFailure(name, f"{self.kind}.{name}: {reason}"))

    def _get(self, name: str, required: bool, example: str) -> Any:
        value = self.props.get(name)
        if value is None and required:
            self.fail(name, f"is required; set it, e.g. {name}={example}")
        return value

    def string(
        self, name: str, *, required: bool = True, example: str = '"..."', pattern: Optional[str] = None,
        pattern_hint: str = "", max_length: Optional[int] = None, choices: Optional[Iterable[str]] = None,
        min_length: Optional[int] = None,
    ) -> Any:
        """A non-empty string, optionally matching ``pattern``/``choices``, within ``min/max_length``."""
        value = self._get(name, required, example)
        if value is None or is_unknown(value):
            return value
        if not isinstance(value, str) or not value.strip():
            self.fail(name, f"must be a non-empty string, got {_describe(value)}; e.g. {name}={example}")
            return None
        if choices is not None:
            allowed = list(choices)
            if value not in allowed:
                self.fail(name, f"must be one of {', '.join(allowed)}; got {value!r}")
                return None
        if max_length is not None and len(value) > max_length:
            self.fail(name, f"{value!r} is {len(value)} characters; at most {max_length} are allowed"
                            + (f" ({pattern_hint})" if pattern_hint else ""))
            return None
        if min_length is not None and len(value) < min_length:
            self.fail(name, f"{value!r} is {len(value)} characters; at least {min_length} are required"
                            + (f" ({pattern_hint})" if pattern_hint else ""))
            return None
        if pattern is not None and not re.fullmatch(pattern, value):
            self.fail(name, f"{value!r} is not valid: {pattern_hint or 'must match ' + pattern}")
            return None
        return value

    def integer(
        self, name: str, *, required: bool = True, example: str = "1",
        minimum: Optional[int] = None, maximum: Optional[int] = None,
    ) -> Any:
        """A whole number (the engine sends numbers as floats; 8000.0 becomes 8000) within bounds."""
        value = self._get(name, required, example)
        if value is None or is_unknown(value):
            return value
        if isinstance(value, bool) or not isinstance(value, (int, float)) or float(value) != int(value):
            self.fail(name, f"must be a whole number, got {_describe(value)}; e.g. {name}={example}")
            return None
        return self._bounded(name, int(value), minimum, maximum)

    def number(
        self, name: str, *, required: bool = True, example: str = "1",
        minimum: Optional[float] = None, maximum: Optional[float] = None,
    ) -> Any:
        """A number within bounds."""
        value = self._get(name, required, example)
        if value is None or is_unknown(value):
            return value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.fail(name, f"must be a number, got {_describe(value)}; e.g. {name}={example}")
            return None
        return self._bounded(name, value, minimum, maximum)

    def boolean(self, name: str, *, required: bool = True) -> Any:
        """A true/false value."""
        value = self._get(name, required, "true")
        if value is None or is_unknown(value):
            return value
        if not isinstance(value, bool):
            self.fail(name, f"must be true or false, got {_describe(value)}")
            return None
        return value

    def string_list(
        self, name: str, *, required: bool = True, example: str = '["..."]',
        choices: Optional[Iterable[str]] = None, min_items: int = 0,
    ) -> Any:
        """A list of non-empty strings (optionally from ``choices``); a missing optional list becomes []."""
        value = self._get(name, required, example)
        if value is None:
            return None if required else []
        if is_unknown(value):
            return value
        if not isinstance(value, (list, tuple)):
            self.fail(name, f"must be a list of strings, got {_describe(value)}; e.g. {name}={example}")
            return None
        allowed = list(choices) if choices is not None else None
        out: list[Any] = []
        for i, item in enumerate(value):
            if is_unknown(item):
                out.append(item)
            elif not isinstance(item, str) or not item:
                self.fail(name, f"item {i} must be a non-empty string, got {_describe(item)}")
                return None
            elif allowed is not None and item not in allowed:
                self.fail(name, f"item {item!r} is not allowed; use one of {', '.join(allowed)}")
                return None
            else:
                out.append(item)
        if len(out) < min_items:
            self.fail(name, f"needs at least {min_items} item(s); e.g. {name}={example}")
            return None
        if len(set(map(str, out))) != len(out):
            self.fail(name, "must not repeat an item")
            return None
        return out

    def string_map(self, name: str, *, key_pattern: Optional[str] = None, key_hint: str = "") -> Any:
        """A mapping of string keys to non-empty string values; missing becomes {}."""
        value = self.props.get(name)
        if value is None:
            return {}
        if is_unknown(value):
            return value
        if not isinstance(value, Mapping):
            self.fail(name, f'must be a mapping of names to strings, got {_describe(value)}; e.g. {{"KEY": "value"}}')
            return None
        out: dict[str, Any] = {}
        for key, item in value.items():
            if key_pattern is not None and not re.fullmatch(key_pattern, str(key)):
                self.fail(name, f"key {key!r} is not valid: {key_hint or 'must match ' + key_pattern}")
                return None
            if not is_unknown(item) and not isinstance(item, str):
                self.fail(name, f"value of {key!r} must be a string, got {_describe(item)}")
                return None
            out[str(key)] = item
        return out

    def _bounded(self, name: str, value: Any, minimum: Any, maximum: Any) -> Any:
        if minimum is not None and value < minimum:
            self.fail(name, f"must be at least {minimum}, got {value}")
            return None
        if maximum is not None and value > maximum:
            self.fail(name, f"must be at most {maximum}, got {value}")
            return None
        return value


def _describe(value: Any) -> str:
    if isinstance(value, str):
        return "an empty string" if not value.strip() else f"the string {value!r}"
    return f"{type(value).__name__} {value!r}"


class InvalidInputs(ProviderError, ValueError):
    """Inputs reached create/update without passing ``check`` (e.g. a direct call); lists every failure."""


class CheckedArgs:
    """Base of every ``XArgs`` dataclass: one ``read_inputs`` drives ``check`` and provider-side parsing.

    Subclasses are frozen dataclasses whose fields are the resource's input properties, set ``KIND``
    (e.g. ``"koyeb:Service"``) and implement ``read_inputs``.
    """

    KIND: ClassVar[str] = ""

    @classmethod
    def read_inputs(cls, reader: InputReader) -> dict[str, Any]:
        """Read and validate every field through ``reader``; return field name -> normalised value."""
        raise NotImplementedError

    @classmethod
    def check(cls, news: Mapping[str, Any]) -> CheckResult:
        """``ResourceProvider.check``: normalised inputs plus a failure per bad field."""
        reader = InputReader(news, cls.KIND)
        values = cls.read_inputs(reader)
        return CheckResult({**news, **values}, reader.failures)

    @classmethod
    def from_props(cls, props: Mapping[str, Any]) -> Any:
        """The args as the provider works with them (plain values); raises ``InvalidInputs`` when invalid."""
        reader = InputReader(props, cls.KIND)
        values = cls.read_inputs(reader)
        if reader.failures:
            raise InvalidInputs("; ".join(f.reason for f in reader.failures))
        unknown = [k for k, v in values.items() if contains_unknown(v)]
        if unknown:
            raise InvalidInputs(f"{cls.KIND}: inputs still unknown at apply time: {', '.join(unknown)}")
        return cls(**values)

    def to_props(self) -> dict[str, Any]:
        """The resource's input properties (Pulumi inputs left as they are, not deep-copied)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}  # type: ignore[arg-type]
