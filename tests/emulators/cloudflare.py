"""Cloudflare API v4 emulator, Pages only: projects (seeded), Direct Upload assets, deployments, and the sites.

Requests are checked against `specs/cloudflare-pages.openapi.json` (written from Cloudflare's published schema;
sources in its `info.description`). Behaviour, each rule with its source:
- Envelope: every JSON answer is `{success, errors: [{code, message}], messages, result}` (cloudflare/api-schemas
  common.yaml `api-response-common` / `-common-failure`); lists add `result_info` (`api-response-collection`).
- Auth: account endpoints take `Authorization: Bearer <API token>`; a wrong token is 403 with code 10000
  "Authentication error" (the body users report, cloudflare/cloudflare-docs issue #16094). The asset endpoints
  take the upload JWT instead (schema: security `pages_upload_token`); an unknown or forged JWT is 401 with code
  8000013, Wrangler's `ApiErrorCodes.UNAUTHORIZED` (packages/wrangler/src/pages/errors.ts).
- An expired upload JWT is answered 403 with the plain-text body `Expired JWT` (workers-sdk issues #3773, #4919:
  `POST /pages/assets/upload -> 403 Forbidden`, notes "Expired JWT"). A token expires when its `exp` passes or,
  armed with `expire_upload_tokens()`, at once (the token lifetime running out mid-upload). A client must fetch a
  new token and retry (Wrangler upload.ts does, on 8000013 or an expired `exp`). `upload_token_expiry_rate` makes
  it a random fault; out of process, the control action `expire_upload_tokens` arms it.
- Projects come from the official pulumi-cloudflare provider, which cannot run offline: seed them with
  `add_project(name)`. A project whose `*.pages.dev` name is taken elsewhere gets a suffixed subdomain
  (`add_project(name, subdomain=...)`; workers-sdk issue #3527: "a subdomain with 3 letters"). A missing project
  is 404 with code 8000007 "Project not found. The specified project name does not match any of your existing
  projects." (workers-sdk issues #9862, #15313; Wrangler pages/deploy.ts tests for 8000007).
- Assets are kept per account by hash: `check-missing` answers the hashes not yet uploaded, `upload` stores
  `[{key, value, metadata: {contentType}, base64}]` (at most 25 MiB per file, limits.mdx), `upsert-hashes`
  answers success (schema descriptions of the three operations).
- A deployment is created from the multipart form (manifest of `/path` -> hash, at most 20,000 entries: schema
  `manifest` description and limits.mdx). A manifest naming a hash that was never uploaded is refused with 400
  (Cloudflare's exact answer UNCONFIRMED). `environment` is `production` when the branch is the project's
  production branch or absent, else `preview` (schema `branch`: "If omitted, the production branch will be used";
  Wrangler deploy.ts: `isProduction = project.production_branch === branch`). `url` is
  `https://<short_id>.<subdomain>`; `short_id` is the id's first 8 characters (schema: "Short Id (8 character)").
- Stages progress over reads (`set_readiness_delay(polls)`): `queued`, `initialize`, `clone_repo`, `build`,
  `deploy` (schema enum `Stage.name`), the current one `active`, earlier ones `success`, later ones `idle`; the
  create answer shows `queued` `active`. Finally `deploy` is `success`, or `failure` after
  `fail_next_deployment(reason)` (also a control action), whose reason is the last line of the deployment's logs,
  prefixed `Error:`
  (Wrangler reads `logs.data[logs.total - 1].line` and strips `Error:`).
- On success a production deployment becomes the project's `canonical_deployment` (schema: "Most recent production
  deployment"); a preview deployment takes its branch alias `https://<alias>.<subdomain>` in `aliases` (the alias
  moves to the newest deployment of the branch; cloudflare-docs preview-deployments.mdx, "Preview aliases").
  `latest_deployment` is the newest deployment.
- Delete: a missing deployment is 404 (code 8000009, UNCONFIRMED). The active production deployment is refused
  (400, code 8000034 UNCONFIRMED; the dashboard says it "can't be deleted because it's your current active
  production deployment", zizifn/edgetunnel issue #207; alchemy.run's Pages Deployment docs: "Cloudflare refuses to
  delete the live deployment"); `force` only covers "aliased non-production deployments" (schema). An aliased
  deployment without `?force=true` is refused with code 8000035 "You cannot delete an aliased deployment without a
  `?force=true` parameter in the API request URL." (cloudflare-docs issue #22193; code in workers-sdk PR #13444).
  Deleting an aliased deployment removes the alias. Deleting a project removes its deployments.
- Lists: `page`/`per_page` (default 25, UNCONFIRMED), newest first (UNCONFIRMED).
- Injected 429 answers carry code 971 (Cloudflare's API rate-limit code, "Please wait and consider throttling your
  request speed"); injected 5xx answers carry code 8000000 "An unknown error occurred" (the Pages answer users see,
  workers-sdk issues #9769, #2854), which Wrangler retries on the deployment POST.
- Sites: any request whose `Host` is `*.pages.dev` is answered from the deployed files (see cloudflare_site.py):
  `<subdomain>` serves the canonical production deployment, `<alias>.<subdomain>` a branch alias,
  `<short_id>.<subdomain>` one deployment. Unknown hosts and projects without a live deployment are 404.
"""

