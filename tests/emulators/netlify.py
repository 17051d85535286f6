"""Netlify API emulator: sites, file-digest deploys, site env vars, and the deployed sites, per netlify.swagger.yml.

Behaviour, each rule with its source:
- `Authorization: Bearer <personal access token>` (platform-apis.md §5), else 401; errors are the spec's
  `error {code, message}`. The emulated user has one team account (`account_slug`, `account_id`).
- Site names are `<name>.netlify.app` subdomains, unique across all of Netlify: a taken name (in this account or,
  via `NetlifyEmulator(taken_names=...)`, anyone else's) is 422 `{"errors": {"subdomain": ["must be unique"]}}`
  (netlify/open-api issue #377 shows this body and notes the spec does not declare it; netlify/cli
  `sites-create.ts` treats 422 as "already exists"). A name is lower-cased and every character other than a
  letter, digit or hyphen becomes a hyphen (netlify/cli issue #211: a dotted name came back with hyphens); a
  name longer than a DNS label (63) is 422 (RFC 1035; Netlify's wording UNCONFIRMED).
- Wherever a path takes `{site_id}`, the site's domain `<name>.netlify.app` works too (platform-apis.md §5).
- File-digest deploys (platform-apis.md §5, netlify/cli `src/utils/deploy/deploy-site.ts`, `util.ts`): the create
  body maps `/path` (or `path`) to the file's SHA1; the answer lists in `required` the SHA1s Netlify does not
  have yet (what an earlier deploy of the site uploaded is known). A synchronous create answers `uploading` (or
  `prepared` when nothing is required); an `async` one answers `preparing` and reads `prepared`, with `required`,
  after `set_readiness_delay` reads (the CLI's `waitForDiff` waits for prepared/uploading/uploaded/ready). Each
  required file is uploaded by `PUT /deploys/{id}/files/<path>` with the raw bytes (netlify/cli `upload-files.ts`
  sends `encodeURI(path)`, slashes included, which no OpenAPI path parameter can express, so the emulator takes
  everything after `/files/` as the path); a body whose SHA1 differs from the manifest's is 422, paths with `#`
  or `?` are refused (`normalizePath` in util.ts). Once nothing is missing the deploy reads `uploaded`, then
  `processing`, then `ready` (the CLI's `waitForDeploy` waits for `ready` and fails on `error` with
  `error_message`). `fail_next_deploy(message)` makes the next deploy end `error`.
- A ready deploy that is not a draft and names no branch becomes the site's `published_deploy` (platform-apis.md
  §5: "draft: true makes a deploy that does not replace the published one"), unless the published deploy is
  locked: `POST /deploys/{id}/lock` (the spec's `lockDeploy`; Netlify's UI calls it "Stop auto publishing")
  keeps that deploy published and new production deploys only become ready, until `POST /deploys/{id}/unlock`
  (netlify/cli's `deploy --prod-if-unlocked` makes a draft instead when "deploys are locked"; the spec's
  `deploy.locked`). Publishing a deploy by hand (`restoreSiteDeploy`) works while locked.
- A deploy created with `branch` (what `netlify deploy --alias <name>` sends: netlify/cli
  `src/commands/deploy/deploy.ts` puts the alias in `branch`, not a draft) is served at `<alias>--<site>.netlify.app`,
  which is its `deploy_ssl_url` (the CLI prints `deploy_ssl_url` as the deploy's URL, and its `--alias` help: "the
  string at the beginning of the deploy subdomain ... Maximum 37 characters"); the newest ready deploy of an alias
  answers there. A longer alias is 422 (the wording is UNCONFIRMED).
- `DELETE /deploys/{deploy_id}` and `DELETE /sites/{site_id}/deploys/{deploy_id}` answer 204 (the spec) and remove the
  deploy; a deploy that is gone is 404. The published deploy cannot be deleted (422, UNCONFIRMED wording): the site
  would have nothing to serve.
- API limits (docs.netlify.com/api-and-cli-guides/api-guides/get-started-with-api, "Rate limiting"; platform-apis.md
  §5): 500 requests per minute, and deploys through the API at most 3 per minute and 100 per day, per account. A
  refusal is 429 with `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset` as a Unix time
  (netlify/js-client `src/methods/retry.js` waits until that time; no `Retry-After`). `rate_limit_scale` compresses
  the windows for tests.
- Site env vars live under the account: `POST /accounts/{account_id}/env?site_id=` creates (409 when the key
  exists, what the official Terraform provider handles), `GET/DELETE .../env/{key}?site_id=` read and remove.
- Deleting a site answers 204 (the spec) and removes its deploys and env vars; its name is free again.
- Sites: any request whose `Host` ends in `.netlify.app` is answered from the deployed files (netlify_site.py).

Control action: `fail_next_deploy(message)` (also `POST /__emulator__/actions/fail_next_deploy`).
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
from typing import Any, Mapping, Sequence
from urllib.parse import quote

from .base import ApiError, ApiRequest, Emulator, Outcome, RawRequest, Reply, bearer_token, handles
from .netlify_site import ALIAS_MAX, NETLIFY_APP, NOT_FOUND_PAGE, alias_label, parse_host, resolve
from .rate_limits import RateLimit, RateLimiter
from .state import clone, now_rfc3339

API_CALLS = RateLimit("500 API requests per minute", 500, 60)
DEPLOYS_PER_MINUTE = RateLimit("3 deploys per minute", 3, 60)
DEPLOYS_PER_DAY = RateLimit("100 deploys per day", 100, 86400)
DNS_LABEL_MAX = 63
_SHA1 = re.compile(r"^[0-9a-f]{40}$")
_FILES_PATH = re.compile(r"^(?P<head>(?:/api/v1)?/deploys/[^/]+/files/)(?P<path>.+)$")
_TEXT = "text/plain; charset=utf-8"


class NetlifyError(Exception):
    """An API error whose body is not the spec's `error` shape (Netlify's 422 validation answers)."""

    def __init__(self, status: int, body: Mapping[str, Any]):
        super().__init__(str(body))
        self.status = status
        self.body = dict(body)


class NetlifyEmulator(Emulator):
    """In-memory Netlify team account."""

    api = "netlify"
    spec_file = "netlify.swagger.yml"
    collections = ("sites", "deploys", "env")
    secret_fields = frozenset({"value"})
    control_actions = ("fail_next_deploy",)

    def __init__(self, *, token: str | None = None, account_slug: str = "stagecraft-team",
                 taken_names: Sequence[str] = (), rate_limits: bool = True, rate_limit_scale: float = 1.0,
                 **options: Any):
        super().__init__(**options)
        self.token = token
        self.account_slug = account_slug
        self.account_id = self._hex_id()
        self.taken_names = set(taken_names)
        self.rate_limiter = RateLimiter(time_scale=rate_limit_scale) if rate_limits else None
        self._site_files: dict[str, dict[str, bytes]] = {}
        self._failures: list[str] = []

    def fail_next_deploy(self, message: str) -> str:
        """Make the next deploy that finishes processing end `error` with `message`."""
        if not message:
            raise ValueError("fail_next_deploy needs the error message the deploy ends with")
        with self._lock:
            self._failures.append(message)
        return message

    # ---- hooks -----------------------------------------------------------------------------------

    def authenticate(self, headers: Mapping[str, str]) -> bool:
        token = bearer_token(headers)
        return bool(token) and (self.token is None or token == self.token)

    def error_body(self, status: int, message: str, fields: Sequence[tuple[str, str]] = ()) -> Any:
        return {"code": status, "message": message}

    def render(self, collection: str, record: dict[str, Any]) -> dict[str, Any]:
        body = {k: clone(v) for k, v in record.items() if not k.startswith("_")}
        if collection == "sites" and record.get("_published"):
            published = self.store.get("deploys", record["_published"])
            if published is not None:
                body["published_deploy"] = self.render("deploys", published)
        return body

    def handle(self, raw: RawRequest) -> Outcome:
        host = _host(raw.headers)
        if host == NETLIFY_APP or host.endswith("." + NETLIFY_APP):
            return self._serve_site(raw, host)
        match = _FILES_PATH.match(raw.path)
        if match and "/" in match.group("path"):
            # One path segment for the spec's {path}: the file path, slashes escaped.
            raw = RawRequest(raw.method, match.group("head") + quote(match.group("path"), safe=""), raw.query,
                             raw.headers, raw.body)
        return super().handle(raw)

    def _dispatch(self, checked, raw) -> Reply:
        if self.rate_limiter is not None and checked.operation is not None and not checked.problems \
                and self.authenticate(raw.headers):
            limits = (API_CALLS,)
            if checked.operation.operation_id == "createSiteDeploy":
                limits += (DEPLOYS_PER_MINUTE, DEPLOYS_PER_DAY)
            refusal = self.rate_limiter.check(limits, self.account_id)
            if refusal is not None:
                headers = {k: v for k, v in refusal.headers("X-RateLimit").items() if k != "Retry-After"}
                return Reply(429, self.error_body(429, f"API rate limit exceeded: {refusal.limit.name}"), headers)
        try:
            return super()._dispatch(checked, raw)
        except NetlifyError as err:
            return Reply(err.status, err.body)

    def _check_response(self, checked, raw, reply: Reply) -> None:
        if reply.status == 422 and isinstance(reply.body, dict) and "errors" in reply.body:
            return  # Netlify's validation body, which its spec does not declare (netlify/open-api issue #377).
        super()._check_response(checked, raw, reply)

    # ---- helpers ---------------------------------------------------------------------------------

    def _hex_id(self) -> str:
        return self.ids.secret(24, "0123456789abcdef")

    def _site(self, request: ApiRequest) -> dict[str, Any]:
        wanted = request.path_params["site_id"]
        site = self.store.get("sites", wanted)
        if site is None:
            site = next((s for s in self.store.values("sites") if f"{s['name']}.{NETLIFY_APP}" == wanted), None)
        if site is None:
            raise ApiError(404, "Not Found")
        return site

    def _deploy(self, deploy_id: str) -> dict[str, Any]:
        deploy = self.store.get("deploys", deploy_id)
        if deploy is None:
            raise ApiError(404, "Not Found")
        return deploy

    def _check_name(self, name: str, site_id: str | None = None) -> str:
        normalised = "".join(c if (c.isascii() and c.isalnum()) or c == "-" else "-" for c in name.lower())
        if not normalised or len(normalised) > DNS_LABEL_MAX:
            raise NetlifyError(422, {"errors": {"subdomain": [f"must be 1 to {DNS_LABEL_MAX} characters"]}})
        taken = normalised in self.taken_names or any(
            s["name"] == normalised and s["id"] != site_id for s in self.store.values("sites"))
        if taken:
            raise NetlifyError(422, {"errors": {"subdomain": ["must be unique"]}})
        return normalised

    # ---- sites -----------------------------------------------------------------------------------

    def _create_site(self, body: Mapping[str, Any]) -> Reply:
        name = self._check_name(body["name"]) if body.get("name") else self.ids.words(4)
        now = now_rfc3339()
        site_id = self.ids.uuid()
        site = {
            "id": site_id, "site_id": site_id, "name": name, "state": "current", "plan": "nf_team_starter",
            "url": f"http://{name}.{NETLIFY_APP}", "ssl_url": f"https://{name}.{NETLIFY_APP}",
            "admin_url": f"https://app.netlify.com/sites/{name}", "ssl": True, "force_ssl": True,
            "account_id": self.account_id, "account_slug": self.account_slug, "account_name": "Stagecraft Team",
            "created_at": now, "updated_at": now, "build_settings": {}, "custom_domain": "", "domain_aliases": [],
            "prevent_non_git_prod_deploys": False, "_published": None,
        }
        self.store.put("sites", site_id, site)
        self._site_files[site_id] = {}
        return Reply(201, self.render("sites", site))

    @handles("createSite")
    def create_site(self, request: ApiRequest) -> Reply:
        return self._create_site(request.body or {})

    @handles("createSiteInTeam")
    def create_site_in_team(self, request: ApiRequest) -> Reply:
        if request.path_params["account_slug"] != self.account_slug:
            raise ApiError(404, "Not Found")
        return self._create_site(request.body or {})

    @handles("listSites", "listSitesForAccount")
    def list_sites(self, request: ApiRequest) -> Reply:
        slug = request.path_params.get("account_slug")
        if slug is not None and slug != self.account_slug:
            raise ApiError(404, "Not Found")
        name = request.query.get("name")
        found = [s for s in self.store.values("sites") if not name or name in s["name"]]
        per_page = min(int(request.query.get("per_page") or 100), 100)
        first = (max(int(request.query.get("page") or 1), 1) - 1) * per_page
        return Reply(200, [self.render("sites", s) for s in found[first:first + per_page]])

    @handles("getSite")
    def get_site(self, request: ApiRequest) -> Reply:
        return Reply(200, self.render("sites", self._site(request)))

    @handles("updateSite")
    def update_site(self, request: ApiRequest) -> Reply:
        site = self._site(request)
        body = request.body or {}
        if "name" in body and body["name"] != site["name"]:
            site["name"] = self._check_name(body["name"], site["id"])
            site["url"] = f"http://{site['name']}.{NETLIFY_APP}"
            site["ssl_url"] = f"https://{site['name']}.{NETLIFY_APP}"
        site["updated_at"] = now_rfc3339()
        return Reply(200, self.render("sites", site))

    @handles("deleteSite")
    def delete_site(self, request: ApiRequest) -> Reply:
        site = self._site(request)
        for deploy in list(self.store.where("deploys", lambda d: d["site_id"] == site["id"])):
            self.store.pop("deploys", deploy["id"])
            self.readiness.forget(deploy["id"])
        for key in [k for k, v in self.store.collection("env").items() if v["_site"] == site["id"]]:
            self.store.pop("env", key)
        self._site_files.pop(site["id"], None)
        self.store.pop("sites", site["id"])
        return Reply(204)

    # ---- deploys ---------------------------------------------------------------------------------

    @handles("createSiteDeploy")
    def create_site_deploy(self, request: ApiRequest) -> Reply:
        site = self._site(request)
        body = request.body or {}
        if "zip" in body:
            raise ApiError(422, "this emulator takes file-digest deploys only (files: {path: sha1})")
        files: dict[str, str] = {}
        for path, sha in (body.get("files") or {}).items():
            normal = "/" + str(path).lstrip("/")
            if "#" in normal or "?" in normal:
                raise ApiError(422, f"Invalid filename {path}: deployed filenames cannot contain # or ?")
            if not isinstance(sha, str) or not _SHA1.match(sha):
                raise ApiError(422, f"files[{path!r}] must be the file's SHA1 (40 hex characters)")
            files[normal] = sha
        if not files:
            raise ApiError(422, "No files to deploy")
        now = now_rfc3339()
        deploy_id = self._hex_id()
        branch = body.get("branch") or request.query.get("branch")
        if branch and len(branch) > ALIAS_MAX:
            raise ApiError(422, f"alias {branch!r} is longer than {ALIAS_MAX} characters")
        host = f"{alias_label(branch) if branch else deploy_id}--{site['name']}.{NETLIFY_APP}"
        deploy = {
            "id": deploy_id, "site_id": site["id"], "name": site["name"], "state": "new", "required": [],
            "required_functions": [], "error_message": "", "draft": bool(body.get("draft", False)),
            "title": request.query.get("title", ""), "context": "production" if not branch else "branch-deploy",
            "url": site["url"], "ssl_url": site["ssl_url"], "admin_url": site["admin_url"],
            "deploy_url": f"http://{host}", "deploy_ssl_url": f"https://{host}", "created_at": now,
            "updated_at": now, "locked": False, "_files": files, "_branch": branch,
        }
        if branch:
            deploy["branch"] = branch
        self.store.put("deploys", deploy_id, deploy)
        if body.get("async"):
            deploy["state"] = "preparing"
            self.begin(deploy_id)
        else:
            self._diff(deploy)
        return Reply(200, self.render("deploys", deploy))

    def _diff(self, deploy: dict[str, Any]) -> None:
        known = self._site_files.get(deploy["site_id"], {})
        missing = sorted({sha for sha in deploy["_files"].values() if sha not in known})
        deploy["required"] = missing
        deploy["state"] = "uploading" if missing else "prepared"
        deploy["updated_at"] = now_rfc3339()

    def _progress(self, request: ApiRequest, deploy: dict[str, Any]) -> None:
        """One read of a deploy moves it on once its readiness reads are spent."""
        state = deploy["state"]
        if state in ("ready", "error") or not self.touch(request, deploy["id"]):
            return
        if state == "preparing":
            self._diff(deploy)
        elif state in ("prepared", "uploaded") and not self._outstanding(deploy):
            deploy.update(state="processing", updated_at=now_rfc3339())
            self.begin(deploy["id"])
        elif state == "processing":
            self._finish(deploy)

    def _outstanding(self, deploy: dict[str, Any]) -> list[str]:
        known = self._site_files.get(deploy["site_id"], {})
        return [sha for sha in deploy["required"] if sha not in known]

    def _finish(self, deploy: dict[str, Any]) -> None:
        now = now_rfc3339()
        if self._failures:
            deploy.update(state="error", error_message=self._failures.pop(0), updated_at=now)
            return
        deploy.update(state="ready", updated_at=now, published_at=now)
        site = self.store.get("sites", deploy["site_id"])
        published = self.store.get("deploys", (site or {}).get("_published") or "")
        if site is not None and not deploy["draft"] and not deploy["_branch"] \
                and not (published or {}).get("locked"):
            site["_published"] = deploy["id"]
            site["updated_at"] = now

    @handles("getSiteDeploy")
    def get_site_deploy(self, request: ApiRequest) -> Reply:
        site = self._site(request)
        deploy = self._deploy(request.path_params["deploy_id"])
        if deploy["site_id"] != site["id"]:
            raise ApiError(404, "Not Found")
        self._progress(request, deploy)
        return Reply(200, self.render("deploys", deploy))

    @handles("deleteDeploy", "deleteSiteDeploy")
    def delete_deploy(self, request: ApiRequest) -> Reply:
        deploy = self._deploy(request.path_params["deploy_id"])
        if "site_id" in request.path_params and deploy["site_id"] != self._site(request)["id"]:
            raise ApiError(404, "Not Found")
        site = self.store.get("sites", deploy["site_id"])
        if site is not None and site.get("_published") == deploy["id"]:
            raise ApiError(422, "the published deploy of a site cannot be deleted")
        self.store.pop("deploys", deploy["id"])
        return Reply(204, None)

    @handles("getDeploy")
    def get_deploy(self, request: ApiRequest) -> Reply:
        deploy = self._deploy(request.path_params["deploy_id"])
        self._progress(request, deploy)
        return Reply(200, self.render("deploys", deploy))

    @handles("listSiteDeploys")
    def list_site_deploys(self, request: ApiRequest) -> Reply:
        site = self._site(request)
        deploys = [d for d in reversed(self.store.values("deploys")) if d["site_id"] == site["id"]]
        state = request.query.get("state")
        return Reply(200, [self.render("deploys", d) for d in deploys if not state or d["state"] == state])

    @handles("uploadDeployFile")
    def upload_deploy_file(self, request: ApiRequest) -> Reply:
        deploy = self._deploy(request.path_params["deploy_id"])
        path = "/" + str(request.path_params["path"]).lstrip("/")
        if deploy["state"] not in ("prepared", "uploading", "uploaded"):
            raise ApiError(422, f"deploy {deploy['id']} is {deploy['state']}; files are uploaded while it is uploading")
        if path not in deploy["_files"]:
            raise ApiError(422, f"{path} is not part of deploy {deploy['id']}")
        data = request.body if isinstance(request.body, bytes) else b""
        sha = hashlib.sha1(data).hexdigest()
        if sha != deploy["_files"][path]:
            raise ApiError(422, f"SHA1 mismatch for {path}: the deploy declared {deploy['_files'][path]}, got {sha}")
        self._site_files.setdefault(deploy["site_id"], {})[sha] = data
        deploy["state"] = "uploaded" if not self._outstanding(deploy) else "uploading"
        if deploy["state"] == "uploaded":
            self.begin(deploy["id"])
        deploy["updated_at"] = now_rfc3339()
        mime = mimetypes.guess_type(path)[0] or "application/octet-stream"
        return Reply(200, {"id": path, "path": path, "sha": sha, "mime_type": mime, "size": len(data)})

    @handles("lockDeploy", "unlockDeploy")
    def lock_deploy(self, request: ApiRequest) -> Reply:
        deploy = self._deploy(request.path_params["deploy_id"])
        deploy["locked"] = request.operation_id == "lockDeploy"
        deploy["updated_at"] = now_rfc3339()
        return Reply(200, self.render("deploys", deploy))

    @handles("restoreSiteDeploy")
    def restore_site_deploy(self, request: ApiRequest) -> Reply:
        site = self._site(request)
        deploy = self._deploy(request.path_params["deploy_id"])
        if deploy["site_id"] != site["id"] or deploy["state"] != "ready":
            raise ApiError(422, f"deploy {deploy['id']} is not a ready deploy of this site")
        site["_published"] = deploy["id"]
        return Reply(201, self.render("deploys", deploy))

    def render_deploy_files(self, deploy_id: str) -> dict[str, bytes]:
        """The files a deploy serves, path -> bytes (for tests)."""
        with self._lock:
            deploy = self._deploy(deploy_id)
            store = self._site_files.get(deploy["site_id"], {})
            return {p: store[s] for p, s in deploy["_files"].items() if s in store}

    # ---- env vars --------------------------------------------------------------------------------

    def _env_site(self, request: ApiRequest) -> str:
        if request.path_params["account_id"] not in (self.account_id, self.account_slug):
            raise ApiError(404, "Not Found")
        site_id = request.query.get("site_id")
        if not site_id or self.store.get("sites", site_id) is None:
            raise ApiError(404, "site_id must name a site of this account")
        return site_id

    @handles("createEnvVars")
    def create_env_vars(self, request: ApiRequest) -> Reply:
        site_id = self._env_site(request)
        created = []
        for entry in request.body or []:
            key = entry.get("key")
            if not key:
                raise ApiError(422, "every environment variable needs a key")
            if self.store.get("env", f"{site_id}/{key}") is not None:
                raise ApiError(409, f"environment variable {key} already exists")
            values = [{"id": self.ids.uuid(), **clone(v)} for v in entry.get("values") or []]
            record = {"key": key, "scopes": clone(entry.get("scopes") or ["builds", "functions", "runtime",
                                                                           "post-processing"]),
                      "values": values, "is_secret": bool(entry.get("is_secret", False)),
                      "updated_at": now_rfc3339(), "_site": site_id}
            self.store.put("env", f"{site_id}/{key}", record)
            created.append(self.render("env", record))
        return Reply(201, created)

    @handles("getEnvVars")
    def get_env_vars(self, request: ApiRequest) -> Reply:
        site_id = self._env_site(request)
        return Reply(200, [self.render("env", v) for v in self.store.values("env") if v["_site"] == site_id])

    @handles("getEnvVar")
    def get_env_var(self, request: ApiRequest) -> Reply:
        site_id = self._env_site(request)
        record = self.store.get("env", f"{site_id}/{request.path_params['key']}")
        if record is None:
            raise ApiError(404, "Not Found")
        return Reply(200, self.render("env", record))

    @handles("deleteEnvVar")
    def delete_env_var(self, request: ApiRequest) -> Reply:
        site_id = self._env_site(request)
        if self.store.pop("env", f"{site_id}/{request.path_params['key']}") is None:
            raise ApiError(404, "Not Found")
        return Reply(204)

    # ---- the sites -------------------------------------------------------------------------------

    def _serve_site(self, raw: RawRequest, host: str) -> Outcome:
        with self._lock:
            wanted = parse_host(host)
            deploy = self._served_deploy(wanted) if wanted else None
            if deploy is None or raw.method not in ("GET", "HEAD"):
                status = 404 if deploy is None else 405
                return Outcome(status, NOT_FOUND_PAGE if status == 404 else b"", [("Content-Type", _TEXT)])
            status, path = resolve(deploy["_files"], raw.path)
            if path is None:
                return Outcome(404, NOT_FOUND_PAGE, [("Content-Type", _TEXT)])
            data = self._site_files[deploy["site_id"]][deploy["_files"][path]]
        content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
        if content_type.startswith("text/") or content_type in ("application/javascript", "application/json"):
            content_type += "; charset=UTF-8"
        return Outcome(status, data, [("Content-Type", content_type), ("Etag", f'"{deploy["_files"][path]}"'),
                                      ("Cache-Control", "public,max-age=0,must-revalidate"),
                                      ("X-Nf-Request-Id", "emulated")])

    def _served_deploy(self, wanted) -> dict[str, Any] | None:
        site = next((s for s in self.store.values("sites") if s["name"] == wanted.site_name), None)
        if site is None:
            return None
        deploy_id = wanted.deploy_id or site["_published"]
        deploy = self.store.get("deploys", deploy_id or "")
        if deploy is None and wanted.deploy_id:  # an alias label names the newest ready deploy of that alias
            aliased = [d for d in self.store.values("deploys") if d["site_id"] == site["id"] and d["state"] == "ready"
                       and d["_branch"] and alias_label(d["_branch"]) == wanted.deploy_id]
            deploy = max(aliased, key=lambda d: d["created_at"], default=None)
        if deploy is None or deploy["site_id"] != site["id"] or deploy["state"] != "ready":
            return None
        return deploy


def _host(headers: Mapping[str, str]) -> str:
    value = next((v for k, v in headers.items() if k.lower() == "host"), "")
    return value.rsplit(":", 1)[0].lower() if value.count(":") == 1 else value.lower()
