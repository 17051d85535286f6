"""The root branch of a Neon project (``pulumi-python:dynamic/neon:RootBranch``): looked up, never made or removed.

A project created through the API comes with one root branch, `main`, marked ``default`` in the branch list, and a
read-write compute on it (neon.com/docs/manage/branches: "projects created via the API or CLI have a root branch
named main"). The official project resource reports the branch's name but not its id (pulumi-neon 0.0.1b1), and
every stack that works on the branch needs the id, so the foundation looks it up once: ``create`` and ``read`` find
the project's default branch and its read-write compute's host; ``delete`` leaves both to the project.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Optional

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, ResourceProvider

from .._http import CheckedArgs, InputReader, NotFound, ProviderError, diff_props
from .client import API, NeonClient
from .ids import ID_HINT, ID_PATTERN, project_of

FIELDS = ("project_id",)
READ_WRITE = "read_write"


@dataclass(frozen=True)
class RootBranchArgs(CheckedArgs):
    """Which project's root branch."""

    KIND = "neon:RootBranch"

    project_id: pulumi.Input[str]
    """Neon project id. Changing it looks up another project's root branch."""

    @classmethod
    def read_inputs(cls, reader: InputReader) -> dict[str, Any]:
        """Validate the project id (Neon's id pattern)."""
        return {"project_id": reader.string("project_id", example="project.id", pattern=ID_PATTERN,
                                            pattern_hint=ID_HINT)}


def _lookup(neon: NeonClient, project_id: str) -> Optional[dict[str, Any]]:
    """State of the project's default branch (None when the project has none, i.e. it is gone)."""
    default = [branch for branch, _ in neon.list_branches(project_id) if branch.get("default")]
    if not default:
        return None
    branch = default[0]
    computes = [e for e in neon.list_branch_endpoints(project_id, branch["id"]) if e.get("type") == READ_WRITE]
    if not computes:
        raise ProviderError(f"{API}: the root branch {branch.get('name')!r} ({branch['id']}) of project {project_id} "
                            "has no read-write compute, which production connects to; add one in the Neon console "
                            "(Branches > main > Add compute)")
    return {"id": branch["id"], "project_id": project_id, "name": branch.get("name"),
            "endpoint_host": computes[0].get("host")}


def _to_outs(found: Mapping[str, Any]) -> dict[str, Any]:
    return {key: found[key] for key in ("project_id", "name", "endpoint_host")}


class RootBranchProvider(ResourceProvider):
    """Finds a project's root branch. Credentials come from NEON_API_KEY / NEON_API_URL at call time."""

    def check(self, _olds: Any, news: Any):
        return RootBranchArgs.check(news)

    def diff(self, _id: str, olds: Any, news: Any) -> DiffResult:
        return diff_props(olds, news, fields=FIELDS, immutable=FIELDS, unique_name=False)

    def create(self, props: Any) -> CreateResult:
        args: RootBranchArgs = RootBranchArgs.from_props(props)
        with NeonClient.from_env() as neon:
            found = _lookup(neon, args.project_id)
        if found is None:
            raise ProviderError(f"{API}: project {args.project_id} has no root (default) branch")
        return CreateResult(found["id"], _to_outs(found))

    def read(self, id_: str, props: Any) -> ReadResult:
        with NeonClient.from_env() as neon:
            try:
                found = _lookup(neon, project_of(props, "RootBranch"))
            except NotFound:
                return ReadResult("", {})
        return ReadResult(found["id"], _to_outs(found)) if found else ReadResult("", {})

    def delete(self, _id: str, _props: Any) -> None:
        """Nothing: the root branch belongs to the project (Neon refuses to delete it anyway)."""


class RootBranch(pulumi.dynamic.Resource, module="neon", name="RootBranch"):
    """A Neon project's root branch. Outputs: ``project_id``, ``name``, ``endpoint_host``; ``id`` is the branch id."""

    project_id: pulumi.Output[str]
    name: pulumi.Output[str]
    endpoint_host: pulumi.Output[str]

    def __init__(self, resource_name: str, args: RootBranchArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__(RootBranchProvider(), resource_name, {**args.to_props(), "name": None, "endpoint_host": None},
                         opts)
