"""Railway service from a container image (``pulumi-python:dynamic/railway:Service``), deployed and healthy.

Create: ``serviceCreate`` without a source (so Railway deploys nothing yet), the volume attached when one is
given, settings and the image set with ``serviceInstanceUpdate``, then exactly one ``serviceInstanceDeployV2``
waited for until Railway reports it ``SUCCESS``. Update sends only what changed (variables with
``skipDeploys``), then deploys once: a changed secret or image always rolls a new deployment. A deployment that
ends ``FAILED``/``CRASHED`` fails ``up`` with Railway's reason while the previous deployment keeps serving; the
image kept in state is the one Railway reports active, so ``refresh`` shows what really runs.
"""

from __future__ import annotations

import time

from dataclasses import dataclass
from typing import Any, Optional

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, ResourceProvider, UpdateResult

from .._http.retry import backoff_delay
from .._http import CheckedArgs, InputReader, ServerError, TransportError, changed_fields, create_owned, diff_props
from .._http import wait_until
from .._http import parse_timestamp
from .._http.graphql import GraphQLFailure
from .catalog import REGIONS
from .client import API, FAILED_DEPLOYMENT, PENDING_DEPLOYMENT, Gone, RailwayClient
from .ownership import OWNER_VARIABLE, read_owner, service_claim

SETTINGS = ("start_command", "health_check_path", "health_check_timeout", "region", "num_replicas")
FIELDS = ("project_id", "environment_id", "name", "image", "port", "variables", "secret_variables", "owner",
          "volume_id", "volume_mount_path", "plan", *SETTINGS)
PLANS = ("free", "trial", "hobby", "pro")
"""Railway's plans; a plan belongs to the workspace, not to a service (railwayapp/docs pricing/plans.md)."""
IMMUTABLE = ("project_id", "environment_id", "name", "volume_id", "volume_mount_path")
ENV_NAME = r"[A-Za-z_][A-Za-z0-9_]*"


@dataclass(frozen=True)
class ServiceArgs(CheckedArgs):
    """Inputs of a Railway service running a container image."""

    KIND = "railway:Service"

    project_id: pulumi.Input[str]
    """Railway project id. Changing it replaces the service."""
    environment_id: pulumi.Input[str]
    """Environment the service runs in. Changing it replaces the service."""
    name: pulumi.Input[str]
    """Service name, unique in the project. Changing it replaces the service."""
    image: pulumi.Input[str]
    """Container image, e.g. ``ghcr.io/acme/api:1.2.3``; a change rolls a new deployment."""
    port: pulumi.Input[int]
    """Port the container listens on (sent as ``PORT``)."""
    owner: pulumi.Input[str]
    """The stack that owns the service, ``"<project>/<stack>"`` (variable ``STAGECRAFT_OWNER``)."""
    variables: dict[str, pulumi.Input[str]]
    """Plain variables (values or ``${{Service.VAR}}`` references)."""
    secret_variables: dict[str, pulumi.Input[str]]
    """Secret variables; a change rolls a new deployment."""
    start_command: Optional[pulumi.Input[str]] = None
    """Command that starts the container (None: the image's own)."""
    health_check_path: Optional[pulumi.Input[str]] = None
    """HTTP path Railway probes before it switches traffic to a new deployment."""
    health_check_timeout: Optional[pulumi.Input[int]] = None
    """Seconds Railway waits for the health check to pass."""
    region: Optional[pulumi.Input[str]] = None
    """Region id (``regions { region }``), e.g. ``europe-west4-drams3a``."""
    num_replicas: pulumi.Input[int] = 1
    """Replicas in the region (Free plan: 1)."""
    volume_id: Optional[pulumi.Input[str]] = None
    """A detached volume to attach to the service before it first deploys. Changing it replaces."""
    volume_mount_path: Optional[pulumi.Input[str]] = None
    """Where the volume is mounted in the container."""
    plan: pulumi.Input[str] = "free"
    """The workspace's plan the service runs on (``free``, ``trial``, ``hobby``, ``pro``). Railway sets plans per
    workspace, so nothing is sent: it is declared here for the policy pack, which prices and gates it
    (policies/limits/railway.toml), and it bounds ``num_replicas`` (Free and Trial: one replica)."""

    @classmethod
    def read_inputs(cls, reader: InputReader) -> dict[str, Any]:
        """Validate the service's inputs (regions and names as Railway accepts them)."""
        values = {
            "project_id": reader.string("project_id"),
            "environment_id": reader.string("environment_id"),
            "name": reader.string("name", example='"stagecraft-preprod-api"', max_length=64),
            "image": reader.string("image", example='"ghcr.io/acme/api:1.2.3"'),
            "port": reader.integer("port", minimum=1, maximum=65535, example="8000"),
            "owner": read_owner(reader),
            "variables": reader.string_map("variables", key_pattern=ENV_NAME, key_hint="a shell variable name"),
            "secret_variables": reader.string_map("secret_variables", key_pattern=ENV_NAME,
                                                  key_hint="a shell variable name"),
            "start_command": reader.string("start_command", required=False),
            "health_check_path": reader.string("health_check_path", required=False, pattern=r"/.*",
                                               pattern_hint="must start with /"),
            "health_check_timeout": reader.integer("health_check_timeout", required=False, minimum=1, maximum=3600),
            "region": reader.string("region", required=False, choices=REGIONS),
            "num_replicas": reader.integer("num_replicas", required=False, minimum=1, maximum=50),
            "volume_id": reader.string("volume_id", required=False),
            "volume_mount_path": reader.string("volume_mount_path", required=False, pattern=r"/.*",
                                               pattern_hint="must be an absolute path"),
            "plan": reader.string("plan", required=False, choices=PLANS),
        }
        values["num_replicas"] = values["num_replicas"] or 1
        values["plan"] = values["plan"] or "free"
        replicas = values["num_replicas"]
        if values["plan"] in ("free", "trial") and isinstance(replicas, int) and replicas > 1:
            reader.fail("num_replicas", f"Railway's {values['plan']} plan runs one replica per service; got "
                                        f"{replicas}")
        for field in ("variables", "secret_variables"):
            if not isinstance(values[field], dict):  # unknown at preview, or already reported
                continue
            reserved = sorted(set(values[field]) & {OWNER_VARIABLE, "PORT"})
            if reserved:
                reader.fail(field, f"{', '.join(reserved)} is set by the provider itself; remove it")
        return values

    def all_variables(self) -> dict[str, str]:
        """Every variable the service gets: ours, the caller's, the secrets."""
        return {**self.variables, **self.secret_variables, "PORT": str(self.port), OWNER_VARIABLE: self.owner}

    def settings(self) -> dict[str, Any]:
        """``ServiceInstanceUpdateInput`` for the image and the settings."""
        return {"source": {"image": self.image}, "startCommand": self.start_command,
                "healthcheckPath": self.health_check_path, "healthcheckTimeout": self.health_check_timeout,
                "numReplicas": self.num_replicas, **({"region": self.region} if self.region else {})}


