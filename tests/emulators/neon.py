"""Neon API v2 emulator: projects (seeded, read), branches, compute endpoints, roles, databases, operations.

Per neon.openapi.json (OpenAPI 3.0.3). Behaviour, as the real service shows it:
- `Authorization: Bearer <api key>`, else 401; errors are `GeneralError {code, message, request_id}`.
- The project itself is created outside (by the official pulumi-neon provider): seed it with
  `add_project(name) -> project_id`. It comes with a default branch `main`, role `neondb_owner`,
  database `neondb` and a read-write endpoint, like a new Neon project.
- Mutations answer with the resource plus an `operations` array (`create_branch`, `start_compute`,
  `apply_config`, ...). Operations report `running` until finished; branches report `init` until `ready`
  and endpoints `init` until `active`; a resource and the operations that create it become ready together
  (after `set_readiness_delay` reads of either).
- A new branch starts from the default branch unless `parent_id` is given, and inherits the parent's roles
  (same passwords) and databases. A schema-only branch (`init_source`) is a new root branch (`neon_rules.py`).
- Names are unique: branch names per project, role and database names per branch, and one read-write
  endpoint per branch; a duplicate is `409` (the status neonctl users see for "branch already exists").
- GET of a missing branch, endpoint, role or database is 404; DELETE of one answers 204 (the spec says so:
  "Returned if the ... doesn't exist or has already been deleted"). A missing project is 404 everywhere.
- A missing resource referenced in the request body (parent branch, endpoint branch, database owner) is 400.
  Deleting the default branch or a branch with children is refused with 400 (Neon refuses both; the exact
  status is UNCONFIRMED).
- Branch annotations: `annotation_value` on create (AnnotationCreateValueRequest) is stored and returned by
  GET (`annotation`) and by the list (`annotations`, keyed by branch id), per the spec's response schemas.
- Plan refusals, the 423 lock while operations run, failed operations that Neon retries, and Neon's own
  operations: `neon_rules.py` (sources there). The account is on the Free plan unless `plan=` says otherwise.

Control (also over HTTP: `POST /__emulator__/actions/<name>`): `idle_endpoint(endpoint_id)` suspends a compute
as Neon does after inactivity; `hold_operations(project_id, requests)` starts a Neon-initiated operation that
keeps running (the project locked, 423) through the next that many requests to the project, reads included;
`fail_next_operation(failures, action)` makes the next operation fail that many times before Neon's retry
finishes it; `set_plan(plan)`.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from .base import ApiError, ApiRequest, Emulator, Reply, handles
from .neon_rules import (
    FREE_PLAN,
    INIT_SOURCES,
    LOCKED,
    PLANS,
    RETRIED_ERROR,
    ROOT_BRANCHES,
    SCHEMA_ONLY,
    as_the_plan_reports,
    is_open,
    plan_refusal,
)
from .state import clone, now_rfc3339

_ROLE_NAME_MAX_BYTES = 63


class NeonEmulator(Emulator):
    """In-memory Neon account."""

    api = "neon"
    spec_file = "neon.openapi.json"
    collections = ("projects", "branches", "endpoints", "roles", "databases", "operations")
    secret_fields = frozenset({"password", "connection_uri"})
    control_actions = ("idle_endpoint", "hold_operations", "fail_next_operation", "set_plan")

    def __init__(self, *, api_key: str | None = None, plan: str = FREE_PLAN, **options: Any):
        super().__init__(**options)
        self.api_key = api_key
        self.plan = plan
        self._armed_failures: list[tuple[str | None, int]] = []
        self._owner_id = self.ids.uuid()
        self._next_database_id = 1_000_000

    # ---- seeding ---------------------------------------------------------------------------------

    def add_project(
        self,
        name: str,
        *,
        region_id: str = "aws-us-east-2",
        pg_version: int = 17,
        default_branch: str = "main",
        database: str = "neondb",
        role: str = "neondb_owner",
    ) -> str:
        """Create a ready project with its default branch, role, database and endpoint; return its id."""
        with self._lock:
            now = now_rfc3339()
            project_id = self.ids.words()
            project = {
                "id": project_id,
                "platform_id": region_id.split("-", 1)[0],
                "region_id": region_id,
                "name": name,
                "provisioner": "k8s-neonvm",
                "default_endpoint_settings": {
                    "autoscaling_limit_min_cu": 0.25,
                    "autoscaling_limit_max_cu": 2,
                    "suspend_timeout_seconds": 0,
                },
                "settings": {},
                "pg_version": pg_version,
                "proxy_host": self._proxy_host(region_id),
                "branch_logical_size_limit": 512,
                "branch_logical_size_limit_bytes": 512 * 1024 * 1024,
                "store_passwords": True,
                "cpu_used_sec": 0,
                "active_time_seconds": 0,
                "compute_time_seconds": 0,
                "written_data_bytes": 0,
                "data_transfer_bytes": 0,
                "data_storage_bytes_hour": 0,
                "creation_source": "console",
                "history_retention_seconds": 21600,
                "created_at": now,
                "updated_at": now,
                "consumption_period_start": now,
                "consumption_period_end": now,
                "owner_id": self._owner_id,
            }
            self.store.put("projects", project_id, project)
            branch = self._new_branch(project, default_branch, parent=None, now=now)
            branch.update(current_state="ready", default=True)
            branch.pop("pending_state", None)
            self._new_role(branch, role, now)
            self._new_database(branch, database, role, now)
            endpoint = self._new_endpoint(project, branch["id"], "read_write", {}, now)
            endpoint["current_state"] = "idle"
            endpoint.pop("pending_state", None)
            return project_id

    # ---- control: what Neon does on its own --------------------------------------------------------

    def set_plan(self, plan: str) -> str:
        """Put the account on another plan (`free`, `launch`, `scale`, `business`)."""
        if plan not in PLANS:
            raise ValueError(f"plan must be one of {', '.join(PLANS)}")
        self.plan = plan
        return plan

    def set_consumption(self, project_id: str, **figures: int) -> None:
        """Set the project's consumption for the current period as Neon meters it on its own (`compute_time_seconds`,
        `data_transfer_bytes`, `synthetic_storage_size`, ...: the `Project` fields getProject returns)."""
        with self._lock:
            project = self.store.get("projects", project_id)
            unknown = sorted(set(figures) - set(project) - {"synthetic_storage_size"})
            if unknown:
                raise ValueError(f"not consumption fields of a project: {', '.join(unknown)}")
            project.update(figures)

    def idle_endpoint(self, endpoint_id: str) -> str:
        """Suspend a compute as Neon does after `suspend_timeout_seconds` of inactivity (scale to zero)."""
        with self._lock:
            endpoint = self.store.get("endpoints", endpoint_id)
            if endpoint is None:
                raise KeyError(f"no endpoint {endpoint_id!r} in this emulator")
            now = now_rfc3339()
            endpoint.update(current_state="idle", suspended_at=now, updated_at=now)
            endpoint.pop("pending_state", None)
            op = self._operation(endpoint["project_id"], "suspend_compute", "", branch_id=endpoint["branch_id"],
                                 endpoint_id=endpoint_id, finished=True)
            return endpoint_id

    def hold_operations(self, project_id: str, requests: int = 1, action: str = "check_availability") -> str:
        """Start a Neon-initiated operation that runs through the next `requests` requests to the project."""
        with self._lock:
            branch_id = self.default_branch_id(project_id)
            return self._operation(project_id, action, "", branch_id=branch_id, held=max(1, int(requests)))["id"]

    def fail_next_operation(self, failures: int = 1, action: str | None = None) -> None:
        """Make the next operation (of `action`, or any) report `failed` `failures` times before Neon retries it."""
        with self._lock:
            self._armed_failures.append((action, max(1, int(failures))))

    def default_branch_id(self, project_id: str) -> str:
        """The id of a project's default branch."""
        with self._lock:
            branch = next(
                (b for b in self.store.values("branches") if b["project_id"] == project_id and b["default"]), None
            )
            if branch is None:
                raise KeyError(f"no project {project_id!r} in this emulator; create one with add_project(name)")
            return branch["id"]

    # ---- hooks -----------------------------------------------------------------------------------

    def authenticate(self, headers: Mapping[str, str]) -> bool:
        value = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
        scheme, _, token = value.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return False
        return self.api_key is None or token.strip() == self.api_key

    def error_body(self, status: int, message: str, fields: Sequence[tuple[str, str]] = ()) -> Any:
        return {"request_id": self.ids.uuid(), "code": "", "message": message}

    def render(self, collection: str, record: dict[str, Any]) -> dict[str, Any]:
        body = {k: clone(v) for k, v in record.items() if not k.startswith("_")}
        return as_the_plan_reports(self.plan, body) if collection == "endpoints" else body

    # ---- lookups ---------------------------------------------------------------------------------

    @staticmethod
    def _proxy_host(region_id: str) -> str:
        platform, _, region = region_id.partition("-")
        return f"{region}.{platform}.neon.tech"

    def _project(self, request: ApiRequest) -> dict[str, Any]:
        project = self.store.get("projects", request.path_params["project_id"])
        if project is None:
            raise ApiError(404, f"project {request.path_params['project_id']} not found")
        try:
            if request.method != "GET":
                self._refuse_while_locked(project["id"])
        finally:
            self._let_held_operations_run(project["id"])
        return project

    def _refuse_while_locked(self, project_id: str) -> None:
        """423 while any operation of the project is not terminal (neon_rules: the project lock)."""
        now = now_rfc3339()
        locked = False
        for op in self.store.values("operations"):
            if op["project_id"] != project_id or not is_open(op):
                continue
            if op["status"] in ("scheduling", "running") and not op.get("_failures_left") and not op.get("_held") \
                    and self.is_ready(op["_group"]):
                op.update(status="finished", updated_at=now)  # done by now; nobody has read it yet
            else:
                locked = True
        if locked:
            raise ApiError(423, LOCKED)

    def _let_held_operations_run(self, project_id: str) -> None:
        """One request's worth of time passes for the project's held operations."""
        for op in self.store.values("operations"):
            if op["project_id"] == project_id and op.get("_held"):
                op["_held"] -= 1
                if not op["_held"]:
                    op.update(status="finished", updated_at=now_rfc3339())

    def _refuse_on_plan(self, settings: Mapping[str, Any]) -> None:
        refusal = plan_refusal(self.plan, settings)
        if refusal:
            raise ApiError(400, refusal)

    def _branch(self, request: ApiRequest, project: dict[str, Any], *, missing: int = 404) -> dict[str, Any]:
        branch = self.store.get("branches", request.path_params["branch_id"])
        if branch is None or branch["project_id"] != project["id"]:
            raise ApiError(missing, f"branch {request.path_params['branch_id']} not found")
        return branch

    def _endpoint(self, request: ApiRequest, project: dict[str, Any]) -> dict[str, Any] | None:
        endpoint = self.store.get("endpoints", request.path_params["endpoint_id"])
        if endpoint is None or endpoint["project_id"] != project["id"]:
            return None
        return endpoint

    def _branch_items(self, collection: str, branch_id: str) -> list[dict[str, Any]]:
        return [r for r in self.store.values(collection) if r["branch_id"] == branch_id]

    # ---- readiness -------------------------------------------------------------------------------

    def _settle(self, request: ApiRequest | None, key: str) -> None:
        """Consume a read of `key` and promote everything in that readiness group that became ready.

        An operation armed to fail reports `failed` at each read until Neon's retry (`retry_at`) takes it up.
        """
        ready = self.touch(request, key)
        now = now_rfc3339()
        retried = set()
        for op in self.store.values("operations"):
            if op["_group"] != key or not is_open(op) or request is None:
                continue
            if op.get("_failures_left"):
                op["_failures_left"] -= 1
                op.update(status="failed", error=RETRIED_ERROR, updated_at=now,
                          failures_count=op["failures_count"] + 1)
                retried.add(op["id"])
            elif op["status"] == "failed":
                op.update(status="running", retry_at=now, updated_at=now)
                op.pop("error", None)
                retried.add(op["id"])
        if not ready:
            return
        branch = self.store.get("branches", key)
        if branch is not None and branch["current_state"] == "init":
            branch.update(current_state="ready", state_changed_at=now, updated_at=now)
            branch.pop("pending_state", None)
        endpoint = self.store.get("endpoints", key)
        if endpoint is not None and endpoint["current_state"] == "init":
            endpoint.update(current_state=endpoint.pop("pending_state", "active"), updated_at=now, started_at=now)
        for op in self.store.values("operations"):
            if op["_group"] == key and op["status"] in ("scheduling", "running") and op["id"] not in retried \
                    and not op.get("_held"):
                op.update(status="finished", updated_at=now, total_duration_ms=op["total_duration_ms"] + 1)

    def _operation(self, project_id: str, action: str, group: str, *, branch_id: str | None = None,
                   endpoint_id: str | None = None, finished: bool = False, held: int = 0) -> dict[str, Any]:
        """A new operation: running (finished when its readiness group is), or already `finished`."""
        now = now_rfc3339()
        op = {
            "id": self.ids.uuid(),
            "project_id": project_id,
            "action": action,
            "status": "finished" if finished else "running",
            "failures_count": 0,
            "created_at": now,
            "updated_at": now,
            "total_duration_ms": 0,
            "_group": group,
        }
        if branch_id:
            op["branch_id"] = branch_id
        if endpoint_id:
            op["endpoint_id"] = endpoint_id
        if held:
            op["_held"] = held
        for index, (armed_action, failures) in enumerate(self._armed_failures if not (finished or held) else []):
            if armed_action in (None, action):
                op["_failures_left"] = failures
                del self._armed_failures[index]
                break
        self.store.put("operations", op["id"], op)
        return op

    def _config_operations(self, branch: dict[str, Any]) -> list[dict[str, Any]]:
        """`apply_config` on each endpoint of a branch (what role/database changes trigger)."""
        ops = []
        for endpoint in self._branch_items("endpoints", branch["id"]):
            op = self._operation(branch["project_id"], "apply_config", "", branch_id=branch["id"], endpoint_id=endpoint["id"])
            op["_group"] = op["id"]
            self.begin(op["id"])
            ops.append(op)
        return ops

    def _ops(self, ops: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [self.render("operations", op) for op in ops]

    # ---- constructors ----------------------------------------------------------------------------

    def _new_branch(self, project: dict[str, Any], name: str, parent: dict[str, Any] | None, now: str) -> dict[str, Any]:
        branch_id = "br-" + self.ids.words()
        branch = {
            "id": branch_id,
            "project_id": project["id"],
            "name": name,
            "current_state": "init",
            "pending_state": "ready",
            "state_changed_at": now,
            "logical_size": 30 * 1024 * 1024,
            "creation_source": "console",
            "primary": False,
            "default": False,
            "protected": False,
            "cpu_used_sec": 0,
            "compute_time_seconds": 0,
            "active_time_seconds": 0,
            "written_data_bytes": 0,
            "data_transfer_bytes": 0,
            "created_at": now,
            "updated_at": now,
            "init_source": "parent-data",
            "_annotation": {},
        }
        if parent is not None:
            branch["parent_id"] = parent["id"]
            branch["parent_lsn"] = f"0/{self.ids.integer(0x1000000, 0xFFFFFFF):X}"
            branch["parent_timestamp"] = now
        self.store.put("branches", branch_id, branch)
        return branch

    def _refuse_another_root(self, project: dict[str, Any], parent_id: str | None) -> None:
        """A schema-only branch names its schema source and is a new root branch, within the plan's allowance."""
        if not parent_id:
            raise ApiError(400, "parent_id is required for a schema-only branch (the branch whose schema is copied)")
        roots = [b for b in self.store.values("branches") if b["project_id"] == project["id"] and not b.get("parent_id")]
        allowed = ROOT_BRANCHES.get(self.plan, ROOT_BRANCHES["free"])
        if len(roots) >= allowed:
            raise ApiError(422, f"root branches limit exceeded: the {self.plan} plan allows {allowed} root branches "
                                f"per project")

    def _new_role(self, branch: dict[str, Any], name: str, now: str, password: str | None = None) -> dict[str, Any]:
        role = {
            "branch_id": branch["id"],
            "name": name,
            "protected": False,
            "created_at": now,
            "updated_at": now,
            "_password": password or self.ids.secret(12),
        }
        self.store.put("roles", f"{branch['id']}/{name}", role)
        return role

    def _new_database(self, branch: dict[str, Any], name: str, owner: str, now: str) -> dict[str, Any]:
        self._next_database_id += 1
        database = {
            "id": self._next_database_id,
            "branch_id": branch["id"],
            "name": name,
            "owner_name": owner,
            "created_at": now,
            "updated_at": now,
        }
        self.store.put("databases", f"{branch['id']}/{name}", database)
        return database

    def _new_endpoint(self, project: dict[str, Any], branch_id: str, kind: str, options: Mapping[str, Any],
                      now: str) -> dict[str, Any]:
        defaults = project["default_endpoint_settings"]
        endpoint_id = "ep-" + self.ids.words()
        region = project["region_id"].partition("-")[2]
        endpoint = {
            "host": f"{endpoint_id}.{region}.{project['platform_id']}.neon.tech",
            "id": endpoint_id,
            "project_id": project["id"],
            "branch_id": branch_id,
            "autoscaling_limit_min_cu": options.get("autoscaling_limit_min_cu", defaults["autoscaling_limit_min_cu"]),
            "autoscaling_limit_max_cu": options.get("autoscaling_limit_max_cu", defaults["autoscaling_limit_max_cu"]),
            "region_id": project["region_id"],
            "type": kind,
            "current_state": "init",
            "pending_state": "active",
            "settings": clone(options.get("settings") or {}),
            "pooler_enabled": bool(options.get("pooler_enabled", False)),
            "pooler_mode": options.get("pooler_mode", "transaction"),
            "disabled": bool(options.get("disabled", False)),
            "passwordless_access": bool(options.get("passwordless_access", True)),
            "creation_source": "console",
            "created_at": now,
            "updated_at": now,
            "proxy_host": project["proxy_host"],
            "suspend_timeout_seconds": options.get("suspend_timeout_seconds", defaults["suspend_timeout_seconds"]),
            "provisioner": options.get("provisioner", project["provisioner"]),
        }
        if options.get("name"):
            endpoint["name"] = options["name"]
        self.store.put("endpoints", endpoint_id, endpoint)
        return endpoint

    def _check_compute(self, settings: Mapping[str, Any], current: Mapping[str, Any]) -> None:
        low = settings.get("autoscaling_limit_min_cu", current.get("autoscaling_limit_min_cu"))
        high = settings.get("autoscaling_limit_max_cu", current.get("autoscaling_limit_max_cu"))
        if low is not None and high is not None and low > high:
            raise ApiError(400, "autoscaling_limit_min_cu must be less than or equal to autoscaling_limit_max_cu")

    # ---- projects --------------------------------------------------------------------------------

    @handles("getProject")
    def get_project(self, request: ApiRequest) -> Reply:
        return Reply(200, {"project": self.render("projects", self._project(request))})

    @handles("listProjects")
    def list_projects(self, request: ApiRequest) -> Reply:
        search = request.query.get("search")
        items = []
        for project in self.store.values("projects"):
            if search and search not in project["name"] and search not in project["id"]:
                continue
            item = {k: v for k, v in self.render("projects", project).items()
                    if k not in ("consumption_period_start", "consumption_period_end", "data_storage_bytes_hour",
                                 "data_transfer_bytes", "written_data_bytes", "compute_time_seconds",
                                 "active_time_seconds")}
            item["active_time"] = project["active_time_seconds"]
            items.append(item)
        limit = request.query.get("limit")
        if limit:
            items = items[:limit]
        return Reply(200, {"projects": items, "applications": {}, "integrations": {}})

    # ---- operations ------------------------------------------------------------------------------

    @handles("getProjectOperation")
    def get_operation(self, request: ApiRequest) -> Reply:
        project = self._project(request)
        op = self.store.get("operations", request.path_params["operation_id"])
        if op is None or op["project_id"] != project["id"]:
            raise ApiError(404, f"operation {request.path_params['operation_id']} not found")
        self._settle(request, op["_group"])
        return Reply(200, {"operation": self.render("operations", op)})

    @handles("listProjectOperations")
    def list_operations(self, request: ApiRequest) -> Reply:
        project = self._project(request)
        ops = [op for op in self.store.values("operations") if op["project_id"] == project["id"]]
        for group in {op["_group"] for op in ops}:
            self._settle(request, group)
        ops.reverse()
        page, next_cursor = _paginate(ops, request.query, key="id")
        body: dict[str, Any] = {"operations": [self.render("operations", op) for op in page]}
        if next_cursor:
            body["pagination"] = {"cursor": next_cursor}
        return Reply(200, body)

    # ---- branches --------------------------------------------------------------------------------

    def _branch_body(self, branch: dict[str, Any]) -> dict[str, Any]:
        return self.render("branches", branch)

    @handles("createProjectBranch")
    def create_branch(self, request: ApiRequest) -> Reply:
        project = self._project(request)
        body = request.body or {}
        spec = body.get("branch") or {}
        parent_id = spec.get("parent_id")
        init_source = spec.get("init_source") or "parent-data"
        if init_source not in INIT_SOURCES:
            raise ApiError(400, f"init_source must be one of {', '.join(INIT_SOURCES)}")
        if init_source == SCHEMA_ONLY:
            self._refuse_another_root(project, parent_id)
        if parent_id:
            parent = self.store.get("branches", parent_id)
            if parent is None or parent["project_id"] != project["id"]:
                raise ApiError(400, f"parent branch {parent_id} not found in project {project['id']}")
        else:
            parent = next(b for b in self.store.values("branches") if b["project_id"] == project["id"] and b["default"])
        name = spec.get("name")
        if name and any(b["project_id"] == project["id"] and b["name"] == name for b in self.store.values("branches")):
            raise ApiError(409, "branch already exists")
        for index, options in enumerate(body.get("endpoints") or []):
            self._refuse_on_plan(options)
            self._check_compute(options, project["default_endpoint_settings"])
            if options.get("type") == "read_write" and any(
                (o or {}).get("type") == "read_write" for o in (body.get("endpoints") or [])[:index]
            ):
                raise ApiError(409, "a branch can have only one read_write endpoint")
        now = now_rfc3339()
        branch = self._new_branch(project, name or "", None if init_source == SCHEMA_ONLY else parent, now)
        branch["init_source"] = init_source
        if not name:
            branch["name"] = branch["id"]
        branch["protected"] = bool(spec.get("protected", False))
        branch["_annotation"] = clone(body.get("annotation_value") or {})
        self.begin(branch["id"])
        ops = [self._operation(project["id"], "create_branch", branch["id"], branch_id=branch["id"])]
        roles = [self._new_role(branch, r["name"], now, r["_password"]) for r in self._branch_items("roles", parent["id"])]
        databases = [
            self._new_database(branch, d["name"], d["owner_name"], now) for d in self._branch_items("databases", parent["id"])
        ]
        endpoints = []
        for options in body.get("endpoints") or []:
            endpoint = self._new_endpoint(project, branch["id"], options["type"], options, now)
            self.begin(endpoint["id"])
            ops.append(self._operation(project["id"], "start_compute", endpoint["id"], branch_id=branch["id"],
                                       endpoint_id=endpoint["id"]))
            endpoints.append(endpoint)
        reply: dict[str, Any] = {
            "branch": self._branch_body(branch),
            "endpoints": [self.render("endpoints", e) for e in endpoints],
            "operations": self._ops(ops),
            "roles": [self.render("roles", r) | {"password": r["_password"]} for r in roles],
            "databases": [self.render("databases", d) for d in databases],
        }
        if endpoints and len(roles) == 1 and len(databases) == 1:
            role, database, host = roles[0], databases[0], endpoints[0]["host"]
            reply["connection_uris"] = [{
                "connection_uri": f"postgresql://{role['name']}:{role['_password']}@{host}/{database['name']}?sslmode=require",
                "connection_parameters": {
                    "database": database["name"],
                    "password": role["_password"],
                    "role": role["name"],
                    "host": host,
                    "pooler_host": host.replace(endpoints[0]["id"], endpoints[0]["id"] + "-pooler", 1),
                },
            }]
        return Reply(201, reply)

    @handles("getProjectBranch")
    def get_branch(self, request: ApiRequest) -> Reply:
        project = self._project(request)
        branch = self._branch(request, project)
        self._settle(request, branch["id"])
        annotation = {"object": {"type": "console/branch", "id": branch["id"]}, "value": clone(branch["_annotation"])}
        return Reply(200, {"branch": self._branch_body(branch), "annotation": annotation})

    @handles("listProjectBranches")
    def list_branches(self, request: ApiRequest) -> Reply:
        project = self._project(request)
        search = request.query.get("search")
        branches = []
        for branch in self.store.values("branches"):
            if branch["project_id"] != project["id"]:
                continue
            if search and search not in branch["name"] and search not in branch["id"]:
                continue
            self._settle(request, branch["id"])
            branches.append(branch)
        sort_by = request.query.get("sort_by", "updated_at")
        descending = request.query.get("sort_order", "desc") == "desc"
        branches.sort(key=lambda b: (b[sort_by], b["id"]), reverse=descending)
        page, next_cursor = _paginate(branches, request.query, key="id")
        pagination: dict[str, Any] = {"sort_by": sort_by, "sort_order": "desc" if descending else "asc"}
        if next_cursor:
            pagination["next"] = next_cursor
        return Reply(200, {
            "branches": [self._branch_body(b) for b in page],
            "annotations": {
                b["id"]: {"object": {"type": "console/branch", "id": b["id"]}, "value": clone(b["_annotation"])}
                for b in page if b["_annotation"]
            },
            "pagination": pagination,
        })

    @handles("countProjectBranches")
    def count_branches(self, request: ApiRequest) -> Reply:
        project = self._project(request)
        search = request.query.get("search")
        count = sum(
            1 for b in self.store.values("branches")
            if b["project_id"] == project["id"] and (not search or search in b["name"] or search in b["id"])
        )
        return Reply(200, {"count": count})

    @handles("updateProjectBranch")
    def update_branch(self, request: ApiRequest) -> Reply:
        project = self._project(request)
        branch = self._branch(request, project)
        changes = (request.body or {}).get("branch") or {}
        name = changes.get("name")
        if name is not None and name != branch["name"]:
            if any(b["project_id"] == project["id"] and b["name"] == name for b in self.store.values("branches")):
                raise ApiError(409, "branch already exists")
            branch["name"] = name
        if "protected" in changes:
            branch["protected"] = bool(changes["protected"])
        if "expires_at" in changes:
            if changes["expires_at"] is None:
                branch.pop("expires_at", None)
            else:
                branch["expires_at"] = changes["expires_at"]
        branch["updated_at"] = now_rfc3339()
        return Reply(200, {"branch": self._branch_body(branch), "operations": []})

    @handles("deleteProjectBranch")
    def delete_branch(self, request: ApiRequest) -> Reply:
        project = self._project(request)
        branch = self.store.get("branches", request.path_params["branch_id"])
        if branch is None or branch["project_id"] != project["id"]:
            return Reply(204)
        if branch["default"]:
            raise ApiError(400, "the default branch cannot be deleted")
        if any(b.get("parent_id") == branch["id"] for b in self.store.values("branches")):
            raise ApiError(400, "a branch with child branches cannot be deleted; delete the children first")
        ops = []
        for endpoint in self._branch_items("endpoints", branch["id"]):
            op = self._operation(project["id"], "suspend_compute", "", branch_id=branch["id"],
                                 endpoint_id=endpoint["id"], finished=True)
            ops.append(op)
            self.store.pop("endpoints", endpoint["id"])
            self.readiness.forget(endpoint["id"])
        for collection in ("roles", "databases"):
            for item in self._branch_items(collection, branch["id"]):
                self.store.pop(collection, f"{branch['id']}/{item['name']}")
        delete_op = self._operation(project["id"], "delete_timeline", "", branch_id=branch["id"], finished=True)
        ops.append(delete_op)
        self.store.pop("branches", branch["id"])
        self.readiness.forget(branch["id"])
        return Reply(200, {"branch": self._branch_body(branch), "operations": self._ops(ops)})

    # ---- endpoints -------------------------------------------------------------------------------

    @handles("createProjectEndpoint")
    def create_endpoint(self, request: ApiRequest) -> Reply:
        project = self._project(request)
        options = (request.body or {}).get("endpoint") or {}
        branch = self.store.get("branches", options.get("branch_id", ""))
        if branch is None or branch["project_id"] != project["id"]:
            raise ApiError(400, f"branch {options.get('branch_id')} not found in project {project['id']}")
        if options.get("region_id") and options["region_id"] != project["region_id"]:
            raise ApiError(400, f"region_id must be the project's region ({project['region_id']})")
        if options["type"] == "read_write" and any(
            e["type"] == "read_write" for e in self._branch_items("endpoints", branch["id"])
        ):
            raise ApiError(409, f"branch {branch['id']} already has a read_write endpoint")
        self._refuse_on_plan(options)
        self._check_compute(options, project["default_endpoint_settings"])
        endpoint = self._new_endpoint(project, branch["id"], options["type"], options, now_rfc3339())
        self.begin(endpoint["id"])
        op = self._operation(project["id"], "start_compute", endpoint["id"], branch_id=branch["id"],
                             endpoint_id=endpoint["id"])
        return Reply(201, {"endpoint": self.render("endpoints", endpoint), "operations": self._ops([op])})

    def _endpoint_or_404(self, request: ApiRequest, project: dict[str, Any]) -> dict[str, Any]:
        endpoint = self._endpoint(request, project)
        if endpoint is None:
            raise ApiError(404, f"endpoint {request.path_params['endpoint_id']} not found")
        return endpoint

    @handles("getProjectEndpoint")
    def get_endpoint(self, request: ApiRequest) -> Reply:
        project = self._project(request)
        endpoint = self._endpoint_or_404(request, project)
        self._settle(request, endpoint["id"])
        return Reply(200, {"endpoint": self.render("endpoints", endpoint)})

    @handles("listProjectEndpoints")
    def list_endpoints(self, request: ApiRequest) -> Reply:
        project = self._project(request)
        endpoints = [e for e in self.store.values("endpoints") if e["project_id"] == project["id"]]
        for endpoint in endpoints:
            self._settle(request, endpoint["id"])
        return Reply(200, {"endpoints": [self.render("endpoints", e) for e in endpoints]})

    @handles("listProjectBranchEndpoints")
    def list_branch_endpoints(self, request: ApiRequest) -> Reply:
        project = self._project(request)
        branch = self._branch(request, project)
        endpoints = self._branch_items("endpoints", branch["id"])
        for endpoint in endpoints:
            self._settle(request, endpoint["id"])
        return Reply(200, {"endpoints": [self.render("endpoints", e) for e in endpoints]})

    @handles("updateProjectEndpoint")
    def update_endpoint(self, request: ApiRequest) -> Reply:
        project = self._project(request)
        endpoint = self._endpoint_or_404(request, project)
        changes = (request.body or {}).get("endpoint") or {}
        self._refuse_on_plan(changes)
        self._check_compute(changes, endpoint)
        if changes.get("branch_id") and changes["branch_id"] != endpoint["branch_id"]:
            target = self.store.get("branches", changes["branch_id"])
            if target is None or target["project_id"] != project["id"]:
                raise ApiError(400, f"branch {changes['branch_id']} not found in project {project['id']}")
            if endpoint["type"] == "read_write" and any(
                e["type"] == "read_write" for e in self._branch_items("endpoints", target["id"])
            ):
                raise ApiError(409, f"branch {target['id']} already has a read_write endpoint")
        changed = {k: v for k, v in changes.items() if endpoint.get(k) != v}
        endpoint.update(clone(changed))
        ops = []
        if changed:
            endpoint["updated_at"] = now_rfc3339()
            op = self._operation(project["id"], "apply_config", "", branch_id=endpoint["branch_id"],
                                 endpoint_id=endpoint["id"])
            op["_group"] = op["id"]
            self.begin(op["id"])
            ops.append(op)
        return Reply(200, {"endpoint": self.render("endpoints", endpoint), "operations": self._ops(ops)})

    @handles("deleteProjectEndpoint")
    def delete_endpoint(self, request: ApiRequest) -> Reply:
        project = self._project(request)
        endpoint = self._endpoint(request, project)
        if endpoint is None:
            return Reply(204)
        op = self._operation(project["id"], "suspend_compute", "", branch_id=endpoint["branch_id"],
                             endpoint_id=endpoint["id"], finished=True)
        self.store.pop("endpoints", endpoint["id"])
        self.readiness.forget(endpoint["id"])
        return Reply(200, {"endpoint": self.render("endpoints", endpoint), "operations": self._ops([op])})

    def _set_endpoint_state(self, request: ApiRequest, action: str, state: str) -> Reply:
        project = self._project(request)
        endpoint = self._endpoint_or_404(request, project)
        now = now_rfc3339()
        endpoint.update(current_state=state, updated_at=now)
        endpoint.pop("pending_state", None)
        if state == "idle":
            endpoint["suspended_at"] = now
        else:
            endpoint["started_at"] = now
        op = self._operation(project["id"], action, "", branch_id=endpoint["branch_id"], endpoint_id=endpoint["id"])
        op["_group"] = op["id"]
        self.begin(op["id"])
        return Reply(200, {"endpoint": self.render("endpoints", endpoint), "operations": self._ops([op])})

    @handles("startProjectEndpoint")
    def start_endpoint(self, request: ApiRequest) -> Reply:
        return self._set_endpoint_state(request, "start_compute", "active")

    @handles("suspendProjectEndpoint")
    def suspend_endpoint(self, request: ApiRequest) -> Reply:
        return self._set_endpoint_state(request, "suspend_compute", "idle")

    @handles("restartProjectEndpoint")
    def restart_endpoint(self, request: ApiRequest) -> Reply:
        return self._set_endpoint_state(request, "start_compute", "active")

    # ---- roles -----------------------------------------------------------------------------------

    def _role(self, branch: dict[str, Any], name: str) -> dict[str, Any] | None:
        return self.store.get("roles", f"{branch['id']}/{name}")

    def _role_or_404(self, request: ApiRequest) -> tuple[dict[str, Any], dict[str, Any]]:
        project = self._project(request)
        branch = self._branch(request, project)
        role = self._role(branch, request.path_params["role_name"])
        if role is None:
            raise ApiError(404, f"role {request.path_params['role_name']} not found")
        return branch, role

    @handles("createProjectBranchRole")
    def create_role(self, request: ApiRequest) -> Reply:
        project = self._project(request)
        branch = self._branch(request, project)
        name = request.body["role"]["name"]
        if not name or len(name.encode("utf-8")) > _ROLE_NAME_MAX_BYTES:
            raise ApiError(400, f"role name must be 1 to {_ROLE_NAME_MAX_BYTES} bytes long")
        if self._role(branch, name) is not None:
            raise ApiError(409, f"role {name} already exists")
        role = self._new_role(branch, name, now_rfc3339())
        ops = self._config_operations(branch)
        return Reply(201, {"role": self.render("roles", role) | {"password": role["_password"]}, "operations": self._ops(ops)})

    @handles("getProjectBranchRole")
    def get_role(self, request: ApiRequest) -> Reply:
        _, role = self._role_or_404(request)
        return Reply(200, {"role": self.render("roles", role)})

    @handles("listProjectBranchRoles")
    def list_roles(self, request: ApiRequest) -> Reply:
        project = self._project(request)
        branch = self._branch(request, project)
        return Reply(200, {"roles": [self.render("roles", r) for r in self._branch_items("roles", branch["id"])]})

    @handles("getProjectBranchRolePassword")
    def reveal_password(self, request: ApiRequest) -> Reply:
        _, role = self._role_or_404(request)
        return Reply(200, {"password": role["_password"]})

    @handles("resetProjectBranchRolePassword")
    def reset_password(self, request: ApiRequest) -> Reply:
        branch, role = self._role_or_404(request)
        role["_password"] = self.ids.secret(12)
        role["updated_at"] = now_rfc3339()
        ops = self._config_operations(branch)
        return Reply(200, {"role": self.render("roles", role) | {"password": role["_password"]}, "operations": self._ops(ops)})

    @handles("deleteProjectBranchRole")
    def delete_role(self, request: ApiRequest) -> Reply:
        project = self._project(request)
        branch = self._branch(request, project)
        role = self._role(branch, request.path_params["role_name"])
        if role is None:
            return Reply(204)
        self.store.pop("roles", f"{branch['id']}/{role['name']}")
        ops = self._config_operations(branch)
        return Reply(200, {"role": self.render("roles", role), "operations": self._ops(ops)})

    # ---- databases -------------------------------------------------------------------------------

    def _database(self, branch: dict[str, Any], name: str) -> dict[str, Any] | None:
        return self.store.get("databases", f"{branch['id']}/{name}")

    @handles("createProjectBranchDatabase")
    def create_database(self, request: ApiRequest) -> Reply:
        project = self._project(request)
        branch = self._branch(request, project)
        spec = request.body["database"]
        if self._role(branch, spec["owner_name"]) is None:
            raise ApiError(400, f"role {spec['owner_name']} does not exist on branch {branch['id']}")
        if self._database(branch, spec["name"]) is not None:
            raise ApiError(409, f"database {spec['name']} already exists")
        database = self._new_database(branch, spec["name"], spec["owner_name"], now_rfc3339())
        ops = self._config_operations(branch)
        return Reply(201, {"database": self.render("databases", database), "operations": self._ops(ops)})

    def _database_or_404(self, request: ApiRequest) -> tuple[dict[str, Any], dict[str, Any]]:
        project = self._project(request)
        branch = self._branch(request, project)
        database = self._database(branch, request.path_params["database_name"])
        if database is None:
            raise ApiError(404, f"database {request.path_params['database_name']} not found")
        return branch, database

    @handles("getProjectBranchDatabase")
    def get_database(self, request: ApiRequest) -> Reply:
        _, database = self._database_or_404(request)
        return Reply(200, {"database": self.render("databases", database)})

    @handles("listProjectBranchDatabases")
    def list_databases(self, request: ApiRequest) -> Reply:
        project = self._project(request)
        branch = self._branch(request, project)
        items = self._branch_items("databases", branch["id"])
        return Reply(200, {"databases": [self.render("databases", d) for d in items]})

    @handles("updateProjectBranchDatabase")
    def update_database(self, request: ApiRequest) -> Reply:
        branch, database = self._database_or_404(request)
        changes = request.body.get("database") or {}
        owner = changes.get("owner_name")
        if owner is not None and self._role(branch, owner) is None:
            raise ApiError(400, f"role {owner} does not exist on branch {branch['id']}")
        name = changes.get("name")
        if name is not None and name != database["name"]:
            if self._database(branch, name) is not None:
                raise ApiError(409, f"database {name} already exists")
            self.store.pop("databases", f"{branch['id']}/{database['name']}")
            database["name"] = name
            self.store.put("databases", f"{branch['id']}/{name}", database)
        if owner is not None:
            database["owner_name"] = owner
        database["updated_at"] = now_rfc3339()
        ops = self._config_operations(branch)
        return Reply(200, {"database": self.render("databases", database), "operations": self._ops(ops)})

    @handles("deleteProjectBranchDatabase")
    def delete_database(self, request: ApiRequest) -> Reply:
        project = self._project(request)
        branch = self._branch(request, project)
        database = self._database(branch, request.path_params["database_name"])
        if database is None:
            return Reply(204)
        self.store.pop("databases", f"{branch['id']}/{database['name']}")
        ops = self._config_operations(branch)
        return Reply(200, {"database": self.render("databases", database), "operations": self._ops(ops)})


def _paginate(items: list[dict[str, Any]], query: Mapping[str, Any], *, key: str) -> tuple[list[dict[str, Any]], str | None]:
    cursor = query.get("cursor")
    if cursor:
        ids = [item[key] for item in items]
        items = items[ids.index(cursor) + 1 :] if cursor in ids else []
    limit = query.get("limit")
    if limit and len(items) > limit:
        return items[:limit], items[limit - 1][key]
    return items, None
