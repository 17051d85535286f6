"""The one model tree of stack settings (DESIGN.md §3): every default lives here, nowhere else.

Config keys are camelCase in `Pulumi.<stack>.yaml` (`stagecraft:backend` -> `healthCheckPath`); fields are
snake_case in Python. Every model is frozen and rejects unknown keys, so a typo fails instead of being ignored.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from providers.local.server_objects import SERVER_DATABASES, server_role_problem
from providers.upstash.catalog import PLANS as UPSTASH_PLANS
from providers.upstash.catalog import PLATFORM_REGIONS as UPSTASH_REGIONS
from providers.upstash.catalog import READ_REGIONS as UPSTASH_READ_REGIONS

from settings import koyeb_catalog
from settings.accounts import AccountsSettings
from settings.addresses import host_problem, image_problem, url_problem
from settings.approval import ApprovalSettings
from settings.beta_platforms import (
    NetlifySettings,
    RenderKeyValueSettings,
    RenderServiceSettings,
    RenderSettings,
    SupabaseSettings,
)
from settings.foundation import FoundationReference
from settings.fixes import placeholder, value_word
from settings.inventory import DEFAULT_FRONTENDS, FrontendApp
from settings.located import located, located_error
from settings.model_config import SETTINGS_MODEL
from settings.pr_stacks import PrStacksSettings, pr_number
from settings.preprod_platforms import MobileSettings, RailwayServiceSettings, RailwaySettings, VercelSettings
from settings.rollback import RollbackSettings

_MODEL = SETTINGS_MODEL

# The platforms each component can run on (DESIGN.md §4): a value outside its Literal is refused at the key.
FrontendPlatform = Literal["cloudflare-pages", "netlify", "vercel", "local"]
BackendPlatform = Literal["koyeb", "render", "railway", "local"]
PostgresPlatform = Literal["neon", "supabase", "railway", "local"]
RedisPlatform = Literal["upstash", "render", "railway", "memory", "local"]
StoragePlatform = Literal["r2", "supabase", "railway-volume", "local"]

REQUIRED_EXTENSIONS: tuple[str, ...] = ("vector", "pg_trgm", "uuid-ossp")


class _Settings(BaseModel):
    model_config = _MODEL


def _refused(problem: str | None, fix_value: str | None = None) -> None:
    """Raise a field's problem (with a value that fixes it, as a shell word), if it has one."""
    if problem:
        raise PydanticCustomError("value_error", "{message}", {"message": problem,
                                                              **({"fix_value": fix_value} if fix_value else {})})


# --- frontends -------------------------------------------------------------------------------------------


class CloudflareSettings(_Settings):
    """Cloudflare account settings shared by Pages projects and R2 buckets (the API token is provider config)."""

    account_id: str = Field(min_length=32, max_length=32, pattern=r"^[0-9a-f]{32}$",
                            description="Cloudflare account id (32 hex characters, dashboard > Workers & Pages).")


class FrontendSettings(_Settings):
    """Where and how the static frontends are built and served."""

    platform: FrontendPlatform = Field(description="Hosting platform for every frontend of the stack.")
    production_branch: str = Field(default="main", max_length=255, pattern=r"^[^\s~^:?*\[\\]+$",
                                   description="Git branch the platform treats as production.")
    apps: tuple[FrontendApp, ...] = Field(default=DEFAULT_FRONTENDS,
                                          description="The frontends to deploy (default: the shared inventory).")
    exclude: tuple[str, ...] = Field(default=(), description="Inventory app names this stack does not deploy.")
    local_host: str = Field(default="localhost", description="Host of the local dev servers (platform `local`).")

    @field_validator("local_host")
    @classmethod
    def _a_host(cls, value: str) -> str:
        _refused(host_problem(value), "localhost")
        return value

    @model_validator(mode="after")
    def _names_are_unique_and_exclusions_exist(self) -> FrontendSettings:
        problems = []
        names = [app.name for app in self.apps]
        for index, app in enumerate(self.apps):
            if app.name in names[:index]:
                problems.append(located(("apps", index, "name"), app.name, f"app names must be unique; "
                                        f"{app.name!r} is also apps[{names.index(app.name)}]",
                                        fix_value=value_word(f"{app.name}-{index}")))
        for index, name in enumerate(self.exclude):
            if name not in names:
                problems.append(located(("exclude", index), name, f"exclude names an app that is not in the "
                                        f"inventory ({', '.join(names)})", kind="remove_key"))
        used = {app.dev_port for app in self.apps}
        for index, app in enumerate(self.apps):
            first = next(i for i, other in enumerate(self.apps) if other.dev_port == app.dev_port)
            if first != index:
                free = next(port for port in range(app.dev_port + 1, 65536) if port not in used)
                used.add(free)
                problems.append(located(("apps", index, "devPort"), app.dev_port, f"devPort must differ between apps; "
                                        f"{app.dev_port} is also apps[{first}]'s", fix_value=str(free)))
        if problems:
            raise located_error("FrontendSettings", problems)
        return self

    @property
    def deployed_apps(self) -> tuple[FrontendApp, ...]:
        """The inventory less the excluded apps."""
        return tuple(app for app in self.apps if app.name not in self.exclude)


