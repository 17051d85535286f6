"""Koyeb: free instances running now, from the organization's usage details (`GET /v1/usages/details`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from providers._http import HttpClient
from providers.koyeb.client import settings_from_env

from .allowances import Allowances
from .model import Reading
from .reader import Environ, Reader

_PAGE = 100
_NEVER = ("", "0001-01-01T00:00:00Z")


def _details(http: HttpClient, start: str, end: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    while True:
        params = {"starting_time": start, "ending_time": end, "limit": str(_PAGE), "offset": str(len(found))}
        page = http.request("GET", "/v1/usages/details", operation="read usage details", resource="of the organization",
                            params=params) or {}
        items = page.get("usage_details") or []
        found.extend(items)
        if not items or len(found) >= int(page.get("count") or 0):
            return found


def read(http: HttpClient, allowances: Allowances, environ: Environ) -> tuple[list[Reading], dict[str, str]]:
    """Running instances of type `free` this month (the organization may run one)."""
    now = dt.datetime.now(dt.timezone.utc)
    start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    details = _details(http, start.strftime("%Y-%m-%dT%H:%M:%SZ"), now.strftime("%Y-%m-%dT%H:%M:%SZ"))
    running = [d for d in details if d.get("instance_type") == "free" and (d.get("terminated_at") or "") in _NEVER]
    names = ", ".join(sorted({d.get("service_name", "?") for d in running})) or "none"
    return [allowances.reading("koyeb.free-instances", len(running), f"the organization (running: {names})")], {}


READER = Reader("koyeb", settings_from_env, read)
