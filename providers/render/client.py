"""Render REST client (https://api.render.com/v1): one method per endpoint, typed errors.

Shapes follow render.openapi.json (`servicePOST`, `servicePATCH`, `envVarInputArray`, `keyValuePOSTInput`) and the
calls render-oss/terraform-provider-render and render-oss/cli make. Two of Render's ways are handled here:

- lists are arrays of `{cursor, <item>}`; the next page starts after the last item's cursor and the page after
  the last one is `[]` (platform-apis.md §2): ``_pages``;
- triggering a deploy answers 201 with the deploy, or 202 with no body when another deploy is in progress and
  the new one is queued (spec; render-oss/cli `deploycreate.go` then lists `status=queued`): ``create_deploy``
  returns None for a queued deploy.

Rate limits answer 429 with `Retry-After`, which the shared layer honours.
"""

from __future__ import annotations

from typing import Any, Iterator, Mapping, Optional

from .._http import ApiClient, ApiSettings, Timing, base_url_from_env, bearer_headers, require_env

API = "Render"
KEY_VAR = "RENDER_API_KEY"
URL_VAR = "RENDER_API_URL"
DEFAULT_URL = "https://api.render.com/v1"
PAGE = 100


def settings_from_env(environ: Optional[Mapping[str, str]] = None) -> ApiSettings:
    """Render settings from RENDER_API_KEY (render-oss/cli's name) and RENDER_API_URL."""
    key = require_env(KEY_VAR, API, "Create an API key in the Render dashboard (Account settings > API keys).", environ)
    return ApiSettings(
        api=API,
        base_url=base_url_from_env(URL_VAR, DEFAULT_URL, API, environ),
        headers=bearer_headers(key),
        secrets=(key,),
        credential_vars=(KEY_VAR,),
        timing=Timing.from_env(environ),
    )


