"""The uat stack's dynamic resources (Koyeb, Neon, Upstash), for the engine against the emulators.

The official providers of uat (Cloudflare Pages and R2, the pulumi-neon Project) need plugins that cannot be
fetched offline, and the Neon database is not a real PostgreSQL to enable extensions on; everything else is
the program's own components and providers, wired as in uat.
"""

import pulumi

from components.backend_service import BackendService, BackendServiceArgs
from components.postgres_branch import neon_connection_uri
from components.redis_cache import RedisCache, RedisCacheArgs
from providers.local.generated_secret import GeneratedSecret, GeneratedSecretArgs
from providers.neon.branch import Branch, BranchArgs
from providers.neon.database import Database, DatabaseArgs
from providers.neon.endpoint import Endpoint, EndpointArgs
from providers.neon.role import Role, RoleArgs
from settings.models import KoyebSettings, UpstashSettings

config = pulumi.Config("uattest")
stack = pulumi.get_stack()
project_id = config.require("neonProjectId")
prefix = f"stagecraft-{stack}"
owner = f"{pulumi.get_project()}/{stack}"

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
jwt = GeneratedSecret("jwt-secret", GeneratedSecretArgs(length=48))
backend = BackendService("backend", BackendServiceArgs(
    platform="koyeb", physical_name=f"{prefix}-api", port=8000, health_check_path="/api/health",
    image=config.get("image") or "ghcr.io/weedgo/backend:1.0.0", koyeb=KoyebSettings(),
    env={"ENVIRONMENT": "uat"}, owner=owner,
    secret_env={"DATABASE_URL": database_url, "REDIS_URL": redis.url, "JWT_SECRET": jwt.value}))

pulumi.export("apiUrl", backend.url)
pulumi.export("healthUrl", backend.health_url)
pulumi.export("apiDeploymentId", backend.deployment_id)
pulumi.export("apiImage", backend.image)
pulumi.export("databaseUrl", pulumi.Output.secret(database_url))
pulumi.export("redisUrl", redis.url)
