"""Neon branch (``pulumi-python:dynamic/neon:Branch``), adopted by name within its project."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, ResourceProvider, UpdateResult

from .._http import CheckedArgs, InputReader, NotFound, create_or_adopt, diff_props, wait_until
from .client import API, NeonClient
from .ids import ID_HINT, ID_PATTERN, project_of

FIELDS = ("project_id", "name", "parent_id")
IMMUTABLE = ("project_id", "parent_id")
_READY_STATES = frozenset({"ready", "archived"})


@dataclass(frozen=True)
class BranchArgs(CheckedArgs):
    """Inputs of a Neon branch."""

    KIND = "neon:Branch"

    project_id: pulumi.Input[str]
    """Neon project id. Changing it replaces the branch."""
    name: pulumi.Input[str]
    """Branch name, unique in the project (e.g. ``uat`` or ``pr-42``). Renamed in place."""
    parent_id: Optional[pulumi.Input[str]] = None
    """Branch id to branch from; None branches from the project's default branch. Changing it replaces."""

    @classmethod
    def read_inputs(cls, reader: InputReader) -> dict[str, Any]:
        """Validate the ids (Neon's id pattern) and the name (at most 256 characters)."""
        return {
            "project_id": reader.string("project_id", example="project.id", pattern=ID_PATTERN, pattern_hint=ID_HINT),
            "name": reader.string("name", example='"uat"', max_length=256),
            "parent_id": reader.string("parent_id", required=False, example='"br-main-123"', pattern=ID_PATTERN,
                                       pattern_hint=ID_HINT),
        }


def _to_outs(branch: dict[str, Any], parent_id: Optional[str]) -> dict[str, Any]:
    """State of a branch: inputs (``parent_id`` as asked, since Neon fills in the default branch) and state."""
    return {
        "project_id": branch.get("project_id"),
        "name": branch.get("name"),
        "parent_id": parent_id,
        "current_state": branch.get("current_state"),
        "default": bool(branch.get("default", False)),
    }


def _classify(branch: dict[str, Any]) -> tuple[str, str]:
    state = str(branch.get("current_state"))
    pending = branch.get("pending_state")
    if state in _READY_STATES and not pending:
        return "ready", state
    return "pending", f"{state} -> {pending}" if pending else state


class BranchProvider(ResourceProvider):
    """CRUD for Neon branches. Credentials come from NEON_API_KEY / NEON_API_URL at call time."""

    def check(self, _olds: Any, news: Any):
        return BranchArgs.check(news)

    def diff(self, _id: str, olds: Any, news: Any) -> DiffResult:
        return diff_props(olds, news, fields=FIELDS, immutable=IMMUTABLE, unique_name=True)

    def create(self, props: Any) -> CreateResult:
        args: BranchArgs = BranchArgs.from_props(props)
        with NeonClient.from_env() as neon:
            branch, _ = create_or_adopt(
                lambda: neon.find_branch(args.project_id, args.name),
                lambda: neon.create_branch(args.project_id, args.name, args.parent_id)["branch"],
                timing=neon.timing,
            )
            branch = self._settle(neon, args.project_id, branch["id"], args.name)
            return CreateResult(branch["id"], _to_outs(branch, args.parent_id))

    def read(self, id_: str, props: Any) -> ReadResult:
        with NeonClient.from_env() as neon:
            try:
                branch = neon.get_branch(project_of(props, "Branch"), id_)
            except NotFound:
                return ReadResult("", {})
        return ReadResult(id_, _to_outs(branch, branch.get("parent_id") if props.get("parent_id") else None))

    def update(self, id_: str, olds: Any, news: Any) -> UpdateResult:
        args: BranchArgs = BranchArgs.from_props(news)
        with NeonClient.from_env() as neon:
            if olds.get("name") != args.name:
                neon.wait_operations(args.project_id, neon.rename_branch(args.project_id, id_, args.name),
                                     f'rename of branch "{args.name}"')
            branch = self._settle(neon, args.project_id, id_, args.name)
            return UpdateResult(_to_outs(branch, args.parent_id))

    def delete(self, id_: str, props: Any) -> None:
        project_id = project_of(props, "Branch")
        with NeonClient.from_env() as neon:
            try:
                neon.wait_operations(project_id, neon.delete_branch(project_id, id_),
                                     f'deletion of branch "{props.get("name", id_)}"')
            except NotFound:
                return

    @staticmethod
    def _settle(neon: NeonClient, project_id: str, branch_id: str, name: str) -> dict[str, Any]:
        return wait_until(lambda: neon.get_branch(project_id, branch_id), _classify, api=API,
                          what=f'branch "{name}"', timing=neon.timing)


class Branch(pulumi.dynamic.Resource, module="neon", name="Branch"):
    """A Neon branch. Outputs: the inputs plus ``current_state`` and ``default``; ``id`` is the branch id."""

    project_id: pulumi.Output[str]
    name: pulumi.Output[str]
    parent_id: pulumi.Output[Optional[str]]
    current_state: pulumi.Output[str]
    default: pulumi.Output[bool]

    def __init__(self, resource_name: str, args: BranchArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        props = {**args.to_props(), "current_state": None, "default": None}
        super().__init__(BranchProvider(), resource_name, props, opts)
