"""Build the arguments the engine hands policy callbacks, without the engine or a PolicyPack.

Properties go through pulumi-policy's own unknown-checking proxy, as in the analyzer; secrets are wrapped in
the engine's secret envelope, which is what the pack sees once ``stagecraft_guard.envelope`` is installed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from pulumi_policy import (
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    StackValidationArgs,
)
from pulumi_policy.proxy import UNKNOWN_NUMBER_VALUE, UNKNOWN_STRING_VALUE, unknown_checking_proxy
from stagecraft_guard.envelope import secret_envelope

UNKNOWN = UNKNOWN_STRING_VALUE
"""What the engine sends for a string not known during preview."""
UNKNOWN_NUMBER = UNKNOWN_NUMBER_VALUE

STACK_TYPE = "pulumi:pulumi:Stack"


def secret(value: Any) -> Dict[str, Any]:
    """A value as the engine marks a secret."""
    return secret_envelope(value)


def env(stack: str = "dev", *, dry_run: bool = False, **extra: str) -> Dict[str, str]:
    """The analyzer's environment for a run of ``stack``."""
    values = {"PULUMI_STACK": stack, "PULUMI_PROJECT": "stagecraft", "PULUMI_DRY_RUN": "true" if dry_run else "false"}
    values.update(extra)
    return values


def _options(protect: bool, secret_outputs: Sequence[str]) -> PolicyResourceOptions:
    return PolicyResourceOptions(protect, [], None, [], PolicyCustomTimeouts(0, 0, 0), list(secret_outputs))


def _urn(type_token: str, name: str) -> str:
    return f"urn:pulumi:test::stagecraft::{type_token}::{name}"


def resource_args(type_token: str, props: Mapping[str, Any], *, name: str = "res",
                  config: Optional[Mapping[str, Any]] = None, protect: bool = False,
                  secret_outputs: Sequence[str] = ()) -> ResourceValidationArgs:
    """A resource validation's arguments."""
    return ResourceValidationArgs(type_token, unknown_checking_proxy(dict(props)), _urn(type_token, name), name,
                                  _options(protect, secret_outputs), None, dict(config) if config is not None else None)


def stack_resource(type_token: str, props: Mapping[str, Any], *, name: str, protect: bool = False,
                   secret_outputs: Sequence[str] = ()) -> PolicyResource:
    """One resource of a stack validation."""
    return PolicyResource(type_token, unknown_checking_proxy(dict(props)), _urn(type_token, name), name,
                          _options(protect, secret_outputs), None, None, [], {})


def stack_args(resources: List[PolicyResource], config: Optional[Mapping[str, Any]] = None) -> StackValidationArgs:
    """A stack validation's arguments."""
    return StackValidationArgs(resources, dict(config) if config is not None else None)


@dataclass
class Violations:
    """Records what a policy reports."""

    reported: List[Tuple[str, Optional[str]]] = field(default_factory=list)

    def __call__(self, message: str, urn: Optional[str] = None) -> None:
        self.reported.append((message, urn))

    @property
    def messages(self) -> List[str]:
        """The messages in order."""
        return [m for m, _ in self.reported]

    @property
    def text(self) -> str:
        """All messages joined, for substring assertions."""
        return "\n---\n".join(self.messages)


def run(policy, args) -> Violations:
    """Call a policy's validate callback with built arguments and collect its violations."""
    violations = Violations()
    result = policy.validate(args, violations)
    assert result is None, "policies here are synchronous"
    return violations
