"""Koyeb REST client (https://app.koyeb.com, paths under /v1): one method per endpoint, typed errors.

Request shapes follow koyeb.openapi.json (Swagger 2.0): CreateApp, UpdateApp, CreateSecret, Secret,
CreateService, UpdateService. List endpoints take ``limit``/``offset`` as strings and answer ``has_next``.

A name that is already taken is answered ``400`` with the single field ``name`` "already exists" (no 409):
koyeb-cli recognises a taken app name exactly so (``pkg/koyeb/databases_create.go``); ``is_name_taken``.
"""

from __future__ import annotations

from typing import Any, Iterator, Mapping, Optional

from .._http import (
    AmbiguousResource,
    ApiClient,
    ApiSettings,
    BadRequest,
    Timing,
    base_url_from_env,
    bearer_headers,
    require_env,
)
from .catalog import DNS_LABEL

API = "Koyeb"
TOKEN_VAR = "KOYEB_TOKEN"
URL_VAR = "KOYEB_API_URL"
DEFAULT_URL = "https://app.koyeb.com"
_PAGE = 100
# A name whose resource is being torn down is free to be taken again; never adopt those.
GONE_STATUSES = frozenset({"DELETING", "DELETED"})
# Name rules Koyeb enforces (lengths as in Koyeb's Terraform provider; app and service names are DNS labels).
APP_NAME_HINT = "use 3-23 lower-case letters, digits and dashes, starting and ending with a letter or digit"
SERVICE_NAME_HINT = "use 3-64 lower-case letters, digits and dashes, starting and ending with a letter or digit"
# koyeb.com/docs/reference/secrets: "must comply with RFC1123 ... only lowercase letters, numbers and dashes";
# 2-64 characters in the Terraform provider and the control panel, at most 63 in an RFC 1123 label.
SECRET_NAME = DNS_LABEL
SECRET_NAME_LENGTH = (2, 63)
SECRET_NAME_HINT = ("Koyeb secret names follow RFC 1123: 2-63 lower-case letters, digits and dashes, starting and "
                    "ending with a letter or digit")


def is_name_taken(exc: Exception) -> bool:
    """Koyeb's answer to a create whose name is taken: 400 with the field ``name`` "already exists"."""
    return isinstance(exc, BadRequest) and "name: already exists" in exc.api_message


def settings_from_env(environ: Optional[Mapping[str, str]] = None) -> ApiSettings:
    """Koyeb settings from KOYEB_TOKEN (required) and KOYEB_API_URL (default https://app.koyeb.com)."""
    token = require_env(
        TOKEN_VAR, API, "Create an API token in the Koyeb control panel (Organization settings > API).", environ
    )
    return ApiSettings(
        api=API,
        base_url=base_url_from_env(URL_VAR, DEFAULT_URL, API, environ),
        headers=bearer_headers(token),
        secrets=(token,),
        credential_vars=(TOKEN_VAR,),
        timing=Timing.from_env(environ),
    )