class RenderClient(ApiClient, settings=settings_from_env):
    """Thin typed wrapper over the Render endpoints the providers use. Use as a context manager."""

    # --- owners and services ------------------------------------------------------------------------------

    def get_owner(self, owner_id: str) -> dict[str, Any]:
        """GET /owners/{ownerId} (a workspace)."""
        return self.http.request("GET", f"/owners/{owner_id}", operation="read workspace", resource=owner_id)

    def get_service(self, service_id: str) -> dict[str, Any]:
        """GET /services/{serviceId}."""
        return self.http.request("GET", f"/services/{service_id}", operation="read service", resource=service_id)

    def find_services(self, name: str, owner_id: str) -> list[dict[str, Any]]:
        """Web services of the workspace named exactly ``name`` (GET /services?name=&ownerId=&type=web_service)."""
        query = {"name": name, "ownerId": owner_id, "type": "web_service"}
        return [i["service"] for i in self._pages("/services", "find service", _q(name), query)
                if i["service"].get("name") == name]

    def create_service(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """POST /services: 201 `{service, deployId}` (a paid plan only; the API makes no free web service)."""
        values = [str(e.get("value")) for e in body.get("envVars") or [] if e.get("value")]
        return self.http.request("POST", "/services", operation="create service", resource=_q(body.get("name", "")),
                                 json=dict(body), redact=values)

    def update_service(self, service_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """PATCH /services/{serviceId}: configuration only; no deploy starts."""
        return self.http.request("PATCH", f"/services/{service_id}", operation="update service",
                                 resource=service_id, json=dict(body), idempotent=True)

    def delete_service(self, service_id: str) -> None:
        """DELETE /services/{serviceId}."""
        self.http.request("DELETE", f"/services/{service_id}", operation="delete service", resource=service_id)

    # --- env vars -----------------------------------------------------------------------------------------

    def get_env_vars(self, service_id: str) -> dict[str, str]:
        """Every env var of the service (GET /services/{serviceId}/env-vars, all pages), key -> value."""
        return {i["envVar"]["key"]: i["envVar"]["value"]
                for i in self._pages(f"/services/{service_id}/env-vars", "read env vars", service_id, {})}

    def replace_env_vars(self, service_id: str, values: Mapping[str, str]) -> None:
        """PUT /services/{serviceId}/env-vars: the whole set becomes ``values`` (Render replaces it)."""
        self.http.request("PUT", f"/services/{service_id}/env-vars", operation="replace env vars",
                          resource=service_id, json=[{"key": k, "value": v} for k, v in sorted(values.items())],
                          redact=list(values.values()))

    # --- deploys ------------------------------------------------------------------------------------------

    def create_deploy(self, service_id: str) -> Optional[dict[str, Any]]:
        """POST /services/{serviceId}/deploys: the new deploy (201), or None when Render queued it (202).

        Not retried blindly: each accepted request is one more deploy.
        """
        reply = self.http.request("POST", f"/services/{service_id}/deploys", operation="trigger deploy",
                                  resource=service_id, json={"clearCache": "do_not_clear"})
        return reply if isinstance(reply, dict) and reply.get("id") else None

    def get_deploy(self, service_id: str, deploy_id: str) -> dict[str, Any]:
        """GET /services/{serviceId}/deploys/{deployId}."""
        return self.http.request("GET", f"/services/{service_id}/deploys/{deploy_id}", operation="read deploy",
                                 resource=deploy_id)

    def list_deploys(self, service_id: str, status: Optional[str] = None, limit: int = 20) -> list[dict[str, Any]]:
        """The service's newest deploys (one page of GET /services/{serviceId}/deploys), newest first."""
        params: dict[str, Any] = {"limit": limit}
        if status:
            params["status"] = status
        reply = self.http.request("GET", f"/services/{service_id}/deploys", operation="list deploys",
                                  resource=service_id, params=params) or []
        return [i["deploy"] for i in reply if i.get("deploy")]

    # --- key value ----------------------------------------------------------------------------------------

    def create_key_value(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """POST /key-value (the free plan works through the API)."""
        return self.http.request("POST", "/key-value", operation="create Key Value", resource=_q(body.get("name", "")),
                                 json=dict(body))

    def get_key_value(self, key_value_id: str) -> dict[str, Any]:
        """GET /key-value/{keyValueId}."""
        return self.http.request("GET", f"/key-value/{key_value_id}", operation="read Key Value",
                                 resource=key_value_id)

    def find_key_values(self, name: str, owner_id: str) -> list[dict[str, Any]]:
        """Key Value instances of the workspace named exactly ``name`` (GET /key-value?name=&ownerId=)."""
        items = self._pages("/key-value", "find Key Value", _q(name), {"name": name, "ownerId": owner_id})
        return [i["keyValue"] for i in items if i["keyValue"].get("name") == name]

    def update_key_value(self, key_value_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """PATCH /key-value/{keyValueId}."""
        return self.http.request("PATCH", f"/key-value/{key_value_id}", operation="update Key Value",
                                 resource=key_value_id, json=dict(body), idempotent=True)

    def key_value_connection(self, key_value_id: str) -> dict[str, Any]:
        """GET /key-value/{keyValueId}/connection-info (connection strings; they carry the password)."""
        return self.http.request("GET", f"/key-value/{key_value_id}/connection-info",
                                 operation="read Key Value connection info", resource=key_value_id)

    def delete_key_value(self, key_value_id: str) -> None:
        """DELETE /key-value/{keyValueId}."""
        self.http.request("DELETE", f"/key-value/{key_value_id}", operation="delete Key Value",
                          resource=key_value_id)

    # --- helpers ------------------------------------------------------------------------------------------

    def _pages(self, path: str, operation: str, resource: str, query: dict[str, Any]) -> Iterator[dict[str, Any]]:
        cursor = None
        while True:
            params = {**query, "limit": PAGE, **({"cursor": cursor} if cursor else {})}
            items = self.http.request("GET", path, operation=operation, resource=resource, params=params) or []
            yield from items
            if len(items) < PAGE:
                return
            cursor = items[-1]["cursor"]


def _q(name: str) -> str:
    return f'"{name}"'
