"""Neon database on a branch (``pulumi-python:dynamic/neon:Database``), addressed by name.

A database of the wanted name that is already there (409: e.g. inherited from the parent branch, or made by this
call's dropped attempt) is ours, and given our owner role, only when its branch carries this stack's marker
(``ownership.py``) or this call made it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Optional

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, ResourceProvider, UpdateResult

from .._http import CheckedArgs, InputReader, NotFound, create_owned, diff_props, parse_timestamp
from .client import NeonClient
from .ids import composite_id, read_project_and_branch, split_id
from .ownership import branch_is_ours, on_branch_claim, read_owner

FIELDS = ("project_id", "branch_id", "name", "owner_name")
# The name is part of the resource's id (Neon addresses databases by name), so a rename is a replacement.
IMMUTABLE = ("project_id", "branch_id", "name")


@dataclass(frozen=True)
class DatabaseArgs(CheckedArgs):
    """Inputs of a Neon database."""

    KIND = "neon:Database"

    project_id: pulumi.Input[str]
    """Neon project id."""
    branch_id: pulumi.Input[str]
    """Branch the database lives on."""
    name: pulumi.Input[str]
    """Database name, unique on the branch. Changing it replaces the database (and its data)."""
    owner_name: pulumi.Input[str]
    """Role that owns the database (``Role.name``). Changed in place."""
    owner: pulumi.Input[str]
    """The stack that owns the branch, ``"<project>/<stack>"`` (not the database's owner role)."""

    @classmethod
    def read_inputs(cls, reader: InputReader) -> dict[str, Any]:
        """Validate ids, name, owner role and owning stack."""
        return {
            **read_project_and_branch(reader),
            "name": reader.string("name", example='"app"'),
            "owner_name": reader.string("owner_name", example="role.name"),
            "owner": read_owner(reader),
        }


def _to_outs(project_id: str, database: Mapping[str, Any], owner: Optional[str]) -> dict[str, Any]:
    """State of a database: its inputs as Neon reports them."""
    return {"project_id": project_id, "branch_id": database.get("branch_id"), "name": database.get("name"),
            "owner_name": database.get("owner_name"), "owner": owner}


class DatabaseProvider(ResourceProvider):
    """CRUD for Neon databases. Credentials come from NEON_API_KEY / NEON_API_URL at call time."""

    def check(self, _olds: Any, news: Any):
        return DatabaseArgs.check(news)

    def diff(self, _id: str, olds: Any, news: Any) -> DiffResult:
        return diff_props(olds, news, fields=FIELDS, immutable=IMMUTABLE, unique_name=True)

    def create(self, props: Any) -> CreateResult:
        args: DatabaseArgs = DatabaseArgs.from_props(props)
        with NeonClient.from_env() as neon:

            def find() -> Optional[dict[str, Any]]:
                database = neon.find_database(args.project_id, args.branch_id, args.name)
                return {"database": database} if database else None

            reply, adopted = create_owned(
                lambda: neon.create_database(args.project_id, args.branch_id, args.name, args.owner_name), find,
                timing=neon.timing, claim=on_branch_claim("database", args.name, args.branch_id, args.owner),
                proves_ownership=lambda _found: branch_is_ours(neon, args.project_id, args.branch_id, args.owner),
                created_at=lambda found: parse_timestamp(found["database"].get("created_at")),
            )
            neon.wait_operations(args.project_id, reply, f'database "{args.name}"')
            database = reply["database"]
            if adopted and database.get("owner_name") != args.owner_name:
                database = self._set_owner(neon, args)
            return CreateResult(composite_id(args.project_id, args.branch_id, args.name),
                                _to_outs(args.project_id, database, args.owner))

    def read(self, id_: str, props: Any) -> ReadResult:
        project_id, branch_id, name = split_id(id_, props, "Database")
        with NeonClient.from_env() as neon:
            try:
                database = neon.get_database(project_id, branch_id, name)
            except NotFound:
                return ReadResult("", {})
        return ReadResult(id_, _to_outs(project_id, database, props.get("owner")))

    def update(self, _id: str, _olds: Any, news: Any) -> UpdateResult:
        args: DatabaseArgs = DatabaseArgs.from_props(news)
        with NeonClient.from_env() as neon:
            return UpdateResult(_to_outs(args.project_id, self._set_owner(neon, args), args.owner))

    def delete(self, id_: str, props: Any) -> None:
        project_id, branch_id, name = split_id(id_, props, "Database")
        with NeonClient.from_env() as neon:
            try:
                neon.wait_operations(project_id, neon.delete_database(project_id, branch_id, name),
                                     f'deletion of database "{name}"')
            except NotFound:
                return

    @staticmethod
    def _set_owner(neon: NeonClient, args: DatabaseArgs) -> dict[str, Any]:
        reply = neon.update_database(args.project_id, args.branch_id, args.name, {"owner_name": args.owner_name})
        neon.wait_operations(args.project_id, reply, f'owner change of database "{args.name}"')
        return reply["database"]


class Database(pulumi.dynamic.Resource, module="neon", name="Database"):
    """A Neon database. Outputs: the inputs; ``id`` is ``<project>/<branch>/<name>``."""

    project_id: pulumi.Output[str]
    branch_id: pulumi.Output[str]
    name: pulumi.Output[str]
    owner_name: pulumi.Output[str]
    owner: pulumi.Output[str]

    def __init__(self, resource_name: str, args: DatabaseArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__(DatabaseProvider(), resource_name, args.to_props(), opts)