# --- backend ---------------------------------------------------------------------------------------------


class KoyebSettings(_Settings):
    """Koyeb service sizing. The free tier allows one `free` instance in `fra` or `was`, web only."""

    instance_type: str = Field(default="free", description=f"Koyeb instance type: "
                                                          f"{', '.join(koyeb_catalog.INSTANCE_TYPES)} (`free` on the "
                                                          f"free tier: one instance, in fra or was).")
    regions: tuple[str, ...] = Field(default=("was",), min_length=1,
                                     description=f"Koyeb region ids: {', '.join(koyeb_catalog.REGIONS)}.")
    min_scale: int = Field(default=0, ge=0, description="Minimum instances; 0 lets the service scale to zero.")
    max_scale: int = Field(default=1, ge=1, description="Maximum instances (1 on the free instance).")

    @field_validator("instance_type")
    @classmethod
    def _a_koyeb_instance_type(cls, value: str) -> str:
        if value not in koyeb_catalog.INSTANCE_TYPES:
            _refused(f"{value!r} is not a Koyeb instance type for a web service; use one of "
                     f"{', '.join(koyeb_catalog.INSTANCE_TYPES)}", koyeb_catalog.FREE)
        return value

    @model_validator(mode="after")
    def _within_koyeb(self) -> KoyebSettings:
        problems = []
        offered = koyeb_catalog.regions_for(self.instance_type)
        for index, region in enumerate(self.regions):
            if region not in offered:
                what = "a Koyeb region" if region not in koyeb_catalog.REGIONS else \
                    f"a region that offers the {self.instance_type!r} instance"
                problems.append(located(("regions", index), region, f"{region!r} is not {what}; use one of "
                                        f"{', '.join(offered)}", fix_value=offered[1 if len(offered) > 1 else 0]))
        if self.instance_type == koyeb_catalog.FREE:
            if len(self.regions) > 1:
                problems.append(located(("regions", len(self.regions) - 1), self.regions[-1],
                                        "the free instance runs in one region", kind="remove_key"))
            if self.max_scale > koyeb_catalog.FREE_MAX_SCALE:
                problems.append(located(("maxScale",), self.max_scale, f"the free instance allows "
                                        f"{koyeb_catalog.FREE_MAX_SCALE} instance per organization (got "
                                        f"{self.max_scale}); use a paid instanceType for more",
                                        fix_value=str(koyeb_catalog.FREE_MAX_SCALE)))
        if self.min_scale > self.max_scale:
            problems.append(located(("minScale",), self.min_scale, f"minScale ({self.min_scale}) must not exceed "
                                    f"maxScale ({self.max_scale})", fix_value=str(self.max_scale)))
        if problems:
            raise located_error("KoyebSettings", problems)
        return self


