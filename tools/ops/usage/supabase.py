"""Supabase: projects that count against the free allowance, and each active project's database and file sizes
(SQL through the Management API's read-only query endpoint). Egress and auth users have no endpoint there."""

from __future__ import annotations

from typing import Any

from providers._http import ApiError, HttpClient
from providers.supabase.client import settings_from_env

from .allowances import Allowances
from .model import Reading, gigabytes, megabytes
from .reader import Environ, Reader

NOT_COUNTED = frozenset({"INACTIVE", "REMOVED", "GOING_DOWN", "INIT_FAILED", "PAUSING"})
"""Paused (INACTIVE) and removed projects do not count against the two free projects (Supabase's billing doc)."""
DATABASE_SIZE = "select pg_database_size(current_database()) as bytes"
STORAGE_SIZE = "select coalesce(sum((metadata->>'size')::bigint), 0) as bytes from storage.objects"
NO_API = {
    "supabase.egress-gb": "the Management API (supabase-management.openapi.json) has no egress figure; see the "
                          "dashboard's Usage page",
    "supabase.auth-mau": "the Management API has no monthly-active-users figure; see the dashboard's Usage page",
}


def _size(http: HttpClient, ref: str, sql: str) -> float:
    rows: Any = http.request("POST", f"/v1/projects/{ref}/database/query/read-only", operation="read size",
                             resource=f"of project {ref}", json={"query": sql}, idempotent=True)
    return float((rows or [{}])[0].get("bytes") or 0) if isinstance(rows, list) else 0.0


def read(http: HttpClient, allowances: Allowances, environ: Environ) -> tuple[list[Reading], dict[str, str]]:
    """Counted projects; database MB and file GB of each active project."""
    projects = http.request("GET", "/v1/projects", operation="list projects", resource="of the account") or []
    counted = [p for p in projects if p.get("status") not in NOT_COUNTED]
    readings = [allowances.reading("supabase.free-projects", len(counted), "projects of the organizations this token sees")]
    reasons: dict[str, str] = {}
    for project in projects:
        ref = project.get("ref") or project["id"]
        if project.get("status") != "ACTIVE_HEALTHY":
            reasons["supabase.database-mb"] = f"project {ref} is {project.get('status')}; only active projects answer SQL"
            continue
        scope = f"project {project.get('name', ref)} ({ref})"
        readings.append(allowances.reading("supabase.database-mb", megabytes(_size(http, ref, DATABASE_SIZE)), scope))
        try:
            readings.append(allowances.reading("supabase.storage-gb", gigabytes(_size(http, ref, STORAGE_SIZE)), scope))
        except ApiError as exc:
            if exc.status != 400:
                raise
            reasons["supabase.storage-gb"] = f"project {ref} has no storage.objects table to sum ({exc.api_message})"
    return readings, reasons


READER = Reader("supabase", settings_from_env, read, NO_API)
