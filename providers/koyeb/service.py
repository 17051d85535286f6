"""Koyeb web service from a Docker image (``pulumi-python:dynamic/koyeb:Service``).

The inputs map onto one Koyeb ``DeploymentDefinition``: a WEB service with one HTTP port routed at "/",
an HTTP health check on that port, one instance type, one scaling rule (``min_scale: 0`` is scale to zero)
and env vars that are plain values or references to Koyeb secrets by name, plus two entries the provider
sets itself:

- ``STAGECRAFT_OWNER=<project>/<stack>``: the marker that proves which stack made the service (adoption only
  with proof, DESIGN §5; see ``ownership.py``);
- ``STAGECRAFT_SECRETS_DIGEST=<secret_digest>``: a digest of the secret values. Koyeb does not redeploy when
  a secret's value changes (see ``definition.py`` for the evidence), so a rotated ``DATABASE_URL`` or
  ``JWT_SECRET`` would otherwise never reach the running service. With the digest in the definition a changed
  value is an ordinary field change, ``diff`` shows it, ``update`` deploys it as exactly one new deployment,
  and Koyeb's own deployment record says which secret values each deployment was started with. (Calling
  ``POST /redeploy`` instead would need the same knowledge of the values to decide when, and would leave
  deployments whose definitions are identical although they run different credentials.)

State reflects what Koyeb *serves*: ``read`` and every result come from the definition of the service's
``active_deployment_id``, never from a newer deployment that may have failed. ``deployment_id`` and ``image``
name the active deployment and its image; a deployment that fails makes ``create``/``update`` fail with
Koyeb's reason while the previous deployment keeps serving, and the state keeps saying so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Optional, Sequence

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, ResourceProvider, UpdateResult

from .._http import (
    BadRequest,
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
from .client import API, DNS_LABEL, GONE_STATUSES, SERVICE_NAME_HINT, KoyebClient
from .definition import DIGEST_PATTERN, env_entries, fields_from_definition, same_settings
from .deploy import active_deployment, deploy_definition, latest_deployment, wait_until_active
from .ownership import OWNER_HINT, OWNER_PATTERN, RESERVED_ENV, owner_of, service_claim

FIELDS = (
    "app_id", "name", "owner", "docker_image", "instance_type", "regions", "port", "health_check_path",
    "min_scale", "max_scale", "env", "secret_env", "secret_digest",
)
# Koyeb sets a service's app and name at creation only.
IMMUTABLE = ("app_id", "name")
MUTABLE = tuple(f for f in FIELDS if f not in IMMUTABLE)
FREE_INSTANCE = "free"
FREE_REGIONS = ("fra", "was")
ENV_KEY = r"[A-Za-z_][A-Za-z0-9_]*"


@dataclass(frozen=True)
class ServiceArgs(CheckedArgs):
    """Inputs of a Koyeb web service."""

    KIND = "koyeb:Service"

    app_id: pulumi.Input[str]
    """Id of the Koyeb app that holds the service (``App.id``). Changing it replaces the service."""
    name: pulumi.Input[str]
    """Physical service name (``<project>-<stack>-<name>``), unique in the app. Changing it replaces."""
    owner: pulumi.Input[str]
    """The stack that owns the service, ``"<project>/<stack>"``; deployed as ``STAGECRAFT_OWNER``."""
    docker_image: pulumi.Input[str]
    """Image reference to run, e.g. ``ghcr.io/acme/api:1.4.2``."""
    instance_type: pulumi.Input[str]
    """Koyeb instance type; ``"free"`` on the free tier (one instance, regions fra/was, web only)."""
    regions: pulumi.Input[Sequence[pulumi.Input[str]]]
    """Region ids, lower case, e.g. ``["fra"]``."""
    port: pulumi.Input[int]
    """Port the container listens on (HTTP); routed at "/" and used by the health check."""
    health_check_path: pulumi.Input[str]
    """HTTP path Koyeb probes, e.g. ``/api/health``."""
    min_scale: pulumi.Input[int]
    """Minimum instances; 0 lets the service scale to zero when idle."""
    max_scale: pulumi.Input[int]
    """Maximum instances (1 on the free instance)."""
    env: pulumi.Input[Mapping[str, pulumi.Input[str]]] = field(default_factory=dict)
    """Plain environment variables, name -> value (never put secrets here)."""
    secret_env: pulumi.Input[Mapping[str, pulumi.Input[str]]] = field(default_factory=dict)
    """Environment variables read from Koyeb secrets, name -> Koyeb secret *name*."""
    secret_digest: Optional[pulumi.Input[str]] = None
    """``definition.secrets_digest`` of the secret values behind ``secret_env`` (required with ``secret_env``):
    a changed value changes it, and so rolls a new deployment."""

    @classmethod
    def read_inputs(cls, reader: InputReader) -> dict[str, Any]:
        """Validate every field, including the free instance's documented limits."""
        env_hint = "use letters, digits and _, starting with a letter or _"
        values = {
            "app_id": reader.string("app_id", example="app.id"),
            "name": reader.string("name", example='"api"', pattern=DNS_LABEL, pattern_hint=SERVICE_NAME_HINT,
                                  min_length=3, max_length=64),
            "owner": reader.string("owner", example='"stagecraft/uat"', pattern=OWNER_PATTERN, pattern_hint=OWNER_HINT),
            "docker_image": reader.string("docker_image", example='"ghcr.io/acme/api:1.0.0"', pattern=r"\S+",
                                          pattern_hint="must be an image reference without spaces"),
            "instance_type": reader.string("instance_type", example='"free"'),
            "regions": reader.string_list("regions", example='["fra"]', min_items=1),
            "port": reader.integer("port", example="8000", minimum=1, maximum=65535),
            "health_check_path": reader.string("health_check_path", example='"/api/health"', pattern=r"/\S*",
                                               pattern_hint='must be an absolute path such as "/api/health"'),
            "min_scale": reader.integer("min_scale", example="0", minimum=0),
            "max_scale": reader.integer("max_scale", example="1", minimum=1),
            "env": reader.string_map("env", key_pattern=ENV_KEY, key_hint=env_hint),
            "secret_env": reader.string_map("secret_env", key_pattern=ENV_KEY, key_hint=env_hint),
            "secret_digest": reader.string(
                "secret_digest", required=False, example="secrets_digest({...})", pattern=DIGEST_PATTERN,
                pattern_hint="must be the 16 hex characters providers.koyeb.definition.secrets_digest returns"),
        }
        _check_relations(reader, values)
        return values


