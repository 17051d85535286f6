"""Cloudflare dynamic provider: `pages_deployment.PagesDeployment` (`pulumi-python:dynamic/cloudflare:PagesDeployment`).

Pages projects themselves come from the official `pulumi_cloudflare.PagesProject`; this package uploads a built
site to one as a Direct Upload deployment. Import from the submodules; see providers/neon/__init__.py for why
this file imports nothing.
"""
