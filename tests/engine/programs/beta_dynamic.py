"""The beta stack as the engine can run it offline: every resource of ours, wired as in beta, against emulators.

beta is almost all ours: Netlify sites and deploys, the Render service and Key Value, the Supabase project, its
extensions and bucket, the builds of the stand-in product. Only the random passwords come from an official
provider whose plugin cannot be fetched offline; `local:GeneratedSecret` takes their place. The components are
the program's own (SupabaseHost, PostgresBranch, RedisCache, ObjectBucket, BackendService, FrontendBuilds,
FrontendSite), given what `ProductEnvironment` gives them for beta.

Config (namespace `betatest`): `ownerId` and `serviceId` (the Render workspace and the dashboard-made service),
`organization` (Supabase), `image`, `jwtRotation`, `apps` (how many apps of the default inventory to deliver; all
when unset).
"""

from pathlib import Path

import pulumi

from components.backend_service import BackendService, BackendServiceArgs
from components.frontend_builds import FrontendBuilds, FrontendBuildsArgs
from components.frontend_site import FrontendSite, FrontendSiteArgs
from components.object_bucket import ObjectBucket, ObjectBucketArgs
from components.postgres_branch import PostgresBranch, PostgresBranchArgs
from components.redis_cache import RedisCache, RedisCacheArgs
from components.supabase_host import SupabaseHost, SupabaseHostArgs
from providers.local.generated_secret import GeneratedSecret, GeneratedSecretArgs
from settings.inventory import DEFAULT_FRONTENDS
from settings.models import REQUIRED_EXTENSIONS, RenderKeyValueSettings, RenderServiceSettings, RenderSettings

config = pulumi.Config("betatest")
stack = pulumi.get_stack()
prefix = f"{pulumi.get_project()}-{stack}"
owner = f"{pulumi.get_project()}/{stack}"
apps = DEFAULT_FRONTENDS[: config.get_int("apps") or len(DEFAULT_FRONTENDS)]
render = RenderSettings(owner_id=config.require("ownerId"), region="oregon")

password = GeneratedSecret("supabase-db-password", GeneratedSecretArgs(length=48))
supabase = SupabaseHost("supabase", SupabaseHostArgs(
    physical_name=prefix, organization_slug=config.require("organization"), region="us-east-1", plan="free",
    owner=owner, db_password=password.value))
postgres = PostgresBranch("postgres", PostgresBranchArgs(
    platform="supabase", physical_name=f"{prefix}-db", branch=stack, database="postgres", role="postgres",
    extensions=REQUIRED_EXTENSIONS, owner=owner, supabase=supabase))
redis = RedisCache("redis", RedisCacheArgs(platform="render", physical_name=f"{prefix}-cache", owner=owner,
                                           render=render, render_key_value=RenderKeyValueSettings()))
storage = ObjectBucket("storage", ObjectBucketArgs(platform="supabase", physical_name=f"{prefix}-uploads",
                                                   supabase=supabase, owner=owner))
jwt = GeneratedSecret("jwt-secret", GeneratedSecretArgs(length=48, rotation=config.get("jwtRotation") or ""))
backend = BackendService("backend", BackendServiceArgs(
    platform="render", physical_name=f"{prefix}-api", port=8000, health_check_path="/api/health",
    image=config.get("image") or "ghcr.io/weedgo/backend:1.0.0", owner=owner, render=render,
    render_service=RenderServiceSettings(service_id=config.require("serviceId")),
    env={"ENVIRONMENT": "beta", "STORAGE_PLATFORM": "supabase", "STORAGE_BUCKET": storage.bucket,
         "STORAGE_ENDPOINT": storage.endpoint},
    secret_env={"DATABASE_URL": postgres.connection_uri, "REDIS_URL": redis.service_url, "JWT_SECRET": jwt.value,
                "STORAGE_SERVICE_KEY": storage.secret_access_key}))

builds = FrontendBuilds("frontend-builds", FrontendBuildsArgs(
    apps=apps, project_root=Path.cwd(), api_url=backend.url, environment="beta"))
sites = {
    app.name: FrontendSite(f"frontend-{app.name}", FrontendSiteArgs(
        app=app, platform="netlify", physical_name=f"{prefix}-{app.name}", api_url=backend.url, environment="beta",
        production_branch="staging", netlify_plan="free", artifact_dir=builds.artifact_dirs[app.name],
        artifact_digest=builds.artifact_digests[app.name], deploy_after=builds.resources, owner=owner))
    for app in apps
}

pulumi.export("apiUrl", backend.url)
pulumi.export("apiDeploymentId", backend.deployment_id)
pulumi.export("apiImage", backend.image)
pulumi.export("supabaseRef", supabase.ref)
pulumi.export("databaseUrl", postgres.connection_uri)
pulumi.export("redisUrl", redis.service_url)
pulumi.export("jwtSecret", jwt.value)
pulumi.export("apps", {name: {"url": site.url, "deploymentId": site.deployment_id, "variant": app.variant}
                       for (name, site), app in zip(sites.items(), apps)})
