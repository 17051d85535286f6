"""Neon compute endpoint (``pulumi-python:dynamic/neon:Endpoint``): the read-write compute of a branch.

A branch has at most one read-write endpoint, so a create that finds one already there (409, or its own dropped
attempt) looks at the branch: the endpoint is ours, and is given our settings, only when the branch carries this
stack's marker (``ownership.py``) or this call made it.

Free plan (neondatabase/create-branch-action#31, neonctl 4187f97): Neon refuses any ``suspend_timeout_seconds``
in a request, even 0, so an unset timeout is never sent; Neon reports 0 ("its default") back, which is the same
as unset. State holds no ``current_state``: Neon idles and wakes computes on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Optional

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, ResourceProvider, UpdateResult

from .._http import (
    CheckedArgs,
    InputReader,
    NotFound,
    changed_fields,
    create_owned,
    diff_props,
    is_unknown,
    parse_timestamp,
    wait_until,
)
from .client import API, NeonClient
from .ids import project_of, read_project_and_branch
from .ownership import branch_is_ours, on_branch_claim, read_owner

SETTINGS = ("autoscaling_limit_min_cu", "autoscaling_limit_max_cu", "suspend_timeout_seconds")
IMMUTABLE = ("project_id", "branch_id", "type")
FIELDS = IMMUTABLE + SETTINGS
READ_WRITE = "read_write"
MIN_CU = 0.25
MAX_SUSPEND = 604800


@dataclass(frozen=True)
class EndpointArgs(CheckedArgs):
    """Inputs of a Neon compute endpoint."""

    KIND = "neon:Endpoint"

    project_id: pulumi.Input[str]
    """Neon project id. Changing it replaces the endpoint."""
    branch_id: pulumi.Input[str]
    """Branch the endpoint serves. Changing it replaces the endpoint."""
    type: pulumi.Input[str]
    """``"read_write"`` (the branch's primary compute; read replicas are not managed by this provider)."""
    autoscaling_limit_min_cu: pulumi.Input[float]
    """Minimum compute units (>= 0.25)."""
    autoscaling_limit_max_cu: pulumi.Input[float]
    """Maximum compute units (>= the minimum)."""
    owner: pulumi.Input[str]
    """The stack that owns the branch this compute serves, ``"<project>/<stack>"``."""
    suspend_timeout_seconds: Optional[pulumi.Input[int]] = None
    """Idle seconds before scale to zero (paid plans): -1 = never, else 60..604800. None (or 0) keeps Neon's
    default (300) and is never sent, which is what the Free plan requires."""

    @classmethod
    def read_inputs(cls, reader: InputReader) -> dict[str, Any]:
        """Validate ids, type, compute-unit bounds and the suspend timeout range from the Neon spec."""
        values = {
            **read_project_and_branch(reader),
            "type": reader.string("type", example='"read_write"', choices=[READ_WRITE]),
            "autoscaling_limit_min_cu": reader.number("autoscaling_limit_min_cu", example="0.25", minimum=MIN_CU),
            "autoscaling_limit_max_cu": reader.number("autoscaling_limit_max_cu", example="1", minimum=MIN_CU),
            "owner": read_owner(reader),
            "suspend_timeout_seconds": _as_setting(reader.integer(
                "suspend_timeout_seconds", required=False, example="300", minimum=-1, maximum=MAX_SUSPEND)),
        }
        low, high = values["autoscaling_limit_min_cu"], values["autoscaling_limit_max_cu"]
        if low is not None and high is not None and not is_unknown(low) and not is_unknown(high) and low > high:
            reader.fail("autoscaling_limit_max_cu", f"({high}) must be at least autoscaling_limit_min_cu ({low})")
        timeout = values["suspend_timeout_seconds"]
        if isinstance(timeout, int) and 0 < timeout < 60:
            reader.fail("suspend_timeout_seconds", f"must be -1, 0 or 60..{MAX_SUSPEND}, got {timeout}")
        return values


def _as_setting(timeout: Any) -> Any:
    """0 means "Neon's default", the same as leaving the timeout unset."""
    return None if timeout == 0 and not isinstance(timeout, bool) else timeout


def settings_of(args: EndpointArgs) -> dict[str, Any]:
    """The compute settings to send on create: an unset suspend timeout is left out (Free plan)."""
    return {name: getattr(args, name) for name in SETTINGS if getattr(args, name) is not None}


def changes_of(args: EndpointArgs, names: list[str]) -> dict[str, Any]:
    """The changed settings to send on update; an unset suspend timeout goes back to Neon's default (0)."""
    return {name: 0 if getattr(args, name) is None else getattr(args, name) for name in names}


def _to_outs(endpoint: Mapping[str, Any], owner: Optional[str]) -> dict[str, Any]:
    """State of an endpoint: inputs as Neon reports them (a default timeout as unset), the owner and ``host``."""
    outs = {name: endpoint.get(name) for name in FIELDS}
    outs["suspend_timeout_seconds"] = _as_setting(endpoint.get("suspend_timeout_seconds"))
    outs["owner"] = owner
    outs["host"] = endpoint.get("host")
    return outs


def _classify(endpoint: Mapping[str, Any]) -> tuple[str, str]:
    state = str(endpoint.get("current_state"))
    if state in ("active", "idle") and endpoint.get("host"):
        return "ready", state
    return "pending", state


class EndpointProvider(ResourceProvider):
    """CRUD for Neon read-write endpoints. Credentials come from NEON_API_KEY / NEON_API_URL at call time."""

    def check(self, _olds: Any, news: Any):
        return EndpointArgs.check(news)

    def diff(self, _id: str, olds: Any, news: Any) -> DiffResult:
        # One read-write endpoint per branch: the old one must go before a replacement can exist.
        return diff_props(olds, news, fields=FIELDS, immutable=IMMUTABLE, unique_name=True)

    def create(self, props: Any) -> CreateResult:
        args: EndpointArgs = EndpointArgs.from_props(props)
        with NeonClient.from_env() as neon:

            def find() -> Optional[dict[str, Any]]:
                found = [e for e in neon.list_branch_endpoints(args.project_id, args.branch_id)
                         if e.get("type") == READ_WRITE]
                return {"endpoint": found[0]} if found else None

            def create() -> dict[str, Any]:
                return neon.create_endpoint(
                    args.project_id, {"branch_id": args.branch_id, "type": args.type, **settings_of(args)})

            reply, adopted = create_owned(
                create, find, timing=neon.timing,
                claim=on_branch_claim("compute endpoint", READ_WRITE, args.branch_id, args.owner),
                proves_ownership=lambda _found: branch_is_ours(neon, args.project_id, args.branch_id, args.owner),
                created_at=lambda found: parse_timestamp(found["endpoint"].get("created_at")),
            )
            endpoint = reply["endpoint"]
            neon.wait_operations(args.project_id, reply, f"endpoint of branch {args.branch_id}")
            if adopted:
                current = _to_outs(endpoint, args.owner)
                changes = changes_of(args, changed_fields(current, args.to_props(), SETTINGS))
                if changes:
                    update = neon.update_endpoint(args.project_id, endpoint["id"], changes)
                    neon.wait_operations(args.project_id, update, f"update of endpoint {endpoint['id']}")
            endpoint = self._settle(neon, args.project_id, endpoint["id"])
            return CreateResult(endpoint["id"], _to_outs(endpoint, args.owner))

    def read(self, id_: str, props: Any) -> ReadResult:
        with NeonClient.from_env() as neon:
            try:
                endpoint = neon.get_endpoint(project_of(props, "Endpoint"), id_)
            except NotFound:
                return ReadResult("", {})
        return ReadResult(id_, _to_outs(endpoint, props.get("owner")))

    def update(self, id_: str, olds: Any, news: Any) -> UpdateResult:
        args: EndpointArgs = EndpointArgs.from_props(news)
        changes = changes_of(args, changed_fields(olds, args.to_props(), SETTINGS))
        with NeonClient.from_env() as neon:
            if changes:
                neon.wait_operations(args.project_id, neon.update_endpoint(args.project_id, id_, changes),
                                     f"update of endpoint {id_}")
            return UpdateResult(_to_outs(self._settle(neon, args.project_id, id_), args.owner))

    def delete(self, id_: str, props: Any) -> None:
        project_id = project_of(props, "Endpoint")
        with NeonClient.from_env() as neon:
            try:
                neon.wait_operations(project_id, neon.delete_endpoint(project_id, id_), f"deletion of endpoint {id_}")
            except NotFound:
                return

    @staticmethod
    def _settle(neon: NeonClient, project_id: str, endpoint_id: str) -> dict[str, Any]:
        return wait_until(lambda: neon.get_endpoint(project_id, endpoint_id), _classify, api=API,
                          what=f"endpoint {endpoint_id}", timing=neon.timing)


class Endpoint(pulumi.dynamic.Resource, module="neon", name="Endpoint"):
    """A Neon read-write compute endpoint. Outputs: inputs plus ``host``; ``id`` is the endpoint id."""

    project_id: pulumi.Output[str]
    branch_id: pulumi.Output[str]
    type: pulumi.Output[str]
    autoscaling_limit_min_cu: pulumi.Output[float]
    autoscaling_limit_max_cu: pulumi.Output[float]
    suspend_timeout_seconds: pulumi.Output[Optional[int]]
    owner: pulumi.Output[str]
    host: pulumi.Output[str]

    def __init__(self, resource_name: str, args: EndpointArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        props = {**args.to_props(), "host": None}
        super().__init__(EndpointProvider(), resource_name, props, opts)