from __future__ import annotations

import base64
import binascii
import random
import secrets
import time
from typing import Any, Mapping, Sequence

from .base import ApiError, ApiRequest, Emulator, Outcome, RawRequest, Reply, handles
from .cloudflare_site import branch_alias, resolve, site_headers
from .cloudflare_upload import MAX_FILE_BYTES, MAX_FILE_COUNT, TokenMinter, UploadClaims, parse_form, parse_manifest
from .state import clone, now_rfc3339

STAGES = ("queued", "initialize", "clone_repo", "build", "deploy")
PAGES_DEV = "pages.dev"
DEFAULT_PER_PAGE = 25
UNKNOWN_ERROR = 8000000
_DEFAULT_CODES = {400: UNKNOWN_ERROR, 401: 10000, 403: 10000, 404: 7003, 405: 7001, 429: 971,
                  500: UNKNOWN_ERROR, 501: UNKNOWN_ERROR, 502: UNKNOWN_ERROR, 503: UNKNOWN_ERROR, 504: UNKNOWN_ERROR}
_CODE_FIELD = "cloudflare_code"
_TEXT = "text/plain; charset=utf-8"


class CloudflareError(ApiError):
    """An API error with Cloudflare's numeric error code."""

    def __init__(self, status: int, code: int, message: str):
        super().__init__(status, message, ((_CODE_FIELD, str(code)),))


def _project_missing() -> CloudflareError:
    return CloudflareError(404, 8000007, "Project not found. The specified project name does not match any of your "
                                         "existing projects.")


