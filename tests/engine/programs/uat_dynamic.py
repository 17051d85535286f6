"""The uat stack as the engine can run it offline: every resource of ours, wired as in uat, against emulators.

What is left out needs an official provider's plugin, which cannot be fetched offline: the Cloudflare Pages
projects and R2 bucket, the pulumi-neon Project and the random password. Stand-ins take their places: the Pages
projects are made by `PagesProjectStandIn` below through the same API the official provider calls, the Neon
project is seeded in the emulator, and the JWT secret is a `local:GeneratedSecret`. The Neon database is not a
real PostgreSQL, so `postgres:Extensions` is tested elsewhere against a real server.

Config (namespace `uattest`): `neonProjectId`, `cloudflareAccountId`, `image`, `jwtRotation`, `apps` (how many
apps of the default inventory to deliver; all when unset), `failBuildOf` (an app whose build command fails). Like the
real program it honours `stagecraft:rollback` (what `stagecraft rollback` sets) and keeps the release ledger; it exports
the documented outputs a pr-<n> stack reads from its base (`api`, `apps.<name>.projectId`, `database`, `redis`,
`storage`), besides its own short keys.
"""

from pathlib import Path
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, ReadResult, ResourceProvider

from components.backend_service import BackendService, BackendServiceArgs
from components.frontend_builds import FrontendBuilds, FrontendBuildsArgs
from components.frontend_site import FrontendSite, FrontendSiteArgs
from components.postgres_branch import neon_connection_uri
from components.redis_cache import RedisCache, RedisCacheArgs
from components.release import release_ledger, release_output
from providers.local.generated_secret import GeneratedSecret, GeneratedSecretArgs
from providers.neon.branch import Branch, BranchArgs
from providers.neon.database import Database, DatabaseArgs
from providers.neon.endpoint import Endpoint, EndpointArgs
from providers.neon.role import Role, RoleArgs
from settings.inventory import DEFAULT_FRONTENDS
from settings.models import KoyebSettings, UpstashSettings
from settings.rollback import RollbackSettings, pinned_artifacts
from providers.build.builder import build_dir


class PagesProjectStandInProvider(ResourceProvider):
    """Creates and deletes a Direct Upload Pages project with the calls pulumi-cloudflare's PagesProject makes,
    through the shared HTTP layer (retries on 429/5xx, Retry-After honoured) as a provider must."""

    def _api(self):
        import os

        from providers._http import ApiSettings, HttpClient, Timing, bearer_headers

        token = os.environ["CLOUDFLARE_API_TOKEN"]
        return HttpClient(ApiSettings(api="Cloudflare", base_url=os.environ["CLOUDFLARE_API_BASE_URL"],
                                      headers=bearer_headers(token), secrets=(token,),
                                      credential_vars=("CLOUDFLARE_API_TOKEN",), timing=Timing.from_env()))

    def create(self, props: dict[str, Any]) -> CreateResult:
        from providers._http import Conflict

        path = f"/accounts/{props['account_id']}/pages/projects"
        body = {"name": props["name"], "production_branch": props["production_branch"]}
        with self._api() as api:
            try:  # a retry after a dropped answer finds the project made by the first try
                api.request("POST", path, operation="create project", resource=props["name"], json=body,
                            idempotent=True)
            except Conflict:
                pass
        return CreateResult(props["name"], props)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return ReadResult(id_, props)

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        from providers._http import NotFound

        with self._api() as api:
            try:
                api.request("DELETE", f"/accounts/{props['account_id']}/pages/projects/{id_}",
                            operation="delete project", resource=id_)
            except NotFound:
                pass


class PagesProjectStandIn(pulumi.dynamic.Resource):
    """Stands in for `cloudflare.PagesProject` (whose plugin the offline engine cannot have)."""

    name: pulumi.Output[str]

    def __init__(self, resource_name: str, props: dict[str, Any], opts: pulumi.ResourceOptions) -> None:
        super().__init__(PagesProjectStandInProvider(), resource_name, props, opts)


config = pulumi.Config("uattest")
stack = pulumi.get_stack()
project_id = config.require("neonProjectId")
account_id = config.require("cloudflareAccountId")
prefix = f"stagecraft-{stack}"
owner = f"{pulumi.get_project()}/{stack}"
apps = tuple(
    app.model_copy(update={"build_command": "npm run build -- --definitely-not-an-option"})
    if app.name == config.get("failBuildOf") else app
    for app in DEFAULT_FRONTENDS[: config.get_int("apps") or len(DEFAULT_FRONTENDS)])
