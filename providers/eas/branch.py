"""EAS update branch (``pulumi-python:dynamic/eas:UpdateBranch``): where a stack's updates are published.

A branch carries nothing that could name its owner, so a same-named branch found after a create is adopted only
when this very create call made it (creation time after our dropped attempt); otherwise ``up`` fails naming it.
Deletion is scheduled and its receipt polled (``branch/delete.ts``); a branch is gone when its name reads null.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, ResourceProvider

from .._http import CheckedArgs, Claim, InputReader, create_owned, diff_props, parse_timestamp
from .._http.graphql import GraphQLFailure
from .client import API, EasClient
from .catalog import NAME

FIELDS = ("app_id", "name")
UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"


def read_app_id(reader: InputReader) -> Any:
    """Validate the EAS project id (``extra.eas.projectId``, a UUID)."""
    return reader.string("app_id", pattern=UUID, pattern_hint="the EAS project id is a UUID (extra.eas.projectId)")


def name_taken(exc: Exception) -> bool:
    """EAS blames the caller (errorType USER) for a create whose name exists; the lookup then decides."""
    return isinstance(exc, GraphQLFailure) and (exc.user_error or exc.has_code("CHANNEL_ALREADY_EXISTS"))


def claim(kind: str, name: str, owner: str) -> Claim:
    """What a branch or channel create is about, with the way out when the name is taken."""
    return Claim(api=API, kind=kind, name=name, owner=owner,
                 resolve=(f"EAS {kind}es carry no owner, so nothing shows which stack made this one. If no build uses "
                          f"it, delete it (eas {kind}:delete {name}); otherwise set stagecraft:mobile.channel to "
                          "another name."))


@dataclass(frozen=True)
class UpdateBranchArgs(CheckedArgs):
    """Inputs of an update branch (every change replaces it)."""

    KIND = "eas:UpdateBranch"

    app_id: pulumi.Input[str]
    """EAS project id (UUID)."""
    name: pulumi.Input[str]
    """Branch name, unique in the app."""
    owner: pulumi.Input[str]
    """The stack that owns the branch, ``"<project>/<stack>"`` (for messages; EAS stores no marker)."""

    @classmethod
    def read_inputs(cls, reader: InputReader) -> dict[str, Any]:
        """Validate the app id, the name and the owner."""
        return {"app_id": read_app_id(reader), "name": reader.string("name", pattern=NAME, max_length=100,
                                                                     pattern_hint="letters, digits, . _ / -"),
                "owner": reader.string("owner")}


class UpdateBranchProvider(ResourceProvider):
    """CRUD for update branches (EXPO_TOKEN / EXPO_API_URL from the environment)."""

    def check(self, _olds: Any, news: Any):
        return UpdateBranchArgs.check(news)

    def diff(self, _id: str, olds: Any, news: Any) -> DiffResult:
        return diff_props(olds, news, fields=FIELDS, immutable=FIELDS, unique_name=True)

    def create(self, props: Any) -> CreateResult:
        args: UpdateBranchArgs = UpdateBranchArgs.from_props(props)
        with EasClient.from_env() as eas:
            branch, _ = create_owned(
                lambda: eas.create_branch(args.app_id, args.name), lambda: eas.find_branch(args.app_id, args.name),
                claim=claim("branch", args.name, args.owner), timing=eas.timing, name_taken=name_taken,
                created_at=lambda b: parse_timestamp(b.get("createdAt")))
            return CreateResult(branch["id"], args.to_props())

    def read(self, id_: str, props: Any) -> ReadResult:
        with EasClient.from_env() as eas:
            branch = eas.find_branch(props["app_id"], props["name"])
        if branch is None or branch["id"] != id_:
            return ReadResult("", {})
        return ReadResult(id_, {**props, "name": branch["name"]})

    def delete(self, id_: str, props: Any) -> None:
        with EasClient.from_env() as eas:
            def ours() -> Any:
                found = eas.find_branch(props["app_id"], props["name"])
                return found if found is not None and found["id"] == id_ else None

            eas.delete_until_gone(ours, lambda: eas.schedule_branch_deletion(id_), f'deletion of branch "{props["name"]}"')


class UpdateBranch(pulumi.dynamic.Resource, module="eas", name="UpdateBranch"):
    """An EAS update branch. Output: ``id``."""

    def __init__(self, resource_name: str, args: UpdateBranchArgs,
                 opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__(UpdateBranchProvider(), resource_name, args.to_props(), opts)