def _check_relations(reader: InputReader, v: dict[str, Any]) -> None:
    known = lambda *names: all(v.get(n) is not None and not is_unknown(v.get(n)) for n in names)  # noqa: E731
    if known("min_scale", "max_scale") and v["min_scale"] > v["max_scale"]:
        reader.fail("min_scale", f"({v['min_scale']}) must not exceed max_scale ({v['max_scale']})")
    if known("env"):
        reserved = sorted(set(v["env"]) & set(RESERVED_ENV))
        if reserved:
            reader.fail("env", f"{', '.join(reserved)} is set by the provider itself; use another variable name")
    if known("env", "secret_env"):
        both = sorted(set(v["env"]) & set(v["secret_env"]))
        if both:
            reader.fail("secret_env", f"{', '.join(both)} also set in env; keep each variable in one of the two")
    if known("secret_env") and v["secret_env"] and reader.props.get("secret_digest") is None:
        reader.fail("secret_digest", "is required with secret_env, so a changed secret value rolls a new "
                                     "deployment; pass secrets_digest({name: value, ...}) of the secret values")
    if known("instance_type") and v["instance_type"] == FREE_INSTANCE:
        if known("max_scale") and v["max_scale"] != 1:
            reader.fail("max_scale",
                        f"must be 1 with the free instance (one free instance per account), got {v['max_scale']}")
        if known("regions"):
            bad = [r for r in v["regions"] if not is_unknown(r) and r not in FREE_REGIONS]
            if bad:
                reader.fail("regions",
                            f"the free instance runs only in {' or '.join(FREE_REGIONS)}; got {', '.join(bad)}")
            elif len(v["regions"]) > 1:
                reader.fail("regions", "the free instance runs in one region; pick fra or was")