class BackendSettings(_Settings):
    """The FastAPI backend."""

    platform: BackendPlatform = Field(description="Where the backend runs.")
    image: str | None = Field(default=None, description="Container image the platform runs (cloud platforms): "
                                                        "[registry/]path[:tag][@digest].")
    port: int = Field(default=8000, ge=1, le=65535, description="Port the backend listens on.")
    health_check_path: str = Field(default="/api/health", pattern=r"^/\S*$", description="Health endpoint path.")
    local_url: str = Field(default="http://localhost:8000", description="Backend URL on platform `local` (http or "
                                                                       "https, with the backend's port).")
    koyeb: KoyebSettings = Field(default_factory=KoyebSettings, description="Koyeb settings (platform `koyeb`).")
    render: RenderServiceSettings | None = Field(default=None, description="Render web service (platform `render`).")
    railway: RailwayServiceSettings = Field(default_factory=RailwayServiceSettings,
                                            description="Railway service region and replicas (platform `railway`).")

    @field_validator("image")
    @classmethod
    def _an_image_reference(cls, value: str | None) -> str | None:
        if value is not None and value.strip():
            _refused(image_problem(value), placeholder("registry/image:tag"))
        return value

    @field_validator("local_url")
    @classmethod
    def _an_http_url(cls, value: str) -> str:
        _refused(url_problem(value, ("http", "https")))
        return value

    @model_validator(mode="after")
    def _cloud_needs_an_image(self) -> BackendSettings:
        if self.platform != "local" and not self.image:
            raise located_error("BackendSettings", [located(
                ("image",), self.image, f"platform {self.platform!r} needs the container image to run",
                fix_value=placeholder("registry/image:tag"))])
        return self


# --- postgres --------------------------------------------------------------------------------------------


class LocalPostgresSettings(_Settings):
    """The PostgreSQL server the `local` platform creates databases on (the project's own, or the user's)."""

    host: str = Field(default="127.0.0.1", description="Server host.")
    port: int | None = Field(default=None, ge=1, le=65535,
                             description="Server port. Unset: this clone's own server, at the port bootstrap/postgres.py "
                                         "chose for the clone and recorded beside the admin password file (port.json).")
    admin_user: str = Field(default="stagecraft_admin", pattern=r"^[A-Za-z_][A-Za-z0-9_$]{0,62}$",
                            description="Role that may create roles and databases.")
    admin_password_file: str = Field(default=".stagecraft/postgres/admin-password",
                                     description="File holding the admin role's password (relative to the project).")

    @field_validator("host")
    @classmethod
    def _a_host(cls, value: str) -> str:
        _refused(host_problem(value), "127.0.0.1")
        return value


NEON_FREE_MAX_CU = 2.0
"""Autoscaling stops at 2 compute units on Neon's Free plan (platform-apis.md §9)."""


class NeonSettings(_Settings):
    """Neon project and branch settings (free tier: 0.25-2 CU autoscaling, scale to zero after 5 min)."""

    plan: Literal["free", "launch", "scale", "business"] = Field(
        default="free", description="The Neon plan of the account: what the Free plan refuses is never sent.")
    parent_branch: str | None = Field(
        default=None, pattern=r"^br-[a-z0-9-]+$",
        description="Branch id whose schema the stack's branch starts from (default: the foundation's root branch "
                    "`main`; the branch copies the schema only, never production's data).")
    min_cu: float = Field(default=0.25, ge=0.25, le=8, description="Autoscaling minimum compute units.")
    max_cu: float = Field(default=0.25, ge=0.25, le=8, description="Autoscaling maximum compute units.")
    suspend_timeout_seconds: int | None = Field(
        default=None, ge=-1, le=604800,
        description="Idle seconds before the compute suspends (-1 never, 60..604800); unset keeps Neon's default "
                    "(300). Paid plans only: Neon refuses any value on the Free plan.")

    @model_validator(mode="after")
    def _within_the_plan(self) -> NeonSettings:
        problems = []
        timeout = self.suspend_timeout_seconds
        if timeout is not None and 0 < timeout < 60:
            problems.append(located(("suspendTimeoutSeconds",), timeout, f"must be -1, 0 or 60..604800 (got "
                                    f"{timeout})", fix_value="60"))
        elif timeout is not None and self.plan == "free":
            problems.append(located(("suspendTimeoutSeconds",), timeout, "cannot be set on Neon's Free plan (Neon "
                                    "refuses it: \"suspend interval changing is not allowed for your account\"); "
                                    "remove it, or set stagecraft:postgres.neon.plan to your paid plan (launch, scale "
                                    "or business)", kind="remove_key"))
        if self.plan == "free" and self.max_cu > NEON_FREE_MAX_CU:
            problems.append(located(("maxCu",), self.max_cu, f"maxCu ({self.max_cu}) is above the "
                                    f"{NEON_FREE_MAX_CU:g} compute units of Neon's Free plan; lower it, or set "
                                    "stagecraft:postgres.neon.plan to your paid plan", fix_value=f"{NEON_FREE_MAX_CU:g}"))
        elif self.min_cu > self.max_cu:
            problems.append(located(("minCu",), self.min_cu, f"minCu ({self.min_cu}) must not exceed maxCu "
                                    f"({self.max_cu})", fix_value=f"{self.max_cu:g}"))
        if problems:
            raise located_error("NeonSettings", problems)
        return self


