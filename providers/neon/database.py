"""Neon database on a branch (``pulumi-python:dynamic/neon:Database``), addressed by name."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Optional

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, ResourceProvider, UpdateResult

from .._http import CheckedArgs, InputReader, NotFound, create_or_adopt, diff_props
from .client import NeonClient
from .ids import composite_id, read_project_and_branch, split_id

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

    @classmethod
    def read_inputs(cls, reader: InputReader) -> dict[str, Any]:
        """Validate ids, name and owner."""
        return {
            **read_project_and_branch(reader),
            "name": reader.string("name", example='"app"'),
            "owner_name": reader.string("owner_name", example="role.name"),
        }


def _to_outs(project_id: str, database: Mapping[str, Any]) -> dict[str, Any]:
    """State of a database: its inputs as Neon reports them."""
    return {"project_id": project_id, "branch_id": database.get("branch_id"), "name": database.get("name"),
            "owner_name": database.get("owner_name")}


class DatabaseProvider(ResourceProvider):
    """CRUD for Neon databases. Credentials come from NEON_API_KEY / NEON_API_URL at call time."""

    def check(self, _olds: Any, news: Any):
        return DatabaseArgs.check(news)

    def diff(self, _id: str, olds: Any, news: Any) -> DiffResult:
        return diff_props(olds, news, fields=FIELDS, immutable=IMMUTABLE, unique_name=True)

    def create(self, props: Any) -> CreateResult:
        args: DatabaseArgs = DatabaseArgs.from_props(props)
        with NeonClient.from_env() as neon:

            def create() -> dict[str, Any]:
                reply = neon.create_database(args.project_id, args.branch_id, args.name, args.owner_name)
                neon.wait_operations(args.project_id, reply, f'database "{args.name}"')
                return reply["database"]

            database, adopted = create_or_adopt(
                lambda: neon.find_database(args.project_id, args.branch_id, args.name), create, timing=neon.timing
            )
            if adopted and database.get("owner_name") != args.owner_name:
                database = self._set_owner(neon, args)
            return CreateResult(composite_id(args.project_id, args.branch_id, args.name),
                                _to_outs(args.project_id, database))

    def read(self, id_: str, props: Any) -> ReadResult:
        project_id, branch_id, name = split_id(id_, props, "Database")
        with NeonClient.from_env() as neon:
            try:
                return ReadResult(id_, _to_outs(project_id, neon.get_database(project_id, branch_id, name)))
            except NotFound:
                return ReadResult("", {})

    def update(self, _id: str, _olds: Any, news: Any) -> UpdateResult:
        args: DatabaseArgs = DatabaseArgs.from_props(news)
        with NeonClient.from_env() as neon:
            return UpdateResult(_to_outs(args.project_id, self._set_owner(neon, args)))

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

    def __init__(self, resource_name: str, args: DatabaseArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__(DatabaseProvider(), resource_name, args.to_props(), opts)
