"""Neon role on a branch (``pulumi-python:dynamic/neon:Role``); its generated password is a secret output."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Optional

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, ResourceProvider

from .._http import ApiError, CheckedArgs, InputReader, NotFound, create_or_adopt, diff_props
from .client import NeonClient
from .ids import composite_id, read_project_and_branch, split_id

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

    @classmethod
    def read_inputs(cls, reader: InputReader) -> dict[str, Any]:
        """Validate ids and the name length Postgres allows."""
        values = {**read_project_and_branch(reader), "name": reader.string("name", example='"app"')}
        name = values["name"]
        if isinstance(name, str) and len(name.encode()) > NAME_MAX_BYTES:
            reader.fail("name", f"must be at most {NAME_MAX_BYTES} bytes, got {len(name.encode())}")
        return values


def _to_outs(project_id: str, role: Mapping[str, Any], password: Optional[str]) -> dict[str, Any]:
    """State of a role: its inputs and the password (a secret output)."""
    return {"project_id": project_id, "branch_id": role.get("branch_id"), "name": role.get("name"),
            "password": password}


class RoleProvider(ResourceProvider):
    """Create/read/delete for Neon roles. Credentials come from NEON_API_KEY / NEON_API_URL at call time."""

    def check(self, _olds: Any, news: Any):
        return RoleArgs.check(news)

    def diff(self, _id: str, olds: Any, news: Any) -> DiffResult:
        return diff_props(olds, news, fields=FIELDS, immutable=IMMUTABLE, unique_name=True)

    def create(self, props: Any) -> CreateResult:
        args: RoleArgs = RoleArgs.from_props(props)
        with NeonClient.from_env() as neon:
            passwords: dict[str, str] = {}

            def create() -> dict[str, Any]:
                reply = neon.create_role(args.project_id, args.branch_id, args.name)
                passwords["created"] = reply["role"].get("password") or ""
                neon.wait_operations(args.project_id, reply, f'role "{args.name}"')
                return reply["role"]

            role, adopted = create_or_adopt(
                lambda: neon.find_role(args.project_id, args.branch_id, args.name), create, timing=neon.timing
            )
            password = passwords.get("created") if not adopted else None
            if not password:
                password = neon.reveal_role_password(args.project_id, args.branch_id, args.name)
            return CreateResult(composite_id(args.project_id, args.branch_id, args.name),
                                _to_outs(args.project_id, role, password))

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
        return ReadResult(id_, _to_outs(project_id, role, password))

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
    password: pulumi.Output[str]

    def __init__(self, resource_name: str, args: RoleArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(additional_secret_outputs=["password"]))
        super().__init__(RoleProvider(), resource_name, {**args.to_props(), "password": None}, opts)
