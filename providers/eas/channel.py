"""EAS update channel mapped to one branch (``pulumi-python:dynamic/eas:UpdateChannel``).

Builds name the channel (``eas.json`` ``build.<profile>.channel``); the channel's branch mapping (a JSON string,
``channel/branch-mapping.ts``) says which branch's updates they get. ``CHANNEL_ALREADY_EXISTS`` on create is
adopted only with proof that this call made the channel (EAS stores no owner). A new branch re-maps the channel
in place; deletion is scheduled and its receipt polled (``channel/delete.ts``); a channel is gone when its name
reads null.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, ResourceProvider, UpdateResult

from .._http import CheckedArgs, InputReader, create_owned, diff_props, parse_timestamp
from .branch import NAME, claim, name_taken, read_app_id
from .client import EasClient, branch_mapping, mapped_branch

FIELDS = ("app_id", "name", "branch_id")
IMMUTABLE = ("app_id", "name")


@dataclass(frozen=True)
class UpdateChannelArgs(CheckedArgs):
    """Inputs of an update channel."""

    KIND = "eas:UpdateChannel"

    app_id: pulumi.Input[str]
    """EAS project id (UUID). Changing it replaces the channel."""
    name: pulumi.Input[str]
    """Channel name builds are made with. Changing it replaces the channel."""
    branch_id: pulumi.Input[str]
    """The branch whose updates the channel serves; a change re-maps in place."""
    owner: pulumi.Input[str]
    """The stack that owns the channel, ``"<project>/<stack>"`` (for messages; EAS stores no marker)."""

    @classmethod
    def read_inputs(cls, reader: InputReader) -> dict[str, Any]:
        """Validate the app id, the name, the branch and the owner."""
        return {"app_id": read_app_id(reader), "name": reader.string("name", pattern=NAME, max_length=100,
                                                                     pattern_hint="letters, digits, . _ / -"),
                "branch_id": reader.string("branch_id"), "owner": reader.string("owner")}


class UpdateChannelProvider(ResourceProvider):
    """CRUD for update channels (EXPO_TOKEN / EXPO_API_URL from the environment)."""

    def check(self, _olds: Any, news: Any):
        return UpdateChannelArgs.check(news)

    def diff(self, _id: str, olds: Any, news: Any) -> DiffResult:
        return diff_props(olds, news, fields=FIELDS, immutable=IMMUTABLE, unique_name=True)

    def create(self, props: Any) -> CreateResult:
        args: UpdateChannelArgs = UpdateChannelArgs.from_props(props)
        with EasClient.from_env() as eas:
            channel, adopted = create_owned(
                lambda: eas.create_channel(args.app_id, args.name, branch_mapping(args.branch_id)),
                lambda: eas.find_channel(args.app_id, args.name), claim=claim("channel", args.name, args.owner),
                timing=eas.timing, name_taken=name_taken, created_at=lambda c: parse_timestamp(c.get("createdAt")))
            if adopted and mapped_branch(channel["branchMapping"]) != args.branch_id:
                eas.remap_channel(channel["id"], branch_mapping(args.branch_id))
            return CreateResult(channel["id"], args.to_props())

    def read(self, id_: str, props: Any) -> ReadResult:
        with EasClient.from_env() as eas:
            channel = eas.find_channel(props["app_id"], props["name"])
        if channel is None or channel["id"] != id_:
            return ReadResult("", {})
        return ReadResult(id_, {**props, "branch_id": mapped_branch(channel["branchMapping"]) or ""})

    def update(self, id_: str, _olds: Any, news: Any) -> UpdateResult:
        args: UpdateChannelArgs = UpdateChannelArgs.from_props(news)
        with EasClient.from_env() as eas:
            eas.remap_channel(id_, branch_mapping(args.branch_id))
        return UpdateResult(args.to_props())

    def delete(self, id_: str, props: Any) -> None:
        with EasClient.from_env() as eas:
            def ours() -> Any:
                found = eas.find_channel(props["app_id"], props["name"])
                return found if found is not None and found["id"] == id_ else None

            eas.delete_until_gone(ours, lambda: eas.schedule_channel_deletion(id_), f'deletion of channel "{props["name"]}"')


class UpdateChannel(pulumi.dynamic.Resource, module="eas", name="UpdateChannel"):
    """An EAS update channel pointing at one branch. Output: ``id``."""

    def __init__(self, resource_name: str, args: UpdateChannelArgs,
                 opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__(UpdateChannelProvider(), resource_name, args.to_props(), opts)
