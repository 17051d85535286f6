"""ProductEnvironment: the whole product on one stack, wired together (DESIGN.md §4 "Wiring")."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pulumi

from components.backend_env import backend_env
from components.backend_service import BackendService, BackendServiceArgs
from components.frontend_builds import FrontendBuilds, FrontendBuildsArgs
from components.frontend_site import FrontendSite, FrontendSiteArgs
from components.mobile_channel import MobileChannel, MobileChannelArgs
from components.object_bucket import ObjectBucket, ObjectBucketArgs
from components.postgres_branch import PostgresBranch, PostgresBranchArgs
from components.railway_host import RailwayHost, RailwayHostArgs
from components.redis_cache import RedisCache, RedisCacheArgs
from components.release import release_ledger, release_output
from components.stack_reference import StackLink
from components.supabase_host import SupabaseHost, SupabaseHostArgs
from settings.models import StackSettings
from settings.own_server import missing_port_problem, resolve_local_server

OUTPUT_SCHEMA_VERSION = 1
"""Version of the stack-output shape apps read (docs/outputs.md); bump it on any incompatible change."""


class ProductEnvironment(pulumi.ComponentResource):
    """Database, cache, bucket, backend and every frontend of one stack, each given what it needs."""

    def __init__(self, name: str, settings: StackSettings, project_root: Path,
                 opts: pulumi.ResourceOptions | None = None, *, foundation: Mapping[str, Any] | None = None,
                 pinned: Mapping[str, tuple[str, str]] | None = None) -> None:
        """`foundation`: the foundation's outputs as checked before anything changed (`components.program`), needed
        when the database is on Neon; `pinned`: the builds a rollback serves (app -> (artifact folder, digest))."""
        super().__init__("stagecraft:index:ProductEnvironment", name, None, opts)
        self._settings = settings
        child = pulumi.ResourceOptions(parent=self)
        production = settings.environment == "production"
        env_dir = _absolute(project_root, settings.env_files.directory) / settings.stack

        owner = f"{settings.project}/{settings.stack}"
        self.supabase = self._supabase_host(settings, owner, protect=production)
        self.railway = self._railway_host(settings, owner)
        pg = settings.postgres
        local_pg = resolve_local_server(pg.local, project_root)
        if pg.platform == "local" and local_pg.port is None:
            raise ValueError(missing_port_problem(local_pg, settings.stack))
        self.foundation = self._foundation_link(settings, foundation) if pg.platform == "neon" else None
        self.postgres = PostgresBranch("postgres", PostgresBranchArgs(
            platform=pg.platform, physical_name=settings.physical_name("db"),
            branch=settings.stack if pg.platform != "local" else "local",
            # A Supabase project's database is its own `postgres` one (the pooler's); database/role apply elsewhere.
            database="postgres" if pg.platform == "supabase" else pg.database, role=pg.role,
            extensions=pg.extensions, owner=f"{settings.project}/{settings.stack}", local=local_pg, neon=pg.neon,
            supabase=self.supabase, railway=self.railway, protect=production,
            **self._neon_branching(settings, production)), opts=child)

        self.redis = RedisCache("redis", RedisCacheArgs(
            platform=settings.redis.platform, physical_name=settings.physical_name("cache"),
            owner=f"{settings.project}/{settings.stack}", local_url=settings.redis.local_url,
            upstash=settings.redis.upstash, render=settings.render, render_key_value=settings.redis.render,
            railway=self.railway, protect=production), opts=child)

        storage = settings.storage
        self.storage = ObjectBucket("storage", ObjectBucketArgs(
            platform=storage.platform, physical_name=settings.physical_name(storage.bucket),
            cloudflare_account_id=settings.cloudflare.account_id if settings.cloudflare else None,
            location=storage.r2.location, local_root=str(_absolute(project_root, storage.local_root)),
            supabase=self.supabase, railway=self.railway, owner=owner, protect=production), opts=child)

        self.jwt_secret = self._jwt_secret(settings)
        backend = settings.backend
        self.image = settings.rollback.image if settings.rollback and settings.rollback.image else backend.image
        # A backend on its database's or cache's own platform host reaches them over the private network.
        plain_env, secret_env = backend_env(
            environment=settings.environment, storage_platform=storage.platform, bucket=self.storage.bucket,
            endpoint=self.storage.endpoint, access_key_id=self.storage.access_key_id,
            secret_access_key=self.storage.secret_access_key, jwt_secret=self.jwt_secret,
            database_url=self.postgres.service_connection_uri if backend.platform == pg.platform
            else self.postgres.connection_uri,
            redis_url=self.redis.service_url if backend.platform == settings.redis.platform else self.redis.url)
        self.backend = BackendService("backend", BackendServiceArgs(
            platform=backend.platform, physical_name=settings.physical_name("api"), port=backend.port,
            health_check_path=backend.health_check_path, image=self.image, koyeb=backend.koyeb,
            render=settings.render, render_service=backend.render, owner=f"{settings.project}/{settings.stack}",
            railway=self.railway, railway_service=backend.railway, railway_plan=settings.railway.plan,
            volume=self.storage if storage.platform == "railway-volume" else None,
            local_url=backend.local_url, env_file_path=str(env_dir / ".env.backend"),
            env=plain_env, secret_env=secret_env), opts=child)

        self.mobile = MobileChannel("mobile", MobileChannelArgs(
            project_id=settings.mobile.project_id, channel=settings.mobile.channel or settings.stack,
            api_url=self.backend.url, owner=owner), opts=child) if settings.mobile else None

        frontend = settings.frontend
        vercel_provider = self._vercel_provider(settings) if frontend.platform == "vercel" else None
        builds = None
        if frontend.platform != "local":
            builds = FrontendBuilds("frontend-builds", FrontendBuildsArgs(
                apps=frontend.deployed_apps, project_root=project_root, api_url=self.backend.url,
                environment=settings.environment, pinned=dict(pinned or {})), opts=child)
        self.frontends = {
            app.name: FrontendSite(f"frontend-{app.name}", FrontendSiteArgs(
                app=app, platform=frontend.platform,
                physical_name=self._site_name(settings, app.name),
                api_url=self.backend.url, environment=settings.environment,
                production_branch=frontend.production_branch,
                artifact_dir=builds.artifact_dirs[app.name] if builds else None,
                artifact_digest=builds.artifact_digests[app.name] if builds else None,
                deploy_after=builds.resources if builds else (),
                cloudflare_account_id=settings.cloudflare.account_id if settings.cloudflare else None,
                owner=owner, netlify_team=settings.netlify.team, netlify_plan=settings.netlify.plan,
                project_root=str(project_root), vercel_provider=vercel_provider,
                env_file_path=str(env_dir / f".env.{app.name}"), local_host=frontend.local_host), opts=child)
            for app in frontend.deployed_apps
        }
        # The ledger `stagecraft rollback` reads; none for a stack that deploys nothing to a platform.
        self.release = None if settings.runs_offline else release_ledger(
            "release", self.image, builds, settings.rollback, [self.backend, *self.frontends.values()], parent=self)
        self.register_outputs({})

    def _foundation_link(self, settings: StackSettings, checked: Mapping[str, Any] | None) -> StackLink:
        """The foundation's outputs through a StackReference (checked before anything changed)."""
        from components.foundation import foundation_need

        if checked is None:
            raise ValueError("ProductEnvironment: a Neon database needs the foundation's outputs, read first")
        return StackLink("foundation", foundation_need(settings.stack, settings.foundation.stack), checked, parent=self)

    def _neon_branching(self, settings: StackSettings, production: bool) -> dict[str, Any]:
        """Production works on the foundation's root branch; every other stack gets a branch of its own that starts
        with that branch's schema and none of its data."""
        link = self.foundation
        if link is None:
            return {}
        root = link.output("neon.rootBranchId")
        if production:
            return {"neon_project_id": link.output("neon.projectId"), "neon_mode": "root",
                    "neon_parent_branch_id": root, "neon_root_endpoint_host": link.output("neon.rootEndpointHost")}
        return {"neon_project_id": link.output("neon.projectId"), "neon_mode": "schema-only",
                "neon_parent_branch_id": settings.postgres.neon.parent_branch or root}

    def _supabase_host(self, settings: StackSettings, owner: str, *, protect: bool) -> SupabaseHost | None:
        """The stack's Supabase project, when the database or the bucket lives on Supabase (made once)."""
        if settings.supabase is None or "supabase" not in (settings.postgres.platform, settings.storage.platform):
            return None
        import pulumi_random

        child = pulumi.ResourceOptions(parent=self)
        password = pulumi_random.RandomPassword("supabase-db-password", length=48, special=False, opts=child).result
        return SupabaseHost("supabase", SupabaseHostArgs(
            physical_name=f"{settings.project}-{settings.stack}", organization_slug=settings.supabase.organization_slug,
            region=settings.supabase.region, plan=settings.supabase.plan, owner=owner,
            db_password=pulumi.Output.secret(password), protect=protect), opts=child)

    def _railway_host(self, settings: StackSettings, owner: str) -> RailwayHost | None:
        """The stack's Railway project and environment, when any component lives on Railway (made once)."""
        platforms = (settings.backend.platform, settings.postgres.platform, settings.redis.platform,
                     settings.storage.platform)
        if not any(platform in ("railway", "railway-volume") for platform in platforms):
            return None
        return RailwayHost("railway", RailwayHostArgs(
            physical_name=f"{settings.project}-{settings.stack}", environment=settings.stack, owner=owner,
            workspace_id=settings.railway.workspace_id), opts=pulumi.ResourceOptions(parent=self))

    def _vercel_provider(self, settings: StackSettings) -> pulumi.ProviderResource | None:
        """A Vercel provider for the configured team (the token still comes from VERCEL_API_TOKEN)."""
        if settings.vercel.team is None:
            return None
        import pulumiverse_vercel as vercel

        return vercel.Provider("vercel", team=settings.vercel.team, opts=pulumi.ResourceOptions(parent=self))

    @staticmethod
    def _site_name(settings: StackSettings, app: str) -> str:
        names = {"netlify": settings.netlify_site_name, "vercel": settings.vercel_project_name}
        return names.get(settings.frontend.platform, settings.physical_name)(app)

    def _jwt_secret(self, settings: StackSettings) -> pulumi.Output[str]:
        child = pulumi.ResourceOptions(parent=self)
        if settings.runs_offline:
            from providers.local.generated_secret import GeneratedSecret, GeneratedSecretArgs

            secret = GeneratedSecret("jwt-secret", GeneratedSecretArgs(length=48, rotation=settings.jwt_rotation),
                                     opts=child).value
        else:
            import pulumi_random

            keepers = {"rotation": settings.jwt_rotation} if settings.jwt_rotation else None
            secret = pulumi_random.RandomPassword("jwt-secret", length=64, special=False, keepers=keepers,
                                                  opts=child).result
        return pulumi.Output.secret(secret)

    def stack_outputs(self) -> dict[str, Any]:
        """The versioned output document apps consume (docs/outputs.md). Secrets stay secret."""
        apps = {app.name: app for app in self._settings.frontend.deployed_apps}
        return {
            "schemaVersion": OUTPUT_SCHEMA_VERSION,
            "environment": self._settings.environment,
            "stack": self._settings.stack,
            "api": {"url": self.backend.url, "healthUrl": self.backend.health_url,
                    "platform": self._settings.backend.platform},
            "apps": {name: {"url": site.url, "platform": site.platform, "projectId": site.project_id,
                            "deploymentId": site.deployment_id, "variant": apps[name].variant}
                     for name, site in self.frontends.items()},
            "database": {"connectionUri": self.postgres.connection_uri, "host": self.postgres.host,
                         "database": self.postgres.database, "branch": self.postgres.branch,
                         "branchId": self.postgres.branch_id,
                         "neonProjectId": self.foundation.output("neon.projectId") if self.foundation else None,
                         "platform": self._settings.postgres.platform},
            "redis": {"url": self.redis.url, "restUrl": self.redis.rest_url, "restToken": self.redis.rest_token,
                      "platform": self._settings.redis.platform},
            "storage": {"bucket": self.storage.bucket, "endpoint": self.storage.endpoint,
                        "accessKeyId": self.storage.access_key_id,
                        "secretAccessKey": self.storage.secret_access_key,
                        "platform": self._settings.storage.platform},
            "jwtSecret": self.jwt_secret,
            "mobile": {"channel": self.mobile.channel, "branch": self.mobile.branch, "apiUrl": self.mobile.api_url}
            if self.mobile else None,
            "release": release_output(self.release),
        }


def _absolute(root: Path, path: str) -> Path:
    candidate = Path(path)
    return candidate if candidate.is_absolute() else root / candidate
