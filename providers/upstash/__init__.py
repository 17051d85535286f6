"""Upstash dynamic provider: `redis_database.RedisDatabase` (`pulumi-python:dynamic/upstash:RedisDatabase`).

Import from the submodule; see providers/neon/__init__.py for why this file imports nothing.
"""
