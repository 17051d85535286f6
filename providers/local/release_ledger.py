"""`local:ReleaseLedger`: the releases a stack has served, kept in its own state (what `stagecraft rollback` reads).

A release is what users were served after an update: the backend image and, per app, the build artifact (its folder
key in `providers/build/` and its digest). The ledger is registered after every deployment of the stack and depends
on them, so it records a release only once all of them succeeded; an unchanged release records nothing. Each entry
carries the time it was recorded, which falls inside its update in `pulumi stack history`.

Why in state: the 3.79 engine exports earlier checkpoints (`pulumi stack export --version`) only from the Pulumi Cloud
backend; the self-managed backends (file, S3) a team uses here cannot. `pulumi stack export` of the current state works
on every backend, and it carries this ledger.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Mapping, Optional

import pulumi
from pulumi.dynamic import CheckFailure, CheckResult, CreateResult, DiffResult, ReadResult, ResourceProvider, UpdateResult

from .._http import is_unknown

KEPT_RELEASES = 20
"""The newest releases kept (older ones fall off the ledger)."""
FIELDS = ("image", "builds", "rollback_to")
TYPE = "pulumi-python:dynamic/local:ReleaseLedger"


@dataclass(frozen=True)
class ReleaseLedgerArgs:
    """The release the stack serves after this update."""

    image: pulumi.Input[str]
    """The backend image ("" when the backend is not a container on a platform)."""
    builds: pulumi.Input[Mapping[str, Mapping[str, str]]]
    """App -> {"key": artifact folder name, "digest": sha256 of its files}."""
    rollback_to: Optional[int] = None
    """The update whose release this re-serves (set by `stagecraft rollback`), else None."""


def release_of(props: Mapping[str, Any]) -> dict[str, Any]:
    """The release a set of inputs describes, comparable across updates."""
    return {"image": props.get("image") or "", "builds": dict(props.get("builds") or {}),
            "rollbackTo": props.get("rollback_to")}


def _entry(props: Mapping[str, Any]) -> dict[str, Any]:
    return {"at": datetime.now(timezone.utc).isoformat(timespec="milliseconds"), **release_of(props)}


def _outs(props: Mapping[str, Any], releases: list) -> dict[str, Any]:
    return {"image": props.get("image") or "", "builds": dict(props.get("builds") or {}),
            "rollback_to": props.get("rollback_to"), "releases": releases[-KEPT_RELEASES:]}


class ReleaseLedgerProvider(ResourceProvider):
    """Appends the new release on every change; reads and deletes touch nothing outside the state."""

    def check(self, _olds: Any, news: Any) -> CheckResult:
        failures = []
        builds = news.get("builds")
        # During a preview a build's artifact is not known yet: only known values are judged.
        if not is_unknown(builds) and (not isinstance(builds, Mapping) or any(
                not is_unknown(b) and (not isinstance(b, Mapping) or set(b) != {"key", "digest"})
                for b in builds.values())):
            failures.append(CheckFailure("builds", "builds must map each app to {key, digest} of its artifact"))
        rollback = news.get("rollback_to")
        if rollback is not None and (isinstance(rollback, bool) or not isinstance(rollback, (int, float))):
            failures.append(CheckFailure("rollback_to", "rollback_to must be an update number or unset"))
        return CheckResult(news, failures)

    def diff(self, _id: str, olds: Any, news: Any) -> DiffResult:
        changed = [field for field in FIELDS if (olds.get(field) or None) != (news.get(field) or None)]
        return DiffResult(changes=bool(changed), replaces=[], stables=[], delete_before_replace=False)

    def create(self, props: Any) -> CreateResult:
        return CreateResult("release-ledger", _outs(props, [_entry(props)]))

    def update(self, _id: str, olds: Any, news: Any) -> UpdateResult:
        return UpdateResult(_outs(news, [*list(olds.get("releases") or []), _entry(news)]))

    def read(self, id_: str, props: Any) -> ReadResult:
        return ReadResult(id_, props)

    def delete(self, _id: str, _props: Any) -> None:
        """Nothing outside the state."""


class ReleaseLedger(pulumi.dynamic.Resource, module="local", name="ReleaseLedger"):
    """The stack's releases. Outputs: the current release's inputs and ``releases`` (oldest first)."""

    image: pulumi.Output[str]
    builds: pulumi.Output[dict]
    rollback_to: pulumi.Output[Optional[int]]
    releases: pulumi.Output[list]

    def __init__(self, name: str, args: ReleaseLedgerArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(ReleaseLedgerProvider(), name, {"image": args.image, "builds": args.builds,
                                                         "rollback_to": args.rollback_to, "releases": None}, opts)
