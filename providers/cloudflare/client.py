"""Cloudflare API v4 client for Pages (https://api.cloudflare.com/client/v4): one method per endpoint, typed errors.

Every answer is Cloudflare's envelope `{success, errors: [{code, message}], messages, result}`; `result` is
returned, and a failure becomes the shared layer's typed error carrying Cloudflare's messages and codes. Account
endpoints take the API token; the Direct Upload asset endpoints take the short-lived upload JWT instead
(`AssetsClient`). Paths and fields follow Cloudflare's published schema (operations `pages-project-*`,
`pages-deployment-*`, `pages-assets-*`) and the calls Wrangler's `pages deploy` makes.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Iterator, Mapping, Optional, Sequence

from .._http import (
    ApiClient,
    ApiSettings,
    HttpClient,
    ProviderError,
    Timing,
    base_url_from_env,
    bearer_headers,
    require_env,
)

API = "Cloudflare"
TOKEN_VAR = "CLOUDFLARE_API_TOKEN"
URL_VAR = "CLOUDFLARE_API_BASE_URL"
DEFAULT_URL = "https://api.cloudflare.com/client/v4"
LIST_PAGE_SIZE = 25
LOG_LINES = 10_000_000
"""Wrangler asks for this many log lines (`?size=10000000`, packages/wrangler/src/pages/deploy.ts)."""


class EnvelopeError(ProviderError):
    """A 2xx answer whose envelope says `success: false`."""


def settings_from_env(environ: Optional[Mapping[str, str]] = None) -> ApiSettings:
    """Cloudflare settings from CLOUDFLARE_API_TOKEN (required) and CLOUDFLARE_API_BASE_URL (Wrangler's names)."""
    token = require_env(
        TOKEN_VAR, API,
        "Create an API token in the Cloudflare dashboard (My Profile > API Tokens) with the Account permission "
        "\"Cloudflare Pages: Edit\" for the account that owns the Pages projects.",
        environ,
    )
    return ApiSettings(
        api=API,
        base_url=base_url_from_env(URL_VAR, DEFAULT_URL, API, environ),
        headers=bearer_headers(token),
        secrets=(token,),
        credential_vars=(TOKEN_VAR,),
        timing=Timing.from_env(environ),
    )


def unwrap(body: Any, operation: str) -> Any:
    """The `result` of a Cloudflare envelope; raises `EnvelopeError` when `success` is false."""
    if isinstance(body, Mapping) and body.get("success") is False:
        errors = "; ".join(f"{e.get('message')} [code {e.get('code')}]" for e in body.get("errors") or [])
        raise EnvelopeError(f"{API}: {operation} answered success=false: {errors or 'no error given'}")
    return body.get("result") if isinstance(body, Mapping) else body


class CloudflareClient(ApiClient, settings=settings_from_env):
    """The Pages endpoints that use the account's API token. Use as a context manager."""

    def _get(self, path: str, operation: str, resource: str, params: Optional[Mapping[str, Any]] = None) -> Any:
        return unwrap(self.http.request("GET", path, operation=operation, resource=resource, params=params), operation)

    def get_project(self, account_id: str, project_name: str) -> dict[str, Any]:
        """GET /accounts/{account_id}/pages/projects/{project_name} (pages-project-get-project)."""
        return self._get(f"/accounts/{account_id}/pages/projects/{project_name}", "read Pages project",
                         _q(project_name))

    def get_upload_token(self, account_id: str, project_name: str) -> str:
        """GET .../upload-token (pages-project-get-upload-token): a short-lived JWT for the asset endpoints."""
        result = self._get(f"/accounts/{account_id}/pages/projects/{project_name}/upload-token",
                           "get upload token for Pages project", _q(project_name))
        return str(result["jwt"])

    def list_deployments(
        self, account_id: str, project_name: str, env: Optional[str] = None
    ) -> Iterator[dict[str, Any]]:
        """GET .../deployments (pages-deployment-get-deployments), every page; `env` is production|preview."""
        page = 1
        while True:
            body = self.http.request(
                "GET", f"/accounts/{account_id}/pages/projects/{project_name}/deployments",
                operation="list Pages deployments", resource=_q(project_name),
                params={"env": env, "page": page, "per_page": LIST_PAGE_SIZE},
            )
            items = unwrap(body, "list Pages deployments") or []
            yield from items
            if not items or is_last_page(body.get("result_info") or {}, page, len(items)):
                return
            page += 1

    def get_deployment(self, account_id: str, project_name: str, deployment_id: str) -> dict[str, Any]:
        """GET .../deployments/{deployment_id} (pages-deployment-get-deployment-info)."""
        return self._get(f"/accounts/{account_id}/pages/projects/{project_name}/deployments/{deployment_id}",
                         "read Pages deployment", deployment_id)

    def get_deployment_logs(self, account_id: str, project_name: str, deployment_id: str) -> dict[str, Any]:
        """GET .../deployments/{deployment_id}/history/logs (pages-deployment-get-deployment-logs)."""
        return self._get(
            f"/accounts/{account_id}/pages/projects/{project_name}/deployments/{deployment_id}/history/logs",
            "read Pages deployment logs", deployment_id, params={"size": LOG_LINES},
        )

    def create_deployment(
        self, account_id: str, project_name: str, form: Mapping[str, tuple[Any, ...]]
    ) -> dict[str, Any]:
        """POST .../deployments as multipart/form-data (pages-deployment-create-deployment).

        Not retried blindly: a lost answer may hide a created deployment (callers converge by listing).
        """
        body = self.http.request(
            "POST", f"/accounts/{account_id}/pages/projects/{project_name}/deployments",
            operation="create Pages deployment", resource=_q(project_name), files=form,
        )
        return unwrap(body, "create Pages deployment")

    def delete_deployment(self, account_id: str, project_name: str, deployment_id: str, *, force: bool) -> None:
        """DELETE .../deployments/{deployment_id}?force=... (pages-deployment-delete-deployment).

        `force=true` is what the schema documents for "aliased non-production deployments" (a branch alias such as
        `pr-7.<project>.pages.dev`); Wrangler's `pages deployment delete --force` sends the same (workers-sdk #13444).
        """
        unwrap(self.http.request(
            "DELETE", f"/accounts/{account_id}/pages/projects/{project_name}/deployments/{deployment_id}",
            operation="delete Pages deployment", resource=deployment_id,
            params={"force": "true" if force else "false"},
        ), "delete Pages deployment")

    def assets(self, jwt: str) -> "AssetsClient":
        """A client for the asset endpoints authenticated with the upload JWT `jwt`."""
        settings = dataclasses.replace(
            self.http.settings, headers=bearer_headers(jwt), secrets=(*self.http.settings.secrets, jwt)
        )
        return AssetsClient(HttpClient(settings, transport=self.http.transport))


class AssetsClient(ApiClient):
    """`/pages/assets/*` with one upload JWT (operations pages-assets-*). Use as a context manager.

    Each call is safe to repeat: the asset store is keyed by content hash, so `idempotent=True` lets the shared
    layer retry these POSTs on transient failures.
    """

    def _post(self, path: str, operation: str, payload: Any, resource: str) -> Any:
        body = self.http.request("POST", path, operation=operation, resource=resource, json=payload, idempotent=True)
        return unwrap(body, operation)

    def check_missing(self, hashes: Sequence[str]) -> list[str]:
        """POST /pages/assets/check-missing `{hashes}`: the hashes the asset store does not hold yet."""
        return list(self._post("/pages/assets/check-missing", "check missing Pages assets", {"hashes": list(hashes)},
                               f"{len(hashes)} file(s)") or [])

    def upload(self, files: Sequence[Mapping[str, Any]]) -> None:
        """POST /pages/assets/upload `[{key, value, metadata: {contentType}, base64}]`."""
        self._post("/pages/assets/upload", "upload Pages assets", list(files), f"{len(files)} file(s)")

    def upsert_hashes(self, hashes: Sequence[str]) -> None:
        """POST /pages/assets/upsert-hashes `{hashes}` (marks them recently used)."""
        self._post("/pages/assets/upsert-hashes", "upsert Pages asset hashes", {"hashes": list(hashes)},
                   f"{len(hashes)} file(s)")


def is_last_page(info: Mapping[str, Any], page: int, count: int) -> bool:
    """Whether page `page` (holding `count` items) is the last, from `result_info` (`total_pages`, else
    `total_count` and `per_page`), else from a short page."""
    if info.get("total_pages") is not None:
        return page >= int(info["total_pages"])
    if info.get("total_count") is not None:
        per_page = int(info.get("per_page") or count or 1)
        return page * per_page >= int(info["total_count"])
    return count < LIST_PAGE_SIZE


def _q(name: str) -> str:
    return f'"{name}"'
