"""Supabase Management API emulator: organizations, projects, API keys and SQL, per supabase-management.openapi.json.

Behaviour, each rule with its source:
- `Authorization: Bearer <personal access token>` (platform-apis.md §6), else 401; errors are `{message}`.
- Organizations are seeded: `add_organization(slug)`. The account is on the free plan: at most two active free
  projects across the organizations (platform-apis.md §6, Supabase's billing doc "2 free projects"); a third is
  refused with 400 (the wording is UNCONFIRMED).
- Create answers 201 with status `UNKNOWN`; reads then show `COMING_UP` (at least once, longer with
  `set_readiness_delay`) and then `ACTIVE_HEALTHY` (issue 9; supabase/terraform-provider-supabase
  `internal/provider/utils.go` `waitForProjectActive` keeps polling on UNKNOWN and COMING_UP and stops at
  ACTIVE_HEALTHY). The ref is 20 lower-case letters (spec pattern). Project names are not unique.
- Deleting a project that is still provisioning (`UNKNOWN`, `COMING_UP`) is refused with 400 and must be waited
  out (issue 9 states it; Supabase's exact wording UNCONFIRMED). A delete answers 200 `{id, ref, name}`; the
  project then reads `GOING_DOWN` for `set_readiness_delay` reads, then 404 (the Terraform provider treats 404
  on delete as done).
- `GET /v1/projects/{ref}/api-keys` lists the legacy `anon` and `service_role` JWTs and the new `publishable` and
  `secret` keys; a secret key's `api_key` is masked unless `reveal=true` (supabase/cli PR #3935: "The new
  secret key is masked unless we set the reveal flag"; supabase/cli issue #4775: "mostly redacted"); the legacy
  JWTs come in full (the same issue).
- `POST /v1/projects/{ref}/database/query` (and `/read-only`) runs SQL on the project's **real** PostgreSQL
  database (`supabase_database.py`) and answers 201 with the last result's rows as a JSON array; PostgreSQL's
  refusal is 400 `Failed to run sql query: ERROR: ...`. The spec declares no body for this 201 (supabase/cli
  reads the rows from it), so the response body is not checked. A project that is not `ACTIVE_HEALTHY` has no
  database to run SQL on: 400 (wording UNCONFIRMED).
- `GET /v1/projects/{ref}/storage/buckets` lists the buckets the project's Storage API holds
  (`supabase_storage.py`).
- `GET /v1/projects/available-regions` lists the region codes of the spec's `region_selection` enum.
- `GET /v1/projects/{ref}/config/database/pooler` gives the Supavisor pooler's connection facts for the primary
  database: transaction mode on 6543 and session mode on 5432 at `aws-0-<region>.pooler.supabase.com`, user
  `postgres.<ref>` (Supabase's docs, "Connect to your database"; the Terraform provider's `pooler` data source
  reads `connection_string` per `pool_mode`). A rename (`PATCH /v1/projects/{ref}`) and a new database password
  (`PATCH .../database/password`) change the project in place.
"""

from __future__ import annotations

import base64
import json
import string
from typing import Any, Mapping, Sequence

from .base import ApiError, ApiRequest, Emulator, Reply, bearer_token, handles
from .state import clone, now_rfc3339
from .supabase_database import ProjectDatabases, QueryFailed

REGIONS = ("us-east-1", "us-east-2", "us-west-1", "us-west-2", "ap-east-1", "ap-southeast-1", "ap-northeast-1",
           "ap-northeast-2", "ap-southeast-2", "eu-west-1", "eu-west-2", "eu-west-3", "eu-north-1", "eu-central-1",
           "eu-central-2", "ca-central-1", "ap-south-1", "sa-east-1")
SMART_GROUPS = {"americas": "us-east-1", "emea": "eu-central-1", "apac": "ap-southeast-1"}
PROVISIONING = frozenset({"UNKNOWN", "COMING_UP"})
FREE_PROJECT_LIMIT = 2
STILL_PROVISIONING = "Project is still being provisioned and cannot be deleted yet; try again once it is ACTIVE_HEALTHY"
_QUERY_OPERATIONS = frozenset({"v1-run-a-query", "v1-read-only-query"})


