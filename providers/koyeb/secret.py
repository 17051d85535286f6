"""Koyeb secret (SIMPLE type), referenced by services by name (``pulumi-python:dynamic/koyeb:Secret``).

Names follow Koyeb's documented rule (koyeb.com/docs/reference/secrets: RFC 1123, lower-case letters, digits
and dashes; 2-63 characters). A rename is a replacement that creates the new secret first: the service is
switched to the new name (a new deployment) before the old secret is deleted, so nothing that runs ever
points at a missing secret. A Koyeb secret stores no owner, so an existing secret with our name is adopted
only when this very create call made it (see ``ownership.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, ResourceProvider, UpdateResult

from .._http import CheckedArgs, InputReader, NotFound, create_owned, diff_props, parse_timestamp
from .client import SECRET_NAME, SECRET_NAME_HINT, SECRET_NAME_LENGTH, KoyebClient, is_name_taken
from .ownership import OWNER_HINT, OWNER_PATTERN, secret_claim

FIELDS = ("name", "value", "owner")
# Services point at a secret by name, and Koyeb's own clients treat the name as fixed (ForceNew in the
# Terraform provider, read-only in the control panel's edit form): a new name is a new secret.
IMMUTABLE = ("name",)


@dataclass(frozen=True)
class SecretArgs(CheckedArgs):
    """Inputs of a Koyeb secret."""

    KIND = "koyeb:Secret"

    name: pulumi.Input[str]
    """Physical secret name (``<project>-<stack>-<service>-<variable>``, an RFC 1123 label), unique in the
    organization; services refer to it by this name."""
    value: pulumi.Input[str]
    """The secret value (pass a Pulumi secret); stored by Koyeb, kept secret in state."""
    owner: pulumi.Input[str]
    """The stack that owns the secret, ``"<project>/<stack>"`` (named in the error when the name is taken)."""

    @classmethod
    def read_inputs(cls, reader: InputReader) -> dict[str, Any]:
        """Validate ``name`` (Koyeb's rule), ``value`` and ``owner``."""
        low, high = SECRET_NAME_LENGTH
        return {
            "name": reader.string("name", example='"stagecraft-uat-api-database-url"', pattern=SECRET_NAME,
                                  pattern_hint=SECRET_NAME_HINT, min_length=low, max_length=high),
            "value": reader.string("value", example="pulumi.Output.secret(...)"),
            "owner": reader.string("owner", example='"stagecraft/uat"', pattern=OWNER_PATTERN, pattern_hint=OWNER_HINT),
        }


def _to_outs(secret: dict[str, Any], value: str, owner: str) -> dict[str, Any]:
    """State of a secret. Koyeb does not return the value on read, so the last value set is kept."""
    return {"name": secret.get("name"), "value": secret.get("value") or value, "owner": owner,
            "type": secret.get("type", "SIMPLE")}


class SecretProvider(ResourceProvider):
    """CRUD for Koyeb SIMPLE secrets. Credentials come from KOYEB_TOKEN / KOYEB_API_URL at call time."""

    def check(self, _olds: Any, news: Any):
        return SecretArgs.check(news)

    def diff(self, _id: str, olds: Any, news: Any) -> DiffResult:
        return diff_props(olds, news, fields=FIELDS, immutable=IMMUTABLE, unique_name=True)

    def create(self, props: Any) -> CreateResult:
        args: SecretArgs = SecretArgs.from_props(props)
        with KoyebClient.from_env() as koyeb:
            secret, _ = create_owned(
                lambda: koyeb.create_secret(args.name, args.value),
                lambda: koyeb.find_secret(args.name),
                claim=secret_claim(args.name, args.owner),
                timing=koyeb.timing,
                created_at=lambda found: parse_timestamp(found.get("created_at")),
                name_taken=is_name_taken,
            )
            return CreateResult(secret["id"], _to_outs(secret, args.value, args.owner))

    def read(self, id_: str, props: Any) -> ReadResult:
        with KoyebClient.from_env() as koyeb:
            try:
                secret = koyeb.get_secret(id_)
            except NotFound:
                return ReadResult("", {})
        return ReadResult(id_, _to_outs(secret, props.get("value", ""), props.get("owner", "")))

    def update(self, id_: str, olds: Any, news: Any) -> UpdateResult:
        args: SecretArgs = SecretArgs.from_props(news)
        with KoyebClient.from_env() as koyeb:
            # The owner is not stored on a Koyeb secret; only a new value is sent.
            if olds.get("value") != args.value:
                secret = koyeb.set_secret_value(id_, args.value)
            else:
                secret = koyeb.get_secret(id_)
            return UpdateResult(_to_outs(secret, args.value, args.owner))

    def delete(self, id_: str, _props: Any) -> None:
        with KoyebClient.from_env() as koyeb:
            try:
                koyeb.delete_secret(id_)
            except NotFound:
                return


class Secret(pulumi.dynamic.Resource, module="koyeb", name="Secret"):
    """A Koyeb SIMPLE secret. Outputs: ``name``, ``value`` (secret), ``owner``, ``type``; ``id``."""

    name: pulumi.Output[str]
    value: pulumi.Output[str]
    owner: pulumi.Output[str]
    type: pulumi.Output[str]

    def __init__(self, resource_name: str, args: SecretArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(additional_secret_outputs=["value"]))
        super().__init__(SecretProvider(), resource_name, {**args.to_props(), "type": None}, opts)
