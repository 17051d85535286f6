"""A Render Key Value instance, Render's Redis-compatible store (``pulumi-python:dynamic/render:KeyValue``).

Unlike a web service, a Key Value instance can be made on the free plan through the API (the Terraform provider's
recorded create, platform-apis.md §2). `create` waits, bounded, until it reports `available` (a new one says
`creating` for a while). Its connection strings carry its password and are kept secret: the internal one
(`redis://<id>:6379`) works from the workspace's services in the same region, the external one (`rediss://`)
from the addresses its IP allow list admits (none by default here).

Render stores nothing on an instance that could name the stack that made it, so a same-named instance found in
the workspace is adopted only when this very create call made it; otherwise `up` stops and says how to resolve
it (see ``ownership.py``). `name`, `plan` and `maxmemory_policy` change in place; the region cannot change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Optional

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, ResourceProvider, UpdateResult

from .._http import (
    BadRequest,
    CheckedArgs,
    InputReader,
    NotFound,
    ProviderError,
    changed_fields,
    create_owned,
    diff_props,
    parse_timestamp,
    wait_until,
)
from .catalog import KEY_VALUE_PLANS, MAXMEMORY_POLICIES, OWNER_ID, REGIONS
from .client import API, RenderClient
from .ownership import OWNER_HINT, OWNER_PATTERN, key_value_claim

FIELDS = ("owner_id", "name", "owner", "plan", "region", "maxmemory_policy")
IMMUTABLE = ("owner_id", "region", "owner")
MUTABLE = ("name", "plan", "maxmemory_policy")
READY = "available"
FAILED_STATUSES = frozenset({"recovery_failed", "suspended", "unavailable"})


@dataclass(frozen=True)
class KeyValueArgs(CheckedArgs):
    """Inputs of a Render Key Value instance."""

    KIND = "render:KeyValue"

    owner_id: pulumi.Input[str]
    """Render workspace id (`tea-...` or `usr-...`). Changing it replaces."""
    name: pulumi.Input[str]
    """Instance name (the physical name). Renamed in place."""
    owner: pulumi.Input[str]
    """The stack that makes the instance, ``"<project>/<stack>"`` (for messages: Render cannot store it)."""
    plan: pulumi.Input[str]
    """`free` (one per workspace), or a paid plan."""
    region: pulumi.Input[str]
    """Render region; the backend's, so it reaches the instance over the private network. Changing it replaces."""
    maxmemory_policy: pulumi.Input[str] = "allkeys_lru"
    """What Redis evicts when memory is full (`noeviction` refuses writes instead)."""

    @classmethod
    def read_inputs(cls, reader: InputReader) -> dict[str, Any]:
        """Validate the workspace id, owner, plan, region and eviction policy against Render's enums."""
        return {
            "owner_id": reader.string("owner_id", example='"tea-cn1234567890abcdefg"', pattern=OWNER_ID,
                                      pattern_hint="a Render workspace id is tea-/usr- and 20 characters"),
            "name": reader.string("name", example='"stagecraft-beta-cache"', max_length=255),
            "owner": reader.string("owner", example='"stagecraft/beta"', pattern=OWNER_PATTERN, pattern_hint=OWNER_HINT),
            "plan": reader.string("plan", example='"free"', choices=KEY_VALUE_PLANS),
            "region": reader.string("region", example='"oregon"', choices=REGIONS),
            "maxmemory_policy": reader.string("maxmemory_policy", example='"allkeys_lru"', choices=MAXMEMORY_POLICIES),
        }


def _to_outs(key_value: Mapping[str, Any], connection: Mapping[str, Any], owner: str) -> dict[str, Any]:
    """State: the settings as Render reports them and the connection strings (no status: Render moves it)."""
    return {
        "owner_id": (key_value.get("owner") or {}).get("id"),
        "name": key_value.get("name"),
        "owner": owner,
        "plan": key_value.get("plan"),
        "region": key_value.get("region"),
        "maxmemory_policy": (key_value.get("options") or {}).get("maxmemoryPolicy"),
        "internal_url": connection.get("internalConnectionString"),
        "external_url": connection.get("externalConnectionString"),
    }


