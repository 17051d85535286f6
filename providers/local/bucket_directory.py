"""`local:BucketDirectory`: a folder that stands in for an object-storage bucket on this machine."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
from pulumi.dynamic import CheckFailure, CheckResult, CreateResult, DiffResult, ReadResult, ResourceProvider


@dataclass(frozen=True)
class BucketDirectoryArgs:
    """Inputs of a local bucket."""

    path: pulumi.Input[str]
    """Absolute path of the bucket folder."""


class BucketDirectoryProvider(ResourceProvider):
    """Creates (or adopts) the folder, and removes it with its objects on delete."""

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        path = str(news.get("path", ""))
        failures = [] if os.path.isabs(path) and path != "/" else [CheckFailure("path", "path must be absolute")]
        return CheckResult(news, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = olds.get("path") != news.get("path")
        return DiffResult(changes=changed, replaces=["path"] if changed else [], delete_before_replace=True)

    def create(self, props: dict[str, Any]) -> CreateResult:
        Path(props["path"]).mkdir(parents=True, exist_ok=True)
        return CreateResult(props["path"], {"path": props["path"]})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        path = props.get("path") or id_
        return ReadResult(id_, {"path": path}) if Path(path).is_dir() else ReadResult("", {})

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        shutil.rmtree(props.get("path") or id_, ignore_errors=True)


class BucketDirectory(pulumi.dynamic.Resource, module="local", name="BucketDirectory"):
    """A local bucket: a folder whose files are the objects."""

    path: pulumi.Output[str]
    """Absolute path of the bucket folder."""

    def __init__(self, name: str, args: BucketDirectoryArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(BucketDirectoryProvider(), name, vars(args), opts)
