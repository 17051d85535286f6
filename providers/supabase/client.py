"""Supabase clients: the Management API (https://api.supabase.com) and a project's Storage API.

Management shapes follow supabase-management.openapi.json (`V1CreateProjectBody`, `V1RunQueryBody`, ...) and the
calls supabase/terraform-provider-supabase makes. The Storage API lives on each project
(`https://<ref>.supabase.co/storage/v1`, storage-py; platform-apis.md §6) and is reached with the project's own
key, which ``ManagementClient.service_key`` reads through the Management API at call time: only the personal
access token comes from the environment, and no key ever becomes a resource input.

Storage answers most errors with HTTP 400 and the real status in the body (`{statusCode: "404", code:
"NoSuchBucket"}`; supabase/storage `src/http/error-handler.ts`): ``storage_code`` tells them apart.
"""

from __future__ import annotations

import os
import re
from typing import Any, Mapping, Optional

import httpx

from .._http import ApiClient, ApiError, ApiSettings, HttpClient, ProviderError, Timing, base_url_from_env
from .._http import bearer_headers, require_env

API = "Supabase"
TOKEN_VAR = "SUPABASE_ACCESS_TOKEN"
URL_VAR = "SUPABASE_API_URL"
DEFAULT_URL = "https://api.supabase.com"
STORAGE_URL_VAR = "SUPABASE_STORAGE_URL_TEMPLATE"
DEFAULT_STORAGE_URL = "https://{ref}.supabase.co/storage/v1"
PROJECT_REF = r"[a-z]{20}"
SECRET_KEY_PREFIX = "sb_secret_"
_CODE = re.compile(r"\[([A-Za-z]+)\]")


def storage_code(exc: Exception) -> Optional[str]:
    """The Storage error code (`NoSuchBucket`, `BucketAlreadyExists`, `ResourceNotEmpty`, ...) of a failure."""
    if not isinstance(exc, ApiError):
        return None
    found = _CODE.search(exc.api_message)
    return found.group(1) if found else None


def settings_from_env(environ: Optional[Mapping[str, str]] = None) -> ApiSettings:
    """Management API settings from SUPABASE_ACCESS_TOKEN (supabase/cli's name) and SUPABASE_API_URL."""
    token = require_env(TOKEN_VAR, API, "Create a personal access token in the Supabase dashboard (Account > Access "
                        "Tokens).", environ)
    return ApiSettings(api=API, base_url=base_url_from_env(URL_VAR, DEFAULT_URL, API, environ),
                       headers=bearer_headers(token), secrets=(token,), credential_vars=(TOKEN_VAR,),
                       timing=Timing.from_env(environ))


def storage_url(ref: str, environ: Optional[Mapping[str, str]] = None) -> str:
    """A project's Storage API base URL (SUPABASE_STORAGE_URL_TEMPLATE, `{ref}` standing for the project ref)."""
    env = os.environ if environ is None else environ
    template = env.get(STORAGE_URL_VAR, "").strip() or DEFAULT_STORAGE_URL
    if "{ref}" not in template:
        raise ProviderError(f"{API}: {STORAGE_URL_VAR} must contain {{ref}}, e.g. {DEFAULT_STORAGE_URL}")
    return template.replace("{ref}", ref).rstrip("/")


def key_headers(key: str) -> dict[str, str]:
    """How a project key is sent: a `sb_secret_` key in `apikey` alone (it is not a JWT); a legacy JWT also as
    `Authorization: Bearer` (storage-py sends both)."""
    if key.startswith(SECRET_KEY_PREFIX):
        return {"apikey": key}
    return {"apikey": key, "Authorization": f"Bearer {key}"}


