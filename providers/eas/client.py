"""Expo EAS GraphQL client (``POST https://api.expo.dev/graphql``): one method per operation eas-cli sends.

Operations, argument types and error codes as platform-apis.md section 7 gives them from expo/eas-cli
(``channel/queries.ts``, ``branch/queries.ts``, ``channel/delete.ts``, ``branch/delete.ts``,
``utils/pollForBackgroundJobReceiptAsync.ts``). Auth: ``authorization: Bearer $EXPO_TOKEN`` (a personal or robot
access token). Deleting is a background job: the receipt is polled until SUCCESS, or FAILURE without retry.
"""

from __future__ import annotations

import json
from typing import Any, Mapping, Optional

from .._http import ApiClient, ApiSettings, HttpClient, ResourceFailed, Timing, base_url_from_env, bearer_headers
from .._http import ServerError, TransportError, require_env, wait_until
from .._http.graphql import GraphQLEndpoint, GraphQLFailure

API = "Expo EAS"
TOKEN_VAR = "EXPO_TOKEN"
URL_VAR = "EXPO_API_URL"
DEFAULT_URL = "https://api.expo.dev"
GRAPHQL_PATH = "/graphql"
TOKEN_HOW = "Create a robot or personal access token at expo.dev (Account settings > Access tokens)."
APP_GONE = "EXPERIENCE_NOT_FOUND"
"""EAS's error code for an app (project) id it does not know."""


def settings_from_env(environ: Optional[Mapping[str, str]] = None) -> ApiSettings:
    """EAS settings from EXPO_TOKEN (required) and EXPO_API_URL (default https://api.expo.dev)."""
    token = require_env(TOKEN_VAR, API, TOKEN_HOW, environ)
    return ApiSettings(api=API, base_url=base_url_from_env(URL_VAR, DEFAULT_URL, API, environ),
                       headers=bearer_headers(token), secrets=(token,), credential_vars=(TOKEN_VAR,),
                       timing=Timing.from_env(environ))


def branch_mapping(branch_id: str) -> str:
    """The mapping JSON string that points a channel at one branch (``channel/branch-mapping.ts``)."""
    return json.dumps({"version": 0, "data": [{"branchId": branch_id, "branchMappingLogic": "true"}]},
                      separators=(",", ":"))


def mapped_branch(mapping: str) -> Optional[str]:
    """The single branch a mapping points at, or None (empty or a rollout)."""
    try:
        data = json.loads(mapping).get("data") or []
    except (ValueError, AttributeError):
        return None
    return data[0].get("branchId") if len(data) == 1 and data[0].get("branchMappingLogic") == "true" else None


