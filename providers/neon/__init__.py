"""Neon dynamic providers: `branch.Branch`, `endpoint.Endpoint`, `role.Role`, `database.Database`
(`pulumi-python:dynamic/neon:*`). The Neon project itself comes from the official `pulumi-neon` package.

Import from the submodules. This file imports nothing on purpose: the dynamic-provider host unpickles
providers on several threads at once, and a package `__init__` that imports its submodules lets two threads
deadlock on Python's module locks (seen as `_DeadlockError` on `pulumi refresh`).
"""
