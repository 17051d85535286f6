"""Upstash Redis: the free database's month from `GET /redis/stats/{id}`, and how many free databases exist."""

from __future__ import annotations

from providers._http import HttpClient
from providers.upstash.client import settings_from_env

from .allowances import Allowances
from .model import Reading, gigabytes, megabytes
from .reader import Environ, Reader


def read(http: HttpClient, allowances: Allowances, environ: Environ) -> tuple[list[Reading], dict[str, str]]:
    """Commands, bandwidth and data of each free database; free databases of the account."""
    databases = http.request("GET", "/redis/databases", operation="list databases", resource="of the account") or []
    free = [d for d in databases if d.get("type") == "free"]
    readings = [allowances.reading("upstash.free-databases", len(free), "the account")]
    for database in free:
        database_id = database["database_id"]
        scope = f"database {database.get('database_name', database_id)} ({database_id})"
        stats = http.request("GET", f"/redis/stats/{database_id}", operation="read stats",
                             resource=f"database {database_id}") or {}
        readings += [
            allowances.reading("upstash.commands-per-month", float(stats.get("total_monthly_requests") or 0), scope),
            allowances.reading("upstash.bandwidth-gb", gigabytes(stats.get("total_monthly_bandwidth")), scope),
            allowances.reading("upstash.data-mb", megabytes(stats.get("current_storage")), scope),
        ]
    return readings, {}


READER = Reader("upstash", settings_from_env, read)