class SupabaseEmulator(Emulator):
    """In-memory Supabase account whose projects each own a real PostgreSQL database."""

    api = "supabase"
    spec_file = "supabase-management.openapi.json"
    collections = ("organizations", "projects")
    secret_fields = frozenset({"api_key", "db_pass"})

    def __init__(self, *, postgres_admin_url: str, token: str | None = None,
                 free_project_limit: int | None = FREE_PROJECT_LIMIT, **options: Any):
        """`postgres_admin_url`: a server (and admin role) the per-project databases are created on."""
        super().__init__(**options)
        self.token = token
        self.free_project_limit = free_project_limit
        self.databases = ProjectDatabases(postgres_admin_url)
        self.storage = None  # a SupabaseStorageEmulator attaches itself here

    # ---- seeding and helpers for tests -----------------------------------------------------------

    def add_organization(self, slug: str = "stagecraft-org", name: str = "Stagecraft") -> str:
        """Seed an organization; return its slug."""
        with self._lock:
            self.store.put("organizations", slug, {"id": slug, "slug": slug, "name": name})
            return slug

    def pause(self, ref: str) -> None:
        """Pause a project as Supabase does a Free one after a week of inactivity (status `INACTIVE`, its Storage
        unreachable until restored; supabase.com/pricing, Free plan: "paused after 1 week of inactivity")."""
        with self._lock:
            self.store.get("projects", ref)["status"] = "INACTIVE"

    def project(self, ref: str) -> dict[str, Any] | None:
        """The stored project (internal shape), or None."""
        with self._lock:
            return self.store.get("projects", ref)

    def extensions(self, ref: str) -> list[str]:
        """The extensions really installed in the project's database."""
        return self.databases.extensions(ref)

    def close(self) -> None:
        """Drop the databases of every project still held (the emulated account goes away)."""
        with self._lock:
            refs = [p["ref"] for p in self.store.values("projects") if not p["_dropped"]]
        for ref in refs:
            self.databases.drop(ref)

    # ---- hooks -----------------------------------------------------------------------------------

    def authenticate(self, headers: Mapping[str, str]) -> bool:
        token = bearer_token(headers)
        return bool(token) and (self.token is None or token == self.token)

    def error_body(self, status: int, message: str, fields: Sequence[tuple[str, str]] = ()) -> Any:
        return {"message": message}

    def render(self, collection: str, record: dict[str, Any]) -> dict[str, Any]:
        return {k: clone(v) for k, v in record.items() if not k.startswith("_")}

    def _check_response(self, checked, raw, reply: Reply) -> None:
        if checked.operation is not None and checked.operation.operation_id in _QUERY_OPERATIONS \
                and reply.status == 201:
            return  # rows, which the spec leaves undeclared
        super()._check_response(checked, raw, reply)

    # ---- projects --------------------------------------------------------------------------------

    def _project(self, request: ApiRequest, *, settle: bool = True) -> dict[str, Any]:
        ref = request.path_params["ref"]
        project = self.store.get("projects", ref)
        if project is not None and settle:
            self._settle(request, project)
        if self.store.get("projects", ref) is None:
            raise ApiError(404, "Project not found")
        return project

    def _settle(self, request: ApiRequest | None, project: dict[str, Any]) -> None:
        status = project["status"]
        if status in PROVISIONING:
            project["status"] = "ACTIVE_HEALTHY" if self.touch(request, project["ref"]) else "COMING_UP"
        elif status == "GOING_DOWN" and self.touch(request, project["ref"]):
            self.store.pop("projects", project["ref"])
            self.readiness.forget(project["ref"])

    def _public(self, project: dict[str, Any]) -> dict[str, Any]:
        keys = ("id", "ref", "organization_id", "organization_slug", "name", "region", "created_at", "status")
        return {k: clone(project[k]) for k in keys}

    def _with_database(self, project: dict[str, Any]) -> dict[str, Any]:
        return {**self._public(project), "database": {
            "host": f"db.{project['ref']}.supabase.co", "version": "17.4.1.054", "postgres_engine": "17",
            "release_channel": "ga"}}

    def _new_ref(self) -> str:
        while True:
            ref = self.ids.secret(20, string.ascii_lowercase)
            if self.store.get("projects", ref) is None:
                return ref

    @handles("v1-create-a-project")
    def create_project(self, request: ApiRequest) -> Reply:
        body = request.body
        organization = self.store.get("organizations", body["organization_slug"])
        if organization is None:
            raise ApiError(404, f"Organization {body['organization_slug']} not found")
        if "region" in body and "region_selection" in body:
            raise ApiError(400, "Only one of region or region_selection can be specified")
        selection = body.get("region_selection") or {"type": "specific", "code": body.get("region", "us-east-1")}
        region = SMART_GROUPS[selection["code"]] if selection["type"] == "smartGroup" else selection["code"]
        live = [p for p in self.store.values("projects") if p["status"] != "GOING_DOWN"]
        if self.free_project_limit is not None and len(live) >= self.free_project_limit:
            raise ApiError(400, f"The free plan allows {self.free_project_limit} active projects; pause or delete "
                                "one, or upgrade the organization")
        ref = self._new_ref()
        project = {
            "id": ref, "ref": ref, "organization_id": organization["id"], "organization_slug": organization["slug"],
            "name": body["name"], "region": region, "created_at": now_rfc3339(), "status": "UNKNOWN",
            "_db_pass": body["db_pass"], "_keys": self._new_keys(ref), "_dropped": False,
            "_number": len(self.store.values("projects")) + 1_000_000,
            "_instance_size": body.get("desired_instance_size", "nano"),
        }
        self.databases.create(ref)
        self.store.put("projects", ref, project)
        self.readiness.start(ref, max(1, self.readiness_polls))
        return Reply(201, self._public(project))

    @handles("v1-list-all-projects")
    def list_projects(self, request: ApiRequest) -> Reply:
        for project in self.store.values("projects"):
            self._settle(request, project)
        return Reply(200, [self._with_database(p) for p in self.store.values("projects")])

    @handles("v1-get-project")
    def get_project(self, request: ApiRequest) -> Reply:
        return Reply(200, self._with_database(self._project(request)))

    @handles("v1-delete-a-project")
    def delete_project(self, request: ApiRequest) -> Reply:
        project = self._project(request, settle=False)
        if project["status"] in PROVISIONING:
            raise ApiError(400, STILL_PROVISIONING)
        if project["status"] != "GOING_DOWN":
            project["status"] = "GOING_DOWN"
            self.databases.drop(project["ref"])
            project["_dropped"] = True
            if self.storage is not None:
                self.storage.forget_project(project["ref"])
            self.begin(project["ref"])
        return Reply(200, {"id": project["_number"], "ref": project["ref"], "name": project["name"]})

    @handles("v1-update-a-project")
    def update_project(self, request: ApiRequest) -> Reply:
        project = self._project(request)
        project["name"] = request.body["name"]
        return Reply(200, {"id": project["_number"], "ref": project["ref"], "name": project["name"]})

    @handles("v1-update-database-password")
    def update_database_password(self, request: ApiRequest) -> Reply:
        project = self._project(request)
        project["_db_pass"] = request.body["password"]
        return Reply(200, {"message": "Successfully updated database password"})

    @handles("v1-get-pooler-config")
    def pooler_config(self, request: ApiRequest) -> Reply:
        project = self._project(request)
        host = f"aws-0-{project['region']}.pooler.supabase.com"
        user = f"postgres.{project['ref']}"
        return Reply(200, [
            {"identifier": project["ref"], "database_type": "PRIMARY", "is_using_scram_auth": True, "db_user": user,
             "db_host": host, "db_port": port, "db_name": "postgres", "pool_mode": mode,
             "connection_string": f"postgresql://{user}:[YOUR-PASSWORD]@{host}:{port}/postgres",
             "connectionString": f"postgresql://{user}:[YOUR-PASSWORD]@{host}:{port}/postgres",
             "default_pool_size": 15, "max_client_conn": 200}
            for mode, port in (("transaction", 6543), ("session", 5432))])

    @handles("v1-get-available-regions")
    def available_regions(self, request: ApiRequest) -> Reply:
        specific = [{"name": code, "code": code, "type": "specific", "provider": "AWS"} for code in REGIONS]
        groups = [{"name": code.upper(), "code": code, "type": "smartGroup"} for code in SMART_GROUPS]
        return Reply(200, {"recommendations": {"smartGroup": groups[0], "specific": specific[:1]},
                           "all": {"smartGroup": groups, "specific": specific}})

    @handles("v1-list-all-organizations")
    def list_organizations(self, request: ApiRequest) -> Reply:
        return Reply(200, [self.render("organizations", o) for o in self.store.values("organizations")])

    # ---- api keys --------------------------------------------------------------------------------

    def _new_keys(self, ref: str) -> list[dict[str, Any]]:
        now = now_rfc3339()

        def jwt(role: str) -> str:
            part = lambda data: base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")  # noqa: E731
            return ".".join((part({"alg": "HS256", "typ": "JWT"}), part({"iss": "supabase", "ref": ref, "role": role}),
                             self.ids.secret(43, string.ascii_letters + string.digits + "-_")))

        def key(name: str, kind: str, value: str, prefix: str | None) -> dict[str, Any]:
            return {"id": self.ids.uuid() if kind != "legacy" else name, "name": name, "type": kind, "api_key": value,
                    "prefix": prefix, "description": None, "hash": None, "inserted_at": now, "updated_at": now}

        return [
            key("anon", "legacy", jwt("anon"), None),
            key("service_role", "legacy", jwt("service_role"), None),
            key("default", "publishable", "sb_publishable_" + self.ids.secret(31), "sb_publishable_"),
            key("default", "secret", "sb_secret_" + self.ids.secret(31), "sb_secret_"),
        ]

    def project_keys(self, ref: str) -> list[dict[str, Any]]:
        """A project's keys, unmasked (for the Storage API emulator and tests)."""
        with self._lock:
            project = self.store.get("projects", ref)
            return clone(project["_keys"]) if project and project["status"] != "GOING_DOWN" else []

    @handles("v1-get-project-api-keys")
    def get_api_keys(self, request: ApiRequest) -> Reply:
        project = self._project(request)
        reveal = bool(request.query.get("reveal"))
        keys = clone(project["_keys"])
        for key in keys:
            if key["type"] == "secret" and not reveal:
                key["api_key"] = key["api_key"][:len("sb_secret_") + 4] + "·" * 12
        return Reply(200, keys)

    # ---- SQL -------------------------------------------------------------------------------------

    def _run(self, request: ApiRequest, read_only: bool) -> Reply:
        project = self._project(request)
        if project["status"] != "ACTIVE_HEALTHY":
            raise ApiError(400, f"Project is {project['status']}; its database accepts SQL once it is ACTIVE_HEALTHY")
        body = request.body
        try:
            rows = self.databases.query(project["ref"], body["query"], body.get("parameters"),
                                        read_only=read_only or bool(body.get("read_only")))
        except QueryFailed as exc:
            raise ApiError(400, f"Failed to run sql query: {exc}") from None
        return Reply(201, rows)

    @handles("v1-run-a-query")
    def run_query(self, request: ApiRequest) -> Reply:
        return self._run(request, read_only=False)

    @handles("v1-read-only-query")
    def run_read_only_query(self, request: ApiRequest) -> Reply:
        return self._run(request, read_only=True)

    # ---- storage (listing only; the Storage API owns buckets) ------------------------------------

    @handles("v1-list-all-buckets")
    def list_buckets(self, request: ApiRequest) -> Reply:
        project = self._project(request)
        buckets = self.storage.buckets_of(project["ref"]) if self.storage is not None else []
        return Reply(200, [{k: b[k] for k in ("id", "name", "owner", "created_at", "updated_at", "public")}
                           for b in buckets])