def build_definition(args: ServiceArgs) -> dict[str, Any]:
    """The Koyeb ``DeploymentDefinition`` for ``args``."""
    return {
        "type": "WEB",
        "docker": {"image": args.docker_image},
        "regions": list(args.regions),
        "instance_types": [{"type": args.instance_type}],
        "scalings": [{"min": args.min_scale, "max": args.max_scale}],
        "ports": [{"port": args.port, "protocol": "http"}],
        "routes": [{"port": args.port, "path": "/"}],
        "env": env_entries(args.env, args.secret_env, args.owner, args.secret_digest),
        "health_checks": [{"http": {"port": args.port, "path": args.health_check_path}}],
    }


def _to_outs(
    service: Mapping[str, Any], desired: Mapping[str, Any], deployment: Optional[Mapping[str, Any]],
    app: Optional[Mapping[str, Any]],
) -> dict[str, Any]:
    """State of a service: the settings its active deployment runs, that deployment, its image and public URL.

    No status is kept: Koyeb changes it on its own (HEALTHY, DEGRADED after a failed deployment, sleeping),
    and state must not change unless someone changes the service.
    """
    outs = {f: desired.get(f) for f in FIELDS}
    if deployment and deployment.get("definition"):
        outs.update(fields_from_definition(deployment["definition"]))
    outs["app_id"] = service.get("app_id") or outs["app_id"]
    outs["name"] = service.get("name") or outs["name"]
    outs["deployment_id"] = (deployment or {}).get("id", "")
    outs["image"] = outs["docker_image"] if deployment else ""
    outs["public_url"] = _public_url(app)
    return outs


def _public_url(app: Optional[Mapping[str, Any]]) -> str:
    domains = [d for d in (app or {}).get("domains") or [] if d.get("name")]
    auto = [d for d in domains if d.get("type", "AUTOASSIGNED") == "AUTOASSIGNED"] or domains
    return f"https://{auto[0]['name']}" if auto else ""


class ServiceProvider(ResourceProvider):
    """CRUD for Koyeb services. Credentials come from KOYEB_TOKEN / KOYEB_API_URL at call time."""

    def check(self, _olds: Any, news: Any):
        return ServiceArgs.check(news)

    def diff(self, _id: str, olds: Any, news: Any) -> DiffResult:
        result = diff_props(olds, news, fields=FIELDS, immutable=IMMUTABLE, unique_name=True)
        if result.replaces and news.get("instance_type") == FREE_INSTANCE:
            # One free instance per organization: the new service cannot start while the old one holds it.
            result.delete_before_replace = True
        return result

    def create(self, props: Any) -> CreateResult:
        args: ServiceArgs = ServiceArgs.from_props(props)
        definition = build_definition(args)
        with KoyebClient.from_env() as koyeb:
            app = koyeb.get_app(args.app_id)
            service, adopted = create_owned(
                lambda: koyeb.create_service(args.app_id, args.name, definition),
                lambda: koyeb.find_service(args.app_id, args.name),
                claim=service_claim(str(app.get("name") or ""), args.name, args.owner),
                timing=koyeb.timing,
                proves_ownership=lambda found: owner_of(_definition(latest_deployment(koyeb, found))) == args.owner,
                created_at=lambda found: parse_timestamp(found.get("created_at")),
                name_taken=_may_be_taken,
            )
            deployment_id = str(service.get("latest_deployment_id") or "")
            if adopted and not same_settings(_definition(latest_deployment(koyeb, service)), definition):
                deployment_id = deploy_definition(koyeb, service["id"], args.name, definition)
            return CreateResult(service["id"], _settle(koyeb, service["id"], deployment_id, args, app))

    def read(self, id_: str, props: Any) -> ReadResult:
        with KoyebClient.from_env() as koyeb:
            try:
                service = koyeb.get_service(id_)
            except NotFound:
                return ReadResult("", {})
            if service.get("status") in GONE_STATUSES:
                return ReadResult("", {})
            deployment = active_deployment(koyeb, service)
            app = _app(koyeb, service)
        return ReadResult(id_, _to_outs(service, props, deployment, app))

    def update(self, id_: str, olds: Any, news: Any) -> UpdateResult:
        args: ServiceArgs = ServiceArgs.from_props(news)
        with KoyebClient.from_env() as koyeb:
            if changed_fields(olds, news, MUTABLE):
                # Koyeb deploys a whole definition at a time; a partial one would drop the unchanged settings.
                deployment_id = deploy_definition(koyeb, id_, args.name, build_definition(args))
            else:
                deployment_id = str(koyeb.get_service(id_).get("active_deployment_id") or "")
            return UpdateResult(_settle(koyeb, id_, deployment_id, args, None))

    def delete(self, id_: str, props: Any) -> None:
        with KoyebClient.from_env() as koyeb:
            try:
                koyeb.delete_service(id_)
            except NotFound:
                return
            wait_until(
                lambda: _status_or_gone(koyeb, id_),
                lambda s: ("ready", s) if s in ("GONE", "DELETED") else ("pending", s),
                api=API, what=f'deletion of service "{props.get("name", id_)}"', timing=koyeb.timing,
            )


