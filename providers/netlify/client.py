"""Netlify REST client (https://api.netlify.com/api/v1): one method per endpoint, typed errors.

Shapes follow netlify.swagger.yml (`siteSetup`, `deployFiles`, `deploy`, env var arrays) and the calls netlify/cli
makes for `netlify deploy` (create the deploy with the SHA1 map, upload the required files by path, poll the
deploy). Two of Netlify's ways are handled here:

- a taken site name is 422 `{"errors": {"subdomain": ["must be unique"]}}` (names are global across Netlify;
  netlify/open-api issue #377, netlify/cli `sites-create.ts`): ``is_name_taken``;
- rate limits answer 429 with `X-RateLimit-Reset` as a Unix time and no `Retry-After` (netlify/js-client
  `retry.js`); deploys through the API are limited to 3 per minute and 100 per day. ``create_deploy`` waits out
  the per-minute window itself and fails, saying so, when the wait would be the daily one.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any, Callable, Mapping, Optional
from urllib.parse import quote

import httpx

from .._http import (
    AmbiguousResource,
    ApiClient,
    ApiSettings,
    BadRequest,
    HttpClient,
    ProviderError,
    RateLimited,
    Timing,
    base_url_from_env,
    bearer_headers,
    require_env,
)

API = "Netlify"
TOKEN_VAR = "NETLIFY_AUTH_TOKEN"
URL_VAR = "NETLIFY_API_URL"
DEFAULT_URL = "https://api.netlify.com/api/v1"
RESET_HEADER = "X-RateLimit-Reset"
DEPLOYS_PER_MINUTE, DEPLOYS_PER_DAY = 3, 100
MINUTE_WINDOW = 60.0
"""Netlify's per-minute deploy window: a refusal asking for a longer wait is the daily limit."""
ASYNC_FILE_COUNT = 100
"""More files than this are sent with `async: true` (netlify/cli's `DEFAULT_SYNC_LIMIT`): calls over 30 s are cut."""


class DeployLimitReached(ProviderError):
    """Netlify's 100-deploys-a-day limit was reached; waiting inside one `pulumi up` is not reasonable."""


def is_name_taken(exc: Exception) -> bool:
    """Netlify's answer to a site name somebody already has: 422 "subdomain: must be unique"."""
    return isinstance(exc, BadRequest) and exc.status == 422 and "must be unique" in exc.api_message


def settings_from_env(environ: Optional[Mapping[str, str]] = None) -> ApiSettings:
    """Netlify settings from NETLIFY_AUTH_TOKEN (netlify/cli's name) and NETLIFY_API_URL."""
    token = require_env(
        TOKEN_VAR, API, "Create a personal access token in Netlify (User settings > Applications > Personal access "
        "tokens).", environ,
    )
    return ApiSettings(
        api=API,
        base_url=base_url_from_env(URL_VAR, DEFAULT_URL, API, environ),
        headers=bearer_headers(token),
        secrets=(token,),
        credential_vars=(TOKEN_VAR,),
        timing=Timing.from_env(environ),
        rate_limit_reset_header=RESET_HEADER,
    )


