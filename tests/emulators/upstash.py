"""Upstash Developer API emulator: Redis databases, per upstash.openapi.yml (OpenAPI 3.0.4).

Behaviour, as the real service shows it:
- HTTP Basic auth `email:api_key` on every call, else 401.
- Errors: the spec's `Error {code, message}` shape; an `error` member repeats the message, as live
  responses carry one (clients often read `json.error`).
- A database answers with its connection facts: `endpoint`, `port` 6379, `password`, `rest_token`,
  `read_only_rest_token` (absent from the spec's schema, present in live responses and in the official
  Terraform provider); `GET ...?credentials=hide` leaves them out. `endpoint` is a full host
  (`<slug>.upstash.io`) or, after `answer_with_slug_endpoints()`, the bare slug: the spec's `Database.endpoint`
  says "Endpoint identifier or hostname of the database (may be a slug like "beloved-stallion-58500" or a full
  host)" (upstash.openapi.yml, components.schemas.Database).
- A database stores no tag, label or description: `CreateDatabaseRequest` has only database_name, platform,
  primary_region, read_regions, plan, budget, eviction and tls. `creation_time` is Unix seconds.
- New databases are always TLS-enabled (the official Terraform provider refuses `tls=false` for that reason).
- The emulated account is on the free tier: a database created without `plan` is `free`, and at most one
  free database may exist (Upstash's free allowance, platform-apis.md section 9); a second is refused with
  400. `UpstashEmulator(free_database_limit=None)` lifts the limit.
- Enable/disable eviction, auto-upgrade, change-plan, update-budget and update-regions answer the JSON
  string `"OK"`; rename, reset-password and enable-tls answer the database.
- Database names are not unique (UNCONFIRMED either way): a second database of a name is created like the first.

Control (also over HTTP: `POST /__emulator__/actions/<name>`): `answer_with_slug_endpoints(enabled)`.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any, Mapping, Sequence

from .base import ApiError, ApiRequest, Emulator, Reply, handles
from .state import clone, unix_now

_CREDENTIALS = ("password", "rest_token", "read_only_rest_token")
_ERROR_CODES = {400: "BAD_REQUEST", 401: "UNAUTHORIZED", 403: "FORBIDDEN", 404: "NOT_FOUND", 409: "CONFLICT",
                429: "TOO_MANY_REQUESTS", 500: "INTERNAL_SERVER_ERROR", 501: "NOT_IMPLEMENTED",
                503: "SERVICE_UNAVAILABLE"}


class UpstashEmulator(Emulator):
    """In-memory Upstash account (free tier)."""

    api = "upstash"
    spec_file = "upstash.openapi.yml"
    collections = ("databases",)
    secret_fields = frozenset(_CREDENTIALS)
    control_actions = ("answer_with_slug_endpoints",)

    def __init__(
        self,
        *,
        email: str | None = None,
        api_key: str | None = None,
        free_database_limit: int | None = 1,
        **options: Any,
    ):
        super().__init__(**options)
        self.email = email
        self.api_key = api_key
        self.free_database_limit = free_database_limit
        self.customer_id = email or "owner@example.com"
        self.slug_endpoints = False

    def answer_with_slug_endpoints(self, enabled: bool = True) -> bool:
        """Report `endpoint` as the bare slug (`beloved-stallion-58500`) instead of the full host."""
        self.slug_endpoints = bool(enabled)
        return self.slug_endpoints

    # ---- hooks -----------------------------------------------------------------------------------

    def authenticate(self, headers: Mapping[str, str]) -> bool:
        value = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
        scheme, _, encoded = value.partition(" ")
        if scheme.lower() != "basic" or not encoded.strip():
            return False
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return False
        email, sep, key = decoded.partition(":")
        if not sep or not email or not key:
            return False
        return (self.email is None or email == self.email) and (self.api_key is None or key == self.api_key)

    def error_body(self, status: int, message: str, fields: Sequence[tuple[str, str]] = ()) -> Any:
        return {"code": _ERROR_CODES.get(status, str(status)), "message": message, "error": message}

    def render(self, collection: str, record: dict[str, Any]) -> dict[str, Any]:
        body = {k: clone(v) for k, v in record.items() if not k.startswith("_")}
        if collection == "databases":
            body["endpoint"] = record["_slug"] if self.slug_endpoints else f"{record['_slug']}.upstash.io"
        return body

    # ---- helpers ---------------------------------------------------------------------------------

    def _database(self, request: ApiRequest) -> dict[str, Any]:
        database = self.store.get("databases", request.path_params["id"])
        if database is None:
            raise ApiError(404, f"database {request.path_params['id']} not found")
        return database

    def _free_databases(self, exclude: str | None = None) -> int:
        return sum(1 for d in self.store.values("databases") if d["type"] == "free" and d["database_id"] != exclude)

    def _check_free_allowance(self, exclude: str | None = None) -> None:
        limit = self.free_database_limit
        if limit is not None and self._free_databases(exclude) >= limit:
            raise ApiError(400, f"free tier allows {limit} free database(s) per account; delete one or choose a paid plan")

    def _settle(self, request: ApiRequest, database: dict[str, Any]) -> None:
        if self.touch(request, database["database_id"]):
            database["modifying_state"] = ""

    def _new_credentials(self, database: dict[str, Any]) -> None:
        database["password"] = self.ids.secret(32)
        database["rest_token"] = "A" + self.ids.secret(63)
        database["read_only_rest_token"] = "Ag" + self.ids.secret(62)

    # ---- databases -------------------------------------------------------------------------------

    @handles("createDatabase")
    def create_database(self, request: ApiRequest) -> Reply:
        body = request.body
        plan = body.get("plan", "free")
        if plan == "free":
            self._check_free_allowance()
            if body.get("read_regions"):
                raise ApiError(400, "read regions are not available on the free plan")
        if body["primary_region"] in (body.get("read_regions") or []):
            raise ApiError(400, "read_regions must not include the primary region")
        database_id = self.ids.uuid()
        slug = self.ids.words(5)
        read_regions = list(body.get("read_regions") or [])
        database = {
            "database_id": database_id,
            "database_name": body["database_name"],
            "database_type": "Free" if plan == "free" else "Pay as You Go",
            "region": "global",
            "port": 6379,
            "creation_time": unix_now(),
            "state": "active",
            "endpoint": f"{slug}.upstash.io",
            "_slug": slug,
            "tls": True,
            "eviction": bool(body.get("eviction", False)),
            "auto_upgrade": False,
            "consistent": False,
            "modifying_state": "creating" if self.readiness_polls else "",
            "type": "free" if plan == "free" else ("payg" if plan == "payg" else "pro"),
            "budget": int(body.get("budget", 0 if plan == "free" else 360)),
            "primary_region": body["primary_region"],
            "primary_members": [body["primary_region"]],
            "all_members": [body["primary_region"], *read_regions],
            "read_regions": read_regions,
            "db_max_clients": 10000 if plan == "free" else 100000,
            "db_max_request_size": 10485760,
            "db_disk_threshold": 268435456 if plan == "free" else 107374182400,
            "db_max_entry_size": 104857600,
            "db_memory_threshold": 268435456 if plan == "free" else 3221225472,
            "db_max_commands_per_second": 10000,
            "db_request_limit": 500000 if plan == "free" else 8024278031528736858,
            "daily_backup_enabled": False,
            "customer_id": self.customer_id,
            "_plan": plan,
        }
        self._new_credentials(database)
        self.store.put("databases", database_id, database)
        self.begin(database_id)
        return Reply(200, self.render("databases", database))

    @handles("listDatabases")
    def list_databases(self, request: ApiRequest) -> Reply:
        databases = self.store.values("databases")
        for database in databases:
            self._settle(request, database)
        return Reply(200, [self.render("databases", d) for d in databases])

    @handles("getDatabaseStats")
    def database_stats(self, request: ApiRequest) -> Reply:
        """The month's totals (upstash.openapi.yml `DatabaseStats`); a new database has used nothing yet."""
        database = self._database(request)
        usage = database.get("_usage") or {}
        return Reply(200, {
            "daily_net_commands": usage.get("daily_net_commands", 0),
            "total_monthly_requests": usage.get("total_monthly_requests", 0),
            "total_monthly_bandwidth": usage.get("total_monthly_bandwidth", 0),
            "current_storage": usage.get("current_storage", 0),
            "total_monthly_storage": usage.get("current_storage", 0),
            "total_monthly_billing": 0,
        })

    def set_usage(self, database_id: str, **totals: int) -> None:
        """Set what the database used this month as Upstash meters it (`total_monthly_requests`,
        `total_monthly_bandwidth` bytes, `current_storage` bytes, `daily_net_commands`)."""
        with self._lock:
            database = self.store.get("databases", database_id)
            if database is None:
                raise KeyError(database_id)
            database["_usage"] = {**(database.get("_usage") or {}), **totals}

    @handles("getDatabase")
    def get_database(self, request: ApiRequest) -> Reply:
        database = self._database(request)
        self._settle(request, database)
        body = self.render("databases", database)
        if request.query.get("credentials") == "hide":
            for key in _CREDENTIALS:
                body.pop(key, None)
        return Reply(200, body)

    @handles("deleteDatabase")
    def delete_database(self, request: ApiRequest) -> Reply:
        database = self._database(request)
        self.store.pop("databases", database["database_id"])
        self.readiness.forget(database["database_id"])
        return Reply(200, "OK")

    @handles("renameDatabase")
    def rename_database(self, request: ApiRequest) -> Reply:
        database = self._database(request)
        if not request.body["name"]:
            raise ApiError(400, "name must not be empty")
        database["database_name"] = request.body["name"]
        return Reply(200, self.render("databases", database))

    @handles("resetPassword")
    def reset_password(self, request: ApiRequest) -> Reply:
        database = self._database(request)
        self._new_credentials(database)
        return Reply(200, self.render("databases", database))

    @handles("enableTls")
    def enable_tls(self, request: ApiRequest) -> Reply:
        database = self._database(request)
        database["tls"] = True
        return Reply(200, self.render("databases", database))

    def _set_flag(self, request: ApiRequest, flag: str, value: bool) -> Reply:
        self._database(request)[flag] = value
        return Reply(200, "OK")

    @handles("enableEviction")
    def enable_eviction(self, request: ApiRequest) -> Reply:
        return self._set_flag(request, "eviction", True)

    @handles("disableEviction")
    def disable_eviction(self, request: ApiRequest) -> Reply:
        return self._set_flag(request, "eviction", False)

    @handles("enableAutoUpgrade")
    def enable_auto_upgrade(self, request: ApiRequest) -> Reply:
        return self._set_flag(request, "auto_upgrade", True)

    @handles("disableAutoUpgrade")
    def disable_auto_upgrade(self, request: ApiRequest) -> Reply:
        return self._set_flag(request, "auto_upgrade", False)

    @handles("changePlan")
    def change_plan(self, request: ApiRequest) -> Reply:
        database = self._database(request)
        plan = request.body["plan_name"]
        if request.body.get("database_id") not in (None, database["database_id"]):
            raise ApiError(400, "database_id in the body does not match the id in the path")
        if plan == "free" and database["type"] != "free":
            self._check_free_allowance(exclude=database["database_id"])
        database["_plan"] = plan
        database["type"] = "free" if plan == "free" else ("payg" if plan == "payg" else "pro")
        database["database_type"] = "Free" if plan == "free" else "Pay as You Go"
        if "auto_upgrade" in request.body:
            database["auto_upgrade"] = bool(request.body["auto_upgrade"])
        if "prod_pack_enabled" in request.body:
            database["prod_pack_enabled"] = bool(request.body["prod_pack_enabled"])
        return Reply(200, "OK")

    @handles("updateBudget")
    def update_budget(self, request: ApiRequest) -> Reply:
        database = self._database(request)
        if database["type"] == "free":
            raise ApiError(400, "a free database has no budget; change the plan first")
        database["budget"] = request.body["budget"]
        return Reply(200, "OK")

    @handles("updateRegions")
    def update_regions(self, request: ApiRequest) -> Reply:
        database = self._database(request)
        regions = list(request.body["read_regions"])
        if regions and database["type"] == "free":
            raise ApiError(400, "read regions are not available on the free plan")
        if database["primary_region"] in regions:
            raise ApiError(400, "read_regions must not include the primary region")
        database["read_regions"] = regions
        database["all_members"] = [database["primary_region"], *regions]
        return Reply(200, "OK")
