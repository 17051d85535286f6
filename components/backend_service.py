"""BackendService: the FastAPI backend with every connection setting wired in as env vars."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pulumi

from components.settings_values import require_settings
from providers.local.env_file import EnvFile, EnvFileArgs
from settings.models import KoyebSettings, RailwayServiceSettings, RenderServiceSettings, RenderSettings

if TYPE_CHECKING:
    from components.object_bucket import ObjectBucket
    from components.railway_host import RailwayHost


@dataclass(frozen=True)
class BackendServiceArgs:
    """What the backend needs: where it runs, its image, and the settings it receives."""

    platform: str
    """`koyeb`, `render`, `railway` or `local`."""
    physical_name: str
    """`<project>-<stack>-api`: the platform app/service name."""
    port: int
    """Port the backend listens on."""
    health_check_path: str
    """Health endpoint (`/api/health`)."""
    env: dict[str, pulumi.Input[str]]
    """Plain settings (ENVIRONMENT, storage bucket and endpoint, ...)."""
    owner: str
    """The stack that owns what the platform holds, `<project>/<stack>` (the ownership marker, DESIGN §5)."""
    secret_env: dict[str, pulumi.Input[str]] = field(default_factory=dict)
    """Secret settings (DATABASE_URL, REDIS_URL, JWT_SECRET, ...): stored as platform secrets."""
    image: str | None = None
    """Container image (cloud platforms)."""
    koyeb: KoyebSettings | None = None
    """Koyeb sizing (platform `koyeb`)."""
    render: RenderSettings | None = None
    """Render workspace and region (platform `render`)."""
    render_service: RenderServiceSettings | None = None
    """The Render web service: the dashboard-made one by id, or a paid plan to create (platform `render`)."""
    railway: "RailwayHost | None" = None
    """The stack's Railway project and environment (platform `railway`)."""
    railway_service: RailwayServiceSettings | None = None
    """Region, replicas and health-check timeout of the Railway service (platform `railway`)."""
    railway_plan: str | None = None
    """The Railway workspace's plan (platform `railway`, from the settings; declared for the policy pack)."""
    volume: "ObjectBucket | None" = None
    """A bucket on `railway-volume`: its volume is mounted into the service."""
    local_url: str | None = None
    """URL of the locally run backend (platform `local`, from the settings)."""
    env_file_path: str | None = None
    """Absolute path of the backend's dotenv file (platform `local`)."""


KOYEB_APP_NAME_MAX = 23
"""Koyeb refuses longer app names (its Terraform provider enforces the same limit)."""


KOYEB_SECRET_NAME_MAX = 63
"""Koyeb secret names are RFC 1123 labels (koyeb.com/docs/reference/secrets): at most 63 characters."""


def koyeb_secret_name(physical_name: str, variable: str) -> str:
    """`<physical name>-<variable in lower case, dashes for underscores>`, e.g. `stagecraft-uat-api-database-url`.

    Koyeb's rule (lower-case letters, digits and dashes, at most 63) holds for every env variable name; a name
    that would be too long keeps its head plus a hash of the whole (still unique).
    """
    name = f"{physical_name}-{variable.lower().replace('_', '-')}".strip("-")
    if len(name) <= KOYEB_SECRET_NAME_MAX:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:6]
    return f"{name[:KOYEB_SECRET_NAME_MAX - 7].rstrip('-')}-{digest}"


def koyeb_app_name(physical_name: str) -> str:
    """The physical name, or when it is too long for Koyeb, its head plus a hash of the whole (still unique)."""
    if len(physical_name) <= KOYEB_APP_NAME_MAX:
        return physical_name
    digest = hashlib.sha256(physical_name.encode()).hexdigest()[:6]
    return f"{physical_name[:KOYEB_APP_NAME_MAX - 7].rstrip('-')}-{digest}"


