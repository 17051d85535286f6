"""Neon API v2 client (https://console.neon.tech/api/v2): one method per endpoint, typed errors.

Request shapes follow neon.openapi.json (OpenAPI 3.0.3): BranchCreateRequest, BranchUpdateRequest,
EndpointCreateRequest, EndpointUpdateRequest, RoleCreateRequest, DatabaseCreateRequest,
DatabaseUpdateRequest. Mutations answer with ``operations`` that finish asynchronously; ``wait_operations``
polls them, because Neon asks clients to let an operation finish before the next request
(neon.com/docs/manage/operations, "Poll operation status") and refuses one with 423 Locked while any operation of
the project runs. Neon documents 423 Locked and 503 as safe to retry for any request (the spec's GeneralError
response), so the HTTP layer retries those even for POST.

Operation statuses (neon.com/docs/reference/api/operations): ``finished``, ``skipped`` and ``cancelled`` are
terminal; "a failed operation is not terminal and may be retried" -- Neon retries it itself (``failures_count``,
``retry_at``), so a ``failed`` status is waited through, and only ``cancelled`` (or the spec's ``error``) fails.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Optional
from urllib.parse import quote

from .._http import (
    ApiClient,
    ApiSettings,
    NotFound,
    ServerError,
    Timing,
    base_url_from_env,
    bearer_headers,
    require_env,
    wait_until,
)

API = "Neon"
KEY_VAR = "NEON_API_KEY"
URL_VAR = "NEON_API_URL"
DEFAULT_URL = "https://console.neon.tech/api/v2"
OPERATION_DONE = frozenset({"finished", "skipped"})
OPERATION_FAILED = frozenset({"error", "cancelled"})
OPERATION_OPEN = frozenset({"scheduling", "running", "failed", "cancelling"})
LOCKED = 423
_PAGE = 100
_RECENT_OPERATIONS = 50
_LOCK_ROUNDS = 3


def settings_from_env(environ: Optional[Mapping[str, str]] = None) -> ApiSettings:
    """Neon settings from NEON_API_KEY (required) and NEON_API_URL (default https://console.neon.tech/api/v2)."""
    key = require_env(KEY_VAR, API, "Create an API key in the Neon console (Account settings > API keys).", environ)
    return ApiSettings(
        api=API,
        base_url=base_url_from_env(URL_VAR, DEFAULT_URL, API, environ),
        headers=bearer_headers(key),
        secrets=(key,),
        credential_vars=(KEY_VAR,),
        unsafe_retry_statuses=frozenset({423, 429, 503}),
        timing=Timing.from_env(environ),
    )


class NeonClient(ApiClient, settings=settings_from_env):
    """Thin typed wrapper over the Neon endpoints the providers use. Use as a context manager."""

    # --- branches -----------------------------------------------------------------------------------------

    def create_branch(
        self, project_id: str, name: str, parent_id: Optional[str], annotation: Mapping[str, str],
        init_source: Optional[str] = None,
    ) -> dict[str, Any]:
        """POST /projects/{project_id}/branches with an ``annotation_value`` (no compute: Endpoint is its own);
        ``init_source="schema-only"`` makes a root branch with the parent's schema and none of its data."""
        branch: dict[str, Any] = {"name": name}
        if parent_id:
            branch["parent_id"] = parent_id
        if init_source:
            branch["init_source"] = init_source
        return self._send(
            project_id, "POST", f"/projects/{project_id}/branches", operation="create branch", resource=_q(name),
            json={"branch": branch, "annotation_value": dict(annotation)},
        )

    def get_branch(self, project_id: str, branch_id: str) -> dict[str, Any]:
        """GET /projects/{project_id}/branches/{branch_id}."""
        return self.get_branch_annotated(project_id, branch_id)[0]

    def get_branch_annotated(self, project_id: str, branch_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """The branch and its annotation value (empty when it has none)."""
        reply = self.http.request(
            "GET", f"/projects/{project_id}/branches/{branch_id}", operation="read branch", resource=branch_id
        )
        return reply["branch"], dict((reply.get("annotation") or {}).get("value") or {})

    def find_branch(self, project_id: str, name: str) -> Optional[tuple[dict[str, Any], dict[str, Any]]]:
        """The branch named exactly ``name`` in the project and its annotation value, or None."""
        cursor: Optional[str] = None
        while True:
            reply = self.http.request(
                "GET", f"/projects/{project_id}/branches", operation="find branch", resource=_q(name),
                params={"search": name, "limit": _PAGE, "cursor": cursor},
            ) or {}
            branches = reply.get("branches") or []
            annotations = reply.get("annotations") or {}
            for branch in branches:
                if branch.get("name") == name:
                    return branch, dict((annotations.get(branch.get("id")) or {}).get("value") or {})
            cursor = (reply.get("pagination") or {}).get("next")
            if not cursor or not branches:
                return None

    def list_branches(self, project_id: str) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        """Every branch of the project with its annotation value (every page of GET .../branches)."""
        found: list[tuple[dict[str, Any], dict[str, Any]]] = []
        cursor: Optional[str] = None
        while True:
            reply = self.http.request(
                "GET", f"/projects/{project_id}/branches", operation="list branches", resource=f"of {project_id}",
                params={"limit": _PAGE, "cursor": cursor},
            ) or {}
            branches = reply.get("branches") or []
            annotations = reply.get("annotations") or {}
            found += [(b, dict((annotations.get(b.get("id")) or {}).get("value") or {})) for b in branches]
            cursor = (reply.get("pagination") or {}).get("next")
            if not cursor or not branches:
                return found

    def rename_branch(self, project_id: str, branch_id: str, name: str) -> dict[str, Any]:
        """PATCH /projects/{project_id}/branches/{branch_id} with only the new name."""
        return self._send(
            project_id, "PATCH", f"/projects/{project_id}/branches/{branch_id}", operation="rename branch",
            resource=branch_id, json={"branch": {"name": name}}, idempotent=True,
        )

    def delete_branch(self, project_id: str, branch_id: str) -> Optional[dict[str, Any]]:
        """DELETE /projects/{project_id}/branches/{branch_id}."""
        return self._send(
            project_id, "DELETE", f"/projects/{project_id}/branches/{branch_id}", operation="delete branch",
            resource=branch_id,
        )

    # --- endpoints ----------------------------------------------------------------------------------------

    def create_endpoint(self, project_id: str, endpoint: dict[str, Any]) -> dict[str, Any]:
        """POST /projects/{project_id}/endpoints."""
        return self._send(
            project_id, "POST", f"/projects/{project_id}/endpoints", operation="create endpoint",
            resource=f"on branch {endpoint.get('branch_id')}", json={"endpoint": endpoint},
        )

    def get_endpoint(self, project_id: str, endpoint_id: str) -> dict[str, Any]:
        """GET /projects/{project_id}/endpoints/{endpoint_id}."""
        return self.http.request(
            "GET", f"/projects/{project_id}/endpoints/{endpoint_id}", operation="read endpoint",
            resource=endpoint_id,
        )["endpoint"]

    def list_branch_endpoints(self, project_id: str, branch_id: str) -> list[dict[str, Any]]:
        """GET /projects/{project_id}/branches/{branch_id}/endpoints."""
        reply = self.http.request(
            "GET", f"/projects/{project_id}/branches/{branch_id}/endpoints", operation="list endpoints",
            resource=f"of branch {branch_id}",
        ) or {}
        return list(reply.get("endpoints") or [])

    def update_endpoint(self, project_id: str, endpoint_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        """PATCH /projects/{project_id}/endpoints/{endpoint_id} with only ``changes``."""
        return self._send(
            project_id, "PATCH", f"/projects/{project_id}/endpoints/{endpoint_id}", operation="update endpoint",
            resource=endpoint_id, json={"endpoint": changes}, idempotent=True,
        )

    def delete_endpoint(self, project_id: str, endpoint_id: str) -> Optional[dict[str, Any]]:
        """DELETE /projects/{project_id}/endpoints/{endpoint_id}."""
        return self._send(
            project_id, "DELETE", f"/projects/{project_id}/endpoints/{endpoint_id}", operation="delete endpoint",
            resource=endpoint_id,
        )

    # --- roles --------------------------------------------------------------------------------------------

    def create_role(self, project_id: str, branch_id: str, name: str) -> dict[str, Any]:
        """POST .../branches/{branch_id}/roles; the answer carries the generated password."""
        return self._send(
            project_id, "POST", f"/projects/{project_id}/branches/{branch_id}/roles", operation="create role",
            resource=_q(name), json={"role": {"name": name}},
        )

    def get_role(self, project_id: str, branch_id: str, name: str) -> dict[str, Any]:
        """GET .../branches/{branch_id}/roles/{role_name}."""
        return self.http.request(
            "GET", f"/projects/{project_id}/branches/{branch_id}/roles/{_p(name)}", operation="read role",
            resource=_q(name),
        )["role"]

    def find_role(self, project_id: str, branch_id: str, name: str) -> Optional[dict[str, Any]]:
        """The role ``name`` on the branch, or None."""
        try:
            return self.get_role(project_id, branch_id, name)
        except NotFound:
            return None

    def reveal_role_password(self, project_id: str, branch_id: str, name: str) -> str:
        """GET .../roles/{role_name}/reveal_password."""
        reply = self.http.request(
            "GET", f"/projects/{project_id}/branches/{branch_id}/roles/{_p(name)}/reveal_password",
            operation="reveal password of role", resource=_q(name),
        )
        return str(reply["password"])

    def delete_role(self, project_id: str, branch_id: str, name: str) -> Optional[dict[str, Any]]:
        """DELETE .../branches/{branch_id}/roles/{role_name}."""
        return self._send(
            project_id, "DELETE", f"/projects/{project_id}/branches/{branch_id}/roles/{_p(name)}",
            operation="delete role",
            resource=_q(name),
        )

    # --- databases ----------------------------------------------------------------------------------------

    def create_database(self, project_id: str, branch_id: str, name: str, owner_name: str) -> dict[str, Any]:
        """POST .../branches/{branch_id}/databases."""
        return self._send(
            project_id, "POST", f"/projects/{project_id}/branches/{branch_id}/databases", operation="create database",
            resource=_q(name), json={"database": {"name": name, "owner_name": owner_name}},
        )

    def get_database(self, project_id: str, branch_id: str, name: str) -> dict[str, Any]:
        """GET .../branches/{branch_id}/databases/{database_name}."""
        return self.http.request(
            "GET", f"/projects/{project_id}/branches/{branch_id}/databases/{_p(name)}", operation="read database",
            resource=_q(name),
        )["database"]

    def find_database(self, project_id: str, branch_id: str, name: str) -> Optional[dict[str, Any]]:
        """The database ``name`` on the branch, or None."""
        try:
            return self.get_database(project_id, branch_id, name)
        except NotFound:
            return None

    def update_database(self, project_id: str, branch_id: str, name: str, changes: dict[str, Any]) -> dict[str, Any]:
        """PATCH .../databases/{database_name} with only ``changes``."""
        return self._send(
            project_id, "PATCH", f"/projects/{project_id}/branches/{branch_id}/databases/{_p(name)}",
            operation="update database", resource=_q(name), json={"database": changes}, idempotent=True,
        )

    def delete_database(self, project_id: str, branch_id: str, name: str) -> Optional[dict[str, Any]]:
        """DELETE .../branches/{branch_id}/databases/{database_name}."""
        return self._send(
            project_id, "DELETE", f"/projects/{project_id}/branches/{branch_id}/databases/{_p(name)}",
            operation="delete database", resource=_q(name),
        )

    # --- operations ---------------------------------------------------------------------------------------

    def _send(self, project_id: str, method: str, path: str, **request: Any) -> Any:
        """A change to the project. When Neon still answers 423 after the HTTP layer's retries, the project's
        running operations are waited out (bounded by STAGECRAFT_WAIT_TIMEOUT) and the request is sent again:
        an operation of Neon's own (a compute start or suspend, an availability check) can outlast the backoff."""
        rounds = 1
        while True:
            try:
                return self.http.request(method, path, **request)
            except ServerError as err:
                if err.status != LOCKED or rounds >= _LOCK_ROUNDS:
                    raise
            self.wait_unlocked(project_id, f"{request['operation']} {request['resource']}")
            rounds += 1

    def list_recent_operations(self, project_id: str) -> list[dict[str, Any]]:
        """GET /projects/{project_id}/operations: the newest operations first."""
        reply = self.http.request(
            "GET", f"/projects/{project_id}/operations", operation="list operations", resource=f"of {project_id}",
            params={"limit": _RECENT_OPERATIONS},
        ) or {}
        return list(reply.get("operations") or [])

    def wait_unlocked(self, project_id: str, what: str) -> None:
        """Wait (bounded) until no operation of the project is running, so Neon takes the next change."""
        wait_until(lambda: self.list_recent_operations(project_id), _classify_project_lock, api=API,
                   what=f"{what}: project {project_id} finishing its running operations", timing=self.timing)

    def get_operation(self, project_id: str, operation_id: str) -> dict[str, Any]:
        """GET /projects/{project_id}/operations/{operation_id}."""
        return self.http.request(
            "GET", f"/projects/{project_id}/operations/{operation_id}", operation="read operation",
            resource=operation_id,
        )["operation"]

    def wait_operations(self, project_id: str, reply: Any, what: str) -> None:
        """Wait (bounded) until every operation in a mutation's answer has finished; raise if one failed."""
        for op in _operations(reply):
            if op.get("status") in OPERATION_DONE:
                continue
            wait_until(
                lambda op_id=op["id"]: self.get_operation(project_id, op_id),
                _classify_operation, api=API, what=f"{what} (operation {op.get('action', '')} {op['id']})",
                timing=self.timing,
            )


def _classify_project_lock(ops: list[dict[str, Any]]) -> tuple[str, str]:
    running = [f"{op.get('action')} {op.get('status')}" for op in ops if op.get("status") in OPERATION_OPEN]
    return ("pending", "running: " + ", ".join(running)) if running else ("ready", "no running operations")


def _classify_operation(op: Mapping[str, Any]) -> tuple[str, str]:
    status = str(op.get("status"))
    text = f"{status}: {op['error']}" if op.get("error") else status
    if op.get("failures_count"):
        text += f" (failed {op['failures_count']} time(s) so far; Neon retries it)"
    if status in OPERATION_DONE:
        return "ready", text
    if status in OPERATION_FAILED:
        return "failed", text
    return "pending", text


def _operations(reply: Any) -> Iterable[Mapping[str, Any]]:
    if isinstance(reply, Mapping):
        return [op for op in reply.get("operations") or [] if isinstance(op, Mapping) and op.get("id")]
    return []


def _p(segment: str) -> str:
    return quote(segment, safe="")


def _q(name: str) -> str:
    return f'"{name}"'