class PostgresSettings(_Settings):
    """The app's PostgreSQL database (with pgvector, pg_trgm and uuid-ossp)."""

    platform: PostgresPlatform = Field(description="Where the database lives.")
    database: str = Field(default="app", pattern=r"^[a-z_][a-z0-9_]{0,62}$", description="Database name.")
    role: str = Field(default="app", pattern=r"^[a-z_][a-z0-9_]{0,62}$", description="Role the app connects as.")
    extensions: tuple[str, ...] = Field(default=REQUIRED_EXTENSIONS, description="Extensions the program enables.")
    local: LocalPostgresSettings = Field(default_factory=LocalPostgresSettings,
                                         description="Server settings (platform `local`).")
    neon: NeonSettings = Field(default_factory=NeonSettings, description="Neon settings (platform `neon`).")

    @model_validator(mode="after")
    def _not_the_servers_own(self) -> PostgresSettings:
        """The server's own database or role would be taken over: adopted, its password reset, dropped on destroy."""
        if self.platform not in ("local", "neon"):
            return self
        problems = []
        admin = self.local.admin_user if self.platform == "local" else None
        if self.database in SERVER_DATABASES:
            problems.append(located(("database",), self.database, f"{self.database!r} is the server's own database "
                                    f"({', '.join(SERVER_DATABASES)} belong to PostgreSQL itself); the stack would take "
                                    "it over and drop it on destroy", **_back_to_default(self, "database", lambda d: d
                                                                                          in SERVER_DATABASES)))
        problem = server_role_problem(self.role, admin)
        if problem:
            problems.append(located(("role",), self.role, problem,
                                    **_back_to_default(self, "role", lambda r: bool(server_role_problem(r, admin)))))
        if problems:
            raise located_error("PostgresSettings", problems)
        return self


def _back_to_default(settings: BaseModel, name: str, still_wrong) -> dict:
    """Fix by removing the key when its default is right, else by setting a name that is."""
    default = type(settings).model_fields[name].default
    if name in settings.model_fields_set and not still_wrong(default):
        return {"kind": "remove_key"}
    return {"fix_value": f"stagecraft_{name}"}


# --- redis -----------------------------------------------------------------------------------------------


class UpstashSettings(_Settings):
    """Upstash Redis database settings (free tier: one database of 256 MB)."""

    platform: Literal["aws", "gcp"] = Field(default="aws", description="Cloud the database runs on.")
    primary_region: str = Field(default="us-east-1", description="Upstash primary region (of the platform's: "
                                                                 "us-east-1, eu-central-1, ... on aws; us-central1, "
                                                                 "... on gcp).")
    read_regions: tuple[str, ...] = Field(default=(), description="Read replica regions (aws only; paid plans).")
    plan: str = Field(default="free", description=f"Upstash plan: {', '.join(UPSTASH_PLANS)} (`free` on the free "
                                                  f"tier).")
    eviction: bool = Field(default=True, description="Evict keys when memory is full instead of failing writes.")

    @field_validator("plan")
    @classmethod
    def _an_upstash_plan(cls, value: str) -> str:
        if value not in UPSTASH_PLANS:
            _refused(f"{value!r} is not an Upstash plan; use one of {', '.join(UPSTASH_PLANS)}", "free")
        return value

    @field_validator("primary_region")
    @classmethod
    def _a_region_of_the_platform(cls, value: str, info: ValidationInfo) -> str:
        regions = UPSTASH_REGIONS.get(info.data.get("platform", "aws"), ())
        if value not in regions:
            _refused(f"{value!r} is not an Upstash region on {info.data.get('platform')}; use one of "
                     f"{', '.join(regions)}", regions[0] if regions else None)
        return value

    @model_validator(mode="after")
    def _read_regions_of_the_platform(self) -> UpstashSettings:
        problems = []
        for index, region in enumerate(self.read_regions):
            if self.platform != "aws" or region not in UPSTASH_READ_REGIONS or region == self.primary_region:
                why = ("read regions are AWS regions" if self.platform != "aws" else "it is the primary region"
                       if region == self.primary_region else f"use one of {', '.join(UPSTASH_READ_REGIONS)}")
                problems.append(located(("readRegions", index), region, f"{region!r} cannot be a read region: {why}",
                                        kind="remove_key"))
        if problems:
            raise located_error("UpstashSettings", problems)
        return self