class BackendService(pulumi.ComponentResource):
    """The API on Koyeb (app + secrets + service), or the env file of the locally run API."""

    url: pulumi.Output[str]
    """Base URL of the API."""
    health_url: pulumi.Output[str]
    """URL of the health endpoint."""
    deployment_id: pulumi.Output[str]
    """The platform's deployment that serves the API (Koyeb: the active deployment); "" when run locally."""
    image: pulumi.Output[str]
    """The image that deployment runs; "" when run locally."""

    def __init__(self, name: str, args: BackendServiceArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("stagecraft:index:BackendService", name, None, opts)
        builders = {"koyeb": self._koyeb, "render": self._render, "railway": self._railway, "local": self._local}
        if args.platform not in builders:
            raise ValueError(f"BackendService {name}: platform {args.platform!r} is not one of {sorted(builders)}")
        require_settings(f"BackendService {name}", args,
                         {"local": ("local_url",), "railway": ("railway_plan",)}.get(args.platform, ()))
        self.deployment_id = pulumi.Output.from_input("")
        self.image = pulumi.Output.from_input("")
        self.url = pulumi.Output.from_input(builders[args.platform](name, args))
        self.health_url = self.url.apply(lambda base: base.rstrip("/") + args.health_check_path)
        self.register_outputs({"url": self.url, "health_url": self.health_url, "deployment_id": self.deployment_id,
                               "image": self.image})

    def _local(self, name: str, args: BackendServiceArgs) -> pulumi.Input[str]:
        if not args.env_file_path:
            raise ValueError(f"BackendService {name}: platform 'local' needs env_file_path")
        values = {**args.env, **{k: pulumi.Output.secret(v) for k, v in args.secret_env.items()}}
        values["PORT"] = str(args.port)
        EnvFile(f"{name}-env", EnvFileArgs(path=args.env_file_path, values=values),
                opts=pulumi.ResourceOptions(parent=self))
        return args.local_url

    def _railway(self, name: str, args: BackendServiceArgs) -> pulumi.Input[str]:
        from providers.railway.domain import ServiceDomain, ServiceDomainArgs
        from providers.railway.service import Service, ServiceArgs

        host = args.railway
        if not args.image or host is None:
            raise ValueError(f"BackendService {name}: platform 'railway' needs image and the stack's RailwayHost")
        options = args.railway_service or RailwayServiceSettings()
        volume = args.volume.railway_volume if args.volume is not None else None
        where = {"project_id": host.project_id, "environment_id": host.environment_id}
        service = Service(f"{name}-service", ServiceArgs(
            **where, name=args.physical_name, image=args.image, port=args.port, owner=args.owner,
            # One secret map, not a map of secrets: Railway's read gives the map back whole, and state then compares
            # equal on refresh (per-value secret markers would not survive the read).
            variables=dict(args.env), secret_variables=pulumi.Output.secret(pulumi.Output.all(**args.secret_env)),
            health_check_path=args.health_check_path, health_check_timeout=options.health_check_timeout,
            region=options.region, num_replicas=options.num_replicas, plan=args.railway_plan,
            volume_id=volume.id if volume is not None else None,
            volume_mount_path=volume.mount_path if volume is not None else None,
        ), opts=pulumi.ResourceOptions(parent=self))
        domain = ServiceDomain(f"{name}-domain", ServiceDomainArgs(**where, service_id=service.id,
                                                                   target_port=args.port),
                               opts=pulumi.ResourceOptions(parent=self))
        self.deployment_id = service.deployment_id
        self.image = service.image
        return domain.url

    def _render(self, name: str, args: BackendServiceArgs) -> pulumi.Input[str]:
        from providers.render.service import Service, ServiceArgs

        if not args.image or args.render is None or args.render_service is None:
            raise ValueError(f"BackendService {name}: platform 'render' needs image and the render settings")
        service = Service(f"{name}-service", ServiceArgs(
            owner_id=args.render.owner_id, service_id=args.render_service.service_id, owner=args.owner,
            name=None if args.render_service.service_id else args.physical_name, plan=args.render_service.plan,
            image=args.image, region=args.render.region, health_check_path=args.health_check_path, port=args.port,
            # One secret map, not a map of secrets: state then has one shape whether written by up or by refresh.
            env=dict(args.env), secret_env=pulumi.Output.secret(pulumi.Output.all(**args.secret_env))
            if args.secret_env else {},
        ), opts=pulumi.ResourceOptions(parent=self))
        self.deployment_id = service.deploy_id
        self.image = service.image
        return service.url

    def _koyeb(self, name: str, args: BackendServiceArgs) -> pulumi.Input[str]:
        from providers.koyeb.app import App, AppArgs
        from providers.koyeb.definition import secrets_digest
        from providers.koyeb.secret import Secret, SecretArgs
        from providers.koyeb.service import Service, ServiceArgs

        if not args.image or args.koyeb is None:
            raise ValueError(f"BackendService {name}: platform 'koyeb' needs image and koyeb settings")
        child = pulumi.ResourceOptions(parent=self)
        app = App(f"{name}-app", AppArgs(name=koyeb_app_name(args.physical_name), owner=args.owner), opts=child)
        secret_names: dict[str, pulumi.Input[str]] = {}
        secrets = []
        for key, value in sorted(args.secret_env.items()):
            secret = Secret(f"{name}-secret-{key.lower().replace('_', '-')}",
                            SecretArgs(name=koyeb_secret_name(args.physical_name, key),
                                       value=pulumi.Output.secret(value), owner=args.owner), opts=child)
            secrets.append(secret)
            secret_names[key] = secret.name
        # A digest of the values, not the values: it goes into the deployment in plain text so that a new value
        # is a new deployment (Koyeb never redeploys on a secret change itself; providers/koyeb/definition.py).
        digest = pulumi.Output.unsecret(pulumi.Output.all(**args.secret_env).apply(secrets_digest)) \
            if args.secret_env else None
        service = Service(
            f"{name}-service",
            ServiceArgs(
                app_id=app.id,
                name=args.physical_name,
                owner=args.owner,
                docker_image=args.image,
                instance_type=args.koyeb.instance_type,
                regions=list(args.koyeb.regions),
                port=args.port,
                health_check_path=args.health_check_path,
                min_scale=args.koyeb.min_scale,
                max_scale=args.koyeb.max_scale,
                env=dict(args.env),
                secret_env=secret_names,
                secret_digest=digest,
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=secrets),
        )
        self.deployment_id = service.deployment_id
        self.image = service.image
        return service.public_url
