"""RedisCache: the cache the backend uses, or its in-memory fallback (`memory://`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote

import pulumi

from components.settings_values import require_settings
from settings.models import RenderKeyValueSettings, RenderSettings, UpstashSettings

if TYPE_CHECKING:
    from components.railway_host import RailwayHost


@dataclass(frozen=True)
class RedisCacheArgs:
    """Where the cache lives."""

    platform: str
    """`upstash`, `render`, `railway`, `memory` or `local`."""
    physical_name: str
    """`<project>-<stack>-cache`: the Upstash database name."""
    owner: str
    """The stack that owns the cloud resources, `<project>/<stack>` (named when a database name is taken)."""
    local_url: str | None = None
    """URL of a local redis-server (platform `local`, from the settings)."""
    upstash: UpstashSettings | None = None
    """Upstash settings (platform `upstash`)."""
    render: RenderSettings | None = None
    """Render workspace and region (platform `render`)."""
    render_key_value: RenderKeyValueSettings | None = None
    """Render Key Value plan and eviction (platform `render`)."""
    railway: "RailwayHost | None" = None
    """The stack's Railway project and environment (platform `railway`): Redis from Railway's template."""
    protect: bool = False
    """Protect the cache from deletion (production)."""


_Endpoints = tuple[pulumi.Input[str], pulumi.Input[str] | None, pulumi.Input[str] | None]
"""(url, REST url, REST token) of a cache."""


class RedisCache(pulumi.ComponentResource):
    """An Upstash Redis database, a local redis-server, or the backend's in-process fallback."""

    url: pulumi.Output[str]
    """`redis://`/`rediss://` URL, or `memory://` (secret: it may carry a password)."""
    rest_url: pulumi.Output[str | None]
    """HTTPS REST endpoint (Upstash only)."""
    rest_token: pulumi.Output[str | None]
    """REST token (Upstash only; secret)."""
    service_url: pulumi.Output[str]
    """What a backend on the same platform host connects with (secret): on Railway the private-network reference
    `${{<redis service>.REDIS_URL}}` Railway resolves; elsewhere `url`."""

    def __init__(self, name: str, args: RedisCacheArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("stagecraft:index:RedisCache", name, None, opts)
        builders = {"upstash": self._upstash, "render": self._render, "railway": self._railway, "memory": self._memory,
                    "local": self._local}
        if args.platform not in builders:
            raise ValueError(f"RedisCache {name}: platform {args.platform!r} is not one of {sorted(builders)}")
        require_settings(f"RedisCache {name}", args, ("local_url",) if args.platform == "local" else ())
        self.service_url = None  # type: ignore[assignment]
        url, rest_url, rest_token = builders[args.platform](name, args)
        self.url = pulumi.Output.secret(url)
        self.service_url = pulumi.Output.secret(self.service_url or self.url)
        self.rest_url = pulumi.Output.from_input(rest_url)
        self.rest_token = pulumi.Output.secret(rest_token)
        self.register_outputs({"url": self.url, "rest_url": self.rest_url, "rest_token": self.rest_token,
                               "service_url": self.service_url})

    @staticmethod
    def _memory(_name: str, _args: RedisCacheArgs) -> _Endpoints:
        return "memory://", None, None

    @staticmethod
    def _local(_name: str, args: RedisCacheArgs) -> _Endpoints:
        return args.local_url, None, None

    def _render(self, name: str, args: RedisCacheArgs) -> _Endpoints:
        from providers.render.key_value import KeyValue, KeyValueArgs

        if args.render is None:
            raise ValueError(f"RedisCache {name}: platform 'render' needs the Render workspace settings")
        options = args.render_key_value or RenderKeyValueSettings()
        instance = KeyValue(f"{name}-key-value", KeyValueArgs(
            owner_id=args.render.owner_id, name=args.physical_name, owner=args.owner, plan=options.plan,
            region=args.render.region, maxmemory_policy=options.maxmemory_policy),
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect))
        # A backend on Render in the same region reaches it over the private network; anyone else (tools, a
        # backend elsewhere) needs the external TLS URL, which the instance's IP allow list must admit.
        self.service_url = instance.internal_url
        return instance.external_url, None, None

    def _railway(self, name: str, args: RedisCacheArgs) -> _Endpoints:
        from providers.railway.database import TemplateDatabase, TemplateDatabaseArgs

        host = args.railway
        if host is None:
            raise ValueError(f"RedisCache {name}: platform 'railway' needs the stack's RailwayHost")
        redis = TemplateDatabase(f"{name}-redis", TemplateDatabaseArgs(
            project_id=host.project_id, environment_id=host.environment_id, template="redis", owner=args.owner),
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect))
        self.service_url = redis.private_url_reference
        return redis.public_url, None, None

    def _upstash(self, name: str, args: RedisCacheArgs) -> _Endpoints:
        from providers.upstash.redis_database import RedisDatabase, RedisDatabaseArgs

        settings = args.upstash or UpstashSettings()
        db = RedisDatabase(f"{name}-redis", RedisDatabaseArgs(
            database_name=args.physical_name, platform=settings.platform, primary_region=settings.primary_region,
            read_regions=list(settings.read_regions), plan=settings.plan, tls=True, eviction=settings.eviction,
            owner=args.owner),
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect))
        url = pulumi.Output.all(db.password, db.endpoint, db.port).apply(
            lambda p: f"rediss://default:{quote(p[0], safe='')}@{p[1]}:{p[2]}")
        return url, db.endpoint.apply(lambda host: f"https://{host}"), db.rest_token