class RedisSettings(_Settings):
    """The cache. `memory` is the backend's in-process fallback (`memory://`), used when no Redis is wanted."""

    platform: RedisPlatform = Field(description="Where the cache lives.")
    local_url: str = Field(default="redis://127.0.0.1:6379/0",
                           description="URL of a local redis-server (platform `local`): redis:// or rediss://.")
    upstash: UpstashSettings = Field(default_factory=UpstashSettings, description="Upstash settings.")
    render: RenderKeyValueSettings = Field(default_factory=RenderKeyValueSettings,
                                           description="Render Key Value settings (platform `render`).")

    @field_validator("local_url")
    @classmethod
    def _a_redis_url(cls, value: str) -> str:
        _refused(url_problem(value, ("redis", "rediss")), "redis://127.0.0.1:6379/0")
        return value


# --- storage ---------------------------------------------------------------------------------------------


class R2Settings(_Settings):
    """Cloudflare R2 bucket settings (free tier: 10 GB-month)."""

    location: Literal["WNAM", "ENAM", "WEUR", "EEUR", "APAC"] | None = Field(
        default=None, description="Location hint for the bucket (the Cloudflare provider's values; R2 picks one "
                                  "near the first request when unset).")


class StorageSettings(_Settings):
    """Object storage for uploads."""

    platform: StoragePlatform = Field(description="Where the bucket lives.")
    bucket: str = Field(default="uploads", pattern=r"^[a-z0-9][a-z0-9-]{1,40}$",
                        description="Bucket role name; the physical name is `<project>-<stack>-<bucket>`.")
    local_root: str = Field(default=".stagecraft/buckets", description="Folder holding local buckets.")
    r2: R2Settings = Field(default_factory=R2Settings, description="R2 settings (platform `r2`).")


# --- env files and the whole stack -------------------------------------------------------------------


class EnvFilesSettings(_Settings):
    """The dotenv files the apps read (written by the stack on `local` platforms)."""

    directory: str = Field(default="env", description="Folder (relative to the project, or absolute) for env files.")


