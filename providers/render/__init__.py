"""Render dynamic providers: `service.Service`, `key_value.KeyValue` (`pulumi-python:dynamic/render:*`).

Import from the submodules; see providers/neon/__init__.py for why this file imports nothing.
"""
