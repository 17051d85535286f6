"""Koyeb web service from a Docker image (``pulumi-python:dynamic/koyeb:Service``).

The inputs map onto one Koyeb ``DeploymentDefinition``: a WEB service with one HTTP port routed at "/",
an HTTP health check on that port, one instance type, one scaling rule (``min_scale: 0`` is scale to zero)
and env vars that are plain values or references to Koyeb secrets by name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Optional, Sequence

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
from .client import API, DNS_LABEL, GONE_STATUSES, SERVICE_NAME_HINT, KoyebClient

FIELDS = (
    "app_id", "name", "docker_image", "instance_type", "regions", "port", "health_check_path", "min_scale",
    "max_scale", "env", "secret_env",
)
# Koyeb sets a service's app and name at creation only.
IMMUTABLE = ("app_id", "name")
MUTABLE = tuple(f for f in FIELDS if f not in IMMUTABLE)
FREE_INSTANCE = "free"
FREE_REGIONS = ("fra", "was")
ENV_KEY = r"[A-Za-z_][A-Za-z0-9_]*"
_STARTING = frozenset({"STARTING", "RESUMING", "DEGRADED", "PAUSING"})
_DEPLOYMENT_READY = frozenset({"HEALTHY", "SLEEPING"})
_DEPLOYMENT_FAILED = frozenset({"ERROR", "ERRORING", "CANCELED", "STOPPED", "UNHEALTHY"})


@dataclass(frozen=True)
class ServiceArgs(CheckedArgs):
    """Inputs of a Koyeb web service."""

    KIND = "koyeb:Service"

    app_id: pulumi.Input[str]
    """Id of the Koyeb app that holds the service (``App.id``). Changing it replaces the service."""
    name: pulumi.Input[str]
    """Physical service name (``<project>-<stack>-<name>``), unique in the app. Changing it replaces."""
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

    @classmethod
    def read_inputs(cls, reader: InputReader) -> dict[str, Any]:
        """Validate every field, including the free instance's documented limits."""
        values = {
            "app_id": reader.string("app_id", example="app.id"),
            "name": reader.string("name", example='"api"', pattern=DNS_LABEL, pattern_hint=SERVICE_NAME_HINT,
                                  min_length=3, max_length=64),
            "docker_image": reader.string("docker_image", example='"ghcr.io/acme/api:1.0.0"', pattern=r"\S+",
                                          pattern_hint="must be an image reference without spaces"),
            "instance_type": reader.string("instance_type", example='"free"'),
            "regions": reader.string_list("regions", example='["fra"]', min_items=1),
            "port": reader.integer("port", example="8000", minimum=1, maximum=65535),
            "health_check_path": reader.string("health_check_path", example='"/api/health"', pattern=r"/\S*",
                                               pattern_hint='must be an absolute path such as "/api/health"'),
            "min_scale": reader.integer("min_scale", example="0", minimum=0),
            "max_scale": reader.integer("max_scale", example="1", minimum=1),
            "env": reader.string_map("env", key_pattern=ENV_KEY, key_hint="use letters, digits and _"),
            "secret_env": reader.string_map("secret_env", key_pattern=ENV_KEY, key_hint="use letters, digits and _"),
        }
        _check_relations(reader, values)
        return values


def _check_relations(reader: InputReader, v: dict[str, Any]) -> None:
    known = lambda *names: all(v.get(n) is not None and not is_unknown(v.get(n)) for n in names)  # noqa: E731
    if known("min_scale", "max_scale") and v["min_scale"] > v["max_scale"]:
        reader.fail("min_scale", f"({v['min_scale']}) must not exceed max_scale ({v['max_scale']})")
    if known("env", "secret_env"):
        both = sorted(set(v["env"]) & set(v["secret_env"]))
        if both:
            reader.fail("secret_env", f"{', '.join(both)} also set in env; keep each variable in one of the two")
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
    env = [{"key": k, "value": v} for k, v in sorted(args.env.items())]
    env += [{"key": k, "secret": s} for k, s in sorted(args.secret_env.items())]
    return {
        "type": "WEB",
        "docker": {"image": args.docker_image},
        "regions": list(args.regions),
        "instance_types": [{"type": args.instance_type}],
        "scalings": [{"min": args.min_scale, "max": args.max_scale}],
        "ports": [{"port": args.port, "protocol": "http"}],
        "routes": [{"port": args.port, "path": "/"}],
        "env": env,
        "health_checks": [{"http": {"port": args.port, "path": args.health_check_path}}],
    }


def fields_from_definition(definition: Mapping[str, Any]) -> dict[str, Any]:
    """The input fields a definition carries (the inverse of ``build_definition`` for what we set)."""
    out: dict[str, Any] = {}
    if "docker" in definition:
        out["docker_image"] = (definition.get("docker") or {}).get("image")
    if "regions" in definition:
        out["regions"] = list(definition.get("regions") or [])
    instance_types = definition.get("instance_types") or []
    if instance_types:
        out["instance_type"] = instance_types[0].get("type")
    scalings = definition.get("scalings") or []
    if scalings:
        out["min_scale"] = int(scalings[0].get("min", 0))
        out["max_scale"] = int(scalings[0].get("max", 0))
    ports = definition.get("ports") or []
    if ports:
        out["port"] = int(ports[0].get("port", 0))
    checks = [c.get("http") for c in definition.get("health_checks") or [] if c.get("http")]
    if checks:
        out["health_check_path"] = checks[0].get("path")
    if "env" in definition:
        entries = definition.get("env") or []
        out["env"] = {e["key"]: e.get("value", "") for e in entries if "secret" not in e}
        out["secret_env"] = {e["key"]: e["secret"] for e in entries if "secret" in e}
    return out


