"""Neon: each project's consumption for the current period (`GET /projects/{id}`) and its branch count.

The Free plan's figures are on the project itself (`synthetic_storage_size`, `compute_time_seconds`,
`data_transfer_bytes`, reset each consumption period); `GET /consumption_history/*` serves only Scale, Business
and Enterprise plans (its description in neon.openapi.json), so it is not used.
"""

from __future__ import annotations

from typing import Any

from providers._http import HttpClient
from providers.neon.client import settings_from_env

from .allowances import Allowances
from .model import Reading, gigabytes
from .reader import Environ, Reader

_PAGE = 100


def _projects(http: HttpClient) -> list[dict[str, Any]]:
    projects: list[dict[str, Any]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": _PAGE, **({"cursor": cursor} if cursor else {})}
        page = http.request("GET", "/projects", operation="list projects", resource="of the account", params=params) or {}
        found = page.get("projects") or []
        projects.extend(found)
        cursor = (page.get("pagination") or {}).get("cursor")
        if len(found) < _PAGE or not cursor:
            return projects


def read(http: HttpClient, allowances: Allowances, environ: Environ) -> tuple[list[Reading], dict[str, str]]:
    """Storage, compute and egress per project, branches per project, projects per account."""
    projects = _projects(http)
    readings = [allowances.reading("neon.projects", len(projects), "the account")]
    for listed in projects:
        project_id, name = listed["id"], listed.get("name", listed["id"])
        scope = f"project {name} ({project_id})"
        project = (http.request("GET", f"/projects/{project_id}", operation="read consumption",
                                resource=f"project {project_id}") or {}).get("project") or {}
        branches = http.request("GET", f"/projects/{project_id}/branches/count", operation="count branches",
                                resource=f"project {project_id}") or {}
        readings += [
            allowances.reading("neon.storage-gb", gigabytes(project.get("synthetic_storage_size")), scope),
            # compute_time_seconds counts CPU seconds; one compute unit is one vCPU, so CU-hours = seconds / 3600.
            allowances.reading("neon.compute-cu-hours", float(project.get("compute_time_seconds") or 0) / 3600, scope),
            allowances.reading("neon.egress-gb", gigabytes(project.get("data_transfer_bytes")), scope),
            allowances.reading("neon.branches-per-project", float(branches.get("count") or 0), scope),
        ]
    return readings, {}


READER = Reader("neon", settings_from_env, read)
