"""Netlify dynamic providers: `site.Site`, `deploy.Deploy` (`pulumi-python:dynamic/netlify:*`).

Import from the submodules; see providers/neon/__init__.py for why this file imports nothing.
"""
