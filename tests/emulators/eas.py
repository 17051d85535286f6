"""Expo EAS GraphQL emulator (`POST /graphql`): update branches, channels, background deletion receipts.

Rules, as the platform shows them (platform-apis.md section 7; expo/eas-cli at 790231ea, paths under
`packages/eas-cli/src/`):

- Auth: `authorization: Bearer <EXPO_TOKEN>` or `expo-session: <secret>` (`commandUtils/context/contextUtils/
  createGraphqlClient.ts`). Without either: HTTP 200 with a GraphQL error whose `extensions.errorCode` is
  `UNAUTHORIZED_ERROR` (what `commandUtils/EasCommand.ts` checks for).
- Errors carry `extensions.errorCode`, `errorType` (`USER` = the caller's fault, not worth retrying) and
  `isTransient` (eas-cli retries those: `graphql/client.ts`, `createGraphqlClient.ts` `retryExchange`).
  `fail_next(route, times)` answers the next matching operations with a transient error and does nothing.
- Apps are made by the user (`add_app`); an unknown app id answers `EXPERIENCE_NOT_FOUND` (the code
  `project/fetchOrCreateProjectIDForWriteToConfigWithConfirmationAsync.ts` tests for an app that is not there).
  `delete_app` is the user deleting the project on expo.dev: its id is unknown from then on, and its branches and
  channels, which exist only inside it (`app.byId.updateBranchByName`), go with it.
- `updateChannelByName` / `updateBranchByName` answer null for a missing name (eas-cli raises
  `ChannelNotFoundError` / `BranchNotFoundError` on null: `graphql/queries/ChannelQuery.ts`, `BranchQuery.ts`).
- Channel names are unique per app: a second create fails with `CHANNEL_ALREADY_EXISTS` (`channel/queries.ts`
  `ensureChannelExistsAsync`). Branch names are unique per app too; eas-cli never meets the error because it
  looks the name up first (`branch/queries.ts` `ensureBranchExistsAsync`), so its code is UNCONFIRMED: the
  emulator answers `errorType: USER` with a message naming the branch and no code.
- `branchMapping` is a JSON string `{"version": 0, "data": [{"branchId", "branchMappingLogic"}]}`
  (`channel/branch-mapping.ts`); one that is not JSON, has another version, or names a branch of another app is
  refused (errorType USER). A channel created without one has the empty mapping (`eas build` creates channels
  with no branch, eas-cli PR #3891).
- Deletion is a background job (`channel/delete.ts`, `branch/delete.ts`): `scheduleUpdate*Deletion` answers a
  `BackgroundJobReceipt` in state QUEUED; `backgroundJobReceipt.byId` reads QUEUED / IN_PROGRESS while
  readiness polls remain, then SUCCESS (the object is gone) or FAILURE with `willRetry: false`
  (`utils/pollForBackgroundJobReceiptAsync.ts`). A branch a channel still maps to is not deleted (the
  deprecated `deleteUpdateBranch` says so in the schema; the same rule is applied to the scheduled job).
"""

from __future__ import annotations

import fnmatch
import json
from typing import Any, Mapping

from .base import Reply
from .graphql import GraphQLApiError, GraphQLCall, GraphQLEmulator, resolves
from .state import now_rfc3339


def _user_error(message: str, code: str | None = None) -> GraphQLApiError:
    extensions: dict[str, Any] = {"errorType": "USER", "isTransient": False}
    if code:
        extensions["errorCode"] = code
    return GraphQLApiError(message, **extensions)