def _may_be_taken(exc: Exception) -> bool:
    """Whether a refused create may be about a service that already has the name.

    Koyeb answers a taken name with 400 "name: already exists" (``client.is_name_taken``), but it may refuse
    for the definition first: the order of its checks is not documented, and a same-named service of ours (one
    whose first deployment failed, say) still holds the organization's one free instance. So every 400 is
    checked against what exists under the name before it is reported.
    """
    return isinstance(exc, BadRequest)


def _settle(
    koyeb: KoyebClient, service_id: str, deployment_id: str, args: ServiceArgs, app: Optional[Mapping[str, Any]]
) -> dict[str, Any]:
    """Wait (bounded) until ``deployment_id`` is the service's healthy active deployment; return the state."""
    service, deployment = wait_until_active(koyeb, service_id, args.name, deployment_id)
    desired = {f: getattr(args, f) for f in FIELDS}
    return _to_outs(service, desired, deployment, app if app is not None else _app(koyeb, service))


def _definition(deployment: Optional[Mapping[str, Any]]) -> Optional[dict[str, Any]]:
    return dict(deployment["definition"]) if deployment and deployment.get("definition") else None


def _app(koyeb: KoyebClient, service: Mapping[str, Any]) -> Optional[dict[str, Any]]:
    try:
        return koyeb.get_app(service["app_id"]) if service.get("app_id") else None
    except NotFound:
        return None


def _status_or_gone(koyeb: KoyebClient, service_id: str) -> str:
    try:
        return str(koyeb.get_service(service_id).get("status"))
    except NotFound:
        return "GONE"


class Service(pulumi.dynamic.Resource, module="koyeb", name="Service"):
    """A Koyeb web service. ``id`` is the service id.

    Outputs add to the inputs: ``deployment_id`` (the active deployment: it changes only when a deployment of
    ours becomes active), ``image`` (the image that deployment runs) and ``public_url``.
    """

    app_id: pulumi.Output[str]
    name: pulumi.Output[str]
    owner: pulumi.Output[str]
    docker_image: pulumi.Output[str]
    instance_type: pulumi.Output[str]
    regions: pulumi.Output[list]
    port: pulumi.Output[int]
    health_check_path: pulumi.Output[str]
    min_scale: pulumi.Output[int]
    max_scale: pulumi.Output[int]
    env: pulumi.Output[dict]
    secret_env: pulumi.Output[dict]
    secret_digest: pulumi.Output[str]
    deployment_id: pulumi.Output[str]
    image: pulumi.Output[str]
    public_url: pulumi.Output[str]

    def __init__(self, resource_name: str, args: ServiceArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        props = {**args.to_props(), "deployment_id": None, "image": None, "public_url": None}
        super().__init__(ServiceProvider(), resource_name, props, opts)
