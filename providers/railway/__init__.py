"""Railway dynamic providers (GraphQL): `project.Project`, `service.Service`, `domain.ServiceDomain`,
`volume.Volume`, `database.TemplateDatabase` (`pulumi-python:dynamic/railway:*`).

Import from the submodules; see providers/neon/__init__.py for why this file imports nothing.
"""
