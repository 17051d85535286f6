"""MobileChannel: the stack's Expo EAS update branch and the channel its builds use, mapped to that branch."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi

API_URL_VARIABLE = "EXPO_PUBLIC_API_URL"
"""What the mobile app reads its API from: Expo inlines `EXPO_PUBLIC_*` variables into the bundle at build time."""
ENVIRONMENT_VARIABLE = "EXPO_PUBLIC_ENVIRONMENT"


def eas_build_profile(channel: str, api_url: str, environment: str) -> dict[str, Any]:
    """The `eas.json` build profile of a stack: its builds take updates from `channel` and talk to `api_url`."""
    return {"channel": channel, "env": {API_URL_VARIABLE: api_url, ENVIRONMENT_VARIABLE: environment}}


@dataclass(frozen=True)
class MobileChannelArgs:
    """Which EAS project, the channel name, and the API the stack's builds talk to."""

    project_id: str
    """EAS project id of the mobile app (`extra.eas.projectId`, a UUID)."""
    channel: str
    """Channel (and branch) name, the stack's by default (`uat`, `beta`, `preprod`, `production`)."""
    api_url: pulumi.Input[str]
    """Backend URL the stack's builds are pointed at (`EXPO_PUBLIC_API_URL` in their EAS build profile)."""
    owner: str
    """The stack that owns the channel, `<project>/<stack>`."""


class MobileChannel(pulumi.ComponentResource):
    """An EAS update branch plus a channel mapped to it (deleted the way EAS does it now: scheduled, polled)."""

    channel: pulumi.Output[str]
    """Channel name (`eas.json` `build.<profile>.channel`)."""
    branch: pulumi.Output[str]
    """Update branch the channel serves (`eas update --branch`)."""
    api_url: pulumi.Output[str]
    """The API URL the channel's builds use."""

    def __init__(self, name: str, args: MobileChannelArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("stagecraft:index:MobileChannel", name, None, opts)
        from providers.eas.branch import UpdateBranch, UpdateBranchArgs
        from providers.eas.channel import UpdateChannel, UpdateChannelArgs

        child = pulumi.ResourceOptions(parent=self)
        branch = UpdateBranch(f"{name}-branch", UpdateBranchArgs(app_id=args.project_id, name=args.channel,
                                                                  owner=args.owner), opts=child)
        channel = UpdateChannel(f"{name}-channel", UpdateChannelArgs(app_id=args.project_id, name=args.channel,
                                                                     branch_id=branch.id, owner=args.owner), opts=child)
        self.channel = channel.id.apply(lambda _id: args.channel)
        self.branch = branch.id.apply(lambda _id: args.channel)
        self.api_url = pulumi.Output.from_input(args.api_url)
        self.register_outputs({"channel": self.channel, "branch": self.branch, "api_url": self.api_url})
