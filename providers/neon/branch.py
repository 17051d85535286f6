"""Neon branch (``pulumi-python:dynamic/neon:Branch``), marked with an annotation naming the stack that owns it.

Create first (DESIGN §5): a taken name is adopted only when the branch's annotation names this stack, or when
this call's own dropped attempt made it; otherwise ``up`` fails naming the branch and the stack. State keeps the
inputs only: ``current_state`` and the like change on Neon's side and would show up in ``refresh``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, ResourceProvider, UpdateResult

from .._http import CheckedArgs, InputReader, NotFound, create_owned, diff_props, parse_timestamp, wait_until
from .client import API, NeonClient
from .ids import ID_HINT, ID_PATTERN, project_of
from .ownership import annotated_owner, branch_claim, owner_annotation, read_owner

FIELDS = ("project_id", "name", "parent_id", "init_source")
IMMUTABLE = ("project_id", "parent_id", "init_source")
SCHEMA_ONLY = "schema-only"
INIT_SOURCES = (SCHEMA_ONLY, "parent-data")
_READY_STATES = frozenset({"ready", "archived"})


@dataclass(frozen=True)
class BranchArgs(CheckedArgs):
    """Inputs of a Neon branch."""

    KIND = "neon:Branch"

    project_id: pulumi.Input[str]
    """Neon project id. Changing it replaces the branch."""
    name: pulumi.Input[str]
    """Branch name, unique in the project (e.g. ``uat`` or ``pr-42``). Renamed in place."""
    owner: pulumi.Input[str]
    """The stack that owns the branch, ``"<project>/<stack>"``; stored in the branch's annotation."""
    parent_id: Optional[pulumi.Input[str]] = None
    """Branch id to branch from; None branches from the project's default branch. Changing it replaces."""
    init_source: Optional[pulumi.Input[str]] = None
    """``"schema-only"``: a new root branch with the parent's schema and none of its data (neon.openapi.json
    BranchCreateRequest: "they do not establish a parent-child relationship"); None or ``"parent-data"``: a copy of
    the parent's data. Changing it replaces."""

    @classmethod
    def read_inputs(cls, reader: InputReader) -> dict[str, Any]:
        """Validate the ids (Neon's id pattern), the name (at most 256 characters), the owner, and that a
        schema-only branch names the branch whose schema it copies (Neon requires ``parent_id`` for it)."""
        values = {
            "project_id": reader.string("project_id", example="project.id", pattern=ID_PATTERN, pattern_hint=ID_HINT),
            "name": reader.string("name", example='"uat"', max_length=256),
            "owner": read_owner(reader),
            "parent_id": reader.string("parent_id", required=False, example='"br-main-123"', pattern=ID_PATTERN,
                                       pattern_hint=ID_HINT),
            "init_source": reader.string("init_source", required=False, example=f'"{SCHEMA_ONLY}"',
                                         choices=list(INIT_SOURCES)),
        }
        if values["init_source"] == SCHEMA_ONLY and values["parent_id"] is None:
            reader.fail("parent_id", "is required with init_source schema-only: the branch whose schema is copied")
        return values


def _to_outs(branch: dict[str, Any], parent_id: Optional[str], owner: Optional[str],
             init_source: Optional[str]) -> dict[str, Any]:
    """State of a branch: its inputs (``parent_id`` as asked, since Neon fills in the default branch, and a
    schema-only branch has no parent at all)."""
    return {"project_id": branch.get("project_id"), "name": branch.get("name"), "parent_id": parent_id,
            "owner": owner, "init_source": init_source}


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

            def create() -> dict[str, Any]:
                return neon.create_branch(args.project_id, args.name, args.parent_id, owner_annotation(args.owner),
                                          args.init_source)

            def find() -> Optional[dict[str, Any]]:
                found = neon.find_branch(args.project_id, args.name)
                return {"branch": found[0], "annotation_value": found[1]} if found else None

            reply, _ = create_owned(
                create, find, claim=branch_claim(args.project_id, args.name, args.owner), timing=neon.timing,
                proves_ownership=lambda found: annotated_owner(found["annotation_value"]) == args.owner,
                created_at=lambda found: parse_timestamp(found["branch"].get("created_at")),
            )
            branch_id = reply["branch"]["id"]
            neon.wait_operations(args.project_id, reply, f'branch "{args.name}"')
            branch = self._settle(neon, args.project_id, branch_id, args.name)
            return CreateResult(branch_id, _to_outs(branch, args.parent_id, args.owner, args.init_source))

    def read(self, id_: str, props: Any) -> ReadResult:
        with NeonClient.from_env() as neon:
            try:
                branch, annotation = neon.get_branch_annotated(project_of(props, "Branch"), id_)
            except NotFound:
                return ReadResult("", {})
        schema_only = props.get("init_source") == SCHEMA_ONLY
        parent_id = (props.get("parent_id") if schema_only else branch.get("parent_id")) if props.get("parent_id") else None
        return ReadResult(id_, _to_outs(branch, parent_id, props.get("owner") or annotated_owner(annotation),
                                        props.get("init_source")))

    def update(self, id_: str, olds: Any, news: Any) -> UpdateResult:
        args: BranchArgs = BranchArgs.from_props(news)
        with NeonClient.from_env() as neon:
            if olds.get("name") != args.name:
                neon.wait_operations(args.project_id, neon.rename_branch(args.project_id, id_, args.name),
                                     f'rename of branch "{args.name}"')
            branch = self._settle(neon, args.project_id, id_, args.name)
            return UpdateResult(_to_outs(branch, args.parent_id, args.owner, args.init_source))

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
    """A Neon branch. Outputs: the inputs; ``id`` is the branch id."""

    project_id: pulumi.Output[str]
    name: pulumi.Output[str]
    parent_id: pulumi.Output[Optional[str]]
    owner: pulumi.Output[str]
    init_source: pulumi.Output[Optional[str]]

    def __init__(self, resource_name: str, args: BranchArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__(BranchProvider(), resource_name, args.to_props(), opts)
