"""Upstash Redis database (``pulumi-python:dynamic/upstash:RedisDatabase``).

Outputs ``password`` and ``rest_token`` are secrets; ``endpoint`` is always the database's host: Upstash reports
either a full host or a bare slug (upstash.openapi.yml, ``Database.endpoint``: "may be a slug like
"beloved-stallion-58500" or a full host"), and a slug's host is ``<slug>.upstash.io``. Changes map to Upstash's
per-setting endpoints, so an update sends exactly the settings that changed. State holds no ``state``
(active/suspended/passive changes on Upstash's side).

Ownership (DESIGN §5): an Upstash database stores no tag, label or description (``CreateDatabaseRequest``), so
the only proof that a database is ours is that this very create call made it (``creation_time`` after our
dropped attempt). Upstash does not say that names are unique, so a create first looks the name up: a database
that already has it is never adopted, updated or deleted, and ``up`` fails naming it and the stack.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Optional, Sequence

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, ResourceProvider, UpdateResult

from .._http import (
    BadRequest,
    CheckedArgs,
    Claim,
    Conflict,
    InputReader,
    NotFound,
    changed_fields,
    create_owned,
    diff_props,
    is_unknown,
    parse_timestamp,
    wait_until,
)
from .catalog import AWS_REGIONS, GCP_REGIONS, PLANS, PLATFORM_REGIONS, READ_REGIONS
from .client import API, UpstashClient

FIELDS = ("database_name", "platform", "primary_region", "read_regions", "plan", "tls", "eviction")
IMMUTABLE = ("platform", "primary_region")
MUTABLE = tuple(f for f in FIELDS if f not in IMMUTABLE)
SECRET_OUTPUTS = ["password", "rest_token"]
HOST_DOMAIN = "upstash.io"
OWNER_PATTERN = r"[A-Za-z0-9._-]+/[A-Za-z0-9._-]+"
OWNER_HINT = 'must be "<project>/<stack>", e.g. "stagecraft/uat"'


@dataclass(frozen=True)
class RedisDatabaseArgs(CheckedArgs):
    """Inputs of an Upstash Redis database."""

    KIND = "upstash:RedisDatabase"

    database_name: pulumi.Input[str]
    """Physical name (``<project>-<stack>-<name>``); the provider adopts an existing database of this name."""
    platform: pulumi.Input[str]
    """Cloud platform, ``"aws"`` or ``"gcp"``. Changing it replaces the database."""
    primary_region: pulumi.Input[str]
    """Primary region on that platform, e.g. ``eu-central-1``. Changing it replaces the database."""
    plan: pulumi.Input[str]
    """Upstash plan: ``"free"`` on the free tier, else ``payg`` or ``fixed_*``."""
    tls: pulumi.Input[bool]
    """TLS on connections. Upstash can enable TLS but not disable it, so turning it off replaces."""
    eviction: pulumi.Input[bool]
    """Evict keys when memory is full instead of refusing writes."""
    owner: pulumi.Input[str]
    """The stack that owns the database, ``"<project>/<stack>"`` (named when the database name is taken)."""
    read_regions: pulumi.Input[Sequence[pulumi.Input[str]]] = field(default_factory=list)
    """Extra read-replica regions (AWS region names), none by default."""

    @classmethod
    def read_inputs(cls, reader: InputReader) -> dict[str, Any]:
        """Validate names, the platform/region pairing, plan and flags against the Upstash spec's values."""
        values = {
            "database_name": reader.string("database_name", example='"stagecraft-uat-cache"'),
            "platform": reader.string("platform", example='"aws"', choices=tuple(PLATFORM_REGIONS)),
            "primary_region": reader.string("primary_region", example='"eu-central-1"',
                                            choices=AWS_REGIONS + GCP_REGIONS),
            "read_regions": reader.string_list("read_regions", required=False, example='["eu-west-1"]',
                                               choices=READ_REGIONS),
            "plan": reader.string("plan", example='"free"', choices=PLANS),
            "tls": reader.boolean("tls"),
            "eviction": reader.boolean("eviction"),
            "owner": reader.string("owner", example='"stagecraft/uat"', pattern=OWNER_PATTERN, pattern_hint=OWNER_HINT),
        }
        platform, primary, reads = values["platform"], values["primary_region"], values["read_regions"]
        if isinstance(platform, str) and isinstance(primary, str) and not is_unknown(platform) \
                and not is_unknown(primary) and primary not in PLATFORM_REGIONS[platform]:
            reader.fail("primary_region", f"{primary!r} is not one of the {platform} regions: "
                                          f"{', '.join(PLATFORM_REGIONS[platform])}")
        if isinstance(reads, list) and isinstance(primary, str) and primary in reads:
            reader.fail("read_regions", f"must not repeat the primary region {primary!r}")
        if isinstance(reads, list) and reads and platform == "gcp":
            reader.fail("read_regions", "Upstash read regions are AWS regions; leave read_regions empty on gcp")
        if isinstance(reads, list) and not any(is_unknown(r) for r in reads):
            values["read_regions"] = sorted(reads)  # a set: order must not show up as a change
        return values


