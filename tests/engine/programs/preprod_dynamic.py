"""The preprod stack's dynamic resources (Railway, Expo EAS), for the engine against the emulators.

Vercel runs under mocks only (its plugin cannot be had offline); everything else of preprod is here, wired as
the stack wires it: one Railway project + environment (RailwayHost) holding the backend from its image with a
generated domain and health check, Postgres and Redis from Railway's templates, the extensions enabled over SQL
on Postgres's public URL, a volume mounted into the backend, and the stack's EAS branch + channel.
"""

import pulumi

from components.mobile_channel import MobileChannel, MobileChannelArgs
from components.railway_host import RailwayHost, RailwayHostArgs
from providers.local.generated_secret import GeneratedSecret, GeneratedSecretArgs
from providers.postgres.extensions import Extensions, ExtensionsArgs
from providers.railway.database import TemplateDatabase, TemplateDatabaseArgs
from providers.railway.domain import ServiceDomain, ServiceDomainArgs
from providers.railway.service import Service, ServiceArgs
from providers.railway.volume import Volume, VolumeArgs

config = pulumi.Config("preprodtest")
stack = pulumi.get_stack()
owner = f"stagecraft/{stack}"
prefix = f"stagecraft-{stack}"

host = RailwayHost("railway", RailwayHostArgs(physical_name=prefix, environment=stack, owner=owner))
where = {"project_id": host.project_id, "environment_id": host.environment_id}
postgres = TemplateDatabase("postgres", TemplateDatabaseArgs(**where, template="postgres", owner=owner))
redis = TemplateDatabase("redis", TemplateDatabaseArgs(**where, template="redis", owner=owner))
extensions = Extensions("postgres-extensions", ExtensionsArgs(connection_uri=postgres.public_url,
                                                              extensions=["vector", "pg_trgm", "uuid-ossp"]))
uploads = Volume("storage-volume", VolumeArgs(**where, mount_path="/data/uploads"))
jwt = GeneratedSecret("jwt-secret", GeneratedSecretArgs(length=48))
backend = Service("backend-service", ServiceArgs(
    **where, name=f"{prefix}-api", image=config.get("image") or "ghcr.io/weedgo/backend:1.0.0", port=8000,
    owner=owner, health_check_path="/api/health", health_check_timeout=120, region="europe-west4-drams3a",
    num_replicas=1, volume_id=uploads.id, volume_mount_path="/data/uploads",
    variables={"ENVIRONMENT": stack, "STORAGE_PLATFORM": "railway-volume", "STORAGE_ENDPOINT": "file:///data/uploads",
               "DATABASE_URL": postgres.private_url_reference, "REDIS_URL": redis.private_url_reference},
    secret_variables={"JWT_SECRET": jwt.value}), opts=pulumi.ResourceOptions(depends_on=[extensions]))
domain = ServiceDomain("backend-domain", ServiceDomainArgs(**where, service_id=backend.id, target_port=8000))
mobile = MobileChannel("mobile", MobileChannelArgs(project_id=config.require("easProjectId"), channel=stack,
                                                   api_url=domain.url, owner=owner))

pulumi.export("apiUrl", domain.url)
pulumi.export("databaseUrl", postgres.public_url)
pulumi.export("mobile", {"channel": mobile.channel, "branch": mobile.branch, "apiUrl": mobile.api_url})
