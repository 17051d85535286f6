"""RailwayHost: the stack's Railway project and environment, created once and handed to every component on it.

DESIGN §4 "Platform hosts": the backend, the Postgres and Redis databases and the volume that stands in for a
bucket all live in one Railway project, in the environment named after the stack; none of them creates it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi


@dataclass(frozen=True)
class RailwayHostArgs:
    """The project's physical name, the environment and the owner marker."""

    physical_name: str
    """`<project>-<stack>`: the Railway project name."""
    environment: str
    """Environment the stack deploys to (the stack name)."""
    owner: str
    """The stack that owns the project, `<project>/<stack>` (written into the project's description)."""
    workspace_id: str | None = None
    """Railway workspace to create the project in (None: the token's own)."""


class RailwayHost(pulumi.ComponentResource):
    """One Railway project with the stack's environment."""

    project_id: pulumi.Output[str]
    """Railway project id."""
    environment_id: pulumi.Output[str]
    """Id of the stack's environment in the project."""

    def __init__(self, name: str, args: RailwayHostArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("stagecraft:index:RailwayHost", name, None, opts)
        from providers.railway.project import Project, ProjectArgs

        project = Project(f"{name}-project", ProjectArgs(name=args.physical_name, environment=args.environment,
                                                         owner=args.owner, workspace_id=args.workspace_id),
                          opts=pulumi.ResourceOptions(parent=self))
        self.owner = args.owner
        self.project_id = project.id
        self.environment_id = project.environment_id
        self.register_outputs({"project_id": self.project_id, "environment_id": self.environment_id})