def create_request(args: RedisDatabaseArgs) -> dict[str, Any]:
    """The ``CreateDatabaseRequest`` body for ``args``."""
    request: dict[str, Any] = {
        "database_name": args.database_name,
        "platform": args.platform,
        "primary_region": args.primary_region,
        "plan": args.plan,
        "tls": args.tls,
        "eviction": args.eviction,
    }
    if args.read_regions:
        request["read_regions"] = list(args.read_regions)
    return request


def _plan_of(database: Mapping[str, Any], asked: Optional[str]) -> Optional[str]:
    """The plan as an input value. Upstash reports ``type`` (free/payg/pro/paid), coarser than plan names."""
    reported = database.get("type")
    if reported in ("free", "payg"):
        return reported
    if reported in ("pro", "paid") and asked in ("free", "payg"):
        return reported
    return asked


def host_of(endpoint: Optional[str]) -> Optional[str]:
    """The database's host from Upstash's ``endpoint``: a full host as it is, a slug under ``upstash.io``."""
    if not endpoint:
        return None
    return endpoint if "." in endpoint else f"{endpoint}.{HOST_DOMAIN}"


def _to_outs(database: Mapping[str, Any], desired: Mapping[str, Any]) -> dict[str, Any]:
    """State of a database: inputs as Upstash reports them, connection details (password/token secret)."""
    return {
        "owner": desired.get("owner"),
        "database_name": database.get("database_name", desired.get("database_name")),
        "platform": desired.get("platform"),
        "primary_region": database.get("primary_region") or desired.get("primary_region"),
        "read_regions": sorted(database.get("read_regions") or []) if "read_regions" in database
        else sorted(desired.get("read_regions") or []),
        "plan": _plan_of(database, desired.get("plan")),
        "tls": bool(database.get("tls", desired.get("tls"))),
        "eviction": bool(database.get("eviction", desired.get("eviction"))),
        "endpoint": host_of(database.get("endpoint")),
        "port": database.get("port"),
        "password": database.get("password"),
        "rest_token": database.get("rest_token"),
    }


def _claim(name: str, owner: str) -> Claim:
    return Claim(
        api=API, kind="Redis database", name=name, owner=owner,
        resolve=("Upstash databases carry no owner marker, so nothing can show which stack made it. If nothing "
                 "uses it, delete it in the Upstash console (Redis > the database > Settings > Delete); otherwise "
                 "give this stack another project or stack name so its physical names differ."),
    )


def _name_taken(exc: Exception) -> bool:
    """Upstash's answer for a name in use, should it enforce one: 409, or a 400 saying so."""
    return isinstance(exc, Conflict) or (isinstance(exc, BadRequest) and "already exist" in exc.api_message.lower())


def _classify(database: Mapping[str, Any]) -> tuple[str, str]:
    state = str(database.get("state", "active"))
    return ("ready" if state == "active" else "pending"), state


def _tls_turned_off(old: Any, new: Any) -> bool:
    return bool(old) and new is False


