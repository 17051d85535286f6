"""A stand-in for stagecraft's program: the resource contract's type tokens and properties, fake providers.

Nothing here talks to a network; every resource is stored as given. Stack config picks what to register:

- ``scenario``: ``dev`` (default: local database, bucket, env file and a Koyeb service) or ``minimal`` (one
  Koyeb app);
- ``instanceType``: the Koyeb service's instance type (default ``free``);
- ``plainSecret``: ``true`` passes the env file's DATABASE_URL in plain text instead of as a secret;
- ``renderPlan``: when set, adds a Render service with that plan.
"""

import uuid

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ResourceProvider, UpdateResult


class EchoProvider(ResourceProvider):
    """Keeps the inputs as outputs, adding the contract's generated outputs."""

    def __init__(self, generated=None):
        super().__init__()
        self.generated = dict(generated or {})

    def create(self, props):
        return CreateResult(f"fake-{uuid.uuid4().hex[:12]}", {**props, **self.generated})

    def diff(self, _id, olds, news):
        keys = (set(olds) | set(news)) - set(self.generated) - {"__provider"}
        return DiffResult(changes=any(olds.get(k) != news.get(k) for k in keys))

    def update(self, _id, _olds, news):
        return UpdateResult({**news, **self.generated})


class PostgresDatabase(pulumi.dynamic.Resource, module="local", name="PostgresDatabase"):
    """Contract: name, owner, extensions, server host/port; outputs password and connection_uri (secret)."""

    def __init__(self, name, props, opts=None):
        generated = {"password": "generated-password", "connection_uri": "postgresql://app:generated-password@127.0.0.1:5432/app"}
        super().__init__(EchoProvider(generated), name, {**props, "password": None, "connection_uri": None},
                         pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(
                             additional_secret_outputs=["password", "connection_uri"])))


class BucketDirectory(pulumi.dynamic.Resource, module="local", name="BucketDirectory"):
    """Contract: path."""

    def __init__(self, name, props, opts=None):
        super().__init__(EchoProvider(), name, props, opts)


class EnvFile(pulumi.dynamic.Resource, module="local", name="EnvFile"):
    """Contract: path, values (secret where it holds secrets)."""

    def __init__(self, name, props, opts=None):
        super().__init__(EchoProvider(), name, props, opts)


class App(pulumi.dynamic.Resource, module="koyeb", name="App"):
    """Contract: name."""

    def __init__(self, name, props, opts=None):
        super().__init__(EchoProvider(), name, props, opts)


class Service(pulumi.dynamic.Resource, module="koyeb", name="Service"):
    """Contract: app_id, name, docker_image, instance_type, regions, port, health_check_path, scaling, env."""

    def __init__(self, name, props, opts=None):
        super().__init__(EchoProvider({"status": "HEALTHY", "public_url": "https://api.example.koyeb.app"}), name,
                         {**props, "status": None, "public_url": None}, opts)


class RenderService(pulumi.dynamic.Resource, module="render", name="Service"):
    """Contract: name, plan."""

    def __init__(self, name, props, opts=None):
        super().__init__(EchoProvider(), name, props, opts)


config = pulumi.Config()
stack = pulumi.get_stack()

if config.get("scenario") == "minimal":
    App("app", {"name": f"guarded-{stack}-app"})
else:
    PostgresDatabase("db", {"name": f"guarded_{stack}", "owner": "app",
                       "extensions": ["vector", "pg_trgm", "uuid-ossp"], "host": "127.0.0.1", "port": 5432})
    BucketDirectory("bucket", {"path": f"/tmp/guarded-{stack}/bucket"})
    database_url = "postgresql://app:local-password@127.0.0.1:5432/app"
    EnvFile("backend-env", {
        "path": f"/tmp/guarded-{stack}/.env.backend",
        "values": {
            "DATABASE_URL": database_url if config.get_bool("plainSecret") else pulumi.Output.secret(database_url),
            "REDIS_URL": "memory://",
            "ENVIRONMENT": stack,
        },
    })
    app = App("app", {"name": f"guarded-{stack}"})
    Service("api", {
        "app_id": app.id, "name": f"guarded-{stack}-api", "docker_image": "ghcr.io/example/api:1",
        "instance_type": config.get("instanceType") or "free", "regions": ["fra"], "port": 8000,
        "health_check_path": "/api/health", "min_scale": 0, "max_scale": 1,
        "env": {"ENVIRONMENT": stack}, "secret_env": {},
    })
    if config.get("renderPlan"):
        RenderService("web", {"name": f"guarded-{stack}-web", "plan": config.get("renderPlan")})
