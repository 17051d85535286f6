"""Railway project with the stack's environment (``pulumi-python:dynamic/railway:Project``): the platform host.

``projectCreate`` makes the project together with its first environment (``defaultEnvironmentName``), so one
resource gives every component on Railway the project id and the stack's environment id. Project names are not
unique on Railway; the description carries the owner marker, which is what adoption after a dropped create
checks. Deleting a project deletes every service in it, so a project that still holds a service without this stack's
``STAGECRAFT_OWNER`` marker (one added by hand) is left in place and ``destroy`` says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, ResourceProvider, UpdateResult

from .._http import CheckedArgs, InputReader, create_owned, diff_props, holds_foreign, parse_timestamp
from .client import API, Gone, RailwayClient
from .ownership import OWNER_VARIABLE, described_owner, project_claim, project_description, read_owner

FIELDS = ("name", "environment", "owner", "workspace_id")
IMMUTABLE = ("environment", "workspace_id")
NAME_HINT = "use 1-64 characters"


@dataclass(frozen=True)
class ProjectArgs(CheckedArgs):
    """Inputs of a Railway project."""

    KIND = "railway:Project"

    name: pulumi.Input[str]
    """Project name (``<project>-<stack>``). Renamed in place."""
    environment: pulumi.Input[str]
    """Name of the environment the stack deploys to (created with the project). Changing it replaces."""
    owner: pulumi.Input[str]
    """The stack that owns the project, ``"<project>/<stack>"``; written into the description."""
    workspace_id: Optional[pulumi.Input[str]] = None
    """Workspace to create the project in (None: the token's default). Changing it replaces."""

    @classmethod
    def read_inputs(cls, reader: InputReader) -> dict[str, Any]:
        """Validate the project's name, environment and owner."""
        return {
            "name": reader.string("name", example='"stagecraft-preprod"', max_length=64),
            "environment": reader.string("environment", example='"preprod"', pattern=r"[A-Za-z0-9][A-Za-z0-9_-]*",
                                         pattern_hint="letters, digits, - and _", max_length=64),
            "owner": read_owner(reader),
            "workspace_id": reader.string("workspace_id", required=False),
        }


def _to_outs(project: dict[str, Any], args: ProjectArgs) -> dict[str, Any]:
    envs = [e["node"] for e in project["environments"]["edges"] if e["node"]["name"] == args.environment]
    return {"name": project["name"], "environment": args.environment, "owner": described_owner(project.get("description")),
            "workspace_id": args.workspace_id, "environment_id": envs[0]["id"] if envs else ""}


class ProjectProvider(ResourceProvider):
    """CRUD for Railway projects. Credentials come from RAILWAY_API_TOKEN / RAILWAY_API_URL at call time."""

    def check(self, _olds: Any, news: Any):
        return ProjectArgs.check(news)

    def diff(self, _id: str, olds: Any, news: Any) -> DiffResult:
        return diff_props(olds, news, fields=FIELDS, immutable=IMMUTABLE, unique_name=False)

    def create(self, props: Any) -> CreateResult:
        args: ProjectArgs = ProjectArgs.from_props(props)
        with RailwayClient.from_env() as railway:
            def find() -> Optional[dict[str, Any]]:
                found = railway.find_projects(args.name, args.workspace_id)
                marked = [p for p in found if described_owner(p.get("description")) == args.owner]
                if marked:
                    return marked[0]
                return max(found, key=lambda p: p.get("createdAt") or "") if found else None

            project, _ = create_owned(
                lambda: railway.create_project(args.name, project_description(args.owner), args.environment,
                                               args.workspace_id),
                find, claim=project_claim(args.name, args.owner), timing=railway.timing,
                proves_ownership=lambda p: described_owner(p.get("description")) == args.owner,
                created_at=lambda p: parse_timestamp(p.get("createdAt")), name_taken=lambda _exc: False)
            return CreateResult(project["id"], _to_outs(project, args))

    def read(self, id_: str, props: Any) -> ReadResult:
        args = ProjectArgs(name=props.get("name"), environment=props.get("environment"), owner=props.get("owner"),
                           workspace_id=props.get("workspace_id"))
        with RailwayClient.from_env() as railway:
            try:
                project = railway.get_project(id_)
            except Gone:
                return ReadResult("", {})
        return ReadResult(id_, _to_outs(project, args))

    def update(self, id_: str, _olds: Any, news: Any) -> UpdateResult:
        args: ProjectArgs = ProjectArgs.from_props(news)
        with RailwayClient.from_env() as railway:
            project = railway.update_project(id_, args.name, project_description(args.owner))
            return UpdateResult(_to_outs(project, args))

    def delete(self, id_: str, props: Any) -> None:
        with RailwayClient.from_env() as railway:
            try:
                _refuse_foreign_services(railway, id_, props)
                railway.delete_project(id_)
            except Gone:
                return


def _refuse_foreign_services(railway: RailwayClient, project_id: str, props: Any) -> None:
    """Deleting a project deletes every service in it. By the time the project goes, this stack's services (each
    marked with ``STAGECRAFT_OWNER``) are gone; one still there without this stack's marker was added by someone
    else, so the project is left in place rather than take it with it."""
    owner = props.get("owner")
    services = [edge["node"] for edge in railway.get_project(project_id)["services"]["edges"]]
    foreign = [s for s in services if _marker(railway, project_id, props.get("environment_id"), s["id"]) != owner]
    if foreign:
        raise holds_foreign(API, f'project "{props.get("name", project_id)}"', "service(s)",
                            [str(s.get("name")) for s in foreign], str(owner), "the Railway dashboard")


def _marker(railway: RailwayClient, project_id: str, environment_id: Optional[str], service_id: str) -> Optional[str]:
    """The ``STAGECRAFT_OWNER`` a service carries in the stack's environment (None: none, or not in it)."""
    if not environment_id:
        return None
    try:
        return railway.get_variables(project_id, environment_id, service_id, unrendered=True).get(OWNER_VARIABLE)
    except Gone:
        return None


class Project(pulumi.dynamic.Resource, module="railway", name="Project"):
    """A Railway project and the stack's environment in it. Outputs: ``environment_id``; ``id``."""

    environment_id: pulumi.Output[str]

    def __init__(self, resource_name: str, args: ProjectArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__(ProjectProvider(), resource_name, {**args.to_props(), "environment_id": None}, opts)
