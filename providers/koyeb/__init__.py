"""Koyeb dynamic providers: `app.App`, `secret.Secret`, `service.Service` (`pulumi-python:dynamic/koyeb:*`).

Import from the submodules; see providers/neon/__init__.py for why this file imports nothing.
"""
