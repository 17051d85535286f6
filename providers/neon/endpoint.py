"""Neon compute endpoint (``pulumi-python:dynamic/neon:Endpoint``): the read-write compute of a branch.

A branch has at most one read-write endpoint, which is what makes create safe to retry: an existing
read-write endpoint on the branch is adopted (and given our settings) instead of creating another.
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
    create_or_adopt,
    diff_props,
    is_unknown,
    wait_until,
)
from .client import API, NeonClient
from .ids import project_of, read_project_and_branch

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
    suspend_timeout_seconds: pulumi.Input[int]
    """Idle seconds before scale to zero: 0 = Neon's default (300), -1 = never, else 60..604800."""

    @classmethod
    def read_inputs(cls, reader: InputReader) -> dict[str, Any]:
        """Validate ids, type, compute-unit bounds and the suspend timeout range from the Neon spec."""
        values = {
            **read_project_and_branch(reader),
            "type": reader.string("type", example='"read_write"', choices=[READ_WRITE]),
            "autoscaling_limit_min_cu": reader.number("autoscaling_limit_min_cu", example="0.25", minimum=MIN_CU),
            "autoscaling_limit_max_cu": reader.number("autoscaling_limit_max_cu", example="1", minimum=MIN_CU),
            "suspend_timeout_seconds": reader.integer("suspend_timeout_seconds", example="300", minimum=-1,
                                                      maximum=MAX_SUSPEND),
        }
        low, high = values["autoscaling_limit_min_cu"], values["autoscaling_limit_max_cu"]
        if low is not None and high is not None and not is_unknown(low) and not is_unknown(high) and low > high:
            reader.fail("autoscaling_limit_max_cu", f"({high}) must be at least autoscaling_limit_min_cu ({low})")
        timeout = values["suspend_timeout_seconds"]
        if isinstance(timeout, int) and 0 < timeout < 60:
            reader.fail("suspend_timeout_seconds", f"must be -1, 0 or 60..{MAX_SUSPEND}, got {timeout}")
        return values


def settings_of(args: EndpointArgs) -> dict[str, Any]:
    """The mutable compute settings as the API takes them."""
    return {name: getattr(args, name) for name in SETTINGS}


def _to_outs(endpoint: Mapping[str, Any]) -> dict[str, Any]:
    """State of an endpoint: inputs as Neon reports them, plus ``host`` and ``current_state``."""
    outs = {name: endpoint.get(name) for name in FIELDS}
    outs["host"] = endpoint.get("host")
    outs["current_state"] = endpoint.get("current_state")
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
                return found[0] if found else None

            def create() -> dict[str, Any]:
                reply = neon.create_endpoint(
                    args.project_id, {"branch_id": args.branch_id, "type": args.type, **settings_of(args)}
                )
                neon.wait_operations(args.project_id, reply, f"endpoint of branch {args.branch_id}")
                return reply["endpoint"]

            endpoint, adopted = create_or_adopt(find, create, timing=neon.timing)
            if adopted:
                changes = {k: v for k, v in settings_of(args).items()
                           if k in changed_fields(endpoint, settings_of(args), SETTINGS)}
                if changes:
                    reply = neon.update_endpoint(args.project_id, endpoint["id"], changes)
                    neon.wait_operations(args.project_id, reply, f"update of endpoint {endpoint['id']}")
            endpoint = self._settle(neon, args.project_id, endpoint["id"])
            return CreateResult(endpoint["id"], _to_outs(endpoint))

    def read(self, id_: str, props: Any) -> ReadResult:
        with NeonClient.from_env() as neon:
            try:
                return ReadResult(id_, _to_outs(neon.get_endpoint(project_of(props, "Endpoint"), id_)))
            except NotFound:
                return ReadResult("", {})

    def update(self, id_: str, olds: Any, news: Any) -> UpdateResult:
        args: EndpointArgs = EndpointArgs.from_props(news)
        changes = {k: getattr(args, k) for k in changed_fields(olds, news, SETTINGS)}
        with NeonClient.from_env() as neon:
            if changes:
                neon.wait_operations(args.project_id, neon.update_endpoint(args.project_id, id_, changes),
                                     f"update of endpoint {id_}")
            return UpdateResult(_to_outs(self._settle(neon, args.project_id, id_)))

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
    """A Neon read-write compute endpoint. Outputs: inputs plus ``host`` and ``current_state``; ``id``."""

    project_id: pulumi.Output[str]
    branch_id: pulumi.Output[str]
    type: pulumi.Output[str]
    autoscaling_limit_min_cu: pulumi.Output[float]
    autoscaling_limit_max_cu: pulumi.Output[float]
    suspend_timeout_seconds: pulumi.Output[int]
    host: pulumi.Output[str]
    current_state: pulumi.Output[str]

    def __init__(self, resource_name: str, args: EndpointArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        props = {**args.to_props(), "host": None, "current_state": None}
        super().__init__(EndpointProvider(), resource_name, props, opts)
