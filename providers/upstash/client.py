"""Upstash Developer API client (https://api.upstash.com/v2): one method per endpoint, typed errors.

Auth is HTTP Basic with the account e-mail and an API key. Request shapes follow upstash.openapi.yml
(OpenAPI 3.0.4): CreateDatabaseRequest, ChangePlanRequest, the rename and update-regions bodies.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence

from .._http import (
    AmbiguousResource,
    ApiClient,
    ApiSettings,
    Timing,
    base_url_from_env,
    basic_headers,
    require_env,
)

API = "Upstash"
EMAIL_VAR = "UPSTASH_EMAIL"
KEY_VAR = "UPSTASH_API_KEY"
URL_VAR = "UPSTASH_API_URL"
DEFAULT_URL = "https://api.upstash.com/v2"


def settings_from_env(environ: Optional[Mapping[str, str]] = None) -> ApiSettings:
    """Upstash settings from UPSTASH_EMAIL + UPSTASH_API_KEY (required) and UPSTASH_API_URL."""
    email = require_env(EMAIL_VAR, API, "Use the e-mail address of the Upstash account that owns the API key.", environ)
    key = require_env(KEY_VAR, API, "Create a Developer API key in the Upstash console (Account > Management API).",
                      environ)
    return ApiSettings(
        api=API,
        base_url=base_url_from_env(URL_VAR, DEFAULT_URL, API, environ),
        headers=basic_headers(email, key),
        secrets=(key,),
        credential_vars=(EMAIL_VAR, KEY_VAR),
        timing=Timing.from_env(environ),
    )


class UpstashClient(ApiClient, settings=settings_from_env):
    """Thin typed wrapper over the Upstash Redis endpoints the provider uses. Use as a context manager."""

    def create_database(self, request: dict[str, Any]) -> dict[str, Any]:
        """POST /redis/database (CreateDatabaseRequest)."""
        return self.http.request(
            "POST", "/redis/database", operation="create redis database",
            resource=_q(request.get("database_name", "")), json=request,
        )

    def get_database(self, database_id: str) -> dict[str, Any]:
        """GET /redis/database/{id}, credentials included (password, rest_token)."""
        return self.http.request(
            "GET", f"/redis/database/{database_id}", operation="read redis database", resource=database_id
        )

    def find_database(self, name: str) -> Optional[dict[str, Any]]:
        """The database named exactly ``name`` (GET /redis/databases), or None."""
        found = [d for d in self.http.request("GET", "/redis/databases", operation="find redis database",
                                              resource=_q(name)) or []
                 if isinstance(d, dict) and d.get("database_name") == name]
        if len(found) > 1:
            ids = ", ".join(str(d.get("database_id")) for d in found)
            raise AmbiguousResource(
                f"{API}: {len(found)} Redis databases are named {name!r} ({ids}); delete or rename the extra ones "
                f"in the Upstash console so the provider can adopt exactly one"
            )
        return found[0] if found else None

    def rename(self, database_id: str, name: str) -> Any:
        """POST /redis/rename/{id}."""
        return self._post(f"/redis/rename/{database_id}", "rename redis database", database_id, {"name": name})

    def enable_tls(self, database_id: str) -> Any:
        """POST /redis/enable-tls/{id} (there is no disable)."""
        return self._post(f"/redis/enable-tls/{database_id}", "enable TLS on redis database", database_id)

    def set_eviction(self, database_id: str, enabled: bool) -> Any:
        """POST /redis/enable-eviction/{id} or /redis/disable-eviction/{id}."""
        verb = "enable" if enabled else "disable"
        return self._post(f"/redis/{verb}-eviction/{database_id}", f"{verb} eviction on redis database", database_id)

    def change_plan(self, database_id: str, plan: str) -> Any:
        """POST /redis/{id}/change-plan (ChangePlanRequest)."""
        return self._post(f"/redis/{database_id}/change-plan", "change plan of redis database", database_id,
                          {"plan_name": plan})

    def update_regions(self, database_id: str, read_regions: Sequence[str]) -> Any:
        """POST /redis/update-regions/{id} with the full list of read regions."""
        return self._post(f"/redis/update-regions/{database_id}", "update read regions of redis database",
                          database_id, {"read_regions": list(read_regions)})

    def delete_database(self, database_id: str) -> None:
        """DELETE /redis/database/{id}."""
        self.http.request("DELETE", f"/redis/database/{database_id}", operation="delete redis database",
                          resource=database_id)

    def _post(self, path: str, operation: str, resource: str, body: Optional[dict[str, Any]] = None) -> Any:
        # Each of these sets an absolute state (a name, a flag, a list), so repeating one is harmless.
        return self.http.request("POST", path, operation=operation, resource=resource, json=body, idempotent=True)


def _q(name: str) -> str:
    return f'"{name}"'
