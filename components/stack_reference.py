"""Reading another stack's outputs: checked before anything changes, then wired through a `pulumi.StackReference`.

A stack that needs another (a product stack its foundation's Neon project, a `pr-<n>` stack its base's projects and
backend) reads the other stack's outputs once, synchronously, through the engine's own `readStackOutputs` (the call
behind every StackReference), before any resource of its own is registered: if that stack cannot be read, or lacks an
output this stack needs, the program stops with the config key to fix and how, and nothing has changed. The values
are then taken from a `pulumi.StackReference` (so the state records the reference and secrets stay secrets).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi

READ_OUTPUTS = "pulumi:pulumi:readStackOutputs"
"""The engine's builtin function behind StackReference (pkg/resource/deploy/builtins.go in 3.79)."""


@dataclass(frozen=True)
class StackNeed:
    """Why this stack reads another, and how to fix it when it cannot."""

    stack: str
    """The other stack (a name in this project, or `<org>/<project>/<stack>`)."""
    key: str
    """The config key that names it (`stagecraft:foundation.stack`)."""
    outputs: Sequence[str]
    """Dotted output paths this stack uses (`neon.projectId`)."""
    deploy_hint: str
    """What makes the outputs exist (`pulumi up -s foundation`)."""


def check_stack(need: StackNeed, reader: Any = None) -> Mapping[str, Any]:
    """The other stack's outputs (plain values: for checks only), or `pulumi.RunError` naming the key and the fix."""
    invoke = reader or pulumi.runtime.invoke
    try:
        outputs = _plain((invoke(READ_OUTPUTS, {"name": need.stack}).value or {})).get("outputs") or {}
    except Exception as exc:  # the engine's reason (unknown stack, another backend, no access) is in the message
        raise pulumi.RunError(
            f"{need.key}: stack {need.stack!r} cannot be read ({_reason(exc)}). This stack needs its outputs "
            f"({', '.join(need.outputs)}). Fix: deploy it first ({need.deploy_hint}) in the same backend "
            f"(`pulumi whoami -v` shows which), or point {need.key} at the stack that has them. "
            f"Nothing was changed.") from None
    missing = [path for path in need.outputs if output_value(outputs, path) in (None, "")]
    if missing:
        raise pulumi.RunError(
            f"{need.key}: stack {need.stack!r} has no output {', '.join(missing)} (it has: "
            f"{', '.join(sorted(outputs)) or 'no outputs'}). Fix: update it with this version of the program "
            f"({need.deploy_hint}), or point {need.key} at the stack that has them. Nothing was changed.")
    return outputs


def output_value(outputs: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path (`apps.shop.projectId`), None when any part is missing."""
    value: Any = outputs
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


class StackLink:
    """A checked stack, wired through a StackReference registered under `parent`."""

    def __init__(self, name: str, need: StackNeed, outputs: Mapping[str, Any], parent: pulumi.Resource) -> None:
        self.need = need
        self.checked = outputs
        self.reference = pulumi.StackReference(name, stack_name=need.stack, opts=pulumi.ResourceOptions(parent=parent))

    def output(self, path: str) -> pulumi.Output[Any]:
        """The output at a dotted path, secret when the other stack's is."""
        top, _, rest = path.partition(".")
        value = self.reference.get_output(top)
        return value.apply(lambda whole: output_value({top: whole}, path)) if rest else value


_SIG_KEY = "4dabf18193072939515e22adb298388d"
_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"


def _plain(value: Any) -> Any:
    """The value with the engine's secret wrappers removed (the invoke keeps secrets, marked)."""
    if isinstance(value, Mapping) and value.get(_SIG_KEY) == _SECRET_SIG:
        return _plain(value.get("value"))
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _reason(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return (text[-1] if text else type(exc).__name__).removeprefix("invoke of pulumi:pulumi:readStackOutputs failed: ")