def _to_outs(args: ServiceArgs, image: str, deployment_id: str, variables: dict[str, str]) -> dict[str, Any]:
    return {**args.to_props(), "image": image, "deployment_id": deployment_id,
            "variables": {k: variables.get(k, "") for k in args.variables},
            "secret_variables": {k: variables.get(k, "") for k in args.secret_variables}}


class ServiceProvider(ResourceProvider):
    """CRUD for Railway services. Credentials come from RAILWAY_API_TOKEN / RAILWAY_API_URL at call time."""

    def check(self, _olds: Any, news: Any):
        return ServiceArgs.check(news)

    def diff(self, _id: str, olds: Any, news: Any) -> DiffResult:
        return diff_props(olds, news, fields=FIELDS, immutable=IMMUTABLE, unique_name=True)

    def create(self, props: Any) -> CreateResult:
        args: ServiceArgs = ServiceArgs.from_props(props)
        with RailwayClient.from_env() as railway:
            def find() -> Optional[dict[str, Any]]:
                services = railway.get_project(args.project_id)["services"]["edges"]
                return next((s["node"] for s in services if s["node"]["name"] == args.name), None)

            def ours(found: dict[str, Any]) -> bool:
                owner = railway.get_variables(args.project_id, args.environment_id, found["id"],
                                              unrendered=True).get(OWNER_VARIABLE)
                return owner == args.owner

            service, _ = create_owned(
                lambda: railway.create_service(args.project_id, args.environment_id, args.name),
                find, claim=service_claim(args.name, args.owner), timing=railway.timing, proves_ownership=ours,
                created_at=lambda s: parse_timestamp(s.get("createdAt")),
                name_taken=lambda exc: isinstance(exc, GraphQLFailure) and exc.mentions("already exists"))
            service_id = service["id"]
            railway.upsert_variables(args.project_id, args.environment_id, service_id, args.all_variables(),
                                     replace=True, skip_deploys=True)
            if args.volume_id:
                railway.set_volume_attachment(args.volume_id, args.environment_id, service_id, args.volume_mount_path)
            railway.update_instance(service_id, args.environment_id, args.settings())
            deployment_id = _deploy_and_wait(railway, args, service_id)
            return CreateResult(service_id, _to_outs(args, args.image, deployment_id, args.all_variables()))

    def read(self, id_: str, props: Any) -> ReadResult:
        with RailwayClient.from_env() as railway:
            try:
                railway.get_service(id_)
                instance = railway.get_instance(id_, props["environment_id"])
                variables = railway.get_variables(props["project_id"], props["environment_id"], id_, unrendered=True)
            except Gone:
                return ReadResult("", {})
        active = _active(instance)
        outs = {**props, "start_command": instance.get("startCommand"),
                "health_check_path": instance.get("healthcheckPath"),
                "health_check_timeout": instance.get("healthcheckTimeout"),
                "region": instance.get("region") if props.get("region") else None,
                "num_replicas": instance.get("numReplicas") or 1,
                "image": (active or {}).get("meta", {}).get("image") or (instance.get("source") or {}).get("image"),
                "deployment_id": (active or {}).get("id", ""),
                "owner": variables.get(OWNER_VARIABLE),
                "port": int(variables["PORT"]) if str(variables.get("PORT", "")).isdigit() else props.get("port"),
                "variables": {k: variables.get(k, "") for k in props.get("variables") or {}},
                "secret_variables": {k: variables.get(k, "") for k in props.get("secret_variables") or {}}}
        return ReadResult(id_, outs)

    def update(self, id_: str, olds: Any, news: Any) -> UpdateResult:
        args: ServiceArgs = ServiceArgs.from_props(news)
        changed = changed_fields(olds, news, FIELDS)
        with RailwayClient.from_env() as railway:
            if {"variables", "secret_variables", "port", "owner"} & set(changed):
                railway.upsert_variables(args.project_id, args.environment_id, id_, args.all_variables(),
                                         replace=True, skip_deploys=True)
            if {"image", *SETTINGS} & set(changed):
                railway.update_instance(id_, args.environment_id, args.settings())
            # The plan is declared, not sent: changing it alone deploys nothing.
            rolls = set(changed) - {"plan"}
            deployment_id = _deploy_and_wait(railway, args, id_) if rolls else olds.get("deployment_id", "")
            return UpdateResult(_to_outs(args, args.image, deployment_id, args.all_variables()))

    def delete(self, id_: str, props: Any) -> None:
        with RailwayClient.from_env() as railway:
            try:
                railway.delete_service(id_, props["environment_id"])
            except Gone:
                return


