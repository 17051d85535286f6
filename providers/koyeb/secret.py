"""Koyeb secret (SIMPLE type), referenced by services by name (``pulumi-python:dynamic/koyeb:Secret``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, ResourceProvider, UpdateResult

from .._http import CheckedArgs, InputReader, NotFound, create_or_adopt, diff_props
from .client import SECRET_NAME, SECRET_NAME_HINT, KoyebClient

FIELDS = ("name", "value")
# Services point at a secret by name, so a rename would silently break them: replace instead.
IMMUTABLE = ("name",)


@dataclass(frozen=True)
class SecretArgs(CheckedArgs):
    """Inputs of a Koyeb secret."""

    KIND = "koyeb:Secret"

    name: pulumi.Input[str]
    """Physical secret name (``<project>-<stack>-<name>``), unique in the organization; services use it."""
    value: pulumi.Input[str]
    """The secret value (pass a Pulumi secret); stored by Koyeb, kept secret in state."""

    @classmethod
    def read_inputs(cls, reader: InputReader) -> dict[str, Any]:
        """Validate ``name`` and ``value``."""
        return {
            "name": reader.string("name", example='"stagecraft-uat-database-url"', pattern=SECRET_NAME,
                                  pattern_hint=SECRET_NAME_HINT),
            "value": reader.string("value", example="pulumi.Output.secret(...)"),
        }


def _to_outs(secret: dict[str, Any], value: str) -> dict[str, Any]:
    """State of a secret. Koyeb does not return the value on read, so the last value set is kept."""
    return {"name": secret.get("name"), "value": secret.get("value") or value, "type": secret.get("type", "SIMPLE")}


class SecretProvider(ResourceProvider):
    """CRUD for Koyeb SIMPLE secrets. Credentials come from KOYEB_TOKEN / KOYEB_API_URL at call time."""

    def check(self, _olds: Any, news: Any):
        return SecretArgs.check(news)

    def diff(self, _id: str, olds: Any, news: Any) -> DiffResult:
        return diff_props(olds, news, fields=FIELDS, immutable=IMMUTABLE, unique_name=True)

    def create(self, props: Any) -> CreateResult:
        args: SecretArgs = SecretArgs.from_props(props)
        with KoyebClient.from_env() as koyeb:
            secret, adopted = create_or_adopt(
                lambda: koyeb.find_secret(args.name), lambda: koyeb.create_secret(args.name, args.value),
                timing=koyeb.timing,
            )
            if adopted:
                # An adopted secret's value is unknowable (not returned); set ours so state tells the truth.
                secret = koyeb.set_secret_value(secret["id"], args.value)
            return CreateResult(secret["id"], _to_outs(secret, args.value))

    def read(self, id_: str, props: Any) -> ReadResult:
        with KoyebClient.from_env() as koyeb:
            try:
                secret = koyeb.get_secret(id_)
            except NotFound:
                return ReadResult("", {})
        return ReadResult(id_, _to_outs(secret, props.get("value", "")))

    def update(self, id_: str, _olds: Any, news: Any) -> UpdateResult:
        args: SecretArgs = SecretArgs.from_props(news)
        with KoyebClient.from_env() as koyeb:
            return UpdateResult(_to_outs(koyeb.set_secret_value(id_, args.value), args.value))

    def delete(self, id_: str, _props: Any) -> None:
        with KoyebClient.from_env() as koyeb:
            try:
                koyeb.delete_secret(id_)
            except NotFound:
                return


class Secret(pulumi.dynamic.Resource, module="koyeb", name="Secret"):
    """A Koyeb SIMPLE secret. Outputs: ``name``, ``value`` (secret), ``type``; ``id``."""

    name: pulumi.Output[str]
    value: pulumi.Output[str]
    type: pulumi.Output[str]

    def __init__(self, resource_name: str, args: SecretArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(additional_secret_outputs=["value"]))
        super().__init__(SecretProvider(), resource_name, {**args.to_props(), "type": None}, opts)