class EasClient(ApiClient, settings=settings_from_env):
    """Typed wrapper over the EAS operations the providers use. Use as a context manager."""

    def __init__(self, http: HttpClient) -> None:
        super().__init__(http)
        self.gql = GraphQLEndpoint(http, GRAPHQL_PATH)

    # ---- branches ---------------------------------------------------------------------------------------

    def create_branch(self, app_id: str, name: str) -> dict[str, Any]:
        """updateBranch.createUpdateBranchForApp."""
        return self.gql.call("mutation($appId: ID!, $name: String!) { updateBranch { createUpdateBranchForApp("
                             "appId: $appId, name: $name) { id name createdAt } } }", {"appId": app_id, "name": name},
                             operation="create branch", resource=f'"{name}"',
                             mutation=True)["updateBranch"]["createUpdateBranchForApp"]

    def find_branch(self, app_id: str, name: str) -> Optional[dict[str, Any]]:
        """app.byId.updateBranchByName; None when there is no such branch (or no such app any more)."""
        return self._in_app("query($appId: String!, $name: String!) { app { byId(appId: $appId) { id "
                            "updateBranchByName(name: $name) { id name createdAt } } } }",
                            {"appId": app_id, "name": name}, "updateBranchByName", "read branch", name)

    def schedule_branch_deletion(self, branch_id: str) -> dict[str, Any]:
        """updateBranch.scheduleUpdateBranchDeletion: a background job receipt."""
        return self.gql.call("mutation($branchId: ID!) { updateBranch { scheduleUpdateBranchDeletion(branchId: "
                             "$branchId) { id state errorMessage willRetry } } }", {"branchId": branch_id},
                             operation="delete branch", resource=branch_id,
                             mutation=True)["updateBranch"]["scheduleUpdateBranchDeletion"]

    # ---- channels ---------------------------------------------------------------------------------------

    def create_channel(self, app_id: str, name: str, mapping: str) -> dict[str, Any]:
        """updateChannel.createUpdateChannelForApp with its branch mapping."""
        return self.gql.call("mutation($appId: ID!, $name: String!, $branchMapping: String!) { updateChannel { "
                             "createUpdateChannelForApp(appId: $appId, name: $name, branchMapping: $branchMapping) "
                             "{ id name branchMapping createdAt } } }",
                             {"appId": app_id, "name": name, "branchMapping": mapping}, operation="create channel",
                             resource=f'"{name}"', mutation=True)["updateChannel"]["createUpdateChannelForApp"]

    def find_channel(self, app_id: str, name: str) -> Optional[dict[str, Any]]:
        """app.byId.updateChannelByName; None when there is no such channel (or no such app any more)."""
        return self._in_app("query($appId: String!, $channelName: String!) { app { byId(appId: $appId) { id "
                            "updateChannelByName(name: $channelName) { id name branchMapping createdAt } } } }",
                            {"appId": app_id, "channelName": name}, "updateChannelByName", "read channel", name)

    def _in_app(self, query: str, variables: Mapping[str, Any], field: str, operation: str,
                name: str) -> Optional[dict[str, Any]]:
        """One object of an app looked up by name. A deleted app (EXPERIENCE_NOT_FOUND, what eas-cli tests for an
        app that is not there) took its branches and channels with it, so they are gone too."""
        try:
            data = self.gql.call(query, variables, operation=operation, resource=f'"{name}"')
        except GraphQLFailure as failure:
            if failure.has_code(APP_GONE):
                return None
            raise
        return data["app"]["byId"][field]

    def remap_channel(self, channel_id: str, mapping: str) -> dict[str, Any]:
        """updateChannel.editUpdateChannel (idempotent: the same mapping twice is the same state)."""
        return self.gql.call("mutation($channelId: ID!, $branchMapping: String!) { updateChannel { "
                             "editUpdateChannel(channelId: $channelId, branchMapping: $branchMapping) "
                             "{ id name branchMapping createdAt } } }", {"channelId": channel_id,
                                                                        "branchMapping": mapping},
                             operation="re-map channel", resource=channel_id, mutation=False
                             )["updateChannel"]["editUpdateChannel"]

    def schedule_channel_deletion(self, channel_id: str) -> dict[str, Any]:
        """updateChannel.scheduleUpdateChannelDeletion: a background job receipt."""
        return self.gql.call("mutation($channelId: ID!) { updateChannel { scheduleUpdateChannelDeletion(channelId: "
                             "$channelId) { id state errorMessage willRetry } } }", {"channelId": channel_id},
                             operation="delete channel", resource=channel_id,
                             mutation=True)["updateChannel"]["scheduleUpdateChannelDeletion"]

    def delete_until_gone(self, find: "Any", schedule: "Any", what: str) -> None:
        """Schedule a deletion and wait for it; an answer that may hide a scheduled job is checked by looking the
        object up again (gone is done; still there: schedule again, which EAS takes as one more job)."""
        for attempt in range(1, self.timing.max_attempts + 1):
            if find() is None:
                return
            try:
                receipt = schedule()
            except (TransportError, ServerError, GraphQLFailure) as exc:
                if isinstance(exc, TransportError) and not exc.maybe_applied and attempt == self.timing.max_attempts:
                    raise
                if attempt == self.timing.max_attempts:
                    raise
                continue
            self.wait_for_receipt(receipt, what)
            return

    # ---- background jobs ----------------------------------------------------------------------------------

    def wait_for_receipt(self, receipt: dict[str, Any], what: str) -> None:
        """Poll a receipt until SUCCESS; FAILURE without retry raises ``ResourceFailed`` with EAS's message."""
        def fetch() -> dict[str, Any]:
            return self.gql.call("query($id: ID!) { backgroundJobReceipt { byId(id: $id) { id state errorMessage "
                                 "willRetry } } }", {"id": receipt["id"]}, operation="read job receipt",
                                 resource=receipt["id"])["backgroundJobReceipt"]["byId"]

        def classify(current: dict[str, Any]):
            state = current.get("state")
            if state == "SUCCESS":
                return "ready", state
            if state == "FAILURE" and not current.get("willRetry"):
                return "failed", f"FAILURE: {current.get('errorMessage') or 'no message'}"
            return "pending", str(state)

        if receipt.get("state") == "SUCCESS":
            return
        try:
            wait_until(fetch, classify, api=API, what=what, timing=self.timing)
        except ResourceFailed as failed:
            raise ResourceFailed(f"{failed}. The {what} did not happen; resolve it in the Expo dashboard or with "
                                 "eas-cli, then run pulumi again") from None
