"""Railway persistent volume (``pulumi-python:dynamic/railway:Volume``), created detached in one environment.

The service that mounts it attaches it (``railway:Service`` ``volume_id``); deleting that service leaves the
volume detached, and deleting this resource removes it. A volume carries nothing that could name its owner, so
only this very create call's dropped attempt proves one found afterwards is ours (creation time).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, ResourceProvider

from .._http import CheckedArgs, Claim, InputReader, create_owned, diff_props, parse_timestamp
from .client import API, Gone, RailwayClient

FIELDS = ("project_id", "environment_id", "mount_path")


@dataclass(frozen=True)
class VolumeArgs(CheckedArgs):
    """Inputs of a volume (every change replaces it)."""

    KIND = "railway:Volume"

    project_id: pulumi.Input[str]
    """Railway project id."""
    environment_id: pulumi.Input[str]
    """Environment the volume lives in."""
    mount_path: pulumi.Input[str]
    """Where a service mounts it, e.g. ``/data/uploads``."""

    @classmethod
    def read_inputs(cls, reader: InputReader) -> dict[str, Any]:
        """Validate the ids and the mount path."""
        return {"project_id": reader.string("project_id"), "environment_id": reader.string("environment_id"),
                "mount_path": reader.string("mount_path", pattern=r"/[A-Za-z0-9._/-]*",
                                            pattern_hint="an absolute path such as /data/uploads")}


def _instances(railway: RailwayClient, args: VolumeArgs) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    return [(v, i["node"]) for v in railway.list_volumes(args.project_id) for i in v["volumeInstances"]["edges"]
            if i["node"]["environmentId"] == args.environment_id]


class VolumeProvider(ResourceProvider):
    """CRUD for volumes (RAILWAY_API_TOKEN from the environment)."""

    def check(self, _olds: Any, news: Any):
        return VolumeArgs.check(news)

    def diff(self, _id: str, olds: Any, news: Any) -> DiffResult:
        return diff_props(olds, news, fields=FIELDS, immutable=FIELDS, unique_name=False)

    def create(self, props: Any) -> CreateResult:
        args: VolumeArgs = VolumeArgs.from_props(props)
        with RailwayClient.from_env() as railway:
            def find() -> Optional[dict[str, Any]]:
                found = [v for v, i in _instances(railway, args) if i["mountPath"] == args.mount_path
                         and not i.get("serviceId")]
                return max(found, key=lambda v: v.get("createdAt") or "") if found else None

            volume, _ = create_owned(
                lambda: railway.create_volume(args.project_id, args.environment_id, args.mount_path), find,
                claim=Claim(api=API, kind="volume", name=args.mount_path, owner="", resolve=""),
                timing=railway.timing, created_at=lambda v: parse_timestamp(v.get("createdAt")))
            return CreateResult(volume["id"], {**args.to_props(), "name": volume["name"]})

    def read(self, id_: str, props: Any) -> ReadResult:
        args = VolumeArgs(**{k: props.get(k) for k in FIELDS})
        with RailwayClient.from_env() as railway:
            try:
                found = [(v, i) for v, i in _instances(railway, args) if v["id"] == id_]
            except Gone:
                return ReadResult("", {})
        if not found:
            return ReadResult("", {})
        volume, instance = found[0]
        return ReadResult(id_, {**args.to_props(), "mount_path": instance["mountPath"], "name": volume["name"]})

    def delete(self, id_: str, _props: Any) -> None:
        with RailwayClient.from_env() as railway:
            try:
                railway.delete_volume(id_)
            except Gone:
                return


class Volume(pulumi.dynamic.Resource, module="railway", name="Volume"):
    """A detached volume. Outputs: ``name``, ``mount_path``; ``id``."""

    name: pulumi.Output[str]
    mount_path: pulumi.Output[str]

    def __init__(self, resource_name: str, args: VolumeArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__(VolumeProvider(), resource_name, {**args.to_props(), "name": None}, opts)
