"""Railway-generated public domain of a service (``pulumi-python:dynamic/railway:ServiceDomain``).

``serviceDomainCreate`` answers a ``*.up.railway.app`` host routed to ``target_port``. The service it belongs
to is this stack's (proven when the service was created), so a domain found on it after a dropped create is
ours. ``syncStatus`` changes on Railway's side and stays out of state.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, ResourceProvider

from .._http import CheckedArgs, Claim, InputReader, create_owned, diff_props
from .client import API, Gone, RailwayClient

FIELDS = ("project_id", "environment_id", "service_id", "target_port")


@dataclass(frozen=True)
class ServiceDomainArgs(CheckedArgs):
    """Inputs of a generated service domain (every change replaces it)."""

    KIND = "railway:ServiceDomain"

    project_id: pulumi.Input[str]
    """Railway project id."""
    environment_id: pulumi.Input[str]
    """Environment of the service."""
    service_id: pulumi.Input[str]
    """The service the domain routes to."""
    target_port: pulumi.Input[int]
    """Container port the domain routes to."""

    @classmethod
    def read_inputs(cls, reader: InputReader) -> dict[str, Any]:
        """Validate the ids and the port."""
        return {"project_id": reader.string("project_id"), "environment_id": reader.string("environment_id"),
                "service_id": reader.string("service_id"),
                "target_port": reader.integer("target_port", minimum=1, maximum=65535, example="8000")}


def _to_outs(args: ServiceDomainArgs, domain: dict[str, Any]) -> dict[str, Any]:
    return {**args.to_props(), "domain": domain["domain"], "url": f"https://{domain['domain']}"}


class ServiceDomainProvider(ResourceProvider):
    """CRUD for generated service domains (RAILWAY_API_TOKEN from the environment)."""

    def check(self, _olds: Any, news: Any):
        return ServiceDomainArgs.check(news)

    def diff(self, _id: str, olds: Any, news: Any) -> DiffResult:
        return diff_props(olds, news, fields=FIELDS, immutable=FIELDS, unique_name=False)

    def create(self, props: Any) -> CreateResult:
        args: ServiceDomainArgs = ServiceDomainArgs.from_props(props)
        with RailwayClient.from_env() as railway:
            def find() -> Optional[dict[str, Any]]:
                found = railway.list_domains(args.project_id, args.environment_id, args.service_id)
                return found[0] if found else None

            domain, _ = create_owned(
                lambda: railway.create_domain(args.service_id, args.environment_id, args.target_port), find,
                claim=Claim(api=API, kind="domain", name=args.service_id, owner="", resolve=""),
                timing=railway.timing, proves_ownership=lambda _found: True)
            return CreateResult(domain["id"], _to_outs(args, domain))

    def read(self, id_: str, props: Any) -> ReadResult:
        args = ServiceDomainArgs(**{k: props.get(k) for k in FIELDS})
        with RailwayClient.from_env() as railway:
            try:
                found = railway.list_domains(args.project_id, args.environment_id, args.service_id)
            except Gone:
                return ReadResult("", {})
        domain = next((d for d in found if d["id"] == id_), None)
        if domain is None:
            return ReadResult("", {})
        return ReadResult(id_, _to_outs(ServiceDomainArgs(**{**args.to_props(), "target_port": domain.get(
            "targetPort") or args.target_port}), domain))

    def delete(self, id_: str, _props: Any) -> None:
        with RailwayClient.from_env() as railway:
            try:
                railway.delete_domain(id_)
            except Gone:
                return


class ServiceDomain(pulumi.dynamic.Resource, module="railway", name="ServiceDomain"):
    """A generated public domain. Outputs: ``domain`` (host), ``url`` (``https://<host>``); ``id``."""

    domain: pulumi.Output[str]
    url: pulumi.Output[str]

    def __init__(self, resource_name: str, args: ServiceDomainArgs,
                 opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__(ServiceDomainProvider(), resource_name, {**args.to_props(), "domain": None, "url": None}, opts)
