"""Expo EAS dynamic providers (GraphQL): `branch.UpdateBranch`, `channel.UpdateChannel`
(`pulumi-python:dynamic/eas:*`).

Import from the submodules; see providers/neon/__init__.py for why this file imports nothing.
"""