class CloudflareEmulator(Emulator):
    """In-memory Cloudflare account with Pages projects, their deployments and the files they serve."""

    api = "cloudflare"
    spec_file = "cloudflare-pages.openapi.json"
    collections = ("projects", "deployments")
    secret_fields = frozenset({"jwt"})
    control_actions = ("expire_upload_tokens", "fail_next_deployment")

    def __init__(
        self,
        *,
        api_token: str | None = None,
        account_id: str | None = None,
        upload_token_lifetime: float = 300.0,
        upload_token_expiry_rate: float = 0.0,
        **options: Any,
    ):
        """`api_token` / `account_id`: when set, other tokens or accounts are refused. `upload_token_lifetime`:
        seconds until an upload JWT's `exp` (Cloudflare calls it short-lived; the exact lifetime is UNCONFIRMED).
        `upload_token_expiry_rate`: the chance (seeded by `seed`) that an asset call finds its token expired, as a
        random fault alongside `inject_rate`."""
        if not 0.0 <= upload_token_expiry_rate <= 1.0:
            raise ValueError(f"upload_token_expiry_rate={upload_token_expiry_rate}: must be between 0 and 1")
        super().__init__(**options)
        self.upload_token_expiry_rate = upload_token_expiry_rate
        self._expiry_rng = random.Random(options.get("seed"))
        self.api_token = api_token
        self.account_id = account_id
        self.upload_token_lifetime = float(upload_token_lifetime)
        self._minter = TokenMinter(secrets.token_bytes(32))
        self._expired_jtis: set[str] = set()
        self._issued_jtis: set[str] = set()
        self._assets: dict[str, tuple[bytes, str]] = {}
        self._failures: list[str] = []
        self._expire_countdown: int | None = None
        self.tokens_issued = 0
        self.expired_answers = 0

    # ---- seeding and test controls ----------------------------------------------------------------

    def add_project(self, name: str, *, production_branch: str = "main", subdomain: str | None = None) -> str:
        """Create a Direct Upload project as pulumi-cloudflare's `PagesProject` would; return its subdomain."""
        with self._lock:
            if self.store.get("projects", name) is not None:
                raise ValueError(f"add_project({name!r}): the emulated account already has that project")
            now = now_rfc3339()
            project = {
                "id": self.ids.uuid(), "name": name, "subdomain": subdomain or f"{name}.{PAGES_DEV}",
                "production_branch": production_branch, "created_on": now, "domains": [],
                "framework": "", "framework_version": "", "preview_script_name": "", "production_script_name": "",
                "uses_functions": False, "build_config": _build_config(),
                "deployment_configs": {"preview": _deployment_config(), "production": _deployment_config()},
                "_canonical": None, "_aliases": {},
            }
            self.store.put("projects", name, project)
            return project["subdomain"]

    def expire_upload_tokens(self, *, after_asset_calls: int = 0) -> None:
        """Every upload JWT issued so far is answered as expired from now on, or once `after_asset_calls` more
        asset calls have been answered (to expire a token in the middle of an upload)."""
        if after_asset_calls < 0:
            raise ValueError(f"expire_upload_tokens(after_asset_calls={after_asset_calls}): must be >= 0")
        with self._lock:
            if after_asset_calls == 0:
                self._expired_jtis |= self._issued_jtis
            else:
                self._expire_countdown = after_asset_calls

    def fail_next_deployment(self, reason: str) -> None:
        """The next deployment created ends with its `deploy` stage in `failure`, logging `reason`."""
        with self._lock:
            self._failures.append(reason)

    def asset_count(self) -> int:
        """How many distinct files the account's asset store holds."""
        with self._lock:
            return len(self._assets)

    # ---- hooks -------------------------------------------------------------------------------------

    def authenticate(self, headers: Mapping[str, str]) -> bool:
        return bool(_bearer(headers))

    def error_body(self, status: int, message: str, fields: Sequence[tuple[str, str]] = ()) -> Any:
        code = next((int(v) for k, v in fields if k == _CODE_FIELD), _DEFAULT_CODES.get(status, UNKNOWN_ERROR))
        return {"success": False, "errors": [{"code": code, "message": message}], "messages": [], "result": None}

    def render(self, collection: str, record: dict[str, Any]) -> dict[str, Any]:
        if collection == "projects":
            return self._render_project(record)
        return self._render_deployment(record)

    def handle(self, raw: RawRequest) -> Outcome:
        host = _host(raw.headers)
        if host == PAGES_DEV or host.endswith("." + PAGES_DEV):
            return self._serve_site(raw, host)
        return super().handle(raw)

    def _encode(self, reply: Reply) -> Outcome:
        if isinstance(reply.body, str) and reply.headers.get("Content-Type") == _TEXT:
            return Outcome(reply.status, reply.body.encode("utf-8"), list(reply.headers.items()))
        return super()._encode(reply)

    # ---- helpers -----------------------------------------------------------------------------------

    def _require_api_token(self, request: ApiRequest) -> None:
        token = _bearer(request.headers)
        if self.api_token is not None and token != self.api_token:
            raise CloudflareError(403, 10000, "Authentication error")
        account = request.path_params.get("account_id")
        if self.account_id is not None and account is not None and account != self.account_id:
            raise CloudflareError(403, 10000, "Authentication error")

    def _project(self, request: ApiRequest) -> dict[str, Any]:
        self._require_api_token(request)
        project = self.store.get("projects", request.path_params["project_name"])
        if project is None:
            raise _project_missing()
        return project

    def _deployment(self, request: ApiRequest, project: dict[str, Any]) -> dict[str, Any]:
        deployment = self.store.get("deployments", request.path_params["deployment_id"])
        if deployment is None or deployment["project_name"] != project["name"]:
            raise CloudflareError(404, 8000009, "The deployment could not be found.")
        return deployment

    def _upload_claims(self, request: ApiRequest) -> UploadClaims | Reply:
        claims = self._minter.read(_bearer(request.headers))
        if claims is None or claims.jti not in self._issued_jtis:
            raise CloudflareError(401, 8000013, "Authorization failed: not a valid upload token")
        if self.upload_token_expiry_rate and self._expiry_rng.random() < self.upload_token_expiry_rate:
            self._expired_jtis.add(claims.jti)
        if claims.jti in self._expired_jtis or claims.exp <= time.time():
            self.expired_answers += 1
            return Reply(403, "Expired JWT", {"Content-Type": _TEXT})
        if self._expire_countdown is not None:
            self._expire_countdown -= 1
            if self._expire_countdown <= 0:
                self._expire_countdown = None
                self._expired_jtis |= self._issued_jtis
        return claims

    def _settle(self, request: ApiRequest | None, deployment: dict[str, Any]) -> None:
        """Advance a running deployment by one read; finish it when its readiness reads are used up."""
        if deployment["_outcome"] != "running" or request is None:
            return
        if not self.touch(request, deployment["id"]):
            deployment["_reads"] += 1
            return
        now = now_rfc3339()
        deployment["_outcome"] = "failure" if deployment["_fail_reason"] else "success"
        deployment["_ended_on"] = now
        deployment["modified_on"] = now
        if deployment["_outcome"] == "success":
            project = self.store.get("projects", deployment["project_name"])
            if project is not None:
                if deployment["environment"] == "production":
                    project["_canonical"] = deployment["id"]
                else:
                    project["_aliases"][branch_alias(deployment["_branch"])] = deployment["id"]

    def _stages(self, deployment: dict[str, Any]) -> list[dict[str, Any]]:
        outcome = deployment["_outcome"]
        current = len(STAGES) - 1 if outcome != "running" else min(deployment["_reads"], len(STAGES) - 1)
        stages = []
        for index, name in enumerate(STAGES):
            if index < current or (index == current and outcome == "success"):
                ended_on = deployment["_ended_on"] or deployment["created_on"]
                status, started, ended = "success", deployment["created_on"], ended_on
            elif index == current:
                status = "failure" if outcome == "failure" else "active"
                started, ended = deployment["created_on"], deployment["_ended_on"]
            else:
                status, started, ended = "idle", None, None
            stages.append({"name": name, "status": status, "started_on": started, "ended_on": ended})
        return stages

    def _render_deployment(self, record: dict[str, Any]) -> dict[str, Any]:
        project = self.store.get("projects", record["project_name"]) or {"_aliases": {}, "subdomain": ""}
        aliases = [f"https://{label}.{project['subdomain']}" for label, dep in project["_aliases"].items()
                   if dep == record["id"]]
        stages = self._stages(record)
        current = next((s for s in reversed(stages) if s["status"] != "idle"), stages[0])
        out = {k: clone(v) for k, v in record.items() if not k.startswith("_")}
        out.update(aliases=aliases or None, stages=stages, latest_stage=current)
        return out

    def _render_project(self, record: dict[str, Any]) -> dict[str, Any]:
        out = {k: clone(v) for k, v in record.items() if not k.startswith("_")}
        canonical = self.store.get("deployments", record["_canonical"] or "")
        mine = [d for d in self.store.values("deployments") if d["project_name"] == record["name"]]
        out["canonical_deployment"] = self._render_deployment(canonical) if canonical else None
        out["latest_deployment"] = self._render_deployment(mine[-1]) if mine else None
        return out

    # ---- projects ----------------------------------------------------------------------------------

    @handles("pages-project-get-projects")
    def get_projects(self, request: ApiRequest) -> Reply:
        self._require_api_token(request)
        return self._page(request, [self._render_project(p) for p in self.store.values("projects")])

    @handles("pages-project-create-project")
    def create_project(self, request: ApiRequest) -> Reply:
        self._require_api_token(request)
        name = request.body["name"]
        if self.store.get("projects", name) is not None:
            raise CloudflareError(409, 8000002, f"A project with the name {name} already exists.")
        self.add_project(name, production_branch=request.body["production_branch"])
        return _ok(self._render_project(self.store.get("projects", name)))

    @handles("pages-project-get-project")
    def get_project(self, request: ApiRequest) -> Reply:
        return _ok(self._render_project(self._project(request)))

    @handles("pages-project-delete-project")
    def delete_project(self, request: ApiRequest) -> Reply:
        project = self._project(request)
        for deployment in [d for d in self.store.values("deployments") if d["project_name"] == project["name"]]:
            self.store.pop("deployments", deployment["id"])
            self.readiness.forget(deployment["id"])
        self.store.pop("projects", project["name"])
        return _ok(None)

    @handles("pages-project-get-upload-token")
    def get_upload_token(self, request: ApiRequest) -> Reply:
        project = self._project(request)
        claims = UploadClaims(self.ids.uuid(), str(request.path_params["account_id"]), project["name"],
                              time.time() + self.upload_token_lifetime)
        self._issued_jtis.add(claims.jti)
        self.tokens_issued += 1
        return _ok({"jwt": self._minter.issue(claims)})

    # ---- assets ------------------------------------------------------------------------------------

    @handles("pages-assets-check-missing")
    def check_missing(self, request: ApiRequest) -> Reply:
        claims = self._upload_claims(request)
        if isinstance(claims, Reply):
            return claims
        hashes = list(dict.fromkeys(request.body["hashes"]))
        return _ok([h for h in hashes if h not in self._assets])

    @handles("pages-assets-upload")
    def upload(self, request: ApiRequest) -> Reply:
        claims = self._upload_claims(request)
        if isinstance(claims, Reply):
            return claims
        decoded = []
        for index, item in enumerate(request.body):
            try:
                data = base64.b64decode(item["value"], validate=True) if item["base64"] else item["value"].encode()
            except (binascii.Error, ValueError):
                raise CloudflareError(400, UNKNOWN_ERROR, f"body[{index}].value is not valid base64") from None
            if len(data) > MAX_FILE_BYTES:
                raise CloudflareError(400, UNKNOWN_ERROR, f"body[{index}] is {len(data)} bytes; Pages only supports "
                                                          f"files up to 25 MiB")
            decoded.append((item["key"], data, item["metadata"]["contentType"]))
        for key, data, content_type in decoded:
            self._assets[key] = (data, content_type)
        return _ok(None)

    @handles("pages-assets-upsert-hashes")
    def upsert_hashes(self, request: ApiRequest) -> Reply:
        claims = self._upload_claims(request)
        if isinstance(claims, Reply):
            return claims
        return _ok(None)

    # ---- deployments -------------------------------------------------------------------------------

    @handles("pages-deployment-create-deployment")
    def create_deployment(self, request: ApiRequest) -> Reply:
        project = self._project(request)
        content_type = next((v for k, v in request.headers.items() if k.lower() == "content-type"), "")
        try:
            form = parse_form(content_type, request.body or b"")
            if "manifest" not in form:
                raise ValueError("manifest is required for a Direct Upload deployment")
            manifest = parse_manifest(form["manifest"].text)
        except ValueError as exc:
            raise CloudflareError(400, UNKNOWN_ERROR, str(exc)) from None
        if len(manifest) > MAX_FILE_COUNT:
            raise CloudflareError(400, UNKNOWN_ERROR, f"manifest has {len(manifest)} entries; at most "
                                                      f"{MAX_FILE_COUNT} files are allowed in a deployment")
        missing = sorted({h for h in manifest.values() if h not in self._assets})
        if missing:
            raise CloudflareError(400, UNKNOWN_ERROR, f"manifest references {len(missing)} asset(s) that were never "
                                                      f"uploaded, e.g. {missing[0]}")
        branch = form["branch"].text if "branch" in form else project["production_branch"]
        dirty = form["commit_dirty"].text if "commit_dirty" in form else "false"
        if dirty not in ("true", "false"):
            raise CloudflareError(400, UNKNOWN_ERROR, 'commit_dirty must be "true" or "false"')
        now = now_rfc3339()
        deployment_id = self.ids.uuid()
        environment = "production" if branch == project["production_branch"] else "preview"
        deployment = {
            "id": deployment_id, "short_id": deployment_id[:8], "project_id": project["id"],
            "project_name": project["name"], "environment": environment,
            "url": f"https://{deployment_id[:8]}.{project['subdomain']}", "created_on": now, "modified_on": now,
            "build_config": _build_config(), "env_vars": {}, "is_skipped": False, "uses_functions": False,
            "deployment_trigger": {"type": "ad_hoc", "metadata": {
                "branch": branch, "commit_hash": form["commit_hash"].text if "commit_hash" in form else "",
                "commit_message": form["commit_message"].text if "commit_message" in form else "",
                "commit_dirty": dirty == "true"}},
            "_branch": branch, "_manifest": manifest, "_outcome": "running", "_reads": 0, "_ended_on": None,
            "_fail_reason": self._failures.pop(0) if self._failures else None,
            "_files": {name: form[name].text for name in ("_headers", "_redirects") if name in form},
        }
        self.store.put("deployments", deployment_id, deployment)
        self.begin(deployment_id)
        return _ok(self._render_deployment(deployment))

    @handles("pages-deployment-get-deployments")
    def get_deployments(self, request: ApiRequest) -> Reply:
        project = self._project(request)
        mine = [d for d in self.store.values("deployments") if d["project_name"] == project["name"]]
        env = request.query.get("env")
        for deployment in mine:
            self._settle(request, deployment)
        listed = [self._render_deployment(d) for d in reversed(mine) if env is None or d["environment"] == env]
        return self._page(request, listed)

    @handles("pages-deployment-get-deployment-info")
    def get_deployment(self, request: ApiRequest) -> Reply:
        deployment = self._deployment(request, self._project(request))
        self._settle(request, deployment)
        return _ok(self._render_deployment(deployment))

    @handles("pages-deployment-delete-deployment")
    def delete_deployment(self, request: ApiRequest) -> Reply:
        project = self._project(request)
        deployment = self._deployment(request, project)
        if project["_canonical"] == deployment["id"]:
            raise CloudflareError(400, 8000034, "This deployment can't be deleted because it is the project's "
                                                "active production deployment.")
        labels = [label for label, dep in project["_aliases"].items() if dep == deployment["id"]]
        if labels and request.query.get("force") is not True:
            raise CloudflareError(400, 8000035, "You cannot delete an aliased deployment without a `?force=true` "
                                                "parameter in the API request URL.")
        for label in labels:
            del project["_aliases"][label]
        self.store.pop("deployments", deployment["id"])
        self.readiness.forget(deployment["id"])
        return _ok(None)

    @handles("pages-deployment-get-deployment-logs")
    def get_deployment_logs(self, request: ApiRequest) -> Reply:
        deployment = self._deployment(request, self._project(request))
        lines = ["Initializing build environment...", "Success: Finished initializing build environment",
                 f"Uploading {len(deployment['_manifest'])} files from the Direct Upload manifest"]
        if deployment["_outcome"] == "success":
            lines.append("Success: Your site was deployed!")
        elif deployment["_outcome"] == "failure":
            lines.append(f"Error: {deployment['_fail_reason']}")
        data = [{"line": line, "ts": deployment["modified_on"]} for line in lines]
        return _ok({"data": data, "includes_container_logs": False, "total": len(data)})

    def _page(self, request: ApiRequest, items: list[dict[str, Any]]) -> Reply:
        page = max(1, int(request.query.get("page") or 1))
        per_page = max(1, int(request.query.get("per_page") or DEFAULT_PER_PAGE))
        chunk = items[(page - 1) * per_page: page * per_page]
        total_pages = max(1, -(-len(items) // per_page))
        return Reply(200, {"success": True, "errors": [], "messages": [], "result": chunk, "result_info": {
            "page": page, "per_page": per_page, "count": len(chunk), "total_count": len(items),
            "total_pages": total_pages}})

    # ---- the sites ---------------------------------------------------------------------------------

    def _serve_site(self, raw: RawRequest, host: str) -> Outcome:
        with self._lock:
            found = self._site_deployment(host)
            if found is None or raw.method not in ("GET", "HEAD"):
                status = 404 if found is None else 405
                return Outcome(status, b"Not found" if status == 404 else b"", [("Content-Type", _TEXT)])
            deployment, preview = found
            answer = resolve(deployment["_manifest"], raw.path)
            if answer.location is not None:
                return Outcome(answer.status, b"", [("Location", answer.location)])
            if answer.path is None:
                return Outcome(404, b"Not found", [("Content-Type", _TEXT)])
            digest = deployment["_manifest"][answer.path]
            data, content_type = self._assets[digest]
        return Outcome(answer.status, data, site_headers(content_type, digest, preview=preview))

    def _site_deployment(self, host: str) -> tuple[dict[str, Any], bool] | None:
        projects = self.store.values("projects")
        for project in projects:
            if host == project["subdomain"]:
                canonical = self.store.get("deployments", project["_canonical"] or "")
                return (canonical, False) if canonical else None
        label, _, rest = host.partition(".")
        project = next((p for p in projects if p["subdomain"] == rest), None)
        if project is None:
            return None
        if label in project["_aliases"]:
            aliased = self.store.get("deployments", project["_aliases"][label])
            return (aliased, True) if aliased else None
        for deployment in self.store.values("deployments"):
            if (deployment["project_name"] == project["name"] and deployment["short_id"] == label
                    and deployment["_outcome"] == "success"):
                return deployment, deployment["environment"] == "preview"
        return None


def _ok(result: Any) -> Reply:
    return Reply(200, {"success": True, "errors": [], "messages": [], "result": result})


def _bearer(headers: Mapping[str, str]) -> str:
    value = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
    scheme, _, token = value.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def _host(headers: Mapping[str, str]) -> str:
    value = next((v for k, v in headers.items() if k.lower() == "host"), "")
    return value.rsplit(":", 1)[0].lower() if value.count(":") == 1 else value.lower()


def _build_config() -> dict[str, Any]:
    return {"build_caching": None, "build_command": None, "destination_dir": None, "root_dir": None,
            "web_analytics_tag": None, "web_analytics_token": None}


def _deployment_config() -> dict[str, Any]:
    return {"always_use_latest_compatibility_date": False, "build_image_major_version": 3,
            "compatibility_date": "2026-11-01", "compatibility_flags": [], "env_vars": {}, "fail_open": True,
            "usage_model": "standard"}

