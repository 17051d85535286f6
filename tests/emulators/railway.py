"""Railway public API emulator (GraphQL, `POST /graphql/v2`), validated against `railway.schema.json`.

Rules, each as the platform shows it (sources: platform-apis.md section 3 and the files it names in
railwayapp/cli at df3838bf and terraform-community-providers/terraform-provider-railway at b1cd755c):

- Auth: `Authorization: Bearer <token>` (account/workspace token, CLI env `RAILWAY_API_TOKEN`) or
  `project-access-token: <token>`; `template(code:)` answers without credentials (`src/client.rs`
  `post_graphql_public`, used by `src/commands/deploy.rs` `fetch_and_create`). Without credentials every other
  operation answers HTTP 200 with the GraphQL error "Not Authorized".
- Errors are GraphQL errors (HTTP 200, `errors`, `data` null up to the nearest nullable field). A deleted or
  unknown id answers "Not Authorized" (the CLI's `post_graphql_value`: the server "renders two very different
  failures identically"); `RailwayEmulator(not_found_wording="not found")` answers "<Kind> not found" instead,
  the other wording a client must take as gone (exact wording UNCONFIRMED in the reference).
- Rate limit: `set_rate_limit(n, per_seconds)` (Free is 100 requests/hour): past it, HTTP 429 with
  `Retry-After` in whole seconds and `X-RateLimit-Limit/Remaining/Reset` ("Backboard sets `Retry-After` on
  every 429", `src/client.rs` `parse_graphql_response`; docs `integrations/api`).
- `projectCreate` makes the project with one environment (`defaultEnvironmentName`, else "production");
  project names are not unique. Environment names are unique in a project (UNCONFIRMED wording).
- `serviceCreate` from an image creates the service, its instance in the environment, and a deployment.
  Service names are unique in a project (UNCONFIRMED wording).
- `serviceInstanceUpdate` changes settings only; they reach the service with the next deployment
  (`serviceInstanceDeployV2` returns its id). Whether an update redeploys by itself is UNCONFIRMED in the
  reference; the emulator takes the reading that makes a client deploy explicitly.
- `variableCollectionUpsert` merges (`replace: true` replaces all) and, unless `skipDeploys`, deploys the
  affected service (input descriptions in the schema).
- Free plan: one replica per service (platform-apis.md "Free tier"); regions are the ids `regions` lists
  (`us-west2`, `us-east4-eqdc4a`, `europe-west4-drams3a`, `asia-southeast1-eqsg3a`, as the CLI's and the TF
  provider's tests use them); anything else is refused.
- Deployments: `QUEUED`/`INITIALIZING`/`DEPLOYING` while readiness polls remain, then `SUCCESS` (the previous
  successful one becomes `REMOVED`) or `FAILED` for an image armed with `fail_image` (the previous one keeps
  serving as the active deployment), its reason as the last line of `deploymentLogs` (the CLI's
  `DeploymentLogs` query; a deployment has no reason field). Status names: the schema's `DeploymentStatus`.
- Service domains: `<service>-<environment>-<hash>.up.railway.app`, `syncStatus` CREATING then ACTIVE.
- Templates (`railway_templates.py`): `templateDeployV2` answers `{projectId, workflowId}`; `workflowStatus`
  reads `NotFound` right after creation (read-after-write lag the CLI tolerates, `src/controllers/workflow.rs`),
  `Running`, then `Complete`; the template's services, variables, volumes and TCP proxies exist once it is
  complete. With `postgres_admin_url`, each Postgres template service is backed by a real database and role on
  that server (its user and database names made unique per service, as one shared server stands in for a
  container each) and its TCP proxy is that server, so SQL over `DATABASE_PUBLIC_URL` really runs.
- `serviceDelete` removes the service, its instances, variables, domains and deployments; its volumes stay
  (detached), as the reference tells clients to `volumeDelete` a template's volume themselves.
- `volumeCreate` without `serviceId` makes a detached volume in the environment; `volumeInstanceUpdate`
  attaches/detaches it (`VolumeAttach` / `VolumeDetach` in `src/gql/mutations/strings/`).
"""

from __future__ import annotations

import copy
import re
import threading
import time
from collections import deque
from typing import Any, Mapping
from urllib.parse import urlsplit

from .graphql import GraphQLApiError, GraphQLCall, GraphQLEmulator, connection, resolves
from .base import Reply
from .railway_templates import TEMPLATES
from .state import now_rfc3339

REGIONS = ("us-west2", "us-east4-eqdc4a", "europe-west4-drams3a", "asia-southeast1-eqsg3a")
REGION_NAMES = {"us-west2": "US West (California)", "us-east4-eqdc4a": "US East (Virginia)",
                "europe-west4-drams3a": "EU West (Amsterdam)", "asia-southeast1-eqsg3a": "Southeast Asia (Singapore)"}
PLAN_MAX_REPLICAS = {"free": 1, "trial": 1}
_REFERENCE = re.compile(r"\$\{\{\s*([A-Za-z0-9_\-. ]+?)\s*\}\}")
_SECRET = re.compile(r'\$\{\{\s*secret\((\d+)(?:\s*,\s*"([^"]*)")?\)\s*\}\}')
_PENDING_STATUSES = ("QUEUED", "INITIALIZING", "DEPLOYING")


WORKSPACE_ID = "ws-stagecraft"
"""The one workspace of the emulated account (`me.workspaces`, `workspace(workspaceId:)`)."""


