"""Supabase dynamic providers: `project.Project`, `extensions.Extensions`, `bucket.Bucket`
(`pulumi-python:dynamic/supabase:*`).

Import from the submodules; see providers/neon/__init__.py for why this file imports nothing.
"""
