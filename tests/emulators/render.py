"""Render API emulator: owners, web services (image runtime), env vars, deploys and Key Value, per render.openapi.json.

Behaviour, each rule with its source (ids, pagination, rate limits and deploy statuses: `render_rules`):
- `Authorization: Bearer <API key>` on every call (spec `BearerAuth`), else 401; errors are the spec's
  `error {id, message}`; a missing service or instance is 404 `not found: <id>` (platform-apis.md §2).
- Owners (workspaces) are seeded: `add_owner(name)`. Every create names one (`ownerId`).
- **The API does not create free web services.** `plan` on create is the spec's `paidPlan` (no `free`), and a
  Render maintainer stated the REST API deliberately refuses free-tier services
  (render-oss/terraform-provider-render issue #44, 2025-01-02/03): a create with `plan: "free"` is answered 400
  (the exact wording is UNCONFIRMED). A free web service is made in the dashboard: `add_dashboard_service(...)`
  seeds one (with a live first deploy, as the dashboard leaves it). A paid plan needs a card on file: without
  one a paid create or upgrade is 402 (the spec's `402PaymentRequired`; `RenderEmulator(card_on_file=False)`).
- Create answers 201 `{deployId, service}` (spec `serviceAndDeploy`; the web-service-image cassette), and the
  service's first deploy starts at once.
- `PATCH /services/{id}` changes the service's configuration only; it starts no deploy (the Terraform provider
  triggers `POST .../deploys` itself after every update: web_service_image cassette, `PATCH` then `PUT env-vars`
  then `POST deploys`). Env var changes start none either (platform-apis.md §2: auto-deploy on env change
  UNCONFIRMED, so a provider must deploy). A deploy runs the configuration the service has when it starts:
  image, env vars, health check path, start command (`live_deploy(service_id)` shows what runs).
- `PUT /services/{id}/env-vars` replaces the whole set (platform-apis.md §2); `{key, generateValue: true}` gets a
  random value. `PUT/DELETE .../env-vars/{key}` change one.
- `POST /services/{id}/deploys` answers 201 with the deploy when nothing is in progress, else 202 with no body
  and the new deploy waits `queued` (spec: 201 "Created", 202 "Queued"; the Terraform provider's cassettes show
  both, e.g. private_service `docker_cassette.yaml` 202; render-oss/cli `pkg/tui/views/deploycreate.go` then
  lists `status=queued&limit=1` to find it). `imageUrl` must keep the configured image's host, repository and
  name (spec description). An image deploy goes `update_in_progress` (no build; cassette) then `live` after
  `set_readiness_delay` reads of it, the previous live deploy becoming `deactivated`; a queued deploy starts when
  the one before it ends. `fail_image(image)`: deploys of that image end `update_failed` and the previous deploy
  keeps serving. Lists are newest first.
- A web service's URL is `https://<slug>.onrender.com` (platform-apis.md §2); `openPorts` shows the port the
  live deploy listens on: `PORT` from its env vars, else 10000 (render.com/docs/web-services: Render's default
  `PORT` is 10000).
- Key Value: created on the `free` plan through the API (the Terraform provider's keyvalue cassette,
  2026-06-09). A new instance reports `creating` for a while (`key_value_creating_reads`, default 2 reads, more
  with `set_readiness_delay`), then `available`. `region` must be one of Render's regions. One free instance per
  workspace (platform-apis.md §2: third-party summary, UNCONFIRMED officially). `connection-info` gives the
  internal `redis://<id>:6379` and external `rediss://<id>:<password>@<region>-keyvalue.render.com:6379` strings
  (cassette shapes).
- Deleting a service or instance answers 204; reads of it are 404 afterwards.

Control action: `fail_image(image)` (also `POST /__emulator__/actions/fail_image`).
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from .base import ApiError, ApiRequest, Emulator, Reply, bearer_token, handles
from .rate_limits import RateLimiter
from .render_rules import FINAL, ID_ALPHABET, IN_PROGRESS, cursor_of, limits_for, page
from .state import clone, now_rfc3339

REGIONS = ("frankfurt", "oregon", "ohio", "singapore", "virginia")
DEFAULT_PORT = 10000
FREE_REFUSED = ("a free web service cannot be created through the API; create it in the Render dashboard and "
                "manage it through the API afterwards")
_IMAGE_SHA = "sha256:" + "0" * 64


class RenderEmulator(Emulator):
    """In-memory Render account: workspaces, services, deploys, Key Value instances."""

    api = "render"
    spec_file = "render.openapi.json"
    collections = ("owners", "services", "deploys", "key_values")
    secret_fields = frozenset({"value", "externalConnectionString", "cliCommand"})
    control_actions = ("fail_image",)

    def __init__(self, *, api_key: str | None = None, card_on_file: bool = True, key_value_creating_reads: int = 2,
                 free_key_value_limit: int | None = 1, rate_limits: bool = True, rate_limit_scale: float = 1.0,
                 **options: Any):
        super().__init__(**options)
        self.api_key = api_key
        self.card_on_file = card_on_file
        self.key_value_creating_reads = key_value_creating_reads
        self.free_key_value_limit = free_key_value_limit
        self.rate_limiter = RateLimiter(time_scale=rate_limit_scale) if rate_limits else None
        self.failing_images: set[str] = set()

    # ---- seeding and control ---------------------------------------------------------------------

    def add_owner(self, name: str = "My Workspace", email: str = "ops@example.com") -> str:
        """Seed a team workspace; return its id (`tea-...`)."""
        with self._lock:
            owner = {"id": self._id("tea"), "name": name, "email": email, "type": "team",
                     "twoFactorAuthEnabled": False, "ipAllowList": []}
            self.store.put("owners", owner["id"], owner)
            return owner["id"]

    def add_dashboard_service(self, owner_id: str, name: str, *, image: str = "docker.io/library/nginx:latest",
                              region: str = "oregon", plan: str = "free", service_type: str = "web_service",
                              env: Mapping[str, str] | None = None) -> str:
        """Seed a service as someone makes it in the dashboard (free plan by default), already live; its id."""
        with self._lock:
            service = self._new_service(owner_id, name, service_type, image, region, plan, env or {})
            deploy = self._new_deploy(service, "manual")
            self._finish(deploy, "live")
            return service["id"]

    def fail_image(self, image: str) -> str:
        """Make every deploy of `image` from now on end `update_failed`."""
        if not image:
            raise ValueError("fail_image needs the image reference whose deploys fail")
        with self._lock:
            self.failing_images.add(image)
        return image

    def live_deploy(self, service_id: str) -> dict[str, Any] | None:
        """What the service runs now: the live deploy's image, env vars, health check path and start command."""
        with self._lock:
            live = [d for d in self.store.values("deploys") if d["_service"] == service_id and d["status"] == "live"]
            return clone(live[-1]["_runs"]) if live else None

    # ---- hooks -----------------------------------------------------------------------------------

    def authenticate(self, headers: Mapping[str, str]) -> bool:
        token = bearer_token(headers)
        return bool(token) and (self.api_key is None or token == self.api_key)

    def error_body(self, status: int, message: str, fields: Sequence[tuple[str, str]] = ()) -> Any:
        return {"id": self.ids.uuid(), "message": message}

    def render(self, collection: str, record: dict[str, Any]) -> dict[str, Any]:
        body = {k: clone(v) for k, v in record.items() if not k.startswith("_")}
        if collection == "key_values":
            body["dashboardUrl"] = f"https://dashboard.render.com/r/{record['id']}"
        return body

    def _dispatch(self, checked, raw) -> Reply:
        if self.rate_limiter is not None and checked.operation is not None and not checked.problems \
                and self.authenticate(raw.headers):
            request = ApiRequest(checked.method, raw.path, checked.operation.operation_id, checked.path_params,
                                 checked.query, checked.body, raw.headers)
            limits, key = limits_for(request)
            refusal = self.rate_limiter.check(limits, key)
            if refusal is not None:
                headers = {"Ratelimit-Limit": str(refusal.limit.limit), "Ratelimit-Remaining": "0",
                           "Ratelimit-Reset": str(refusal.retry_after), "Retry-After": str(refusal.retry_after)}
                return Reply(429, self.error_body(429, f"rate limit exceeded: {refusal.limit.name}"), headers)
        return super()._dispatch(checked, raw)

    # ---- helpers ---------------------------------------------------------------------------------

    def _id(self, prefix: str) -> str:
        return f"{prefix}-{self.ids.secret(20, ID_ALPHABET)}"

    def _owner(self, owner_id: str) -> dict[str, Any]:
        owner = self.store.get("owners", owner_id)
        if owner is None:
            raise ApiError(400, f"owner {owner_id} not found; list your workspaces with GET /owners")
        return owner

    def _service(self, request: ApiRequest) -> dict[str, Any]:
        service_id = request.path_params["serviceId"]
        service = self.store.get("services", service_id)
        if service is None:
            raise ApiError(404, f"not found: {service_id}")
        return service

    def _new_service(self, owner_id: str, name: str, service_type: str, image: str, region: str, plan: str,
                     env: Mapping[str, str]) -> dict[str, Any]:
        self._owner(owner_id)
        now = now_rfc3339()
        service_id = self._id("srv")
        slug = self._slug(name)
        details: dict[str, Any] = {
            "env": "image", "runtime": "image", "buildPlan": "starter", "plan": plan, "region": region,
            "numInstances": 1, "healthCheckPath": "", "url": f"https://{slug}.onrender.com",
            "openPorts": [{"port": DEFAULT_PORT, "protocol": "TCP"}],
            "envSpecificDetails": {"dockerCommand": "", "dockerContext": "", "dockerfilePath": ""},
            "previews": {"generation": "off"}, "pullRequestPreviewsEnabled": "no",
        }
        if service_type == "static_site":
            details = {"buildCommand": "npm run build", "publishPath": "dist", "buildPlan": "starter",
                       "url": f"https://{slug}.onrender.com", "previews": {"generation": "off"}}
        service = {
            "id": service_id, "name": name, "slug": slug, "type": service_type, "ownerId": owner_id,
            "createdAt": now, "updatedAt": now, "autoDeploy": "yes", "imagePath": image,
            "suspended": "not_suspended", "suspenders": [], "notifyOnFail": "default", "rootDir": "",
            "dashboardUrl": f"https://dashboard.render.com/web/{service_id}", "serviceDetails": details,
            "_env": [{"key": k, "value": v} for k, v in env.items()],
        }
        self.store.put("services", service_id, service)
        return service

    def _slug(self, name: str) -> str:
        base = "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-") or "service"
        taken = {s["slug"] for s in self.store.values("services")}
        return base if base not in taken else f"{base}-{self.ids.secret(4, ID_ALPHABET)}"

    def _payment_check(self, plan: str) -> None:
        if plan != "free" and not self.card_on_file:
            raise ApiError(402, f"plan {plan!r} needs payment information; add a card in the Render dashboard")

    # ---- owners ----------------------------------------------------------------------------------

    @handles("list-owners")
    def list_owners(self, request: ApiRequest) -> Reply:
        names = request.query.get("name") or []
        owners = [o for o in self.store.values("owners") if not names or o["name"] in names]
        return Reply(200, page(owners, request.query, "owner", lambda o: self.render("owners", o), lambda o: o["id"]))

    @handles("retrieve-owner")
    def retrieve_owner(self, request: ApiRequest) -> Reply:
        owner = self.store.get("owners", request.path_params["ownerId"])
        if owner is None:
            raise ApiError(404, f"not found: {request.path_params['ownerId']}")
        return Reply(200, self.render("owners", owner))

    # ---- services --------------------------------------------------------------------------------

    @handles("create-service")
    def create_service(self, request: ApiRequest) -> Reply:
        body = request.body
        if body["type"] != "web_service":
            raise ApiError(400, f"this emulator creates web services only, not {body['type']}")
        details = body.get("serviceDetails") or {}
        plan = details.get("plan", "starter")
        if plan == "free":
            raise ApiError(400, FREE_REFUSED)
        problems = self.validator.schemas.problems(details, schema_pointer="/components/schemas/webServiceDetailsPOST",
                                                   prefix="serviceDetails")
        if problems:
            raise ApiError(400, "; ".join(problems))
        if details.get("runtime") != "image" or "image" not in body:
            raise ApiError(400, "this emulator creates image-backed web services (runtime image with an image)")
        self._payment_check(plan)
        region = details.get("region", "oregon")
        env = {}
        for entry in body.get("envVars") or []:
            env[entry["key"]] = entry["value"] if "value" in entry else self.ids.secret(43)
        service = self._new_service(body["ownerId"], body["name"], "web_service", body["image"]["imagePath"],
                                    region, plan, env)
        service["autoDeploy"] = body.get("autoDeploy", "yes")
        service["serviceDetails"]["healthCheckPath"] = details.get("healthCheckPath", "")
        service["serviceDetails"]["numInstances"] = details.get("numInstances", 1)
        command = (details.get("envSpecificDetails") or {}).get("dockerCommand")
        if command is not None:
            service["serviceDetails"]["envSpecificDetails"]["dockerCommand"] = command
        deploy = self._new_deploy(service, "api")
        return Reply(201, {"deployId": deploy["id"], "service": self.render("services", service)})

    @handles("list-services")
    def list_services(self, request: ApiRequest) -> Reply:
        query = request.query
        found = [
            s for s in self.store.values("services")
            if (not query.get("name") or s["name"] in query["name"])
            and (not query.get("type") or s["type"] in query["type"])
            and (not query.get("ownerId") or s["ownerId"] in query["ownerId"])
        ]
        return Reply(200, page(found, query, "service", lambda s: self.render("services", s), lambda s: s["id"]))

    @handles("retrieve-service")
    def retrieve_service(self, request: ApiRequest) -> Reply:
        service = self._service(request)
        self._advance(request, service["id"])
        return Reply(200, self.render("services", service))

    @handles("update-service")
    def update_service(self, request: ApiRequest) -> Reply:
        service = self._service(request)
        body = request.body or {}
        details = body.get("serviceDetails") or {}
        if "plan" in details and details["plan"] != service["serviceDetails"].get("plan"):
            self._payment_check(details["plan"])
        if "image" in body:
            if service["serviceDetails"].get("runtime") != "image":
                raise ApiError(400, "image can only be set on a service whose runtime is image")
            service["imagePath"] = body["image"]["imagePath"]
        for key in ("name", "autoDeploy"):
            if key in body:
                service[key] = body[key]
        for key in ("healthCheckPath", "plan", "preDeployCommand", "maxShutdownDelaySeconds"):
            if key in details:
                service["serviceDetails"][key] = details[key]
        command = (details.get("envSpecificDetails") or {}).get("dockerCommand")
        if command is not None:
            service["serviceDetails"]["envSpecificDetails"]["dockerCommand"] = command
        service["updatedAt"] = now_rfc3339()
        return Reply(200, self.render("services", service))

    @handles("delete-service")
    def delete_service(self, request: ApiRequest) -> Reply:
        service = self._service(request)
        for deploy in list(self.store.where("deploys", lambda d: d["_service"] == service["id"])):
            self.store.pop("deploys", deploy["id"])
            self.readiness.forget(deploy["id"])
        self.store.pop("services", service["id"])
        return Reply(204)

    # ---- env vars --------------------------------------------------------------------------------

    @handles("get-env-vars-for-service")
    def get_env_vars(self, request: ApiRequest) -> Reply:
        service = self._service(request)
        return Reply(200, page(service["_env"], request.query, "envVar", clone, lambda e: e["key"]))

    @handles("update-env-vars-for-service")
    def replace_env_vars(self, request: ApiRequest) -> Reply:
        service = self._service(request)
        entries = []
        for entry in request.body or []:
            value = entry["value"] if "value" in entry else self.ids.secret(43)
            entries = [e for e in entries if e["key"] != entry["key"]] + [{"key": entry["key"], "value": value}]
        service["_env"] = entries
        service["updatedAt"] = now_rfc3339()
        return Reply(200, [{"cursor": cursor_of(e["key"]), "envVar": clone(e)} for e in entries])

    @handles("retrieve-env-var")
    def retrieve_env_var(self, request: ApiRequest) -> Reply:
        service = self._service(request)
        key = request.path_params["envVarKey"]
        found = next((e for e in service["_env"] if e["key"] == key), None)
        if found is None:
            raise ApiError(404, f"not found: env var {key}")
        return Reply(200, clone(found))

    @handles("update-env-var")
    def upsert_env_var(self, request: ApiRequest) -> Reply:
        service = self._service(request)
        key = request.path_params["envVarKey"]
        body = request.body or {}
        value = body["value"] if "value" in body else self.ids.secret(43)
        service["_env"] = [e for e in service["_env"] if e["key"] != key] + [{"key": key, "value": value}]
        return Reply(200, {"key": key, "value": value})

    @handles("delete-env-var")
    def delete_env_var(self, request: ApiRequest) -> Reply:
        service = self._service(request)
        key = request.path_params["envVarKey"]
        if not any(e["key"] == key for e in service["_env"]):
            raise ApiError(404, f"not found: env var {key}")
        service["_env"] = [e for e in service["_env"] if e["key"] != key]
        return Reply(204)

    # ---- deploys ---------------------------------------------------------------------------------

    def _new_deploy(self, service: dict[str, Any], trigger: str, image: str | None = None) -> dict[str, Any]:
        now = now_rfc3339()
        busy = any(d["status"] in IN_PROGRESS for d in self.store.values("deploys") if d["_service"] == service["id"])
        deploy = {"id": self._id("dep"), "trigger": trigger, "createdAt": now, "updatedAt": now,
                  "status": "queued" if busy else "update_in_progress", "_service": service["id"],
                  "_image": image, "_runs": None}
        self.store.put("deploys", deploy["id"], deploy)
        if not busy:
            self._start(deploy)
        return deploy

    def _start(self, deploy: dict[str, Any]) -> None:
        service = self.store.get("services", deploy["_service"])
        details = service["serviceDetails"]
        image = deploy["_image"] or service["imagePath"]
        deploy.update(status="update_in_progress", startedAt=now_rfc3339(),
                      image={"ref": image, "sha": _IMAGE_SHA})
        deploy["_runs"] = {"image": image, "env": {e["key"]: e["value"] for e in service["_env"]},
                           "healthCheckPath": details.get("healthCheckPath", ""),
                           "dockerCommand": details.get("envSpecificDetails", {}).get("dockerCommand", ""),
                           "plan": details.get("plan")}
        self.begin(deploy["id"])

    def _finish(self, deploy: dict[str, Any], status: str) -> None:
        now = now_rfc3339()
        was_running = deploy["status"] == "update_in_progress"
        deploy.update(status=status, finishedAt=now, updatedAt=now)
        self.readiness.forget(deploy["id"])
        service = self.store.get("services", deploy["_service"])
        if status == "live":
            for other in self.store.values("deploys"):
                if other["_service"] == deploy["_service"] and other["id"] != deploy["id"] and other["status"] == "live":
                    other.update(status="deactivated", updatedAt=now)
            port = deploy["_runs"]["env"].get("PORT", str(DEFAULT_PORT))
            if "openPorts" in service["serviceDetails"] and port.isdigit():
                service["serviceDetails"]["openPorts"] = [{"port": int(port), "protocol": "TCP"}]
        queued = [d for d in self.store.values("deploys") if d["_service"] == deploy["_service"] and d["status"] == "queued"]
        if was_running and queued:
            self._start(queued[0])

    def _advance(self, request: ApiRequest | None, service_id: str) -> None:
        """Move the service's running deploy on by one read (the deploy finishes once its reads are spent)."""
        for deploy in self.store.values("deploys"):
            if deploy["_service"] == service_id and deploy["status"] == "update_in_progress":
                if self.touch(request, deploy["id"]):
                    failed = deploy["_runs"]["image"] in self.failing_images
                    self._finish(deploy, "update_failed" if failed else "live")
                return

    def _render_deploy(self, deploy: dict[str, Any]) -> dict[str, Any]:
        return self.render("deploys", deploy)

    def _deploys_of(self, service_id: str) -> list[dict[str, Any]]:
        return list(reversed([d for d in self.store.values("deploys") if d["_service"] == service_id]))

    @handles("create-deploy")
    def create_deploy(self, request: ApiRequest) -> Reply:
        service = self._service(request)
        body = request.body or {}
        image = body.get("imageUrl")
        if image is not None:
            configured = service["imagePath"].rsplit("@", 1)[0]
            configured = configured.rsplit(":", 1)[0] if ":" in configured.rsplit("/", 1)[-1] else configured
            wanted = image.rsplit("@", 1)[0]
            wanted = wanted.rsplit(":", 1)[0] if ":" in wanted.rsplit("/", 1)[-1] else wanted
            if wanted != configured:
                raise ApiError(400, f"imageUrl must keep the configured image's host, repository and name ({configured})")
        deploy = self._new_deploy(service, "api", image)
        if deploy["status"] == "queued":
            return Reply(202)
        return Reply(201, self._render_deploy(deploy))

    @handles("retrieve-deploy")
    def retrieve_deploy(self, request: ApiRequest) -> Reply:
        service = self._service(request)
        self._advance(request, service["id"])
        deploy = self.store.get("deploys", request.path_params["deployId"])
        if deploy is None or deploy["_service"] != service["id"]:
            raise ApiError(404, f"not found: {request.path_params['deployId']}")
        return Reply(200, self._render_deploy(deploy))

    @handles("list-deploys")
    def list_deploys(self, request: ApiRequest) -> Reply:
        service = self._service(request)
        self._advance(request, service["id"])
        wanted = request.query.get("status") or []
        found = [d for d in self._deploys_of(service["id"]) if not wanted or d["status"] in wanted]
        return Reply(200, page(found, request.query, "deploy", self._render_deploy, lambda d: d["id"]))

    @handles("cancel-deploy")
    def cancel_deploy(self, request: ApiRequest) -> Reply:
        service = self._service(request)
        deploy = self.store.get("deploys", request.path_params["deployId"])
        if deploy is None or deploy["_service"] != service["id"]:
            raise ApiError(404, f"not found: {request.path_params['deployId']}")
        if deploy["status"] in FINAL:
            raise ApiError(400, f"deploy {deploy['id']} already ended ({deploy['status']})")
        self._finish(deploy, "canceled")
        return Reply(200, self._render_deploy(deploy))

    # ---- key value -------------------------------------------------------------------------------

    def _key_value(self, request: ApiRequest) -> dict[str, Any]:
        key_value_id = request.path_params["keyValueId"]
        found = self.store.get("key_values", key_value_id)
        if found is None:
            raise ApiError(404, f"not found: {key_value_id}")
        return found

    def _settle_key_value(self, request: ApiRequest, key_value: dict[str, Any]) -> None:
        if key_value["status"] == "creating" and self.touch(request, key_value["id"]):
            key_value.update(status="available", updatedAt=now_rfc3339())

    def _key_value_detail(self, key_value: dict[str, Any]) -> dict[str, Any]:
        body = {k: clone(v) for k, v in key_value.items() if not k.startswith("_")}
        body["owner"] = self.render("owners", self.store.get("owners", key_value["_owner"]))
        return body

    @handles("create-key-value")
    def create_key_value(self, request: ApiRequest) -> Reply:
        body = request.body
        self._owner(body["ownerId"])
        region = body.get("region", "oregon")
        if region not in REGIONS:
            raise ApiError(400, f"region {region!r} is not one of {', '.join(REGIONS)}")
        if body["plan"] == "free" and self.free_key_value_limit is not None:
            free = [k for k in self.store.values("key_values") if k["_owner"] == body["ownerId"] and k["plan"] == "free"]
            if len(free) >= self.free_key_value_limit:
                raise ApiError(400, f"a workspace may have {self.free_key_value_limit} free Key Value instance(s)")
        self._payment_check(body["plan"])
        now = now_rfc3339()
        key_value = {
            "id": self._id("red"), "name": body["name"], "status": "creating", "plan": body["plan"],
            "region": region, "version": "8.1.4", "createdAt": now, "updatedAt": now,
            "options": {"maxmemoryPolicy": body.get("maxmemoryPolicy", "allkeys_lru")},
            "ipAllowList": clone(body.get("ipAllowList") or []), "_owner": body["ownerId"],
            "_password": self.ids.secret(32),
        }
        if "environmentId" in body:
            key_value["environmentId"] = body["environmentId"]
        self.store.put("key_values", key_value["id"], key_value)
        self.readiness.start(key_value["id"], max(self.key_value_creating_reads, self.readiness_polls))
        return Reply(201, self._key_value_detail(key_value))

    @handles("list-key-value")
    def list_key_value(self, request: ApiRequest) -> Reply:
        query = request.query
        found = [k for k in self.store.values("key_values")
                 if (not query.get("name") or k["name"] in query["name"])
                 and (not query.get("ownerId") or k["_owner"] in query["ownerId"])]
        for key_value in found:
            self._settle_key_value(request, key_value)
        return Reply(200, page(found, query, "keyValue", lambda k: self.render("key_values", self._key_value_detail(k)),
                               lambda k: k["id"]))

    @handles("retrieve-key-value")
    def retrieve_key_value(self, request: ApiRequest) -> Reply:
        key_value = self._key_value(request)
        self._settle_key_value(request, key_value)
        return Reply(200, self._key_value_detail(key_value))

    @handles("update-key-value")
    def update_key_value(self, request: ApiRequest) -> Reply:
        key_value = self._key_value(request)
        body = request.body or {}
        if "plan" in body and body["plan"] != key_value["plan"]:
            self._payment_check(body["plan"])
            key_value["plan"] = body["plan"]
        if "name" in body:
            key_value["name"] = body["name"]
        if "maxmemoryPolicy" in body:
            key_value["options"]["maxmemoryPolicy"] = body["maxmemoryPolicy"]
        if "ipAllowList" in body:
            key_value["ipAllowList"] = clone(body["ipAllowList"])
        key_value["updatedAt"] = now_rfc3339()
        return Reply(200, self._key_value_detail(key_value))

    @handles("retrieve-key-value-connection-info")
    def key_value_connection_info(self, request: ApiRequest) -> Reply:
        key_value = self._key_value(request)
        host = f"{key_value['region']}-keyvalue.render.com"
        password = key_value["_password"]
        return Reply(200, {
            "internalConnectionString": f"redis://{key_value['id']}:6379",
            "externalConnectionString": f"rediss://{key_value['id']}:{password}@{host}:6379",
            "cliCommand": f"REDISCLI_AUTH={password} redis-cli --user {key_value['id']} -h {host} -p 6379 --tls",
        })

    @handles("delete-key-value")
    def delete_key_value(self, request: ApiRequest) -> Reply:
        key_value = self._key_value(request)
        self.store.pop("key_values", key_value["id"])
        self.readiness.forget(key_value["id"])
        return Reply(204)