class RedisDatabaseProvider(ResourceProvider):
    """CRUD for Upstash Redis databases. Credentials: UPSTASH_EMAIL + UPSTASH_API_KEY (+ UPSTASH_API_URL)."""

    def check(self, _olds: Any, news: Any):
        return RedisDatabaseArgs.check(news)

    def diff(self, _id: str, olds: Any, news: Any) -> DiffResult:
        return diff_props(olds, news, fields=FIELDS, immutable=IMMUTABLE, unique_name=True,
                          replace_if={"tls": _tls_turned_off})

    def create(self, props: Any) -> CreateResult:
        args: RedisDatabaseArgs = RedisDatabaseArgs.from_props(props)
        desired = {**{f: getattr(args, f) for f in FIELDS}, "owner": args.owner}
        claim = _claim(args.database_name, args.owner)
        with UpstashClient.from_env() as upstash:
            if upstash.find_database(args.database_name) is not None:
                raise claim.foreign()
            database, adopted = create_owned(
                lambda: upstash.create_database(create_request(args)),
                lambda: upstash.find_database(args.database_name),
                claim=claim, timing=upstash.timing, name_taken=_name_taken,
                created_at=lambda found: parse_timestamp(found.get("creation_time")),
            )
            database_id = database["database_id"]
            if adopted:
                current = _to_outs(upstash.get_database(database_id), desired)
                self._apply(upstash, database_id, current, desired)
            return CreateResult(database_id, self._settle(upstash, database_id, desired))

    def read(self, id_: str, props: Any) -> ReadResult:
        with UpstashClient.from_env() as upstash:
            try:
                database = upstash.get_database(id_)
            except NotFound:
                return ReadResult("", {})
        return ReadResult(id_, _to_outs(database, props))

    def update(self, id_: str, olds: Any, news: Any) -> UpdateResult:
        args: RedisDatabaseArgs = RedisDatabaseArgs.from_props(news)
        desired = {**{f: getattr(args, f) for f in FIELDS}, "owner": args.owner}
        with UpstashClient.from_env() as upstash:
            self._apply(upstash, id_, olds, desired)
            return UpdateResult(self._settle(upstash, id_, desired))

    def delete(self, id_: str, _props: Any) -> None:
        with UpstashClient.from_env() as upstash:
            try:
                upstash.delete_database(id_)
            except NotFound:
                return

    @staticmethod
    def _apply(
        upstash: UpstashClient, database_id: str, current: Mapping[str, Any], desired: Mapping[str, Any]
    ) -> None:
        """Call one endpoint per changed mutable setting."""
        changed = changed_fields(current, desired, MUTABLE)
        if "database_name" in changed:
            upstash.rename(database_id, desired["database_name"])
        if "plan" in changed:
            upstash.change_plan(database_id, desired["plan"])
        if "read_regions" in changed:
            upstash.update_regions(database_id, desired["read_regions"])
        if "tls" in changed and desired["tls"]:
            upstash.enable_tls(database_id)
        if "eviction" in changed:
            upstash.set_eviction(database_id, bool(desired["eviction"]))

    @staticmethod
    def _settle(upstash: UpstashClient, database_id: str, desired: Mapping[str, Any]) -> dict[str, Any]:
        database = wait_until(lambda: upstash.get_database(database_id), _classify, api=API,
                              what=f'redis database "{desired.get("database_name")}"', timing=upstash.timing)
        return _to_outs(database, desired)


class RedisDatabase(pulumi.dynamic.Resource, module="upstash", name="RedisDatabase"):
    """An Upstash Redis database. Outputs add ``endpoint`` (the host), ``port``, ``password`` and ``rest_token``
    (both secret); ``id`` is the database id."""

    database_name: pulumi.Output[str]
    platform: pulumi.Output[str]
    primary_region: pulumi.Output[str]
    read_regions: pulumi.Output[list]
    plan: pulumi.Output[str]
    tls: pulumi.Output[bool]
    eviction: pulumi.Output[bool]
    endpoint: pulumi.Output[str]
    port: pulumi.Output[int]
    password: pulumi.Output[str]
    rest_token: pulumi.Output[str]
    owner: pulumi.Output[str]

    def __init__(
        self, resource_name: str, args: RedisDatabaseArgs, opts: Optional[pulumi.ResourceOptions] = None
    ) -> None:
        opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(additional_secret_outputs=SECRET_OUTPUTS))
        props = {**args.to_props(), **{k: None for k in ("endpoint", "port", "password", "rest_token")}}
        super().__init__(RedisDatabaseProvider(), resource_name, props, opts)