class NetlifyClient(ApiClient):
    """Thin typed wrapper over the Netlify endpoints the providers use. Use as a context manager."""

    def __init__(self, http: HttpClient, deploys: HttpClient, sleep: Callable[[float], None] = time.sleep) -> None:
        super().__init__(http)
        self._deploys = deploys
        self._sleep = sleep

    @classmethod
    def from_env(cls, environ: Optional[Mapping[str, str]] = None,
                 transport: Optional[httpx.BaseTransport] = None) -> "NetlifyClient":
        """A client configured from the environment (see ``settings_from_env``)."""
        settings = settings_from_env(environ)
        # Deploy creation handles its own 429s (the per-minute window vs the daily limit), so its client does not.
        deploy_settings = dataclasses.replace(settings, unsafe_retry_statuses=frozenset())
        return cls(HttpClient(settings, transport=transport), HttpClient(deploy_settings, transport=transport))

    def close(self) -> None:
        """Close both HTTP clients."""
        super().close()
        self._deploys.close()

    # --- sites --------------------------------------------------------------------------------------------

    def create_site(self, name: str, account_slug: Optional[str]) -> dict[str, Any]:
        """POST /{account_slug}/sites (a team's site), or POST /sites (the token owner's default team)."""
        path = f"/{quote(account_slug, safe='')}/sites" if account_slug else "/sites"
        return self.http.request("POST", path, operation="create site", resource=_q(name), json={"name": name})

    def get_site(self, site_id: str) -> dict[str, Any]:
        """GET /sites/{site_id}."""
        return self.http.request("GET", f"/sites/{site_id}", operation="read site", resource=site_id)

    def find_site(self, name: str) -> Optional[dict[str, Any]]:
        """The site of this account named exactly ``name``, or None (GET /sites?name=&filter=all)."""
        found = [s for s in self.http.request("GET", "/sites", operation="find site", resource=_q(name),
                                              params={"name": name, "filter": "all", "per_page": 100}) or []
                 if s.get("name") == name]
        if len(found) > 1:
            raise AmbiguousResource(f"{API}: {len(found)} sites are named {name!r}; Netlify names are unique, so "
                                    "this account's listing is inconsistent: check app.netlify.com")
        return found[0] if found else None

    def rename_site(self, site_id: str, name: str) -> dict[str, Any]:
        """PATCH /sites/{site_id} with the new name."""
        return self.http.request("PATCH", f"/sites/{site_id}", operation="rename site", resource=site_id,
                                 json={"name": name}, idempotent=True)

    def delete_site(self, site_id: str) -> None:
        """DELETE /sites/{site_id}."""
        self.http.request("DELETE", f"/sites/{site_id}", operation="delete site", resource=site_id)

    # --- site env vars (the ownership marker) -------------------------------------------------------------

    def get_env_var(self, account_id: str, site_id: str, key: str) -> dict[str, Any]:
        """GET /accounts/{account_id}/env/{key}?site_id=."""
        return self.http.request("GET", f"/accounts/{account_id}/env/{key}", operation="read env var",
                                 resource=f"{key} of site {site_id}", params={"site_id": site_id})

    def create_env_var(self, account_id: str, site_id: str, key: str, value: str) -> None:
        """POST /accounts/{account_id}/env?site_id= with one variable for every context (no scopes: Pro only)."""
        self.http.request("POST", f"/accounts/{account_id}/env", operation="create env var",
                          resource=f"{key} of site {site_id}", params={"site_id": site_id},
                          json=[{"key": key, "values": [{"value": value, "context": "all"}]}])

    # --- deploys ------------------------------------------------------------------------------------------

    def create_deploy(self, site_id: str, files: Mapping[str, str], title: str,
                      alias: Optional[str] = None) -> dict[str, Any]:
        """POST /sites/{site_id}/deploys with the `/path -> sha1` map (async above ``ASYNC_FILE_COUNT`` files).

        A 429 is waited out while the reset is within Netlify's one-minute deploy window (3 deploys a minute);
        a longer wait is the daily limit (100 a day), reported as ``DeployLimitReached``.
        """
        timing = self.timing
        started = time.monotonic()
        body: dict[str, Any] = {"files": dict(files), "draft": False, "async": len(files) > ASYNC_FILE_COUNT}
        if alias:
            # What `netlify deploy --alias <alias>` sends: served at <alias>--<site>, the site's own URL untouched.
            body["branch"] = alias
        while True:
            try:
                return self._deploys.request("POST", f"/sites/{site_id}/deploys", operation="create deploy",
                                             resource=f"of site {site_id}", params={"title": title}, json=body)
            except RateLimited as exc:
                wait = exc.retry_after if exc.retry_after is not None else MINUTE_WINDOW
                if wait > MINUTE_WINDOW + 1:
                    raise DeployLimitReached(
                        f"{API}: deploys through the API are limited to {DEPLOYS_PER_MINUTE} a minute and "
                        f"{DEPLOYS_PER_DAY} a day, and this account has used today's {DEPLOYS_PER_DAY} (Netlify "
                        f"lets the next one through in {wait / 3600:.1f} h). Run pulumi up again after that; "
                        f"nothing of this site was changed"
                    ) from None
                if time.monotonic() - started > timing.wait_timeout:
                    raise
                self._sleep(wait * timing.scale)

    def get_deploy(self, deploy_id: str) -> dict[str, Any]:
        """GET /deploys/{deploy_id}."""
        return self.http.request("GET", f"/deploys/{deploy_id}", operation="read deploy", resource=deploy_id)

    def delete_deploy(self, deploy_id: str) -> None:
        """DELETE /deploys/{deploy_id} (204)."""
        self.http.request("DELETE", f"/deploys/{deploy_id}", operation="delete deploy", resource=deploy_id)

    def list_deploys(self, site_id: str) -> list[dict[str, Any]]:
        """GET /sites/{site_id}/deploys (newest first, the first 100)."""
        return self.http.request("GET", f"/sites/{site_id}/deploys", operation="list deploys",
                                 resource=f"of site {site_id}", params={"per_page": 100}) or []

    def upload_file(self, deploy_id: str, path: str, data: bytes) -> dict[str, Any]:
        """PUT /deploys/{deploy_id}/files/<path> with the raw bytes (netlify/cli sends the path unescaped).

        Safe to repeat: the same path and bytes are the same file (platform-apis.md §5).
        """
        shown = quote(path.lstrip("/"), safe="/")
        return self.http.request("PUT", f"/deploys/{deploy_id}/files/{shown}", operation="upload file",
                                 resource=f"{path} of deploy {deploy_id}", params={"size": len(data)},
                                 content=data, content_type="application/octet-stream")


def _q(name: str) -> str:
    return f'"{name}"'
