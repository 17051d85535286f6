"""A tiny stack for the delivery tests: one dynamic resource that leaves a marker file while it exists.

`generation` (config, default 1) is written into the file, so changing it makes an update; the environment variable
TINY_MARKER_DELAY (seconds) makes create and update take that long, so a test can hold an update open.
"""

import os
import time
from pathlib import Path

import pulumi
from pulumi.dynamic import CreateResult, Resource, ResourceProvider, UpdateResult


def _write(props) -> str:
    time.sleep(float(os.environ.get("TINY_MARKER_DELAY", "0")))
    path = Path(props["folder"]) / f"{props['stack']}.marker"
    path.write_text(f"{props['stack']} {props['generation']}")
    return str(path)


class MarkerProvider(ResourceProvider):
    """Writes `<folder>/<stack>.marker` on create and update, removes it on delete."""

    def create(self, props):
        return CreateResult(id_=_write(props), outs=dict(props))

    def update(self, id, olds, news):  # noqa: A002 (the SDK's parameter name)
        _write(news)
        return UpdateResult(outs=dict(news))

    def delete(self, id, props):  # noqa: A002
        Path(id).unlink(missing_ok=True)


class Marker(Resource, module="tiny", name="Marker"):
    """The marker file of this stack."""

    def __init__(self, name, folder, stack, generation):
        super().__init__(MarkerProvider(), name, {"folder": folder, "stack": stack, "generation": generation})


config = pulumi.Config()
marker = Marker("marker", config.require("markerFolder"), pulumi.get_stack(), config.get("generation") or "1")
pulumi.export("generation", marker.generation)