def _active(instance: dict[str, Any]) -> Optional[dict[str, Any]]:
    active = [d for d in instance.get("activeDeployments") or [] if d.get("status") == "SUCCESS"]
    return max(active, key=lambda d: d.get("createdAt") or "") if active else None


def _deploy(railway: RailwayClient, args: ServiceArgs, service_id: str) -> str:
    """One new deployment: after an answer that may hide a started one, the newer deployment is taken instead."""
    before = (railway.get_instance(service_id, args.environment_id).get("latestDeployment") or {}).get("id")
    for attempt in range(1, railway.timing.max_attempts + 1):
        try:
            return railway.deploy(service_id, args.environment_id)
        except (TransportError, ServerError) as exc:
            if isinstance(exc, TransportError) and not exc.maybe_applied:
                raise
            latest = (railway.get_instance(service_id, args.environment_id).get("latestDeployment") or {}).get("id")
            if latest and latest != before:
                return latest
            if attempt == railway.timing.max_attempts:
                raise
            time.sleep(backoff_delay(attempt, railway.timing))
    raise AssertionError("unreachable")


def _deploy_and_wait(railway: RailwayClient, args: ServiceArgs, service_id: str) -> str:
    deployment_id = _deploy(railway, args, service_id)

    def classify(deployment: dict[str, Any]):
        status = deployment.get("status", "")
        if status == "SUCCESS":
            return "ready", status
        if status in FAILED_DEPLOYMENT:
            reason = " | ".join(railway.deployment_logs(deployment_id)[-3:]) or "see the deployment's logs in Railway"
            return "failed", f"{status} ({reason}); the previous deployment keeps serving"
        return "pending", status if status in PENDING_DEPLOYMENT else status or "unknown"

    wait_until(lambda: railway.get_deployment(deployment_id), classify, api=API,
               what=f'deployment {deployment_id} of service "{args.name}" (image {args.image})', timing=railway.timing)
    return deployment_id


class Service(pulumi.dynamic.Resource, module="railway", name="Service"):
    """A Railway service running an image. Outputs: ``deployment_id`` (the active deployment), ``image``; ``id``."""

    deployment_id: pulumi.Output[str]
    image: pulumi.Output[str]

    def __init__(self, resource_name: str, args: ServiceArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__(ServiceProvider(), resource_name, {**args.to_props(), "deployment_id": None},
                         pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(
                             additional_secret_outputs=["secret_variables"])))
