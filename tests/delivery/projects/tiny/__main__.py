"""A tiny stack for the sweep tests: one dynamic resource that leaves a marker file while it exists."""

from pathlib import Path

import pulumi
from pulumi.dynamic import CreateResult, Resource, ResourceProvider


class MarkerProvider(ResourceProvider):
    """Writes `<folder>/<stack>.marker` on create, removes it on delete."""

    def create(self, props):
        path = Path(props["folder"]) / f"{props['stack']}.marker"
        path.write_text(props["stack"])
        return CreateResult(id_=str(path), outs=dict(props))

    def delete(self, id, props):  # noqa: A002 (the SDK's parameter name)
        Path(id).unlink(missing_ok=True)


class Marker(Resource, module="tiny", name="Marker"):
    """The marker file of this stack."""

    def __init__(self, name, folder, stack):
        super().__init__(MarkerProvider(), name, {"folder": folder, "stack": stack})


Marker("marker", pulumi.Config().require("markerFolder"), pulumi.get_stack())