class KoyebClient(ApiClient, settings=settings_from_env):
    """Thin typed wrapper over the Koyeb endpoints the providers use. Use as a context manager."""

    # --- apps ---------------------------------------------------------------------------------------------

    def create_app(self, name: str) -> dict[str, Any]:
        """POST /v1/apps."""
        reply = self.http.request("POST", "/v1/apps", operation="create app", resource=_q(name), json={"name": name})
        return reply["app"]

    def get_app(self, app_id: str) -> dict[str, Any]:
        """GET /v1/apps/{id}."""
        return self.http.request("GET", f"/v1/apps/{app_id}", operation="read app", resource=app_id)["app"]

    def find_app(self, name: str) -> Optional[dict[str, Any]]:
        """The live app named exactly ``name``, or None (GET /v1/apps?name=)."""
        found = [a for a in self._list("/v1/apps", "apps", "find app", name, {"name": name}) if a.get("name") == name]
        return _single(_live(found), "app", name)

    def rename_app(self, app_id: str, name: str) -> dict[str, Any]:
        """PATCH /v1/apps/{id} with only the name."""
        reply = self.http.request(
            "PATCH", f"/v1/apps/{app_id}", operation="rename app", resource=app_id,
            params={"update_mask": "name"}, json={"name": name}, idempotent=True,
        )
        return reply["app"]

    def delete_app(self, app_id: str) -> None:
        """DELETE /v1/apps/{id}."""
        self.http.request("DELETE", f"/v1/apps/{app_id}", operation="delete app", resource=app_id)

    # --- secrets ------------------------------------------------------------------------------------------

    def create_secret(self, name: str, value: str) -> dict[str, Any]:
        """POST /v1/secrets with a SIMPLE secret."""
        reply = self.http.request(
            "POST", "/v1/secrets", operation="create secret", resource=_q(name),
            json={"name": name, "type": "SIMPLE", "value": value}, redact=[value],
        )
        return reply["secret"]

    def get_secret(self, secret_id: str) -> dict[str, Any]:
        """GET /v1/secrets/{id} (the value is not part of the answer)."""
        return self.http.request("GET", f"/v1/secrets/{secret_id}", operation="read secret", resource=secret_id)[
            "secret"
        ]

    def find_secret(self, name: str) -> Optional[dict[str, Any]]:
        """The secret named exactly ``name``, or None (GET /v1/secrets?name=)."""
        found = [s for s in self._list("/v1/secrets", "secrets", "find secret", name, {"name": name})
                 if s.get("name") == name]
        return _single(found, "secret", name)

    def set_secret_value(self, secret_id: str, value: str) -> dict[str, Any]:
        """PATCH /v1/secrets/{id} changing only the value."""
        reply = self.http.request(
            "PATCH", f"/v1/secrets/{secret_id}", operation="update secret value", resource=secret_id,
            params={"update_mask": "value"}, json={"value": value}, idempotent=True, redact=[value],
        )
        return reply["secret"]

    def delete_secret(self, secret_id: str) -> None:
        """DELETE /v1/secrets/{id}."""
        self.http.request("DELETE", f"/v1/secrets/{secret_id}", operation="delete secret", resource=secret_id)

    # --- services -----------------------------------------------------------------------------------------

    def create_service(self, app_id: str, name: str, definition: dict[str, Any]) -> dict[str, Any]:
        """POST /v1/services (CreateService: app_id, name, definition)."""
        reply = self.http.request(
            "POST", "/v1/services", operation="create service", resource=_q(name),
            json={"app_id": app_id, "name": name, "definition": definition},
        )
        return reply["service"]

    def get_service(self, service_id: str) -> dict[str, Any]:
        """GET /v1/services/{id}."""
        return self.http.request(
            "GET", f"/v1/services/{service_id}", operation="read service", resource=service_id
        )["service"]

    def find_service(self, app_id: str, name: str) -> Optional[dict[str, Any]]:
        """The live service ``name`` in app ``app_id``, or None (GET /v1/services?app_id=&name=)."""
        items = self._list("/v1/services", "services", "find service", name, {"app_id": app_id, "name": name})
        found = [s for s in items if s.get("name") == name and s.get("app_id") == app_id]
        return _single(_live(found), "service", name)

    def list_services(self, app_id: str) -> list[dict[str, Any]]:
        """Every live service of app ``app_id`` (GET /v1/services?app_id=)."""
        return _live(list(self._list("/v1/services", "services", "list services of app", app_id, {"app_id": app_id})))

    def update_service(self, service_id: str, definition: dict[str, Any]) -> dict[str, Any]:
        """PATCH /v1/services/{id} with a new definition: Koyeb starts a new deployment of it.

        Not retried blindly: each accepted PATCH is one more deployment (``deploy.deploy_definition`` checks
        what an ambiguous failure left before sending it again).
        """
        reply = self.http.request(
            "PATCH", f"/v1/services/{service_id}", operation="update service", resource=service_id,
            json={"definition": definition}, idempotent=False,
        )
        return reply["service"]

    def delete_service(self, service_id: str) -> None:
        """DELETE /v1/services/{id}."""
        self.http.request("DELETE", f"/v1/services/{service_id}", operation="delete service", resource=service_id)

    def get_deployment(self, deployment_id: str) -> dict[str, Any]:
        """GET /v1/deployments/{id}: status and the definition it runs."""
        return self.http.request(
            "GET", f"/v1/deployments/{deployment_id}", operation="read deployment", resource=deployment_id
        )["deployment"]

    # --- helpers ------------------------------------------------------------------------------------------

    def _list(
        self, path: str, key: str, operation: str, name: str, query: dict[str, Any]
    ) -> Iterator[dict[str, Any]]:
        offset = 0
        while True:
            reply = self.http.request(
                "GET", path, operation=operation, resource=_q(name),
                params={**query, "limit": str(_PAGE), "offset": str(offset)},
            ) or {}
            items = reply.get(key) or []
            yield from items
            offset += len(items)
            more = reply.get("has_next")
            if more is None:
                count = reply.get("count")
                more = count is not None and offset < int(count)
            if not more or not items:
                return


def _live(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [i for i in items if i.get("status") not in GONE_STATUSES]


def _single(items: list[dict[str, Any]], kind: str, name: str) -> Optional[dict[str, Any]]:
    if len(items) > 1:
        ids = ", ".join(str(i.get("id")) for i in items)
        raise AmbiguousResource(
            f"{API}: {len(items)} {kind}s are named {name!r} ({ids}); delete the extra ones in the Koyeb "
            f"control panel so the provider can adopt exactly one"
        )
    return items[0] if items else None


def _q(name: str) -> str:
    return f'"{name}"'
