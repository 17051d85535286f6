"""Neon role on a branch (``pulumi-python:dynamic/neon:Role``); its generated password is a secret output.

A role of the wanted name that is already there (409: e.g. inherited from the parent branch, or made by this
call's dropped attempt) is ours only when its branch carries this stack's marker (``ownership.py``) or this call
made it; its password is then read back with ``reveal_password``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Optional

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, ResourceProvider

from .._http import ApiError, CheckedArgs, InputReader, NotFound, create_owned, diff_props, parse_timestamp
from .client import NeonClient
from .ids import composite_id, read_project_and_branch, split_id
from .ownership import branch_is_ours, on_branch_claim, read_owner

FIELDS = ("project_id", "branch_id", "name")
# Neon has no role update endpoint: every change is a new role.
IMMUTABLE = FIELDS
NAME_MAX_BYTES = 63


@dataclass(frozen=True)
class RoleArgs(CheckedArgs):
    """Inputs of a Neon role."""

    KIND = "neon:Role"

    project_id: pulumi.Input[str]
    """Neon project id."""
    branch_id: pulumi.Input[str]
    """Branch the role lives on."""
    name: pulumi.Input[str]
    """Role (user) name, unique on the branch, at most 63 bytes."""
    owner: pulumi.Input[str]
    """The stack that owns the branch, ``"<project>/<stack>"``."""

    @classmethod
    def read_inputs(cls, reader: InputReader) -> dict[str, Any]:
        """Validate ids, the name length Postgres allows and the owner."""
        values = {**read_project_and_branch(reader), "name": reader.string("name", example='"app"'),
                  "owner": read_owner(reader)}
        name = values["name"]
        if isinstance(name, str) and len(name.encode()) > NAME_MAX_BYTES:
            reader.fail("name", f"must be at most {NAME_MAX_BYTES} bytes, got {len(name.encode())}")
        return values


def _to_outs(project_id: str, role: Mapping[str, Any], password: Optional[str], owner: Optional[str]) -> dict[str, Any]:
    """State of a role: its inputs and the password (a secret output)."""
    return {"project_id": project_id, "branch_id": role.get("branch_id"), "name": role.get("name"),
            "owner": owner, "password": password}


class RoleProvider(ResourceProvider):
    """Create/read/delete for Neon roles. Credentials come from NEON_API_KEY / NEON_API_URL at call time."""

    def check(self, _olds: Any, news: Any):
        return RoleArgs.check(news)

    def diff(self, _id: str, olds: Any, news: Any) -> DiffResult:
        return diff_props(olds, news, fields=FIELDS, immutable=IMMUTABLE, unique_name=True)

    def create(self, props: Any) -> CreateResult:
        args: RoleArgs = RoleArgs.from_props(props)
        with NeonClient.from_env() as neon:

            def find() -> Optional[dict[str, Any]]:
                role = neon.find_role(args.project_id, args.branch_id, args.name)
                return {"role": role} if role else None

            reply, _ = create_owned(
                lambda: neon.create_role(args.project_id, args.branch_id, args.name), find, timing=neon.timing,
                claim=on_branch_claim("role", args.name, args.branch_id, args.owner),
                proves_ownership=lambda _found: branch_is_ours(neon, args.project_id, args.branch_id, args.owner),
                created_at=lambda found: parse_timestamp(found["role"].get("created_at")),
            )
            neon.wait_operations(args.project_id, reply, f'role "{args.name}"')
            role = reply["role"]
            password = role.get("password") or neon.reveal_role_password(args.project_id, args.branch_id, args.name)
            return CreateResult(composite_id(args.project_id, args.branch_id, args.name),
                                _to_outs(args.project_id, role, password, args.owner))

    def read(self, id_: str, props: Any) -> ReadResult:
        project_id, branch_id, name = split_id(id_, props, "Role")
        with NeonClient.from_env() as neon:
            try:
                role = neon.get_role(project_id, branch_id, name)
            except NotFound:
                return ReadResult("", {})
            try:
                password = neon.reveal_role_password(project_id, branch_id, name)
            except ApiError as err:
                # 412: Neon no longer holds the password (e.g. set outside the API); keep the one in state.
                if err.status not in (404, 412):
                    raise
                password = props.get("password")
        return ReadResult(id_, _to_outs(project_id, role, password, props.get("owner")))

    def delete(self, id_: str, props: Any) -> None:
        project_id, branch_id, name = split_id(id_, props, "Role")
        with NeonClient.from_env() as neon:
            try:
                neon.wait_operations(project_id, neon.delete_role(project_id, branch_id, name),
                                     f'deletion of role "{name}"')
            except NotFound:
                return


class Role(pulumi.dynamic.Resource, module="neon", name="Role"):
    """A Neon role. Outputs: the inputs and ``password`` (secret); ``id`` is ``<project>/<branch>/<name>``."""

    project_id: pulumi.Output[str]
    branch_id: pulumi.Output[str]
    name: pulumi.Output[str]
    owner: pulumi.Output[str]
    password: pulumi.Output[str]

    def __init__(self, resource_name: str, args: RoleArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(additional_secret_outputs=["password"]))
        super().__init__(RoleProvider(), resource_name, {**args.to_props(), "password": None}, opts)