class RailwayEmulator(GraphQLEmulator):
    """In-memory Railway workspace on the Free plan."""

    api = "railway"
    spec_file = "railway.schema.json"
    endpoint_path = "/graphql/v2"
    collections = ("projects", "environments", "services", "instances", "variables", "deployments", "domains",
                   "volumes", "volume_instances", "workflows")
    secret_fields = frozenset({"values"})
    control_actions = ("fail_image",)

    def __init__(self, *, token: str | None = None, plan: str = "free", not_found_wording: str = "not authorized",
                 postgres_admin_url: str | None = None, **options: Any) -> None:
        super().__init__(**options)
        self.token = token
        self.plan = plan
        self.not_found_wording = not_found_wording
        self.postgres_admin_url = postgres_admin_url
        self.failing_images: dict[str, str] = {}
        self.current_usage = 0.0
        self.deleted_ids: set[str] = set()
        self._rate: tuple[int, float] | None = None
        self._rate_log: deque[float] = deque()
        self._rate_lock = threading.Lock()

    # ---- configuration ---------------------------------------------------------------------------

    def fail_image(self, image: str, reason: str = "Healthcheck failed") -> dict[str, str]:
        """Deployments of `image` from now on end FAILED with `reason`."""
        with self._lock:
            self.failing_images[image] = reason
        return {"image": image, "reason": reason}

    def set_rate_limit(self, requests: int, per_seconds: float) -> None:
        """Answer 429 with Retry-After once more than `requests` arrive within `per_seconds`."""
        with self._rate_lock:
            self._rate = (requests, per_seconds)
            self._rate_log.clear()

    # ---- hooks ---------------------------------------------------------------------------------------

    def authenticate(self, headers: Mapping[str, str]) -> bool:
        lowered = {k.lower(): v for k, v in headers.items()}
        bearer = lowered.get("authorization", "")
        token = bearer[7:].strip() if bearer.lower().startswith("bearer ") else lowered.get("project-access-token", "")
        return bool(token) and (self.token is None or token == self.token)

    def _execute(self, raw, checked) -> Reply:
        limited = self._rate_limited()
        if limited is not None:
            return limited
        if checked.operation_type == "query" and set(checked.root_fields) <= {"template"}:
            # Template lookups are public: answer them whatever credentials came along.
            headers = {**raw.headers, "Authorization": f"Bearer {self.token or 'public'}"}
            raw = type(raw)(raw.method, raw.path, raw.query, headers, raw.body)
        return super()._execute(raw, checked)

    def _rate_limited(self) -> Reply | None:
        with self._rate_lock:
            if self._rate is None:
                return None
            limit, window = self._rate
            now = time.monotonic()
            while self._rate_log and now - self._rate_log[0] >= window:
                self._rate_log.popleft()
            if len(self._rate_log) >= limit:
                wait = max(1, int(window - (now - self._rate_log[0]) + 0.999))
                return Reply(429, {"errors": [{"message": "Rate limit exceeded. Please try again later."}]},
                             {"Retry-After": str(wait), "X-RateLimit-Limit": str(limit),
                              "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(time.time()) + wait)})
            self._rate_log.append(now)
        return None

    def before_operation(self, call: GraphQLCall) -> None:
        for workflow in self.store.values("workflows"):
            if workflow["status"] == "Running" and self.is_ready(workflow["id"]):
                self._complete_workflow(workflow)

    def render(self, collection: str, record: dict[str, Any]) -> dict[str, Any]:
        return {k: copy.deepcopy(v) for k, v in record.items() if not k.startswith("_")}

    def _word(self) -> str:
        """A generated `adjective-noun` name, the way Railway names what the caller leaves unnamed."""
        return self.ids.words(1).rsplit("-", 1)[0]

    # ---- errors --------------------------------------------------------------------------------------

    def _gone(self, kind: str, ident: str) -> GraphQLApiError:
        if self.not_found_wording == "not found":
            return GraphQLApiError(f"{kind} not found")
        return GraphQLApiError("Not Authorized")

    def _get(self, collection: str, kind: str, ident: str) -> dict[str, Any]:
        record = self.store.get(collection, ident)
        if record is None:
            raise self._gone(kind, ident)
        return record

    # ---- rendering for GraphQL -----------------------------------------------------------------------

    def _project_gql(self, call: GraphQLCall, project: dict[str, Any]) -> dict[str, Any]:
        pid = project["id"]
        return {
            **self.render("projects", project),
            "isPublic": False, "prDeploys": False, "isTempProject": False, "botPrEnvironments": False,
            "focusedPrEnvironments": False, "deletedAt": None, "expiredAt": None, "baseEnvironmentId": None,
            "workspace": {"id": project["workspaceId"], "name": "stagecraft"} if project["workspaceId"] else None,
            "environments": lambda **_: connection([self._environment_gql(call, e) for e in self._environments(pid)]),
            "services": lambda **_: connection([self._service_gql(call, s) for s in self.store.values("services")
                                                if s["projectId"] == pid]),
            "volumes": lambda **_: connection([self._volume_gql(call, v) for v in self.store.values("volumes")
                                               if v["projectId"] == pid]),
        }

    def _environments(self, project_id: str) -> list[dict[str, Any]]:
        return [e for e in self.store.values("environments") if e["projectId"] == project_id]

    def _environment_gql(self, call: GraphQLCall, env: dict[str, Any]) -> dict[str, Any]:
        eid = env["id"]
        return {
            **self.render("environments", env), "isEphemeral": False, "canAccess": True, "deletedAt": None,
            "unmergedChangesCount": 0, "sourceEnvironment": None, "meta": None,
            "serviceInstances": lambda **_: connection([self._instance_gql(call, i) for i in
                                                        self.store.values("instances") if i["environmentId"] == eid]),
            "volumeInstances": lambda **_: connection([self._volume_instance_gql(call, v) for v in
                                                       self.store.values("volume_instances")
                                                       if v["environmentId"] == eid]),
        }

    def _service_gql(self, call: GraphQLCall, service: dict[str, Any]) -> dict[str, Any]:
        sid = service["id"]
        return {
            **self.render("services", service), "deletedAt": None, "isRestricted": False,
            "hasHiddenRegistryCredentialsFromTemplate": False, "featureFlags": [],
            "serviceInstances": lambda **_: connection([self._instance_gql(call, i) for i in
                                                        self.store.values("instances") if i["serviceId"] == sid]),
        }

    def _instance_gql(self, call: GraphQLCall, instance: dict[str, Any]) -> dict[str, Any]:
        sid, eid = instance["serviceId"], instance["environmentId"]
        service = self.store.get("services", sid) or {}
        deployments = [d for d in self.store.values("deployments")
                       if d["serviceId"] == sid and d["environmentId"] == eid]
        return {
            **self.render("instances", instance), "serviceName": service.get("name", ""),
            "builder": "NIXPACKS", "restartPolicyType": instance.get("restartPolicyType", "ON_FAILURE"),
            "restartPolicyMaxRetries": 10, "isUpdatable": True, "watchPatterns": [], "deletedAt": None,
            "service": lambda: self._service_gql(call, service),
            "latestDeployment": lambda: self._deployment_gql(call, deployments[-1]) if deployments else None,
            "activeDeployments": lambda: [self._deployment_gql(call, d) for d in deployments
                                          if self._status(call, d) == "SUCCESS"],
            "domains": lambda: {"serviceDomains": [self._domain_gql(call, d) for d in self.store.values("domains")
                                                   if d["serviceId"] == sid and d["environmentId"] == eid],
                                "customDomains": []},
        }

    def _deployment_gql(self, call: GraphQLCall, deployment: dict[str, Any]) -> dict[str, Any]:
        return {**self.render("deployments", deployment), "status": lambda: self._status(call, deployment),
                "canRedeploy": True, "canRollback": True, "deploymentStopped": False, "instances": [],
                "sockets": [], "suggestAddServiceDomain": False, "staticUrl": None, "url": None}

    def _domain_gql(self, call: GraphQLCall, domain: dict[str, Any]) -> dict[str, Any]:
        ready = self.touch(call, domain["id"])  # type: ignore[arg-type]
        return {**self.render("domains", domain), "syncStatus": "ACTIVE" if ready else "CREATING", "deletedAt": None}

    def _volume_gql(self, call: GraphQLCall, volume: dict[str, Any]) -> dict[str, Any]:
        vid = volume["id"]
        return {**self.render("volumes", volume),
                "volumeInstances": lambda **_: connection([self._volume_instance_gql(call, v) for v in
                                                           self.store.values("volume_instances")
                                                           if v["volumeId"] == vid])}

    def _volume_instance_gql(self, call: GraphQLCall, instance: dict[str, Any]) -> dict[str, Any]:
        return {**self.render("volume_instances", instance), "currentSizeMB": 0.0, "state": "READY",
                "isPendingDeletion": False, "deletedAt": None, "externalId": None}

    # ---- deployments ---------------------------------------------------------------------------------

    def _status(self, call: GraphQLCall | None, deployment: dict[str, Any]) -> str:
        if deployment["status"] not in _PENDING_STATUSES:
            return deployment["status"]
        if not self.touch(call, deployment["id"]):  # type: ignore[arg-type]
            return "DEPLOYING"
        failure = self.failing_images.get(deployment["meta"]["image"])
        if failure is not None:
            deployment["status"] = "FAILED"
            deployment["_logs"].append({"message": failure, "severity": "error", "timestamp": now_rfc3339()})
            return "FAILED"
        for other in self.store.values("deployments"):
            if (other is not deployment and other["serviceId"] == deployment["serviceId"]
                    and other["environmentId"] == deployment["environmentId"] and other["status"] == "SUCCESS"):
                other["status"] = "REMOVED"
        deployment["status"] = "SUCCESS"
        return "SUCCESS"

    def _deploy(self, instance: dict[str, Any]) -> dict[str, Any]:
        service = self.store.get("services", instance["serviceId"]) or {}
        image = (instance.get("source") or {}).get("image") or ""
        deployment_id = self.ids.uuid()
        deployment = {
            "id": deployment_id, "serviceId": instance["serviceId"], "environmentId": instance["environmentId"],
            "projectId": service.get("projectId"), "status": "QUEUED", "createdAt": now_rfc3339(),
            "_logs": [{"message": f"Starting container from {image}", "severity": "info", "timestamp": now_rfc3339()}],
            "updatedAt": now_rfc3339(), "statusUpdatedAt": now_rfc3339(),
            "meta": {"image": image, "serviceManifest": {
                "source": {"image": image},
                "deploy": {k: instance.get(k) for k in ("startCommand", "healthcheckPath", "healthcheckTimeout",
                                                        "numReplicas", "region", "sleepApplication")},
                "variables": sorted(self._values(instance["environmentId"], instance["serviceId"]))}},
        }
        self.store.put("deployments", deployment_id, deployment)
        self.begin(deployment_id)
        return deployment

    # ---- variables -----------------------------------------------------------------------------------

    def _values(self, env_id: str, service_id: str | None) -> dict[str, str]:
        record = self.store.get("variables", f"{env_id}:{service_id or ''}")
        return record["values"] if record else {}

    def _set_values(self, project_id: str, env_id: str, service_id: str | None, values: Mapping[str, str],
                    replace: bool) -> None:
        key = f"{env_id}:{service_id or ''}"
        record = self.store.get("variables", key) or {"projectId": project_id, "environmentId": env_id,
                                                      "serviceId": service_id, "values": {}}
        record["values"] = {**({} if replace else record["values"]), **{k: str(v) for k, v in values.items()}}
        self.store.put("variables", key, record)

    def _rendered(self, env_id: str, service_id: str | None, depth: int = 0) -> dict[str, str]:
        own = self._values(env_id, service_id)
        return {name: self._expand(value, env_id, service_id, depth) for name, value in own.items()}

    def _expand(self, value: str, env_id: str, service_id: str | None, depth: int) -> str:
        if depth > 5:
            return value

        def one(match: re.Match) -> str:
            ref = match.group(1).strip()
            if "." in ref:
                service_name, _, name = ref.partition(".")
                other = next((s for s in self.store.values("services") if s["name"] == service_name), None)
                if other is None:
                    return ""
                return self._builtin(name, env_id, other["id"]) or self._rendered(
                    env_id, other["id"], depth + 1).get(name, "")
            builtin = self._builtin(ref, env_id, service_id)
            if builtin is not None:
                return builtin
            return self._expand(self._values(env_id, service_id).get(ref, ""), env_id, service_id, depth + 1)

        return _REFERENCE.sub(one, value)

    def _builtin(self, name: str, env_id: str, service_id: str | None) -> str | None:
        service = self.store.get("services", service_id or "") or {}
        instance = self.store.get("instances", f"{service_id}:{env_id}") or {}
        proxy = instance.get("_tcpProxy") or {}
        domains = [d for d in self.store.values("domains") if d["serviceId"] == service_id and d["environmentId"] == env_id]
        builtins = {
            "RAILWAY_PRIVATE_DOMAIN": f"{service.get('name', '').lower()}.railway.internal",
            "RAILWAY_TCP_PROXY_DOMAIN": proxy.get("domain", ""),
            "RAILWAY_TCP_PROXY_PORT": str(proxy.get("port", "")),
            "RAILWAY_PUBLIC_DOMAIN": domains[0]["domain"] if domains else "",
        }
        return builtins.get(name)

    # ---- queries -------------------------------------------------------------------------------------

    @resolves("Query.project")
    def project(self, call: GraphQLCall, id: str) -> dict[str, Any]:
        return self._project_gql(call, self._get("projects", "Project", id))

    @resolves("Query.projects")
    def projects(self, call: GraphQLCall, workspaceId: str | None = None, **_: Any) -> dict[str, Any]:
        found = [p for p in self.store.values("projects") if workspaceId in (None, p["workspaceId"])]
        return connection([self._project_gql(call, p) for p in found])

    @resolves("Query.environment")
    def environment(self, call: GraphQLCall, id: str, projectId: str | None = None) -> dict[str, Any]:
        env = self._get("environments", "Environment", id)
        if projectId is not None and env["projectId"] != projectId:
            raise self._gone("Environment", id)
        return self._environment_gql(call, env)

    @resolves("Query.environments")
    def environments(self, call: GraphQLCall, projectId: str, **_: Any) -> dict[str, Any]:
        self._get("projects", "Project", projectId)
        return connection([self._environment_gql(call, e) for e in self._environments(projectId)])

    @resolves("Query.service")
    def service(self, call: GraphQLCall, id: str) -> dict[str, Any]:
        return self._service_gql(call, self._get("services", "Service", id))

    @resolves("Query.serviceInstance")
    def service_instance(self, call: GraphQLCall, environmentId: str, serviceId: str) -> dict[str, Any]:
        return self._instance_gql(call, self._get("instances", "ServiceInstance", f"{serviceId}:{environmentId}"))

    @resolves("Query.variables")
    def variables(self, call: GraphQLCall, environmentId: str, projectId: str, serviceId: str | None = None,
                  unrendered: bool | None = None) -> dict[str, str]:
        self._get("environments", "Environment", environmentId)
        if serviceId:
            self._get("services", "Service", serviceId)
        if unrendered:
            return dict(self._values(environmentId, serviceId))
        return self._rendered(environmentId, serviceId)

    @resolves("Query.domains")
    def domains(self, call: GraphQLCall, environmentId: str, projectId: str, serviceId: str) -> dict[str, Any]:
        instance = self._get("instances", "ServiceInstance", f"{serviceId}:{environmentId}")
        return self._instance_gql(call, instance)["domains"]()

    @resolves("Query.deployment")
    def deployment(self, call: GraphQLCall, id: str) -> dict[str, Any]:
        return self._deployment_gql(call, self._get("deployments", "Deployment", id))

    @resolves("Query.deployments")
    def deployments(self, call: GraphQLCall, input: dict[str, Any], first: int | None = None, **_: Any) -> dict[str, Any]:
        wanted = {k: input.get(k) for k in ("projectId", "environmentId", "serviceId") if input.get(k)}
        found = [d for d in self.store.values("deployments") if all(d.get(k) == v for k, v in wanted.items())]
        found.reverse()
        statuses = (input.get("status") or {}).get("in")
        rendered = [self._deployment_gql(call, d) for d in found]
        if statuses:
            rendered = [d for d in rendered if d["status"]() in statuses]
        return connection(rendered[:first] if first else rendered)

    @resolves("Query.deploymentLogs")
    def deployment_logs(self, call: GraphQLCall, deploymentId: str, limit: int | None = None, **_: Any) -> list:
        """The deployment's log lines, newest last (a failed deployment's last line says why)."""
        logs = self._get("deployments", "Deployment", deploymentId)["_logs"]
        return [{**line, "attributes": [], "tags": None} for line in (logs[-limit:] if limit else logs)]

    @resolves("Query.volumeInstance")
    def volume_instance(self, call: GraphQLCall, id: str) -> dict[str, Any]:
        return self._volume_instance_gql(call, self._get("volume_instances", "VolumeInstance", id))

    @resolves("Query.me")
    def me(self, call: GraphQLCall) -> dict[str, Any]:
        """The token's user and the one workspace it belongs to (`User.workspaces`)."""
        return {"id": "user-stagecraft", "email": "ops@example.com", "workspaces": [self._workspace_gql()]}

    @resolves("Query.workspace")
    def workspace(self, call: GraphQLCall, workspaceId: str) -> dict[str, Any]:
        if workspaceId != WORKSPACE_ID:
            raise GraphQLApiError("Not Authorized")
        return self._workspace_gql()

    def _workspace_gql(self) -> dict[str, Any]:
        # `Customer.currentUsage` is the period's usage in dollars, cached by Railway (the schema's description).
        start = time.strftime("%Y-%m-01T00:00:00.000Z", time.gmtime())
        return {"id": WORKSPACE_ID, "name": "stagecraft", "plan": self.plan.upper(),
                "customer": {"id": "customer-stagecraft", "currentUsage": self.current_usage,
                             "billingPeriod": {"start": start, "end": now_rfc3339()}}}

    def set_current_usage(self, dollars: float) -> None:
        """The workspace's usage so far this billing period, as Railway meters it on its own."""
        self.current_usage = float(dollars)

    @resolves("Query.regions")
    def regions(self, call: GraphQLCall, projectId: str | None = None) -> list[dict[str, Any]]:
        return [{"id": r, "name": r, "region": r, "country": "", "location": REGION_NAMES[r], "workspaceId": None,
                 "deploymentConstraints": {"deprecationInfo": {"isDeprecated": False, "replacementRegion": None}}}
                for r in REGIONS]

    @resolves("Query.template")
    def template(self, call: GraphQLCall, code: str | None = None, **_: Any) -> dict[str, Any]:
        found = TEMPLATES.get(code or "")
        if found is None:
            raise GraphQLApiError("Template not found")
        return {"id": found["id"], "code": code, "name": found["name"], "serializedConfig": copy.deepcopy(found["config"]),
                "isApproved": True, "isVerified": True, "isV2Template": True, "status": "PUBLISHED"}

    @resolves("Query.workflowStatus")
    def workflow_status(self, call: GraphQLCall, workflowId: str) -> dict[str, Any]:
        workflow = self.store.get("workflows", workflowId)
        if workflow is None:
            return {"status": "NotFound", "error": None}
        if workflow["status"] == "Running":
            if not workflow["_read"] and self.readiness_polls:
                workflow["_read"] = True
                return {"status": "NotFound", "error": None}
            if self.touch(call, workflowId):  # type: ignore[arg-type]
                self._complete_workflow(workflow)
        return {"status": workflow["status"], "error": workflow["error"]}

    # ---- projects and environments -------------------------------------------------------------------

    @resolves("Mutation.projectCreate")
    def project_create(self, call: GraphQLCall, input: dict[str, Any]) -> dict[str, Any]:
        project_id = self.ids.uuid()
        project = {"id": project_id, "name": input.get("name") or self._word(),
                   "description": input.get("description"), "workspaceId": input.get("workspaceId"),
                   "createdAt": now_rfc3339(), "updatedAt": now_rfc3339()}
        self.store.put("projects", project_id, project)
        self._new_environment(project_id, input.get("defaultEnvironmentName") or "production")
        return self._project_gql(call, project)

    @resolves("Mutation.projectUpdate")
    def project_update(self, call: GraphQLCall, id: str, input: dict[str, Any]) -> dict[str, Any]:
        project = self._get("projects", "Project", id)
        for key in ("name", "description"):
            if input.get(key) is not None:
                project[key] = input[key]
        project["updatedAt"] = now_rfc3339()
        return self._project_gql(call, project)

    @resolves("Mutation.projectDelete", "Mutation.projectScheduleDelete")
    def project_delete(self, call: GraphQLCall, id: str) -> bool:
        self._get("projects", "Project", id)
        for env in self._environments(id):
            self._drop_environment(env["id"])
        for service in [s for s in self.store.values("services") if s["projectId"] == id]:
            self._drop_service(service["id"])
        for volume in [v for v in self.store.values("volumes") if v["projectId"] == id]:
            self._drop_volume(volume["id"])
        self.store.pop("projects", id)
        self.deleted_ids.add(id)
        return True

    def _new_environment(self, project_id: str, name: str) -> dict[str, Any]:
        if any(e["name"] == name for e in self._environments(project_id)):
            raise GraphQLApiError(f"Environment with name {name} already exists")
        env_id = self.ids.uuid()
        env = {"id": env_id, "name": name, "projectId": project_id, "createdAt": now_rfc3339(),
               "updatedAt": now_rfc3339()}
        return self.store.put("environments", env_id, env)

    @resolves("Mutation.environmentCreate")
    def environment_create(self, call: GraphQLCall, input: dict[str, Any]) -> dict[str, Any]:
        self._get("projects", "Project", input["projectId"])
        return self._environment_gql(call, self._new_environment(input["projectId"], input["name"]))

    @resolves("Mutation.environmentDelete")
    def environment_delete(self, call: GraphQLCall, id: str) -> bool:
        self._get("environments", "Environment", id)
        self._drop_environment(id)
        return True

    def _drop_environment(self, env_id: str) -> None:
        for collection in ("instances", "variables", "deployments", "domains", "volume_instances"):
            for key, record in list(self.store.collection(collection).items()):
                if record.get("environmentId") == env_id:
                    self.store.pop(collection, key)
        self.store.pop("environments", env_id)
        self.deleted_ids.add(env_id)

    # ---- services ------------------------------------------------------------------------------------

    def _check_settings(self, settings: Mapping[str, Any]) -> None:
        region = settings.get("region")
        if region is not None and region not in REGIONS:
            raise GraphQLApiError(f"Invalid region {region}. Available regions: {', '.join(REGIONS)}")
        replicas = settings.get("numReplicas")
        limit = PLAN_MAX_REPLICAS.get(self.plan)
        if replicas is not None and (replicas < 1 or (limit is not None and replicas > limit)):
            raise GraphQLApiError(f"Your plan allows between 1 and {limit} replicas per service; got {replicas}")

    def _new_service(self, project_id: str, env_id: str, name: str, image: str | None,
                     template: tuple[str, str] | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
        service_id = self.ids.uuid()
        service = {"id": service_id, "name": name, "projectId": project_id, "icon": None,
                   "templateId": template[0] if template else None,
                   "templateServiceId": template[1] if template else None, "templateThreadSlug": None,
                   "groupId": None, "createdAt": now_rfc3339(), "updatedAt": now_rfc3339()}
        self.store.put("services", service_id, service)
        instance = {"id": self.ids.uuid(), "serviceId": service_id, "environmentId": env_id,
                    "source": {"image": image, "repo": None}, "startCommand": None, "healthcheckPath": None,
                    "healthcheckTimeout": None, "region": REGIONS[0], "numReplicas": 1, "sleepApplication": False,
                    "restartPolicyType": "ON_FAILURE", "cronSchedule": None, "rootDirectory": None,
                    "railwayConfigFile": None, "createdAt": now_rfc3339(), "updatedAt": now_rfc3339()}
        self.store.put("instances", f"{service_id}:{env_id}", instance)
        return service, instance

    @resolves("Mutation.serviceCreate")
    def service_create(self, call: GraphQLCall, input: dict[str, Any]) -> dict[str, Any]:
        project = self._get("projects", "Project", input["projectId"])
        env_id = input.get("environmentId") or self._environments(project["id"])[0]["id"]
        self._get("environments", "Environment", env_id)
        name = input.get("name") or self._word()
        if any(s["name"] == name for s in self.store.values("services") if s["projectId"] == project["id"]):
            raise GraphQLApiError(f"Service name {name} already exists in this project")
        image = (input.get("source") or {}).get("image")
        service, instance = self._new_service(project["id"], env_id, name, image)
        if input.get("variables"):
            self._set_values(project["id"], env_id, service["id"], input["variables"], replace=False)
        if image:
            self._deploy(instance)
        return self._service_gql(call, service)

    @resolves("Mutation.serviceConnect")
    def service_connect(self, call: GraphQLCall, id: str, input: dict[str, Any]) -> dict[str, Any]:
        service = self._get("services", "Service", id)
        for instance in self.store.values("instances"):
            if instance["serviceId"] == id and input.get("image"):
                instance["source"] = {"image": input["image"], "repo": None}
                self._deploy(instance)
        return self._service_gql(call, service)

    @resolves("Mutation.serviceInstanceUpdate")
    def service_instance_update(self, call: GraphQLCall, serviceId: str, input: dict[str, Any],
                                environmentId: str | None = None) -> bool:
        self._get("services", "Service", serviceId)
        self._check_settings(input)
        targets = [i for i in self.store.values("instances") if i["serviceId"] == serviceId
                   and environmentId in (None, i["environmentId"])]
        if not targets:
            raise self._gone("ServiceInstance", serviceId)
        for instance in targets:
            for key, value in input.items():
                if key == "source":
                    instance["source"] = {"image": (value or {}).get("image"), "repo": (value or {}).get("repo")}
                elif key in instance or key in ("cronSchedule", "rootDirectory"):
                    instance[key] = value
            instance["updatedAt"] = now_rfc3339()
        return True

    @resolves("Mutation.serviceInstanceDeployV2")
    def service_instance_deploy(self, call: GraphQLCall, environmentId: str, serviceId: str,
                                commitSha: str | None = None) -> str:
        instance = self._get("instances", "ServiceInstance", f"{serviceId}:{environmentId}")
        return self._deploy(instance)["id"]

    @resolves("Mutation.serviceInstanceRedeploy")
    def service_instance_redeploy(self, call: GraphQLCall, environmentId: str, serviceId: str) -> bool:
        self._deploy(self._get("instances", "ServiceInstance", f"{serviceId}:{environmentId}"))
        return True

    @resolves("Mutation.serviceDelete")
    def service_delete(self, call: GraphQLCall, id: str, environmentId: str | None = None) -> bool:
        self._get("services", "Service", id)
        self._drop_service(id)
        return True

    def _drop_service(self, service_id: str) -> None:
        for collection in ("instances", "variables", "deployments", "domains"):
            for key, record in list(self.store.collection(collection).items()):
                if record.get("serviceId") == service_id:
                    backing = record.get("_backing")
                    if backing:
                        self._drop_backing(backing)
                    self.store.pop(collection, key)
        for volume_instance in self.store.values("volume_instances"):
            if volume_instance["serviceId"] == service_id:
                volume_instance["serviceId"] = None
        self.store.pop("services", service_id)
        self.deleted_ids.add(service_id)

    @resolves("Mutation.variableCollectionUpsert")
    def variable_collection_upsert(self, call: GraphQLCall, input: dict[str, Any]) -> bool:
        self._get("projects", "Project", input["projectId"])
        env_id, service_id = input["environmentId"], input.get("serviceId")
        self._get("environments", "Environment", env_id)
        if service_id:
            self._get("services", "Service", service_id)
        if not isinstance(input["variables"], Mapping):
            raise GraphQLApiError("variables must be an object of names to string values")
        self._set_values(input["projectId"], env_id, service_id, input["variables"], bool(input.get("replace")))
        if service_id and not input.get("skipDeploys"):
            instance = self.store.get("instances", f"{service_id}:{env_id}")
            if instance is not None:
                self._deploy(instance)
        return True

    @resolves("Mutation.variableDelete")
    def variable_delete(self, call: GraphQLCall, input: dict[str, Any]) -> bool:
        values = self._values(input["environmentId"], input.get("serviceId"))
        values.pop(input["name"], None)
        return True

    # ---- domains and volumes -------------------------------------------------------------------------

    @resolves("Mutation.serviceDomainCreate")
    def service_domain_create(self, call: GraphQLCall, input: dict[str, Any]) -> dict[str, Any]:
        service = self._get("services", "Service", input["serviceId"])
        env = self._get("environments", "Environment", input["environmentId"])
        domain_id = self.ids.uuid()
        host = f"{service['name'].lower()}-{env['name'].lower()}-{self.ids.secret(4).lower()}.up.railway.app"
        domain = {"id": domain_id, "domain": host, "suffix": "up.railway.app", "serviceId": service["id"],
                  "environmentId": env["id"], "projectId": service["projectId"], "targetPort": input.get("targetPort"),
                  "edgeId": None, "newDomainName": None, "newHostLabel": None, "cdnMode": None,
                  "createdAt": now_rfc3339(), "updatedAt": now_rfc3339()}
        self.store.put("domains", domain_id, domain)
        self.begin(domain_id)
        return self._domain_gql(call, domain)

    @resolves("Mutation.serviceDomainDelete")
    def service_domain_delete(self, call: GraphQLCall, id: str) -> bool:
        self._get("domains", "ServiceDomain", id)
        self.store.pop("domains", id)
        self.deleted_ids.add(id)
        return True

    def _new_volume(self, project_id: str, env_id: str, service_id: str | None, mount_path: str,
                    name: str | None = None) -> dict[str, Any]:
        volume_id = self.ids.uuid()
        volume = {"id": volume_id, "name": name or f"{self._word().split('-')[0]}-volume",
                  "projectId": project_id, "createdAt": now_rfc3339()}
        self.store.put("volumes", volume_id, volume)
        instance_id = self.ids.uuid()
        self.store.put("volume_instances", instance_id, {
            "id": instance_id, "volumeId": volume_id, "environmentId": env_id, "serviceId": service_id,
            "mountPath": mount_path, "sizeMB": 500, "region": REGIONS[0], "createdAt": now_rfc3339()})
        return volume

    @resolves("Mutation.volumeCreate")
    def volume_create(self, call: GraphQLCall, input: dict[str, Any]) -> dict[str, Any]:
        project = self._get("projects", "Project", input["projectId"])
        env_id = input.get("environmentId") or self._environments(project["id"])[0]["id"]
        self._get("environments", "Environment", env_id)
        if input.get("serviceId"):
            self._get("services", "Service", input["serviceId"])
        if not str(input["mountPath"]).startswith("/"):
            raise GraphQLApiError("mountPath must be an absolute path")
        return self._volume_gql(call, self._new_volume(project["id"], env_id, input.get("serviceId"),
                                                       input["mountPath"]))

    @resolves("Mutation.volumeInstanceUpdate")
    def volume_instance_update(self, call: GraphQLCall, volumeId: str, input: dict[str, Any],
                               environmentId: str | None = None) -> bool:
        self._get("volumes", "Volume", volumeId)
        targets = [v for v in self.store.values("volume_instances") if v["volumeId"] == volumeId
                   and environmentId in (None, v["environmentId"])]
        if not targets:
            raise self._gone("VolumeInstance", volumeId)
        if input.get("serviceId"):
            self._get("services", "Service", input["serviceId"])
        for instance in targets:
            if "serviceId" in input:
                instance["serviceId"] = input["serviceId"]
            if input.get("mountPath"):
                instance["mountPath"] = input["mountPath"]
        return True

    @resolves("Mutation.volumeDelete")
    def volume_delete(self, call: GraphQLCall, volumeId: str) -> bool:
        self._get("volumes", "Volume", volumeId)
        self._drop_volume(volumeId)
        return True

    def _drop_volume(self, volume_id: str) -> None:
        for key, record in list(self.store.collection("volume_instances").items()):
            if record["volumeId"] == volume_id:
                self.store.pop("volume_instances", key)
        self.store.pop("volumes", volume_id)
        self.deleted_ids.add(volume_id)

    # ---- templates -----------------------------------------------------------------------------------

    @resolves("Mutation.templateDeployV2")
    def template_deploy(self, call: GraphQLCall, input: dict[str, Any]) -> dict[str, Any]:
        template = next((t for t in TEMPLATES.values() if t["id"] == input["templateId"]), None)
        if template is None:
            raise GraphQLApiError("Template not found")
        project = self._get("projects", "Project", input.get("projectId") or "")
        env_id = input.get("environmentId") or self._environments(project["id"])[0]["id"]
        self._get("environments", "Environment", env_id)
        config = input["serializedConfig"]
        if not isinstance(config, Mapping) or not isinstance(config.get("services"), Mapping):
            raise GraphQLApiError("serializedConfig must hold a services map")
        workflow_id = self.ids.uuid()
        workflow = {"id": workflow_id, "templateId": template["id"], "projectId": project["id"],
                    "environmentId": env_id, "config": copy.deepcopy(config), "status": "Running", "error": None,
                    "_read": False}
        self.store.put("workflows", workflow_id, workflow)
        self.begin(workflow_id)
        if self.is_ready(workflow_id):
            self._complete_workflow(workflow)
        return {"projectId": project["id"], "workflowId": workflow_id}

    def _complete_workflow(self, workflow: dict[str, Any]) -> None:
        project_id, env_id = workflow["projectId"], workflow["environmentId"]
        if self.store.get("projects", project_id) is None or self.store.get("environments", env_id) is None:
            workflow.update(status="Error", error="The project or environment was deleted")
            return
        taken = {s["name"] for s in self.store.values("services") if s["projectId"] == project_id}
        for template_service_id, spec in workflow["config"]["services"].items():
            name = spec.get("name") or "service"
            while name in taken:
                name = f"{spec.get('name')}-{self.ids.secret(4, 'abcdefghijklmnopqrstuvwxyz0123456789')}"
            taken.add(name)
            service, instance = self._new_service(project_id, env_id, name, (spec.get("source") or {}).get("image"),
                                                  (workflow["templateId"], template_service_id))
            instance.update({k: v for k, v in (spec.get("deploy") or {}).items() if k in instance})
            values = {key: self._generate((var or {}).get("value") or (var or {}).get("defaultValue") or "")
                      for key, var in (spec.get("variables") or {}).items()}
            for port in (spec.get("networking") or {}).get("tcpProxies") or {}:
                instance["_tcpProxy"] = {"domain": f"{self._word().split('-')[0]}.proxy.rlwy.net",
                                         "port": self.ids.integer(10000, 60000), "applicationPort": int(port)}
            if self.postgres_admin_url and "POSTGRES_PASSWORD" in values:
                instance["_backing"] = self._provision_backing(service["id"], values)
                instance["_tcpProxy"] = {"domain": instance["_backing"]["host"], "port": instance["_backing"]["port"],
                                         "applicationPort": 5432}
            self._set_values(project_id, env_id, service["id"], values, replace=True)
            for mount in (spec.get("volumeMounts") or {}).values():
                self._new_volume(project_id, env_id, service["id"], mount["mountPath"])
            self._deploy(instance)
        workflow.update(status="Complete", error=None)

    def _generate(self, value: str) -> str:
        def secret(match: re.Match) -> str:
            alphabet = match.group(2) or "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
            return self.ids.secret(int(match.group(1)), alphabet)

        return _SECRET.sub(secret, value)

    # ---- a real PostgreSQL behind the Postgres template ------------------------------------------------

    def _provision_backing(self, service_id: str, values: dict[str, str]) -> dict[str, Any]:
        import psycopg
        from psycopg import sql

        name = f"railway_{service_id.replace('-', '')[:12]}"
        server = urlsplit(self.postgres_admin_url)
        with psycopg.connect(self.postgres_admin_url, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE ROLE {} LOGIN SUPERUSER PASSWORD {}").format(
                sql.Identifier(name), sql.Literal(values["POSTGRES_PASSWORD"])))
            conn.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(name), sql.Identifier(name)))
        values["POSTGRES_USER"] = name
        values["POSTGRES_DB"] = name
        return {"name": name, "host": server.hostname or "127.0.0.1", "port": server.port or 5432}

    def drop_backing_databases(self) -> None:
        """Drop the real databases and roles still standing in for Postgres services (what a test that stopped
        before `destroy` leaves on the shared server); the services stay in the emulated account."""
        for record in self.store.values("instances"):
            backing = record.pop("_backing", None)
            if backing:
                self._drop_backing(backing)

    def _drop_backing(self, backing: Mapping[str, Any]) -> None:
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.postgres_admin_url, autocommit=True) as conn:
            conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                         (backing["name"],))
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(backing["name"])))
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(backing["name"])))