pinned_rollback = pulumi.Config("stagecraft").get_object("rollback")
rollback = RollbackSettings.model_validate(pinned_rollback) if pinned_rollback else None
image = (rollback.image if rollback and rollback.image else None) or config.get("image") or "ghcr.io/weedgo/backend:1.0.0"

branch = Branch("postgres-branch", BranchArgs(project_id=project_id, name=stack, owner=owner))
endpoint = Endpoint("postgres-endpoint", EndpointArgs(  # Neon's Free plan: no suspend timeout is sent
    project_id=project_id, branch_id=branch.id, type="read_write", autoscaling_limit_min_cu=0.25,
    autoscaling_limit_max_cu=0.25, owner=owner))
role = Role("postgres-role", RoleArgs(project_id=project_id, branch_id=branch.id, name="app", owner=owner))
database = Database("postgres-database", DatabaseArgs(project_id=project_id, branch_id=branch.id, name="app",
                                                      owner_name=role.name, owner=owner))
database_url = neon_connection_uri(role.name, role.password, endpoint.host, database.name)

redis = RedisCache("redis", RedisCacheArgs(platform="upstash", physical_name=f"{prefix}-cache", owner=owner,
                                           upstash=UpstashSettings()))
jwt = GeneratedSecret("jwt-secret", GeneratedSecretArgs(length=48, rotation=config.get("jwtRotation") or ""))
backend = BackendService("backend", BackendServiceArgs(
    platform="koyeb", physical_name=f"{prefix}-api", port=8000, health_check_path="/api/health",
    image=image, koyeb=KoyebSettings(),
    env={"ENVIRONMENT": "uat"}, owner=owner,
    secret_env={"DATABASE_URL": database_url, "REDIS_URL": redis.url, "JWT_SECRET": jwt.value}))

builds = FrontendBuilds("frontend-builds", FrontendBuildsArgs(
    apps=apps, project_root=Path.cwd(), api_url=backend.url, environment="uat",
    pinned=pinned_artifacts(rollback, build_dir(Path.cwd()))))
sites = {}
for app in apps:
    project = PagesProjectStandIn(f"frontend-{app.name}-pages", {
        "account_id": account_id, "name": f"{prefix}-{app.name}", "production_branch": "develop"},
        opts=pulumi.ResourceOptions())
    sites[app.name] = FrontendSite(f"frontend-{app.name}", FrontendSiteArgs(
        app=app, platform="cloudflare-pages", physical_name=f"{prefix}-{app.name}", api_url=backend.url,
        environment="uat", production_branch="develop", existing_project=project.name,
        artifact_dir=builds.artifact_dirs[app.name], artifact_digest=builds.artifact_digests[app.name],
        deploy_after=builds.resources, cloudflare_account_id=account_id))

pulumi.export("apiUrl", backend.url)
pulumi.export("healthUrl", backend.health_url)
pulumi.export("apiDeploymentId", backend.deployment_id)
pulumi.export("apiImage", backend.image)
pulumi.export("databaseUrl", pulumi.Output.secret(database_url))
pulumi.export("redisUrl", redis.url)
pulumi.export("jwtSecret", jwt.value)
pulumi.export("apps", {name: {"url": site.url, "deploymentId": site.deployment_id, "variant": apps_by.variant,
                              "projectId": site.project_id}
                       for (name, site), apps_by in zip(sites.items(), apps)})
ledger = release_ledger("release", image, builds, rollback, [backend, *sites.values()])
pulumi.export("release", release_output(ledger))
pulumi.export("api", {"url": backend.url, "healthUrl": backend.health_url, "platform": "koyeb"})
pulumi.export("database", {"branchId": branch.id, "neonProjectId": project_id, "branch": stack, "platform": "neon"})
pulumi.export("redis", {"url": redis.url, "platform": "upstash"})
# The R2 bucket is an official provider's (no plugin offline): the values its bucket and token would give.
pulumi.export("storage", {"bucket": f"{prefix}-uploads", "endpoint": f"https://{account_id}.r2.cloudflarestorage.com",
                          "accessKeyId": "r2-stand-in-key-id",
                          "secretAccessKey": pulumi.Output.secret("r2-stand-in-secret"), "platform": "r2"})
