"""Koyeb API emulator: apps, services (with deployments) and secrets, per koyeb.openapi.json (Swagger 2.0).

Behaviour, as the real service shows it (each rule with where it comes from):
- `Authorization: Bearer <token>` on every call, else 401 `Error` (the Terraform provider sends exactly this).
- Errors: 400 `ErrorWithFields {status, code, message, fields}`; 401/403/404/500/503 `Error`; any other status
  `google.rpc.Status {code (gRPC number), message, details}` (the spec's responses per operation).
- App names are unique per organization, service names per app and secret names per organization: a duplicate
  is `400` whose only field is `name` "already exists"; there is no 409 in this API. koyeb-cli tells a taken
  app name apart exactly so (`pkg/koyeb/databases_create.go`, `TryCreateKoyebApplication`: "the API does not
  return a specific error code for this case").
- Names: see `koyeb_rules` (secret names are RFC 1123 labels, per koyeb.com/docs/reference/secrets).
- Apps and secrets carry no free-form field (no labels, tags or description: `App`, `CreateApp`, `Secret`,
  `CreateSecret` in the spec), so nothing on them can name the stack that made them; a service's deployment
  definition carries env entries, which can.
- Each app gets the auto-assigned domain `<app>-<org>.koyeb.app`.
- Creating or updating a service creates a deployment (koyeb.com/docs/reference/deployments: "Changes to
  Service configuration always result in changes to Deployments"); the deployment goes PENDING -> STARTING ->
  HEALTHY and a new service STARTING -> HEALTHY (how many reads that takes is `set_readiness_delay`). The
  running deployment keeps serving until the new one is healthy, which then becomes `active_deployment_id`
  and the old one is STOPPED (same page: "Any currently running Deployments for the Service will continue to
  run until the new Deployment is marked as healthy"). `save_only` updates create a STASHED deployment.
- Updating a secret changes nothing that runs: no deployment is started (the spec's deployment trigger types
  are only UNKNOWN_TYPE, GIT, RESUME and DATABASE_SYNC, and koyeb-cli's `secrets update` only sends the
  secret); a service sees a new value only through a new deployment.
- A deployment can fail (`fail_image`: every deployment of that image fails with the given reason): once its
  readiness reads are spent it reads ERRORING, then ERROR, with the reason in `messages` (koyeb-cli's
  `services update --wait` stops on ERROR/ERRORING and the control panel shows ERROR as "runtime failed").
  The previous deployment stays active and HEALTHY; the service is DEGRADED while an active deployment
  serves and its latest failed, UNHEALTHY when nothing serves (koyeb/control-panel
  `src/pages/service/service-error-alert.tsx` and its `serviceErrorAlert.degraded` text: "The service
  continues to operate with the active deployment").
- Deleting an app deletes its services (UNCONFIRMED in Koyeb's docs; the official Terraform provider
  deletes services first, which this also allows).
- Lists take `limit`/`offset` (strings in this spec; default 10, at most 100) and filter `name` by substring.
- Secret values are write-only except through `POST /v1/secrets/{id}/reveal`.

Control action (`control_actions`, for `POST /__emulator__/actions/fail_image` out of process):
`fail_image(image, reason)`.
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence

from .base import ApiError, ApiRequest, Emulator, Reply, handles
from .koyeb_rules import (
    check_app_name,
    check_definition,
    check_secret_name,
    check_service_name,
    uses_free_instance,
)
from .state import clone, now_rfc3339

_ERROR_CODES = {400: "invalid_argument", 401: "unauthenticated", 403: "permission_denied", 404: "not_found",
                500: "internal", 503: "unavailable"}
_GRPC_CODES = {400: 3, 401: 16, 403: 7, 404: 5, 409: 6, 412: 9, 429: 8, 499: 1, 500: 13, 501: 12, 502: 14,
               503: 14, 504: 4}
_DEFAULT_LIMIT, _MAX_LIMIT = 10, 100
_UPCOMING = frozenset({"PENDING", "PROVISIONING", "SCHEDULED", "ALLOCATING", "STARTING"})
_FAILED = frozenset({"ERRORING", "ERROR"})


class KoyebEmulator(Emulator):
    """In-memory Koyeb account (one organization)."""

    api = "koyeb"
    spec_file = "koyeb.openapi.json"
    collections = ("apps", "services", "deployments", "secrets")
    secret_fields = frozenset({"value"})
    control_actions = ("fail_image",)

    def __init__(
        self,
        *,
        organization: str = "stagecraft",
        token: str | None = None,
        free_instance_limit: int = 1,
        **options: Any,
    ):
        super().__init__(**options)
        self.organization = organization
        self.organization_id = self.ids.uuid()
        self.token = token
        self.free_instance_limit = free_instance_limit
        self.failing_images: dict[str, str] = {}

    def fail_image(self, image: str, reason: str) -> dict[str, str]:
        """Make every deployment of ``image`` from now on fail with ``reason`` (Koyeb's deployment message)."""
        if not image or not reason:
            raise ValueError("fail_image needs an image reference and the reason its deployments fail with")
        with self._lock:
            self.failing_images[image] = reason
        return {"image": image, "reason": reason}

    # ---- hooks -----------------------------------------------------------------------------------

    def authenticate(self, headers: Mapping[str, str]) -> bool:
        value = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
        scheme, _, token = value.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return False
        return self.token is None or token.strip() == self.token

    def error_body(self, status: int, message: str, fields: Sequence[tuple[str, str]] = ()) -> Any:
        if status == 400:
            return {
                "status": 400,
                "code": _ERROR_CODES[400],
                "message": message,
                "fields": [{"field": f, "description": d} for f, d in fields],
            }
        if status in _ERROR_CODES:
            return {"status": status, "code": _ERROR_CODES[status], "message": message}
        return {"code": _GRPC_CODES.get(status, 2), "message": message, "details": []}

    def render(self, collection: str, record: dict[str, Any]) -> dict[str, Any]:
        return {k: clone(v) for k, v in record.items() if not k.startswith("_")}

    # ---- shared helpers --------------------------------------------------------------------------

    @staticmethod
    def _invalid(*fields: tuple[str, str]) -> ApiError:
        return ApiError(400, "Validation error", fields)

    @staticmethod
    def _not_found(kind: str) -> ApiError:
        return ApiError(404, f"{kind} not found")

    def _page(self, items: list[dict[str, Any]], query: Mapping[str, Any]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        try:
            limit = int(query.get("limit", _DEFAULT_LIMIT))
            offset = int(query.get("offset", 0))
        except ValueError:
            raise self._invalid(("limit", "limit and offset must be integers")) from None
        if limit < 0 or offset < 0:
            raise self._invalid(("limit", "limit and offset must be >= 0"))
        limit = min(limit or _DEFAULT_LIMIT, _MAX_LIMIT)
        page = items[offset : offset + limit]
        meta = {"limit": limit, "offset": offset, "count": len(items), "has_next": offset + limit < len(items)}
        return page, meta

    def _domain_name(self, app_name: str) -> str:
        return f"{app_name}-{self.organization}.koyeb.app"

    # ---- apps ------------------------------------------------------------------------------------

    def _app(self, app_id: str) -> dict[str, Any]:
        app = self.store.get("apps", app_id)
        if app is None:
            raise self._not_found("App")
        return app

    def _settle_app(self, request: ApiRequest | None, app: dict[str, Any]) -> None:
        ready = self.touch(request, app["id"])
        if app["_paused"]:
            app["status"] = "PAUSED"
        elif ready:
            if app["status"] != "HEALTHY":
                app["status"] = "HEALTHY"
                app["succeeded_at"] = now_rfc3339()
            for domain in app["domains"]:
                if domain["status"] == "PENDING":
                    domain["status"] = "ACTIVE"
                    domain["verified_at"] = now_rfc3339()

    def _app_list_item(self, app: dict[str, Any]) -> dict[str, Any]:
        keys = ("id", "name", "organization_id", "updated_at", "created_at", "domains", "status", "messages")
        return {k: clone(app[k]) for k in keys}

    @handles("CreateApp")
    def create_app(self, request: ApiRequest) -> Reply:
        body = request.body or {}
        name = body.get("name")
        problems = check_app_name(name)
        if problems:
            raise self._invalid(*problems)
        if any(a["name"] == name for a in self.store.values("apps")):
            raise self._invalid(("name", "already exists"))
        now = now_rfc3339()
        app_id = self.ids.uuid()
        app = {
            "id": app_id,
            "name": name,
            "organization_id": self.organization_id,
            "created_at": now,
            "updated_at": now,
            "started_at": now,
            "status": "STARTING",
            "messages": [],
            "version": "1",
            "domains": [self._new_domain(app_id, name, now)],
            "life_cycle": {"delete_when_empty": bool((body.get("life_cycle") or {}).get("delete_when_empty", False))},
            "_paused": False,
        }
        self.store.put("apps", app_id, app)
        self.begin(app_id)
        return Reply(200, {"app": self.render("apps", app)})

    def _new_domain(self, app_id: str, app_name: str, now: str) -> dict[str, Any]:
        return {
            "id": self.ids.uuid(),
            "organization_id": self.organization_id,
            "name": self._domain_name(app_name),
            "created_at": now,
            "updated_at": now,
            "status": "PENDING",
            "type": "AUTOASSIGNED",
            "app_id": app_id,
            "deployment_group": "prod",
            "intended_cname": "",
            "messages": [],
            "version": "1",
            "project_id": "",
        }

    @handles("GetApp")
    def get_app(self, request: ApiRequest) -> Reply:
        app = self._app(request.path_params["id"])
        self._settle_app(request, app)
        return Reply(200, {"app": self.render("apps", app)})

    @handles("ListApps")
    def list_apps(self, request: ApiRequest) -> Reply:
        name = request.query.get("name")
        apps = [a for a in self.store.values("apps") if not name or name in a["name"]]
        for app in apps:
            self._settle_app(request, app)
        page, meta = self._page(apps, request.query)
        return Reply(200, {"apps": [self._app_list_item(a) for a in page], **meta})

    @handles("UpdateApp", "UpdateApp2")
    def update_app(self, request: ApiRequest) -> Reply:
        app = self._app(request.path_params["id"])
        body = request.body or {}
        if "name" in body and body["name"] != app["name"]:
            problems = check_app_name(body["name"])
            if problems:
                raise self._invalid(*problems)
            if any(a["name"] == body["name"] for a in self.store.values("apps")):
                raise self._invalid(("name", "already exists"))
            app["name"] = body["name"]
            for domain in app["domains"]:
                if domain["type"] == "AUTOASSIGNED":
                    domain["name"] = self._domain_name(body["name"])
        if "life_cycle" in body:
            app["life_cycle"] = {"delete_when_empty": bool((body["life_cycle"] or {}).get("delete_when_empty", False))}
        app["updated_at"] = now_rfc3339()
        app["version"] = str(int(app["version"]) + 1)
        return Reply(200, {"app": self.render("apps", app)})

    @handles("DeleteApp")
    def delete_app(self, request: ApiRequest) -> Reply:
        app = self._app(request.path_params["id"])
        for service in list(self.store.where("services", lambda s: s["app_id"] == app["id"])):
            self._remove_service(service)
        self.store.pop("apps", app["id"])
        self.readiness.forget(app["id"])
        return Reply(200, {})

    @handles("PauseApp")
    def pause_app(self, request: ApiRequest) -> Reply:
        app = self._app(request.path_params["id"])
        app["_paused"] = True
        app["status"] = "PAUSED"
        app["paused_at"] = now_rfc3339()
        for service in self.store.where("services", lambda s: s["app_id"] == app["id"]):
            service["_paused"] = True
            service["status"] = "PAUSED"
        return Reply(200, {})

    @handles("ResumeApp")
    def resume_app(self, request: ApiRequest) -> Reply:
        app = self._app(request.path_params["id"])
        app["_paused"] = False
        app["status"] = "RESUMING"
        app["resumed_at"] = now_rfc3339()
        self.begin(app["id"])
        for service in self.store.where("services", lambda s: s["app_id"] == app["id"]):
            self._resume_service(service)
        return Reply(200, {})

    # ---- secrets ---------------------------------------------------------------------------------

    def _secret(self, secret_id: str) -> dict[str, Any]:
        secret = self.store.get("secrets", secret_id)
        if secret is None:
            raise self._not_found("Secret")
        return secret

    def _secret_named(self, name: str) -> dict[str, Any] | None:
        return next((s for s in self.store.values("secrets") if s["name"] == name), None)

    @handles("CreateSecret")
    def create_secret(self, request: ApiRequest) -> Reply:
        body = request.body or {}
        problems = check_secret_name(body.get("name"))
        kind = body.get("type", "SIMPLE")
        if kind == "SIMPLE" and "value" not in body:
            problems.append(("value", "is required for a SIMPLE secret"))
        if kind == "MANAGED":
            problems.append(("type", "MANAGED secrets are created by Koyeb, not through this call"))
        if problems:
            raise self._invalid(*problems)
        if self._secret_named(body["name"]) is not None:
            raise self._invalid(("name", "already exists"))
        now = now_rfc3339()
        secret = {
            "id": self.ids.uuid(),
            "name": body["name"],
            "organization_id": self.organization_id,
            "type": kind,
            "created_at": now,
            "updated_at": now,
            "project_id": body.get("project_id", ""),
            "_value": body.get("value", ""),
        }
        self.store.put("secrets", secret["id"], secret)
        return Reply(200, {"secret": self.render("secrets", secret)})

    @handles("GetSecret")
    def get_secret(self, request: ApiRequest) -> Reply:
        return Reply(200, {"secret": self.render("secrets", self._secret(request.path_params["id"]))})

    @handles("ListSecrets")
    def list_secrets(self, request: ApiRequest) -> Reply:
        name = request.query.get("name")
        types = request.query.get("types") or []
        found = [
            s for s in self.store.values("secrets")
            if (not name or name in s["name"]) and (not types or s["type"] in types)
        ]
        page, meta = self._page(found, request.query)
        meta.pop("has_next")
        return Reply(200, {"secrets": [self.render("secrets", s) for s in page], **meta})

    @handles("UpdateSecret", "UpdateSecret2")
    def update_secret(self, request: ApiRequest) -> Reply:
        secret = self._secret(request.path_params["id"])
        body = request.body or {}
        if "name" in body and body["name"] != secret["name"]:
            problems = check_secret_name(body["name"])
            if problems:
                raise self._invalid(*problems)
            if self._secret_named(body["name"]) is not None:
                raise self._invalid(("name", "already exists"))
            secret["name"] = body["name"]
        if "value" in body:
            secret["_value"] = body["value"]
        secret["updated_at"] = now_rfc3339()
        return Reply(200, {"secret": self.render("secrets", secret)})

    @handles("DeleteSecret")
    def delete_secret(self, request: ApiRequest) -> Reply:
        secret = self._secret(request.path_params["id"])
        self.store.pop("secrets", secret["id"])
        return Reply(200, {})

    @handles("RevealSecret")
    def reveal_secret(self, request: ApiRequest) -> Reply:
        return Reply(200, {"value": self._secret(request.path_params["id"])["_value"]})

    # ---- services and deployments ----------------------------------------------------------------

    def _service(self, service_id: str) -> dict[str, Any]:
        service = self.store.get("services", service_id)
        if service is None:
            raise self._not_found("Service")
        return service

    def _deployment(self, deployment_id: str) -> dict[str, Any]:
        deployment = self.store.get("deployments", deployment_id)
        if deployment is None:
            raise self._not_found("Deployment")
        return deployment

    def _check_definition(self, definition: Any, service_id: str | None) -> None:
        problems = check_definition(definition, lambda name: self._secret_named(name) is not None)
        if not problems and uses_free_instance(definition):
            others = [
                s for s in self.store.values("services")
                if s["id"] != service_id and uses_free_instance(self._current_definition(s))
            ]
            if len(others) >= self.free_instance_limit:
                problems.append(
                    ("definition.instance_types", f"the organization already runs its {self.free_instance_limit} free instance(s)")
                )
        if problems:
            raise self._invalid(*problems)

    def _current_definition(self, service: dict[str, Any]) -> dict[str, Any]:
        deployment = self.store.get("deployments", service["latest_deployment_id"])
        return deployment["definition"] if deployment else {}

    def _new_deployment(self, service: dict[str, Any], definition: dict[str, Any], *, trigger: str = "UNKNOWN_TYPE",
                        stashed: bool = False) -> dict[str, Any]:
        now = now_rfc3339()
        deployment = {
            "id": self.ids.uuid(),
            "created_at": now,
            "updated_at": now,
            "organization_id": self.organization_id,
            "app_id": service["app_id"],
            "service_id": service["id"],
            "parent_id": service.get("latest_deployment_id") or "",
            "status": "STASHED" if stashed else "PENDING",
            "metadata": {"trigger": {"type": trigger, "actor": "USER"}},
            "definition": clone(definition),
            "messages": [],
            "version": "1",
            "deployment_group": "prod",
            "role": "UPCOMING" if not stashed else "INVALID",
        }
        self.store.put("deployments", deployment["id"], deployment)
        if not stashed:
            self.begin(deployment["id"])
        return deployment

    def _settle_service(self, request: ApiRequest | None, service: dict[str, Any]) -> None:
        latest = self.store.get("deployments", service["latest_deployment_id"])
        ready = self.touch(request, latest["id"]) if latest is not None else False
        if service["_paused"]:
            service["status"] = "PAUSED"
            return
        if latest is not None and latest["status"] in _UPCOMING:
            if not ready:
                if request is not None:
                    latest["status"] = "STARTING"
            elif self._failure_of(latest) is not None:
                self._start_failing(request, latest)
            else:
                self._activate(service, latest)
        elif latest is not None and latest["status"] == "ERRORING" and request is not None:
            if f"{latest['id']}/erroring" not in request.touched:
                now = now_rfc3339()
                latest.update(status="ERROR", terminated_at=now, updated_at=now)
        service["status"] = self._service_status(service, latest)

    def _failure_of(self, deployment: dict[str, Any]) -> str | None:
        image = ((deployment.get("definition") or {}).get("docker") or {}).get("image")
        return self.failing_images.get(image) if image else None

    def _start_failing(self, request: ApiRequest | None, deployment: dict[str, Any]) -> None:
        now = now_rfc3339()
        deployment.update(status="ERRORING", role="INVALID", messages=[self._failure_of(deployment)], updated_at=now)
        if request is not None:
            request.touched[f"{deployment['id']}/erroring"] = True  # ERROR from the next read on

    def _activate(self, service: dict[str, Any], deployment: dict[str, Any]) -> None:
        now = now_rfc3339()
        deployment.update(status="HEALTHY", role="ACTIVE", succeeded_at=now, updated_at=now)
        previous = self.store.get("deployments", service.get("active_deployment_id") or "")
        if previous is not None and previous["id"] != deployment["id"]:
            previous.update(status="STOPPED", role="INVALID", terminated_at=now, updated_at=now)
        service["active_deployment_id"] = deployment["id"]
        service["succeeded_at"] = now

    @staticmethod
    def _service_status(service: dict[str, Any], latest: dict[str, Any] | None) -> str:
        serving = bool(service.get("active_deployment_id"))
        if latest is not None and latest["status"] in _FAILED:
            return "DEGRADED" if serving else "UNHEALTHY"
        return "HEALTHY" if serving else "STARTING"

    def _remove_service(self, service: dict[str, Any]) -> None:
        for deployment in list(self.store.where("deployments", lambda d: d["service_id"] == service["id"])):
            self.store.pop("deployments", deployment["id"])
            self.readiness.forget(deployment["id"])
        self.store.pop("services", service["id"])

    def _resume_service(self, service: dict[str, Any]) -> None:
        if not service["_paused"]:
            return
        service["_paused"] = False
        service["resumed_at"] = now_rfc3339()
        service["active_deployment_id"] = ""
        deployment = self._new_deployment(service, self._current_definition(service), trigger="RESUME")
        service["latest_deployment_id"] = deployment["id"]
        service["status"] = "RESUMING"

    def _service_list_item(self, service: dict[str, Any]) -> dict[str, Any]:
        keys = ("id", "name", "type", "organization_id", "app_id", "updated_at", "created_at", "status", "messages",
                "version", "active_deployment_id", "latest_deployment_id", "life_cycle")
        return {k: clone(service[k]) for k in keys if k in service}

    @handles("CreateService")
    def create_service(self, request: ApiRequest) -> Reply:
        body = request.body or {}
        definition = body.get("definition") or {}
        name = body.get("name") or definition.get("name")
        problems = check_service_name(name)
        if not body.get("app_id"):
            problems.append(("app_id", "is required"))
        elif self.store.get("apps", body["app_id"]) is None:
            problems.append(("app_id", "app not found"))
        if problems:
            raise self._invalid(*problems)
        self._check_definition(definition, None)
        if any(s["app_id"] == body["app_id"] and s["name"] == name for s in self.store.values("services")):
            raise self._invalid(("name", "already exists"))
        now = now_rfc3339()
        service = {
            "id": self.ids.uuid(),
            "created_at": now,
            "updated_at": now,
            "started_at": now,
            "name": name,
            "type": definition.get("type") or "WEB",
            "organization_id": self.organization_id,
            "app_id": body["app_id"],
            "status": "STARTING",
            "messages": [],
            "version": "1",
            "active_deployment_id": "",
            "latest_deployment_id": "",
            "life_cycle": clone(body.get("life_cycle") or {}),
            "_paused": False,
        }
        if request.query.get("dry_run"):
            return Reply(200, {"service": self.render("services", service)})
        self.store.put("services", service["id"], service)
        deployment = self._new_deployment(service, definition)
        service["latest_deployment_id"] = deployment["id"]
        return Reply(200, {"service": self.render("services", service)})

    @handles("GetService")
    def get_service(self, request: ApiRequest) -> Reply:
        service = self._service(request.path_params["id"])
        self._settle_service(request, service)
        return Reply(200, {"service": self.render("services", service)})

    @handles("ListServices")
    def list_services(self, request: ApiRequest) -> Reply:
        q = request.query
        found = []
        for service in self.store.values("services"):
            if q.get("app_id") and service["app_id"] != q["app_id"]:
                continue
            if q.get("name") and q["name"] not in service["name"]:
                continue
            if q.get("types") and service["type"] not in q["types"]:
                continue
            if q.get("regions") and not set(q["regions"]) & set(self._current_definition(service).get("regions") or []):
                continue
            # Only listed services count as read (readiness), and the status filter sees the settled status.
            self._settle_service(request, service)
            if q.get("statuses") and service["status"] not in q["statuses"]:
                continue
            found.append(service)
        page, meta = self._page(found, q)
        return Reply(200, {"services": [self._service_list_item(s) for s in page], **meta})

    @handles("UpdateService", "UpdateService2")
    def update_service(self, request: ApiRequest) -> Reply:
        service = self._service(request.path_params["id"])
        body = request.body or {}
        definition = body.get("definition")
        if definition is None:
            raise self._invalid(("definition", "is required"))
        self._check_definition(definition, service["id"])
        if request.query.get("dry_run"):
            return Reply(200, {"service": self.render("services", service)})
        stashed = bool(body.get("save_only"))
        deployment = self._new_deployment(service, definition, stashed=stashed)
        service["latest_deployment_id"] = deployment["id"]
        if "life_cycle" in body:
            service["life_cycle"] = clone(body["life_cycle"] or {})
        service["updated_at"] = now_rfc3339()
        service["version"] = str(int(service["version"]) + 1)
        return Reply(200, {"service": self.render("services", service)})

    @handles("DeleteService")
    def delete_service(self, request: ApiRequest) -> Reply:
        self._remove_service(self._service(request.path_params["id"]))
        return Reply(200, {})

    @handles("PauseService")
    def pause_service(self, request: ApiRequest) -> Reply:
        service = self._service(request.path_params["id"])
        service["_paused"] = True
        service["status"] = "PAUSED"
        service["paused_at"] = now_rfc3339()
        return Reply(200, {})

    @handles("ResumeService")
    def resume_service(self, request: ApiRequest) -> Reply:
        self._resume_service(self._service(request.path_params["id"]))
        return Reply(200, {})

    @handles("ReDeploy")
    def redeploy(self, request: ApiRequest) -> Reply:
        service = self._service(request.path_params["id"])
        deployment = self._new_deployment(service, self._current_definition(service))
        service["latest_deployment_id"] = deployment["id"]
        service["updated_at"] = now_rfc3339()
        return Reply(200, {"deployment": self.render("deployments", deployment)})

    @handles("GetDeployment")
    def get_deployment(self, request: ApiRequest) -> Reply:
        deployment = self._deployment(request.path_params["id"])
        self.touch(request, deployment["id"])
        service = self.store.get("services", deployment["service_id"])
        if service is not None:
            self._settle_service(request, service)
        return Reply(200, {"deployment": self.render("deployments", deployment)})

    @handles("GetOrganizationUsageDetails")
    def usage_details(self, request: ApiRequest) -> Reply:
        """One record per instance of the organization (koyeb.openapi.json `UsageDetails`): a running instance has
        no `terminated_at`; a paused service's instance has one. Usage of deleted services is not kept here."""
        now = now_rfc3339()
        records = []
        for service in self.store.values("services"):
            self._settle_service(request, service)
            deployment = self.store.get("deployments", service.get("active_deployment_id") or "")
            if deployment is None:
                continue
            definition = deployment.get("definition") or {}
            instance_type = ((definition.get("instance_types") or [{}])[0] or {}).get("type", "")
            record = {"organization_id": self.organization_id, "instance_id": f"{deployment['id'][:8]}-0",
                      "app_id": service["app_id"], "app_name": self._app(service["app_id"])["name"],
                      "service_id": service["id"], "service_name": service["name"],
                      "region": (definition.get("regions") or [""])[0], "deployment_id": deployment["id"],
                      "instance_type": instance_type, "duration_seconds": 0,
                      "started_at": deployment.get("succeeded_at") or deployment["created_at"]}
            if service["_paused"]:
                record["terminated_at"] = service.get("paused_at") or now
            records.append(record)
        page, meta = self._page(records, request.query)
        return Reply(200, {"usage_details": page, "limit": meta["limit"], "offset": meta["offset"],
                           "count": meta["count"], "order": request.query.get("order", "asc")})

    @handles("ListDeployments")
    def list_deployments(self, request: ApiRequest) -> Reply:
        q = request.query
        for service in self.store.values("services"):
            if (not q.get("service_id") or service["id"] == q["service_id"]) and (
                not q.get("app_id") or service["app_id"] == q["app_id"]
            ):
                self._settle_service(request, service)
        found = [
            d for d in self.store.values("deployments")
            if (not q.get("service_id") or d["service_id"] == q["service_id"])
            and (not q.get("app_id") or d["app_id"] == q["app_id"])
            and (not q.get("statuses") or d["status"] in q["statuses"])
        ]
        found.reverse()
        page, meta = self._page(found, q)
        return Reply(200, {"deployments": [self.render("deployments", d) for d in page], **meta})
