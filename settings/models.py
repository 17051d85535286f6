"""The one model tree of stack settings (DESIGN.md §3): every default lives here, nowhere else.

Config keys are camelCase in `Pulumi.<stack>.yaml` (`stagecraft:backend` -> `healthCheckPath`); fields are
snake_case in Python. Every model is frozen and rejects unknown keys, so a typo fails instead of being ignored.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic.alias_generators import to_camel

from settings.accounts import AccountsSettings
from settings.approval import ApprovalSettings
from settings.beta_platforms import (
    NetlifySettings,
    RenderKeyValueSettings,
    RenderServiceSettings,
    RenderSettings,
    SupabaseSettings,
)
from settings.foundation import FoundationReference
from settings.inventory import DEFAULT_FRONTENDS, FrontendApp
from settings.pr_stacks import PrStacksSettings, pr_number
from settings.preprod_platforms import MobileSettings, RailwayServiceSettings, RailwaySettings, VercelSettings
from settings.rollback import RollbackSettings

_MODEL = ConfigDict(frozen=True, extra="forbid", alias_generator=to_camel, populate_by_name=True)

# The platforms each component can run on today. DESIGN.md §1 names more (netlify, vercel, render, railway,
# supabase, ...); each joins its Literal when its component code and provider land, never before.
FrontendPlatform = Literal["cloudflare-pages", "netlify", "vercel", "local"]
BackendPlatform = Literal["koyeb", "render", "railway", "local"]
PostgresPlatform = Literal["neon", "supabase", "railway", "local"]
RedisPlatform = Literal["upstash", "render", "railway", "memory", "local"]
StoragePlatform = Literal["r2", "supabase", "railway-volume", "local"]

REQUIRED_EXTENSIONS: tuple[str, ...] = ("vector", "pg_trgm", "uuid-ossp")


class _Settings(BaseModel):
    model_config = _MODEL


# --- frontends -------------------------------------------------------------------------------------------


class CloudflareSettings(_Settings):
    """Cloudflare account settings shared by Pages projects and R2 buckets (the API token is provider config)."""

    account_id: str = Field(min_length=32, max_length=32, pattern=r"^[0-9a-f]{32}$",
                            description="Cloudflare account id (32 hex characters, dashboard > Workers & Pages).")


class FrontendSettings(_Settings):
    """Where and how the static frontends are built and served."""

    platform: FrontendPlatform = Field(description="Hosting platform for every frontend of the stack.")
    production_branch: str = Field(default="main", description="Git branch the platform treats as production.")
    apps: tuple[FrontendApp, ...] = Field(default=DEFAULT_FRONTENDS,
                                          description="The frontends to deploy (default: the shared inventory).")
    exclude: tuple[str, ...] = Field(default=(), description="Inventory app names this stack does not deploy.")
    local_host: str = Field(default="localhost", description="Host of the local dev servers (platform `local`).")

    @model_validator(mode="after")
    def _names_are_unique_and_exclusions_exist(self) -> FrontendSettings:
        names = [app.name for app in self.apps]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"app names must be unique; repeated: {', '.join(duplicates)}")
        unknown = sorted(set(self.exclude) - set(names))
        if unknown:
            raise ValueError(f"exclude names apps that are not in the inventory: {', '.join(unknown)}")
        ports = [app.dev_port for app in self.apps]
        clashing = sorted({p for p in ports if ports.count(p) > 1})
        if clashing:
            raise ValueError(f"devPort must differ between apps; shared: {', '.join(map(str, clashing))}")
        return self

    @property
    def deployed_apps(self) -> tuple[FrontendApp, ...]:
        """The inventory less the excluded apps."""
        return tuple(app for app in self.apps if app.name not in self.exclude)


# --- backend ---------------------------------------------------------------------------------------------


class KoyebSettings(_Settings):
    """Koyeb service sizing. The free tier allows one `free` instance in `fra` or `was`, web only."""

    instance_type: str = Field(default="free", description="Koyeb instance type (`free` on the free tier).")
    regions: tuple[str, ...] = Field(default=("was",), min_length=1, description="Koyeb region ids.")
    min_scale: int = Field(default=0, ge=0, description="Minimum instances; 0 lets the service scale to zero.")
    max_scale: int = Field(default=1, ge=1, description="Maximum instances.")

    @model_validator(mode="after")
    def _min_not_above_max(self) -> KoyebSettings:
        if self.min_scale > self.max_scale:
            raise ValueError(f"minScale ({self.min_scale}) must not exceed maxScale ({self.max_scale})")
        return self


class BackendSettings(_Settings):
    """The FastAPI backend."""

    platform: BackendPlatform = Field(description="Where the backend runs.")
    image: str | None = Field(default=None, description="Container image the platform runs (cloud platforms).")
    port: int = Field(default=8000, ge=1, le=65535, description="Port the backend listens on.")
    health_check_path: str = Field(default="/api/health", pattern=r"^/", description="Health endpoint path.")
    local_url: str = Field(default="http://localhost:8000", description="Backend URL on platform `local`.")
    koyeb: KoyebSettings = Field(default_factory=KoyebSettings, description="Koyeb settings (platform `koyeb`).")
    render: RenderServiceSettings | None = Field(default=None, description="Render web service (platform `render`).")
    railway: RailwayServiceSettings = Field(default_factory=RailwayServiceSettings,
                                            description="Railway service region and replicas (platform `railway`).")

    @model_validator(mode="after")
    def _cloud_needs_an_image(self) -> BackendSettings:
        if self.platform != "local" and not self.image:
            raise ValueError(f"platform {self.platform!r} needs `image` (the container image to run)")
        return self


# --- postgres --------------------------------------------------------------------------------------------


class LocalPostgresSettings(_Settings):
    """The PostgreSQL server the `local` platform creates databases on (the project's own, or the user's)."""

    host: str = Field(default="127.0.0.1", description="Server host.")
    port: int | None = Field(default=None, ge=1, le=65535,
                             description="Server port. Unset: this clone's own server, at the port bootstrap/postgres.py "
                                         "chose for the clone and recorded beside the admin password file (port.json).")
    admin_user: str = Field(default="stagecraft_admin", description="Role that may create roles and databases.")
    admin_password_file: str = Field(default=".stagecraft/postgres/admin-password",
                                     description="File holding the admin role's password (relative to the project).")


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
    def _min_not_above_max(self) -> NeonSettings:
        if self.min_cu > self.max_cu:
            raise ValueError(f"minCu ({self.min_cu}) must not exceed maxCu ({self.max_cu})")
        return self

    @model_validator(mode="after")
    def _within_the_plan(self) -> NeonSettings:
        timeout = self.suspend_timeout_seconds
        if timeout is not None and 0 < timeout < 60:
            raise ValueError(f"suspendTimeoutSeconds must be -1, 0 or 60..604800 (got {timeout})")
        if self.plan != "free":
            return self
        if timeout is not None:
            raise ValueError(
                "suspendTimeoutSeconds cannot be set on Neon's Free plan (Neon refuses it: \"suspend interval "
                "changing is not allowed for your account\"); remove it with "
                "`pulumi config rm --path 'stagecraft:postgres.neon.suspendTimeoutSeconds'`, or set "
                "`stagecraft:postgres.neon.plan` to your paid plan (launch, scale or business)")
        if self.max_cu > NEON_FREE_MAX_CU:
            raise ValueError(
                f"maxCu ({self.max_cu}) is above the {NEON_FREE_MAX_CU:g} compute units of Neon's Free plan; set "
                f"`pulumi config set --path 'stagecraft:postgres.neon.maxCu' 2`, or set "
                "`stagecraft:postgres.neon.plan` to your paid plan")
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


# --- redis -----------------------------------------------------------------------------------------------


class UpstashSettings(_Settings):
    """Upstash Redis database settings (free tier: one database of 256 MB)."""

    platform: Literal["aws", "gcp"] = Field(default="aws", description="Cloud the database runs on.")
    primary_region: str = Field(default="us-east-1", description="Upstash primary region.")
    read_regions: tuple[str, ...] = Field(default=(), description="Read replica regions (paid plans).")
    plan: str = Field(default="free", description="Upstash plan (`free` on the free tier).")
    eviction: bool = Field(default=True, description="Evict keys when memory is full instead of failing writes.")


class RedisSettings(_Settings):
    """The cache. `memory` is the backend's in-process fallback (`memory://`), used when no Redis is wanted."""

    platform: RedisPlatform = Field(description="Where the cache lives.")
    local_url: str = Field(default="redis://127.0.0.1:6379/0", pattern=r"^rediss?://",
                           description="URL of a local redis-server (platform `local`).")
    upstash: UpstashSettings = Field(default_factory=UpstashSettings, description="Upstash settings.")
    render: RenderKeyValueSettings = Field(default_factory=RenderKeyValueSettings,
                                           description="Render Key Value settings (platform `render`).")


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
    def _platform_prerequisites(self) -> StackSettings:
        uses_cloudflare = self.frontend.platform == "cloudflare-pages" or self.storage.platform == "r2"
        if uses_cloudflare and self.cloudflare is None:
            raise ValueError("cloudflare-pages and r2 need `cloudflare.accountId` (your Cloudflare account id)")
        if self.environment == "production" and self.postgres.platform == "local":
            raise ValueError("production cannot use the local PostgreSQL platform")
        return self

    @model_validator(mode="after")
    def _beta_platform_prerequisites(self) -> StackSettings:
        from settings.beta_platform_rules import beta_platform_problems

        problems = beta_platform_problems(self)
        if problems:
            raise ValidationError.from_exception_data("StackSettings", problems)
        return self

    @model_validator(mode="after")
    def _preprod_platform_prerequisites(self) -> StackSettings:
        from settings.preprod_platform_rules import preprod_platform_problems

        problems = preprod_platform_problems(self)
        if problems:
            raise ValidationError.from_exception_data("StackSettings", problems)
        return self

    @model_validator(mode="after")
    def _pr_stack_prerequisites(self) -> StackSettings:
        from settings.pr_stack_rules import pr_stack_problems

        problems = pr_stack_problems(self)
        if problems:
            raise ValidationError.from_exception_data("StackSettings", problems)
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
