"""The preprod stack as the engine can run it offline: its components wired as the environment wires them.

One RailwayHost (project + `preprod` environment) handed to BackendService (the image, a generated domain, the
health check, the bucket's volume mounted), PostgresBranch (Railway's Postgres template, the three extensions
enabled over SQL on its public URL) and RedisCache (Railway's Redis template) and ObjectBucket (`railway-volume`);
the stack's MobileChannel; every app built with preprod's values and laid out as the Vercel Build Output its
deployment uploads.

Left out, because their plugins cannot be had offline: the Vercel projects, variables and deployments
(`pulumiverse_vercel`, run under mocks in tests/unit/test_preprod_program.py) and the random password (a
`local:GeneratedSecret` stands in). The exports follow the stack's output document (docs/outputs.md), so
`stagecraft env` reads them as it reads a real stack's; an app's `url`, `projectId` and `deploymentId` would be
Vercel's and are empty here, and `prebuilt` names the layout the Vercel deployment would upload.

Config (namespace `preprodtest`): `easProjectId`, `image`, `apps` (how many apps of the inventory; default 3).
"""

from pathlib import Path

import pulumi

from components.backend_env import backend_env
from components.backend_service import BackendService, BackendServiceArgs
from components.frontend_builds import FrontendBuilds, FrontendBuildsArgs
from components.mobile_channel import MobileChannel, MobileChannelArgs
from components.object_bucket import ObjectBucket, ObjectBucketArgs
from components.postgres_branch import PostgresBranch, PostgresBranchArgs
from components.railway_host import RailwayHost, RailwayHostArgs
from components.redis_cache import RedisCache, RedisCacheArgs
from providers.local.generated_secret import GeneratedSecret, GeneratedSecretArgs
from providers.vercel.prebuilt_output import PrebuiltOutput, PrebuiltOutputArgs
from settings.inventory import DEFAULT_FRONTENDS
from settings.models import REQUIRED_EXTENSIONS
from settings.preprod_platforms import RailwayServiceSettings

config = pulumi.Config("preprodtest")
stack = pulumi.get_stack()
owner = f"stagecraft/{stack}"
prefix = f"stagecraft-{stack}"
apps = DEFAULT_FRONTENDS[: config.get_int("apps") or 3]
root = Path.cwd()

host = RailwayHost("railway", RailwayHostArgs(physical_name=prefix, environment=stack, owner=owner))
postgres = PostgresBranch("postgres", PostgresBranchArgs(
    platform="railway", physical_name=f"{prefix}-db", branch=stack, database="app", role="app",
    extensions=REQUIRED_EXTENSIONS, owner=owner, railway=host))
redis = RedisCache("redis", RedisCacheArgs(platform="railway", physical_name=f"{prefix}-cache", owner=owner,
                                           railway=host))
storage = ObjectBucket("storage", ObjectBucketArgs(platform="railway-volume", physical_name=f"{prefix}-uploads",
                                                   railway=host, owner=owner))
jwt = GeneratedSecret("jwt-secret", GeneratedSecretArgs(length=48))
plain_env, secret_env = backend_env(
    environment="preprod", storage_platform="railway-volume", bucket=storage.bucket, endpoint=storage.endpoint,
    access_key_id=storage.access_key_id, secret_access_key=storage.secret_access_key, jwt_secret=jwt.value,
    database_url=postgres.service_connection_uri, redis_url=redis.service_url)
backend = BackendService("backend", BackendServiceArgs(
    platform="railway", physical_name=f"{prefix}-api", port=8000, health_check_path="/api/health",
    image=config.get("image") or "ghcr.io/weedgo/backend:1.0.0", env=plain_env, secret_env=secret_env, owner=owner,
    railway=host, railway_service=RailwayServiceSettings(region="europe-west4-drams3a"), railway_plan="free",
    volume=storage))
mobile = MobileChannel("mobile", MobileChannelArgs(project_id=config.require("easProjectId"), channel=stack,
                                                   api_url=backend.url, owner=owner))

builds = FrontendBuilds("frontend-builds", FrontendBuildsArgs(apps=apps, project_root=root, api_url=backend.url,
                                                              environment="preprod"))
layouts = {app.name: PrebuiltOutput(f"frontend-{app.name}-output", PrebuiltOutputArgs(
    app=app.name, artifact_dir=builds.artifact_dirs[app.name], artifact_digest=builds.artifact_digests[app.name],
    root=str(root)), opts=pulumi.ResourceOptions(depends_on=builds.resources)) for app in apps}

pulumi.export("schemaVersion", 1)
pulumi.export("environment", "preprod")
pulumi.export("stack", stack)
pulumi.export("api", {"url": backend.url, "healthUrl": backend.health_url, "platform": "railway",
                      "deploymentId": backend.deployment_id, "image": backend.image})
pulumi.export("apps", {app.name: {"url": "", "platform": "vercel", "projectId": "", "deploymentId": "",
                                  "variant": app.variant,
                                  "prebuilt": {"path": layouts[app.name].path, "files": layouts[app.name].files}}
                       for app in apps})
pulumi.export("database", {"connectionUri": postgres.connection_uri, "host": postgres.host,
                           "database": postgres.database, "branch": postgres.branch, "platform": "railway"})
pulumi.export("redis", {"url": redis.url, "restUrl": redis.rest_url, "restToken": redis.rest_token,
                        "platform": "railway"})
pulumi.export("storage", {"bucket": storage.bucket, "endpoint": storage.endpoint, "accessKeyId": storage.access_key_id,
                          "secretAccessKey": storage.secret_access_key, "platform": "railway-volume"})
pulumi.export("jwtSecret", jwt.value)
pulumi.export("mobile", {"channel": mobile.channel, "branch": mobile.branch, "apiUrl": mobile.api_url})