class KeyValueProvider(ResourceProvider):
    """CRUD for Key Value instances. Credentials come from RENDER_API_KEY / RENDER_API_URL at call time."""

    def check(self, _olds: Any, news: Any):
        return KeyValueArgs.check(news)

    def diff(self, _id: str, olds: Any, news: Any) -> DiffResult:
        return diff_props(olds, news, fields=FIELDS, immutable=IMMUTABLE, unique_name=False)

    def create(self, props: Any) -> CreateResult:
        args: KeyValueArgs = KeyValueArgs.from_props(props)
        body = {"name": args.name, "ownerId": args.owner_id, "plan": args.plan, "region": args.region,
                "maxmemoryPolicy": args.maxmemory_policy, "ipAllowList": []}
        with RenderClient.from_env() as render:
            claim = key_value_claim(str(args.name), str(args.owner))
            if render.find_key_values(str(args.name), str(args.owner_id)):
                # Render does not refuse a second instance of one name, so the name is checked first.
                raise claim.foreign()
            try:
                key_value, _adopted = create_owned(
                    lambda: render.create_key_value(body),
                    lambda: next(iter(render.find_key_values(str(args.name), str(args.owner_id))), None),
                    claim=claim, timing=render.timing,
                    created_at=lambda found: parse_timestamp(found.get("createdAt")),
                )
            except BadRequest as exc:
                if args.plan == "free" and "free" in exc.api_message:
                    raise ProviderError(f"{exc}. Render allows one free Key Value instance per workspace: delete the "
                                        f"other one in the dashboard or choose a paid plan") from None
                raise
            key_value = _wait_available(render, str(key_value["id"]), str(args.name))
            return CreateResult(str(key_value["id"]), _to_outs(key_value, render.key_value_connection(key_value["id"]),
                                                               str(args.owner)))

    def read(self, id_: str, props: Any) -> ReadResult:
        with RenderClient.from_env() as render:
            try:
                key_value = render.get_key_value(id_)
                connection = render.key_value_connection(id_)
            except NotFound:
                return ReadResult("", {})
        return ReadResult(id_, _to_outs(key_value, connection, str(props.get("owner"))))

    def update(self, id_: str, olds: Any, news: Any) -> UpdateResult:
        args: KeyValueArgs = KeyValueArgs.from_props(news)
        changed = changed_fields(olds, news, MUTABLE)
        body = {key: value for field_, key, value in (("name", "name", args.name), ("plan", "plan", args.plan),
                                                       ("maxmemory_policy", "maxmemoryPolicy", args.maxmemory_policy))
                if field_ in changed}
        with RenderClient.from_env() as render:
            key_value = render.update_key_value(id_, body) if body else render.get_key_value(id_)
            return UpdateResult(_to_outs(key_value, render.key_value_connection(id_), str(args.owner)))

    def delete(self, id_: str, _props: Any) -> None:
        with RenderClient.from_env() as render:
            try:
                render.delete_key_value(id_)
            except NotFound:
                return


def _wait_available(render: RenderClient, key_value_id: str, name: str) -> dict[str, Any]:
    def classify(key_value: Mapping[str, Any]) -> tuple[str, str]:
        status = str(key_value.get("status"))
        if status in FAILED_STATUSES:
            return "failed", status
        return ("ready" if status == READY else "pending"), status

    return wait_until(lambda: render.get_key_value(key_value_id), classify, api=API,
                      what=f"Key Value instance {name!r}", timing=render.timing)


class KeyValue(pulumi.dynamic.Resource, module="render", name="KeyValue"):
    """A Render Key Value instance. Outputs add ``internal_url`` and ``external_url`` (secret); ``id`` is `red-...`."""

    owner_id: pulumi.Output[str]
    name: pulumi.Output[str]
    owner: pulumi.Output[str]
    plan: pulumi.Output[str]
    region: pulumi.Output[str]
    maxmemory_policy: pulumi.Output[str]
    internal_url: pulumi.Output[str]
    external_url: pulumi.Output[str]

    def __init__(self, resource_name: str, args: KeyValueArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(
            additional_secret_outputs=["internal_url", "external_url"]))
        props = {**args.to_props(), "internal_url": None, "external_url": None}
        super().__init__(KeyValueProvider(), resource_name, props, opts)