class ManagementClient(ApiClient, settings=settings_from_env):
    """Thin typed wrapper over the Management API endpoints the providers use. Use as a context manager."""

    # --- projects -----------------------------------------------------------------------------------------

    def create_project(self, name: str, organization_slug: str, region: str, db_pass: str,
                       instance_size: Optional[str]) -> dict[str, Any]:
        """POST /v1/projects (201 with status UNKNOWN); the region as `region_selection` (the current field)."""
        body: dict[str, Any] = {"name": name, "organization_slug": organization_slug, "db_pass": db_pass,
                                "region_selection": {"type": "specific", "code": region}}
        if instance_size:
            body["desired_instance_size"] = instance_size
        return self.http.request("POST", "/v1/projects", operation="create project", resource=_q(name), json=body,
                                 redact=[db_pass])

    def get_project(self, ref: str) -> dict[str, Any]:
        """GET /v1/projects/{ref}."""
        return self.http.request("GET", f"/v1/projects/{ref}", operation="read project", resource=ref)

    def find_projects(self, name: str, organization_slug: str) -> list[dict[str, Any]]:
        """The organization's projects named exactly ``name`` (GET /v1/projects; names are not unique)."""
        projects = self.http.request("GET", "/v1/projects", operation="find project", resource=_q(name)) or []
        return [p for p in projects if p.get("name") == name and p.get("organization_slug") == organization_slug]

    def rename_project(self, ref: str, name: str) -> None:
        """PATCH /v1/projects/{ref} with the new name."""
        self.http.request("PATCH", f"/v1/projects/{ref}", operation="rename project", resource=ref,
                          json={"name": name}, idempotent=True)

    def set_database_password(self, ref: str, password: str) -> None:
        """PATCH /v1/projects/{ref}/database/password."""
        self.http.request("PATCH", f"/v1/projects/{ref}/database/password", operation="set database password",
                          resource=ref, json={"password": password}, idempotent=True, redact=[password])

    def delete_project(self, ref: str) -> None:
        """DELETE /v1/projects/{ref} (refused with 400 while the project is still being provisioned)."""
        self.http.request("DELETE", f"/v1/projects/{ref}", operation="delete project", resource=ref)

    def pooler(self, ref: str) -> list[dict[str, Any]]:
        """GET /v1/projects/{ref}/config/database/pooler: the Supavisor pooler's connection facts."""
        return self.http.request("GET", f"/v1/projects/{ref}/config/database/pooler", operation="read pooler config",
                                 resource=ref) or []

    def service_key(self, ref: str) -> str:
        """The project's server-side key: its `secret` API key, else the legacy `service_role` JWT.

        Secret keys come masked unless revealed (supabase/cli PR #3935), so they are asked for with `reveal=true`.
        """
        keys = self.http.request("GET", f"/v1/projects/{ref}/api-keys", operation="read API keys", resource=ref,
                                 params={"reveal": "true"}) or []
        secret = [k for k in keys if k.get("type") == "secret" and k.get("api_key")]
        legacy = [k for k in keys if k.get("type") == "legacy" and k.get("name") == "service_role" and k.get("api_key")]
        chosen = (secret or legacy or [None])[0]
        if chosen is None:
            raise ProviderError(f"{API}: project {ref} has no secret API key and no service_role key; create a secret "
                                f"key in the dashboard (Project Settings > API Keys)")
        return str(chosen["api_key"])

    # --- SQL ----------------------------------------------------------------------------------------------

    def query(self, ref: str, sql: str, *, read_only: bool = False, repeatable: bool = False) -> list[dict[str, Any]]:
        """POST /v1/projects/{ref}/database/query (or `/read-only`): the rows of the statement's last result.

        ``repeatable``: the SQL may run twice with the same effect (`if not exists`, `comment on`), so a request
        whose answer was lost may be sent again.
        """
        path = f"/v1/projects/{ref}/database/query" + ("/read-only" if read_only else "")
        rows = self.http.request("POST", path, operation="run SQL", resource=f"on project {ref}",
                                 json={"query": sql}, idempotent=read_only or repeatable)
        return rows if isinstance(rows, list) else []


class StorageClient(ApiClient):
    """Thin typed wrapper over a project's Storage API bucket endpoints. Use as a context manager."""

    @classmethod
    def for_project(cls, management: ManagementClient, ref: str, environ: Optional[Mapping[str, str]] = None,
                    transport: Optional[httpx.BaseTransport] = None) -> "StorageClient":
        """A Storage client of project ``ref``, authenticated with the key the Management API gives out."""
        key = management.service_key(ref)
        base = management.http.settings
        settings = ApiSettings(api=f"{API} Storage", base_url=storage_url(ref, environ), headers=key_headers(key),
                               secrets=(*base.secrets, key), credential_vars=base.credential_vars, timing=base.timing)
        return cls(HttpClient(settings, transport=transport))

    def create_bucket(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """POST /bucket/ (200 `{name}`; a taken id is logical 409 `BucketAlreadyExists`)."""
        return self.http.request("POST", "/bucket/", operation="create bucket", resource=_q(body.get("id", "")),
                                 json=dict(body))

    def list_buckets(self) -> list[dict[str, Any]]:
        """GET /bucket/ (every bucket of the project; `limit` and `offset` are optional and left out)."""
        return list(self.http.request("GET", "/bucket/", operation="list buckets", resource="the project's buckets"))

    def get_bucket(self, bucket_id: str) -> dict[str, Any]:
        """GET /bucket/{bucketId} (a missing one is logical 404 `NoSuchBucket`)."""
        return self.http.request("GET", f"/bucket/{bucket_id}", operation="read bucket", resource=_q(bucket_id))

    def update_bucket(self, bucket_id: str, body: Mapping[str, Any]) -> None:
        """PUT /bucket/{bucketId}."""
        self.http.request("PUT", f"/bucket/{bucket_id}", operation="update bucket", resource=_q(bucket_id),
                          json=dict(body))

    def delete_bucket(self, bucket_id: str) -> None:
        """DELETE /bucket/{bucketId} (a bucket with objects is logical 409 `ResourceNotEmpty`)."""
        self.http.request("DELETE", f"/bucket/{bucket_id}", operation="delete bucket", resource=_q(bucket_id))


def _q(name: str) -> str:
    return f'"{name}"'
