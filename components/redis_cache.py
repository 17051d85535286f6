"""RedisCache: the cache the backend uses, or its in-memory fallback (`memory://`)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

import pulumi

from settings.models import RenderKeyValueSettings, RenderSettings, UpstashSettings


@dataclass(frozen=True)
class RedisCacheArgs:
    """Where the cache lives."""

    platform: str
    """`upstash`, `memory` or `local`."""
    physical_name: str
    """`<project>-<stack>-cache`: the Upstash database name."""
    owner: str
    """The stack that owns the cloud resources, `<project>/<stack>` (named when a database name is taken)."""
    local_url: str = "redis://127.0.0.1:6379/0"
    """URL of a local redis-server (platform `local`)."""
    upstash: UpstashSettings | None = None
    """Upstash settings (platform `upstash`)."""
    render: RenderSettings | None = None
    """Render workspace and region (platform `render`)."""
    render_key_value: RenderKeyValueSettings | None = None
    """Render Key Value plan and eviction (platform `render`)."""


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

    def __init__(self, name: str, args: RedisCacheArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("stagecraft:index:RedisCache", name, None, opts)
        builders = {"upstash": self._upstash, "render": self._render, "memory": self._memory, "local": self._local}
        if args.platform not in builders:
            raise ValueError(f"RedisCache {name}: platform {args.platform!r} is not one of {sorted(builders)}")
        url, rest_url, rest_token = builders[args.platform](name, args)
        self.url = pulumi.Output.secret(url)
        self.rest_url = pulumi.Output.from_input(rest_url)
        self.rest_token = pulumi.Output.secret(rest_token)
        self.register_outputs({"url": self.url, "rest_url": self.rest_url, "rest_token": self.rest_token})

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
            opts=pulumi.ResourceOptions(parent=self))
        # The backend runs on Render in the same region, so it takes the private-network URL.
        return instance.internal_url, None, None

    def _upstash(self, name: str, args: RedisCacheArgs) -> _Endpoints:
        from providers.upstash.redis_database import RedisDatabase, RedisDatabaseArgs

        settings = args.upstash or UpstashSettings()
        db = RedisDatabase(f"{name}-redis", RedisDatabaseArgs(
            database_name=args.physical_name, platform=settings.platform, primary_region=settings.primary_region,
            read_regions=list(settings.read_regions), plan=settings.plan, tls=True, eviction=settings.eviction,
            owner=args.owner),
            opts=pulumi.ResourceOptions(parent=self))
        url = pulumi.Output.all(db.password, db.endpoint, db.port).apply(
            lambda p: f"rediss://default:{quote(p[0], safe='')}@{p[1]}:{p[2]}")
        return url, db.endpoint.apply(lambda host: f"https://{host}"), db.rest_token