class StackSettings(_Settings):
    """Everything one stack deploys. Built once by `settings.load`, then handed to components."""

    project: str = Field(description="Pulumi project name (from the engine, not config).")
    stack: str = Field(description="Pulumi stack name (from the engine, not config).")
    environment: Literal["development", "preview", "uat", "beta", "preprod", "production"] = Field(
        description="ENVIRONMENT value the apps receive.")
    frontend: FrontendSettings
    backend: BackendSettings
    postgres: PostgresSettings
    redis: RedisSettings
    storage: StorageSettings
    cloudflare: CloudflareSettings | None = Field(default=None, description="Needed by cloudflare-pages and r2.")
    netlify: NetlifySettings = Field(default_factory=NetlifySettings, description="Netlify team and site names.")
    render: RenderSettings | None = Field(default=None, description="Render workspace and region (platform `render`).")
    supabase: SupabaseSettings | None = Field(default=None,
                                              description="The Supabase project's organization, region and plan.")
    vercel: VercelSettings = Field(default_factory=VercelSettings, description="Vercel team and project names.")
    railway: RailwaySettings = Field(default_factory=RailwaySettings,
                                     description="The Railway workspace and its plan (platforms `railway`, "
                                                 "`railway-volume`).")
    mobile: MobileSettings | None = Field(default=None, description="The mobile app's Expo EAS channel (stacks that "
                                                                    "ship the mobile app).")
    env_files: EnvFilesSettings = Field(default_factory=EnvFilesSettings)
    approval: ApprovalSettings = Field(default_factory=ApprovalSettings,
                                       description="How production updates prove their approval (DESIGN §7).")
    jwt_rotation: str = Field(default="", max_length=64,
                              description="Change to any new text to rotate the generated JWT_SECRET (the backend "
                                          "rolls a new deployment with it).")
    foundation: FoundationReference = Field(default_factory=FoundationReference,
                                            description="The foundation stack this stack reads (its Neon project).")
    pr_stacks: PrStacksSettings = Field(default_factory=PrStacksSettings,
                                        description="How pr-<n> stacks derive from this one (or, on a pr-<n> stack, "
                                                    "from which base).")
    accounts: AccountsSettings = Field(default_factory=AccountsSettings,
                                       description="Which account of each platform the stack's credentials are in "
                                                   "(stacks sharing an account share its free quotas).")
    rollback: RollbackSettings | None = Field(default=None, description="Set by `stagecraft rollback`: the image and "
                                                                       "builds of an earlier update, served until the "
                                                                       "next deploy from git.")

    @model_validator(mode="after")
    def _cross_key_rules(self) -> StackSettings:
        """Every rule that spans sections, each problem at the key that fixes it, all in one error."""
        problems = cross_key_problems(self)
        if problems:
            raise located_error("StackSettings", problems)
        return self

    @property
    def is_pr(self) -> bool:
        """Whether this is an ephemeral `pr-<n>` stack."""
        return pr_number(self.stack) is not None

    def vercel_project_name(self, app: str) -> str:
        """The Vercel project of an app: `<vercel.projectNamePrefix or project-stack>-<app>`."""
        return self.vercel.project_name(f"{self.project}-{self.stack}", app)

    def netlify_site_name(self, app: str) -> str:
        """The Netlify site of an app: `<netlify.siteNamePrefix or project-stack>-<app>`."""
        return self.netlify.site_name(f"{self.project}-{self.stack}", app)

    @property
    def runs_offline(self) -> bool:
        """Every component is on this machine (the embedded default): no cloud provider plugin is needed."""
        return (self.frontend.platform == "local" and self.backend.platform == "local"
                and self.postgres.platform == "local" and self.redis.platform in ("memory", "local")
                and self.storage.platform == "local" and self.mobile is None)

    def physical_name(self, role: str) -> str:
        """`<project>-<stack>-<role>`: two stacks in one account never collide (SST's rule)."""
        return f"{self.project}-{self.stack}-{role}"


def _cloudflare_account_problems(settings: StackSettings) -> list:
    uses_cloudflare = settings.frontend.platform == "cloudflare-pages" or settings.storage.platform == "r2"
    if not uses_cloudflare or settings.cloudflare is not None:
        return []
    return [located(("cloudflare", "accountId"), None, "is required by cloudflare-pages and r2: your Cloudflare "
                    "account id (32 hex characters, dashboard > Workers & Pages)",
                    fix_value=placeholder("32-hex account id"))]


def _production_database_problems(settings: StackSettings) -> list:
    if settings.environment != "production" or settings.postgres.platform != "local":
        return []
    return [located(("postgres", "platform"), "local", "production cannot use the local PostgreSQL platform",
                    fix_value="neon")]


def cross_key_problems(settings: StackSettings) -> list:
    """The problems of every rule that spans sections. `settings` may be partial (settings.partial), when some
    section did not validate: a rule that reads what did not validate is skipped, so the message still lists every
    problem the other rules find."""
    from settings.beta_platform_rules import beta_platform_problems
    from settings.name_rules import physical_name_problems
    from settings.partial import each
    from settings.port_rules import backend_port_problems
    from settings.pr_stack_rules import pr_stack_problems
    from settings.preprod_platform_rules import preprod_platform_problems

    rules = (_cloudflare_account_problems, _production_database_problems, beta_platform_problems, preprod_platform_problems, pr_stack_problems,
             physical_name_problems, backend_port_problems)
    return each(*(lambda rule=rule: rule(settings) for rule in rules))
