"""Upstash dynamic provider: ``RedisDatabase`` (``pulumi-python:dynamic/upstash:RedisDatabase``)."""

from .redis_database import RedisDatabase, RedisDatabaseArgs, RedisDatabaseProvider

__all__ = ["RedisDatabase", "RedisDatabaseArgs", "RedisDatabaseProvider"]