class EasEmulator(GraphQLEmulator):
    """In-memory Expo account: apps (seeded), update branches, channels, background job receipts."""

    api = "eas"
    spec_file = "expo-eas.schema.json"
    endpoint_path = "/graphql"
    collections = ("apps", "branches", "channels", "receipts")
    secret_fields = frozenset()

    def __init__(self, *, token: str | None = None, account: str = "stagecraft", **options: Any) -> None:
        super().__init__(**options)
        self.token = token
        self.account = account
        self._transient: list[list[Any]] = []

    # ---- configuration ---------------------------------------------------------------------------

    def add_app(self, slug: str) -> str:
        """Seed an app (EAS project) `@<account>/<slug>`; returns its id (a UUID, as `extra.eas.projectId`)."""
        with self._lock:
            app_id = self.ids.uuid()
            self.store.put("apps", app_id, {"id": app_id, "slug": slug, "name": slug,
                                            "fullName": f"@{self.account}/{slug}", "createdAt": now_rfc3339()})
        return app_id

    def delete_app(self, app_id: str) -> None:
        """The project deleted on expo.dev, with its branches, channels and their receipts."""
        with self._lock:
            if self.store.pop("apps", app_id) is None:
                raise KeyError(f"no app {app_id}")
            for collection in ("branches", "channels"):
                for record in list(self.store.where(collection, lambda r: r["appId"] == app_id)):
                    self.store.pop(collection, record["id"])

    def fail_next(self, route: str = "*", times: int = 1) -> None:
        """Answer the next `times` operations whose route matches (e.g. `mutation/updateChannel`) with a
        transient GraphQL error, without acting."""
        with self._lock:
            self._transient.append([route, times])

    # ---- hooks -------------------------------------------------------------------------------------

    def authenticate(self, headers: Mapping[str, str]) -> bool:
        lowered = {k.lower(): v for k, v in headers.items()}
        bearer = lowered.get("authorization", "")
        token = bearer[7:].strip() if bearer.lower().startswith("bearer ") else lowered.get("expo-session", "")
        return bool(token) and (self.token is None or token == self.token)

    def unauthenticated(self, call: GraphQLCall) -> Reply:
        return Reply(200, {"data": None, "errors": [{
            "message": "You must be logged in to perform this action.",
            "extensions": {"errorCode": "UNAUTHORIZED_ERROR", "errorType": "USER", "isTransient": False}}]})

    def error_extensions(self, status: int) -> dict[str, Any]:
        return {"errorCode": "INTERNAL_SERVER_ERROR", "errorType": "INTERNAL", "isTransient": status >= 500}

    def _execute(self, raw, checked) -> Reply:
        route = checked.route
        with self._lock:
            for rule in self._transient:
                if rule[1] > 0 and fnmatch.fnmatchcase(route, rule[0]):
                    rule[1] -= 1
                    return Reply(200, {"data": None, "errors": [{
                        "message": "Service temporarily unavailable, try again shortly.",
                        "extensions": {"errorCode": "INTERNAL_SERVER_ERROR", "errorType": "INTERNAL",
                                       "isTransient": True}}]})
        return super()._execute(raw, checked)

    def before_operation(self, call: GraphQLCall) -> None:
        for receipt in self.store.values("receipts"):
            if receipt["state"] in ("QUEUED", "IN_PROGRESS") and self.is_ready(receipt["id"]):
                self._finish_job(receipt)

    # ---- rendering ---------------------------------------------------------------------------------

    def _app(self, app_id: str) -> dict[str, Any]:
        app = self.store.get("apps", app_id)
        if app is None:
            raise _user_error(f"Could not find an app with id {app_id}", "EXPERIENCE_NOT_FOUND")
        return app

    def _app_gql(self, app: dict[str, Any]) -> dict[str, Any]:
        app_id = app["id"]
        branches = lambda: [b for b in self.store.values("branches") if b["appId"] == app_id]  # noqa: E731
        channels = lambda: [c for c in self.store.values("channels") if c["appId"] == app_id]  # noqa: E731
        return {
            **app, "ownerAccount": {"id": self.account, "name": self.account},
            "updateBranchByName": lambda name: next(
                (self._branch_gql(b) for b in branches() if b["name"] == name), None),
            "updateChannelByName": lambda name: next(
                (self._channel_gql(c) for c in channels() if c["name"] == name), None),
            "updateBranches": lambda offset, limit, **_: [self._branch_gql(b) for b in branches()][offset:offset + limit],
            "updateChannels": lambda offset, limit, **_: [self._channel_gql(c) for c in channels()][offset:offset + limit],
        }

    def _branch_gql(self, branch: dict[str, Any]) -> dict[str, Any]:
        return {**branch, "latestActivity": branch["updatedAt"], "lastDeletionAttemptTime": None,
                "updates": lambda **_: [], "updateGroups": lambda **_: []}

    def _channel_gql(self, channel: dict[str, Any]) -> dict[str, Any]:
        def mapped(offset: int, limit: int) -> list[dict[str, Any]]:
            ids = [entry["branchId"] for entry in json.loads(channel["branchMapping"])["data"]]
            found = [self._branch_gql(b) for b in (self.store.get("branches", i) for i in ids) if b]
            return found[offset:offset + limit]

        return {**channel, "buildCount": 0, "embeddedUpdateCount": 0, "lastDeletionAttemptTime": None,
                "updateBranches": mapped}

    def render(self, collection: str, record: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in record.items() if not k.startswith("_")}

    # ---- queries -----------------------------------------------------------------------------------

    @resolves("RootQuery.app", "RootMutation.updateBranch", "RootMutation.updateChannel",
              "RootQuery.backgroundJobReceipt")
    def namespace(self, call: GraphQLCall) -> dict[str, Any]:
        return {}

    @resolves("AppQuery.byId")
    def app_by_id(self, call: GraphQLCall, appId: str) -> dict[str, Any]:
        return self._app_gql(self._app(appId))

    @resolves("AppQuery.byFullName")
    def app_by_full_name(self, call: GraphQLCall, fullName: str) -> dict[str, Any]:
        app = next((a for a in self.store.values("apps") if a["fullName"] == fullName), None)
        if app is None:
            raise _user_error(f"Experience with name '{fullName}' does not exist.", "EXPERIENCE_NOT_FOUND")
        return self._app_gql(app)

    @resolves("BackgroundJobReceiptQuery.byId")
    def receipt_by_id(self, call: GraphQLCall, id: str) -> dict[str, Any]:
        receipt = self.store.get("receipts", id)
        if receipt is None:
            raise _user_error(f"Could not find a background job receipt with id {id}")
        if receipt["state"] in ("QUEUED", "IN_PROGRESS"):
            if self.touch(call, id):  # type: ignore[arg-type]
                self._finish_job(receipt)
            else:
                receipt["state"] = "IN_PROGRESS"
                receipt["tries"] = 1
        return self.render("receipts", receipt)

    # ---- branches ----------------------------------------------------------------------------------

    @resolves("UpdateBranchMutation.createUpdateBranchForApp")
    def create_branch(self, call: GraphQLCall, appId: str, name: str) -> dict[str, Any]:
        self._app(appId)
        if not name.strip():
            raise _user_error("Branch name must not be empty")
        if any(b["appId"] == appId and b["name"] == name for b in self.store.values("branches")):
            raise _user_error(f"An update branch named {name!r} already exists on this app")
        branch_id = self.ids.uuid()
        branch = {"id": branch_id, "name": name, "appId": appId, "createdAt": now_rfc3339(),
                  "updatedAt": now_rfc3339()}
        self.store.put("branches", branch_id, branch)
        return self._branch_gql(branch)

    @resolves("UpdateBranchMutation.editUpdateBranch")
    def edit_branch(self, call: GraphQLCall, input: dict[str, Any]) -> dict[str, Any]:
        branch = self.store.get("branches", input.get("id") or "") or next(
            (b for b in self.store.values("branches") if b["appId"] == input.get("appId")
             and b["name"] == input.get("name")), None)
        if branch is None:
            raise _user_error("Could not find the update branch to edit")
        branch["name"], branch["updatedAt"] = input["newName"], now_rfc3339()
        return self._branch_gql(branch)

    @resolves("UpdateBranchMutation.scheduleUpdateBranchDeletion")
    def schedule_branch_deletion(self, call: GraphQLCall, branchId: str) -> dict[str, Any]:
        branch = self.store.get("branches", branchId)
        if branch is None:
            raise _user_error(f"Could not find an update branch with id {branchId}")
        return self._schedule("branches", branchId)

    # ---- channels ----------------------------------------------------------------------------------

    def _checked_mapping(self, app_id: str, mapping: str) -> str:
        try:
            parsed = json.loads(mapping)
        except ValueError:
            raise _user_error("branchMapping must be a JSON string") from None
        if not isinstance(parsed, dict) or parsed.get("version") != 0 or not isinstance(parsed.get("data"), list):
            raise _user_error('branchMapping must be {"version": 0, "data": [...]}')
        for entry in parsed["data"]:
            branch = self.store.get("branches", (entry or {}).get("branchId", ""))
            if branch is None or branch["appId"] != app_id:
                raise _user_error(f"branchMapping names branch {(entry or {}).get('branchId')!r}, "
                                  "which is not a branch of this app")
            if "branchMappingLogic" not in entry:
                raise _user_error("every branchMapping entry needs branchMappingLogic")
        return mapping

    @resolves("UpdateChannelMutation.createUpdateChannelForApp")
    def create_channel(self, call: GraphQLCall, appId: str, name: str, branchMapping: str | None = None) -> dict[str, Any]:
        self._app(appId)
        if any(c["appId"] == appId and c["name"] == name for c in self.store.values("channels")):
            raise _user_error(f"Channel with name {name!r} already exists", "CHANNEL_ALREADY_EXISTS")
        mapping = self._checked_mapping(appId, branchMapping or '{"version":0,"data":[]}')
        channel_id = self.ids.uuid()
        channel = {"id": channel_id, "name": name, "appId": appId, "branchMapping": mapping, "isPaused": False,
                   "isProtected": False, "createdAt": now_rfc3339(), "updatedAt": now_rfc3339()}
        self.store.put("channels", channel_id, channel)
        return self._channel_gql(channel)

    def _channel(self, channel_id: str) -> dict[str, Any]:
        channel = self.store.get("channels", channel_id)
        if channel is None:
            raise _user_error(f"Could not find a channel with id {channel_id}")
        return channel

    @resolves("UpdateChannelMutation.editUpdateChannel")
    def edit_channel(self, call: GraphQLCall, channelId: str, branchMapping: str) -> dict[str, Any]:
        channel = self._channel(channelId)
        channel["branchMapping"] = self._checked_mapping(channel["appId"], branchMapping)
        channel["updatedAt"] = now_rfc3339()
        return self._channel_gql(channel)

    @resolves("UpdateChannelMutation.scheduleUpdateChannelDeletion")
    def schedule_channel_deletion(self, call: GraphQLCall, channelId: str) -> dict[str, Any]:
        self._channel(channelId)
        return self._schedule("channels", channelId)

    # ---- background jobs ---------------------------------------------------------------------------

    def _schedule(self, collection: str, target_id: str) -> dict[str, Any]:
        receipt_id = self.ids.uuid()
        receipt = {"id": receipt_id, "state": "QUEUED", "tries": 0, "willRetry": False, "resultId": None,
                   "resultType": "VOID", "resultData": None, "errorCode": None, "errorMessage": None,
                   "createdAt": now_rfc3339(), "updatedAt": now_rfc3339(), "_target": [collection, target_id]}
        self.store.put("receipts", receipt_id, receipt)
        self.begin(receipt_id)
        if self.is_ready(receipt_id):
            self._finish_job(receipt)
        return self.render("receipts", receipt)

    def _finish_job(self, receipt: dict[str, Any]) -> None:
        collection, target_id = receipt["_target"]
        receipt["tries"] += 1
        receipt["updatedAt"] = now_rfc3339()
        if collection == "branches":
            users = [c["name"] for c in self.store.values("channels")
                     if target_id in {e["branchId"] for e in json.loads(c["branchMapping"])["data"]}]
            if users:
                receipt.update(state="FAILURE", willRetry=False,
                               errorMessage=f"The branch is used by channel(s) {', '.join(users)}")
                return
        self.store.pop(collection, target_id)
        receipt.update(state="SUCCESS", resultId=target_id)
