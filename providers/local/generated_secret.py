"""`local:GeneratedSecret`: a random secret made once and kept in state (encrypted), for offline stacks.

Cloud stacks use `pulumi_random.RandomPassword`; its plugin cannot be fetched offline, so `dev` uses this.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.dynamic import CheckFailure, CheckResult, CreateResult, DiffResult, ReadResult, ResourceProvider


@dataclass(frozen=True)
class GeneratedSecretArgs:
    """Inputs of a generated secret."""

    length: pulumi.Input[int]
    """Number of random bytes (the value is their URL-safe base64 text)."""
    rotation: pulumi.Input[str] = ""
    """Any text; changing it generates a new value (how a stack rotates the secret)."""


class GeneratedSecretProvider(ResourceProvider):
    """Generates the value at create; a changed length or rotation makes a new one."""

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        length = news.get("length")
        ok = isinstance(length, int | float) and 16 <= int(length) <= 512
        return CheckResult(news, [] if ok else [CheckFailure("length", "length must be 16 to 512 bytes")])

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        replaces = [field for field, old, new in (
            ("length", int(olds.get("length", 0)), int(news.get("length", 0))),
            ("rotation", olds.get("rotation") or "", news.get("rotation") or ""),
        ) if old != new]
        return DiffResult(changes=bool(replaces), replaces=replaces)

    def create(self, props: dict[str, Any]) -> CreateResult:
        length = int(props["length"])
        return CreateResult(secrets.token_hex(8), {"length": length, "rotation": props.get("rotation") or "",
                                                   "value": secrets.token_urlsafe(length)})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return ReadResult(id_, props)


class GeneratedSecret(pulumi.dynamic.Resource, module="local", name="GeneratedSecret"):
    """A random secret value, generated once."""

    value: pulumi.Output[str]
    """The generated value (secret)."""

    def __init__(self, name: str, args: GeneratedSecretArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(additional_secret_outputs=["value"]))
        super().__init__(GeneratedSecretProvider(), name,
                         {"length": args.length, "rotation": args.rotation, "value": None}, opts)