def _to_outs(
    service: Mapping[str, Any], desired: Mapping[str, Any], definition: Optional[Mapping[str, Any]],
    app: Optional[Mapping[str, Any]],
) -> dict[str, Any]:
    """State of a service: inputs (as Koyeb reports them when it does), status and public URL."""
    outs = {f: desired.get(f) for f in FIELDS}
    if definition:
        outs.update(fields_from_definition(definition))
    outs["app_id"] = service.get("app_id") or outs["app_id"]
    outs["name"] = service.get("name") or outs["name"]
    outs["status"] = service.get("status")
    outs["public_url"] = _public_url(app)
    return outs


def _public_url(app: Optional[Mapping[str, Any]]) -> str:
    domains = [d for d in (app or {}).get("domains") or [] if d.get("name")]
    auto = [d for d in domains if d.get("type", "AUTOASSIGNED") == "AUTOASSIGNED"] or domains
    return f"https://{auto[0]['name']}" if auto else ""


def _classify(current: tuple[Mapping[str, Any], Optional[Mapping[str, Any]]]) -> tuple[str, str]:
    """Ready when the service is HEALTHY and its latest deployment is HEALTHY (or SLEEPING: scaled to zero)."""
    service, deployment = current
    status = str(service.get("status"))
    text = _with_messages(f"service {status}", service)
    if deployment is not None:
        dep_status = str(deployment.get("status"))
        text += ", " + _with_messages(f"deployment {dep_status}", deployment)
        if dep_status in _DEPLOYMENT_FAILED:
            return "failed", text
        if dep_status not in _DEPLOYMENT_READY:
            return "pending", text
    if status == "HEALTHY":
        return "ready", text
    if status in _STARTING:
        return "pending", text
    return "failed", text


def _with_messages(text: str, obj: Mapping[str, Any]) -> str:
    messages = "; ".join(str(m) for m in obj.get("messages") or [])
    return f"{text} ({messages})" if messages else text


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
            service, adopted = create_or_adopt(
                lambda: koyeb.find_service(args.app_id, args.name),
                lambda: koyeb.create_service(args.app_id, args.name, definition),
                timing=koyeb.timing,
            )
            if adopted and self._drifted(koyeb, service, args):
                service = koyeb.update_service(service["id"], definition)
            return CreateResult(service["id"], self._settle(koyeb, service["id"], args))

    def read(self, id_: str, props: Any) -> ReadResult:
        with KoyebClient.from_env() as koyeb:
            try:
                service = koyeb.get_service(id_)
            except NotFound:
                return ReadResult("", {})
            if service.get("status") in GONE_STATUSES:
                return ReadResult("", {})
            definition = self._definition(koyeb, service)
            app = self._app(koyeb, service)
        return ReadResult(id_, _to_outs(service, props, definition, app))

    def update(self, id_: str, olds: Any, news: Any) -> UpdateResult:
        args: ServiceArgs = ServiceArgs.from_props(news)
        with KoyebClient.from_env() as koyeb:
            if changed_fields(olds, news, MUTABLE):
                # Koyeb deploys a whole definition at a time; a partial one would drop the unchanged settings.
                koyeb.update_service(id_, build_definition(args))
            return UpdateResult(self._settle(koyeb, id_, args))

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

    @staticmethod
    def _settle(koyeb: KoyebClient, service_id: str, args: ServiceArgs) -> dict[str, Any]:
        """Wait (bounded) for the service and its latest deployment to be healthy, then return the state."""

        def fetch() -> tuple[dict[str, Any], Optional[dict[str, Any]]]:
            service = koyeb.get_service(service_id)
            return service, ServiceProvider._deployment(koyeb, service)

        service, deployment = wait_until(
            fetch, _classify, api=API, what=f'service "{args.name}"', timing=koyeb.timing
        )
        desired = {f: getattr(args, f) for f in FIELDS}
        definition = deployment.get("definition") if deployment else None
        return _to_outs(service, desired, definition, ServiceProvider._app(koyeb, service))

    @staticmethod
    def _drifted(koyeb: KoyebClient, service: Mapping[str, Any], args: ServiceArgs) -> bool:
        definition = ServiceProvider._definition(koyeb, service)
        if definition is None:
            return True
        current = fields_from_definition(definition)
        desired = {f: getattr(args, f) for f in MUTABLE}
        return bool(changed_fields(current, desired, MUTABLE))

    @staticmethod
    def _definition(koyeb: KoyebClient, service: Mapping[str, Any]) -> Optional[dict[str, Any]]:
        deployment = ServiceProvider._deployment(koyeb, service)
        return deployment.get("definition") if deployment else None

    @staticmethod
    def _deployment(koyeb: KoyebClient, service: Mapping[str, Any]) -> Optional[dict[str, Any]]:
        deployment_id = service.get("latest_deployment_id") or service.get("active_deployment_id")
        if not deployment_id:
            return None
        try:
            return koyeb.get_deployment(deployment_id)
        except NotFound:
            return None

    @staticmethod
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
    """A Koyeb web service. Outputs add ``status`` and ``public_url`` to the inputs; ``id`` is the service id."""

    app_id: pulumi.Output[str]
    name: pulumi.Output[str]
    docker_image: pulumi.Output[str]
    instance_type: pulumi.Output[str]
    regions: pulumi.Output[list]
    port: pulumi.Output[int]
    health_check_path: pulumi.Output[str]
    min_scale: pulumi.Output[int]
    max_scale: pulumi.Output[int]
    env: pulumi.Output[dict]
    secret_env: pulumi.Output[dict]
    status: pulumi.Output[str]
    public_url: pulumi.Output[str]

    def __init__(self, resource_name: str, args: ServiceArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        props = {**args.to_props(), "status": None, "public_url": None}
        super().__init__(ServiceProvider(), resource_name, props, opts)
