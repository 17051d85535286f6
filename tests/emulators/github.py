"""GitHub REST emulator (api.github.com) for delivery: PR summary comments, pull requests, environments, run approvals.

Validated against `github.openapi.json` (Octokit's build of GitHub's OpenAPI description; 11.8 MB, indexed once per
process in about 1.6 s, see `spec.load_spec`). Answers are whole objects of the spec's schemas: the fields modelled
here carry meaning, the others are filled by `github_shapes.shaped`. Sources are platform-apis.md §10 ("GitHub") and
the docs.github.com pages it lists, unless another is named.

Behaviour:
- Auth: `Authorization: Bearer <token>` (or `token <token>`). Tokens map to users (`add_user`); with none added, any
  token is the Actions bot `github-actions[bot]`, which is who `GITHUB_TOKEN` acts as. Otherwise 401 "Bad credentials".
  Errors are `{message, documentation_url, status}` (the spec's `basic-error`); 422s are `validation-error`.
- Repositories exist only when added (`add_repository("owner/name")`); any other is 404 "Not Found".
- Pagination (docs: rest/using-the-rest-api/using-pagination-in-the-rest-api): `per_page` (default 30, at most 100)
  and `page`; a list that does not fit one page answers a `Link` header with `rel="next"`, `"last"`, `"first"`,
  `"prev"` as they apply, and none when everything fits on one page.
- Issue comments (docs: rest/issues/comments; a pull request is an issue with the same number): list oldest first,
  create answers 201, update (PATCH `issues/comments/{id}`) answers 200 with the new body and `updated_at`. A body
  over 65,536 characters is refused 422 (GitHub's "body is too long (maximum is 65536 characters)"; UNCONFIRMED on
  docs.github.com, seen in GitHub's answers quoted in client issues). Comments on a number that is no pull request
  here are 404.
- Pull requests: `state=open|closed|all` (default open), `head=<owner>:<branch>`, `base=<branch>`, newest first by
  default (`sort=created`, `direction=desc`).
- Environments: `PUT` creates or updates (`wait_timer`, `prevent_self_review`, `reviewers` [{type, id}],
  `deployment_branch_policy`), `GET` one (404 when absent) or all (`{total_count, environments}`), `DELETE` 204.
  `protection_rules` list `required_reviewers` (with `prevent_self_review`), `wait_timer` and `branch_policy`.
- Runs (`start_run`): a job naming an environment with required reviewers waits; `GET .../pending_deployments`
  lists what waits; `POST .../pending_deployments` `{environment_ids, state, comment}` (all three required) approves
  or rejects, only by a required reviewer of each listed environment ("Only a required reviewer can make this
  call"), and not by the run's actor when the environment prevents self-review. `GET .../approvals` is the history:
  `{environments, state, user, comment}` per review. A refused review is 422 (UNCONFIRMED: the docs name no status).
- Rate limits (docs: rest/using-the-rest-api/rate-limits-for-the-rest-api): every answer carries `x-ratelimit-limit`,
  `-remaining`, `-used`, `-reset` (epoch seconds) and `-resource` (`core`). The primary limit is per token, 1,000 per
  hour by default (`GITHUB_TOKEN`'s per-repository figure); past it the answer is 403 with `x-ratelimit-remaining: 0`.
  `GET /rate_limit` does not count. Secondary limit: at most 80 content-creating requests (POST, PATCH, PUT, DELETE)
  a minute and 500 an hour; past it, 403 "You have exceeded a secondary rate limit" with `retry-after`.
  `trip_secondary_limit(status, retry_after, times)` makes the next requests meet it (403 or 429, both documented).

Control (also `POST /__emulator__/actions/<name>`): `add_repository`, `add_user`, `add_pull`, `add_comment`,
`set_pull_state`, `start_run`, `trip_secondary_limit`, `set_primary_limit`.
"""

from __future__ import annotations

import math
import threading
import time
from typing import Any, Mapping, Sequence
from urllib.parse import urlencode

from .base import ApiError, ApiRequest, Emulator, Outcome, RawRequest, Reply, handles
from .github_shapes import shaped
from .rate_limits import RateLimit, RateLimiter
from .state import now_rfc3339

DOCS = "https://docs.github.com/rest"
BOT_LOGIN = "github-actions[bot]"
MAX_COMMENT = 65536
CONTENT_PER_MINUTE = RateLimit("80 content-creating requests per minute", 80, 60)
CONTENT_PER_HOUR = RateLimit("500 content-creating requests per hour", 500, 3600)
_WRITES = frozenset({"POST", "PATCH", "PUT", "DELETE"})
_UNCOUNTED = frozenset({"rate-limit/get"})


class GitHubEmulator(Emulator):
    """In-memory GitHub: repositories with pull requests, comments, environments and workflow runs."""

    api = "github"
    spec_file = "github.openapi.json"
    collections = ("comments", "pulls", "environments", "runs", "approvals")
    secret_fields = frozenset()
    control_actions = ("add_repository", "add_user", "add_pull", "add_comment", "set_pull_state", "start_run",
                       "trip_secondary_limit", "set_primary_limit")

    def __init__(self, *, primary_limit: int = 1000, rate_limit_scale: float = 1.0, **options: Any):
        super().__init__(**options)
        self.repositories: dict[str, int] = {}
        self.users: dict[str, int] = {}
        self.tokens: dict[str, str] = {}
        self.primary_limit = primary_limit
        self.time_scale = rate_limit_scale
        self.secondary = RateLimiter(time_scale=rate_limit_scale)
        self._tripped: list[tuple[int, int]] = []
        self._primary: dict[str, tuple[float, int]] = {}
        self._counter = 1000
        self._rate_lock = threading.Lock()
        self.add_user(BOT_LOGIN)

    # ---- control ----------------------------------------------------------------------------------

    def add_repository(self, full_name: str) -> int:
        """Make `owner/name` exist; returns its id."""
        with self._lock:
            return self.repositories.setdefault(full_name.lower(), self._next_id())

    def add_user(self, login: str, token: str | None = None) -> int:
        """Make a user (and, with `token`, let that token act as them); returns the user id."""
        with self._lock:
            user_id = self.users.setdefault(login, self._next_id())
            if token:
                self.tokens[token] = login
            return user_id

    def add_pull(self, repository: str, number: int, *, state: str = "open", head: str = "feature",
                 base: str = "develop", title: str = "", author: str = "octocat") -> dict[str, Any]:
        """Open (or record closed) pull request `number` in `repository`; returns it as `GET pulls/{n}` would."""
        self.add_repository(repository)
        self.add_user(author)
        with self._lock:
            record = {"repository": repository.lower(), "number": int(number), "state": state, "head": head,
                      "base": base, "title": title or f"Pull request {number}", "author": author,
                      "id": self._next_id(), "created_at": now_rfc3339(), "closed_at": None,
                      "merged_at": None}
            if state == "closed":
                record["closed_at"] = now_rfc3339()
            self.store.put("pulls", _pull_key(repository, number), record)
            return self.render("pulls", record)

    def add_comment(self, repository: str, number: int, body: str, author: str = "octocat") -> dict[str, Any]:
        """A comment someone left on pull request `number` (the pull request must exist)."""
        self.add_user(author)
        with self._lock:
            stamp = now_rfc3339()
            record = {"id": self._next_id(), "repository": repository.lower(), "issue": int(number), "body": body,
                      "author": author, "created_at": stamp, "updated_at": stamp}
            self.store.put("comments", str(record["id"]), record)
            return self._comment(record)

    def set_pull_state(self, repository: str, number: int, state: str, merged: bool = False) -> dict[str, Any]:
        """Close or reopen a pull request (as the web UI or a merge does)."""
        with self._lock:
            record = self.store.get("pulls", _pull_key(repository, number))
            if record is None:
                raise KeyError(f"no pull request {number} in {repository}")
            record["state"] = state
            record["closed_at"] = now_rfc3339() if state == "closed" else None
            record["merged_at"] = now_rfc3339() if state == "closed" and merged else None
            return self.render("pulls", record)

    def start_run(self, repository: str, run_id: int, *, actor: str, environments: Sequence[str] = ("production",),
                  head_branch: str = "main") -> dict[str, Any]:
        """A workflow run whose jobs name `environments`; those with required reviewers wait for a review."""
        self.add_repository(repository)
        self.add_user(actor)
        with self._lock:
            waiting = []
            for name in environments:
                env = self.store.get("environments", _env_key(repository, name))
                if env is None:
                    # A workflow naming an unknown environment creates it, with no protection (platform-apis §10).
                    env = self._new_environment(repository, name)
                if env["reviewers"]:
                    waiting.append(name)
            record = {"repository": repository.lower(), "run_id": int(run_id), "actor": actor,
                      "head_branch": head_branch, "waiting": waiting}
            self.store.put("runs", _run_key(repository, run_id), record)
            return dict(record)

    def trip_secondary_limit(self, status: int = 403, retry_after: int = 60, times: int = 1) -> int:
        """The next `times` API requests meet the secondary limit (answered `status` with `retry-after`)."""
        if status not in (403, 429):
            raise ValueError("GitHub answers a secondary rate limit with 403 or 429")
        with self._rate_lock:
            self._tripped.extend([(status, retry_after)] * times)
            return len(self._tripped)

    def set_primary_limit(self, limit: int) -> int:
        """Requests per hour per token from now on (counts so far are kept)."""
        with self._rate_lock:
            self.primary_limit = int(limit)
            return self.primary_limit

    # ---- hooks ------------------------------------------------------------------------------------

    def authenticate(self, headers: Mapping[str, str]) -> bool:
        return self._login(headers) is not None

    def error_body(self, status: int, message: str, fields: Sequence[tuple[str, str]] = ()) -> Any:
        body: dict[str, Any] = {"message": message, "documentation_url": DOCS, "status": str(status)}
        if status == 422:
            body["errors"] = [{"resource": "Request", "field": f, "code": "invalid", "message": m}
                              for f, m in fields] or [{"code": "invalid", "message": message}]
        return body

    def render(self, collection: str, record: dict[str, Any]) -> dict[str, Any]:
        if collection == "comments":
            return self._comment(record)
        if collection == "pulls":
            return self._pull(record, "pull-request-simple")
        if collection == "environments":
            return self._environment(record)
        if collection == "approvals":
            return self._approval(record)
        return {k: v for k, v in record.items()}

    def handle(self, raw: RawRequest) -> Outcome:
        if raw.path.startswith("/__emulator__"):
            return super().handle(raw)
        outcome = super().handle(raw)
        if not outcome.dropped:
            outcome.headers.extend(self._rate_headers(raw.headers))
        return outcome

    def _dispatch(self, checked, raw) -> Reply:
        if checked.operation is not None and not checked.problems and self.authenticate(raw.headers):
            refusal = self._rate_refusal(checked.method, checked.operation.operation_id, raw.headers)
            if refusal is not None:
                return refusal
        return super()._dispatch(checked, raw)

    # ---- rate limits ------------------------------------------------------------------------------

    def _rate_refusal(self, method: str, operation_id: str, headers: Mapping[str, str]) -> Reply | None:
        token = _token(headers)
        with self._rate_lock:
            if self._tripped:
                status, retry_after = self._tripped.pop(0)
                return self._secondary_reply(status, retry_after)
            if operation_id in _UNCOUNTED:
                return None
            start, used = self._window(token)
            if used >= self.primary_limit:
                return Reply(403, self.error_body(403, "API rate limit exceeded for this token. Check "
                                                       "x-ratelimit-reset for when it resets."))
            self._primary[token] = (start, used + 1)
        if method in _WRITES:
            refusal = self.secondary.check((CONTENT_PER_MINUTE, CONTENT_PER_HOUR), token)
            if refusal is not None:
                return self._secondary_reply(403, refusal.retry_after)
        return None

    def _secondary_reply(self, status: int, retry_after: int) -> Reply:
        message = ("You have exceeded a secondary rate limit and have been temporarily blocked from content "
                   "creation. Please retry your request again later.")
        return Reply(status, self.error_body(status, message), {"retry-after": str(retry_after)})

    def _window(self, token: str) -> tuple[float, int]:
        now = time.time()
        start, used = self._primary.get(token, (now, 0))
        if now - start >= 3600 * self.time_scale:
            start, used = now, 0
        return start, used

    def _rate_headers(self, headers: Mapping[str, str]) -> list[tuple[str, str]]:
        with self._rate_lock:
            start, used = self._window(_token(headers))
        reset = math.ceil(start + 3600 * self.time_scale)
        return [("x-ratelimit-limit", str(self.primary_limit)),
                ("x-ratelimit-remaining", str(max(0, self.primary_limit - used))),
                ("x-ratelimit-used", str(used)), ("x-ratelimit-reset", str(reset)),
                ("x-ratelimit-resource", "core")]

    # ---- helpers ----------------------------------------------------------------------------------

    def _next_id(self) -> int:
        self._counter += 1
        return self._counter

    def _login(self, headers: Mapping[str, str]) -> str | None:
        token = _token(headers)
        if not token:
            return None
        if len(self.tokens) == 0:
            return BOT_LOGIN
        return self.tokens.get(token)

    def _repository(self, request: ApiRequest) -> str:
        full = f"{request.path_params['owner']}/{request.path_params['repo']}".lower()
        if full not in self.repositories:
            raise ApiError(404, "Not Found")
        return full

    def _user(self, login: str) -> dict[str, Any]:
        kind = "Bot" if login.endswith("[bot]") else "User"
        return shaped(self.spec, "simple-user", {"login": login, "id": self.users.get(login, 0), "type": kind,
                                                 "html_url": f"https://github.com/{login}"})

    def _page(self, request: ApiRequest, items: list[Any], raw_query: Mapping[str, Any]) -> Reply:
        per_page = int(request.query.get("per_page", 30))
        page = int(request.query.get("page", 1))
        if per_page < 1 or per_page > 100:
            raise ApiError(422, "per_page must be between 1 and 100", [("per_page", "out of range")])
        last = max(1, math.ceil(len(items) / per_page))
        chunk = items[(page - 1) * per_page: page * per_page]
        headers = {}
        if len(items) > per_page:
            headers["Link"] = _link_header(request, dict(raw_query), page, last)
        return Reply(200, chunk, headers)

    # ---- issue comments ---------------------------------------------------------------------------

    def _comment(self, record: dict[str, Any]) -> dict[str, Any]:
        base = f"https://api.github.com/repos/{record['repository']}"
        return shaped(self.spec, "issue-comment", {
            "id": record["id"], "node_id": f"IC_{record['id']}", "body": record["body"],
            "user": self._user(record["author"]), "created_at": record["created_at"],
            "updated_at": record["updated_at"], "url": f"{base}/issues/comments/{record['id']}",
            "issue_url": f"{base}/issues/{record['issue']}",
            "html_url": f"https://github.com/{record['repository']}/pull/{record['issue']}#issuecomment-{record['id']}",
            "author_association": "NONE"})

    def _issue(self, request: ApiRequest) -> tuple[str, int]:
        repository = self._repository(request)
        number = int(request.path_params["issue_number"])
        if self.store.get("pulls", _pull_key(repository, number)) is None:
            raise ApiError(404, "Not Found")
        return repository, number

    @staticmethod
    def _body_text(request: ApiRequest) -> str:
        text = (request.body or {}).get("body")
        if not isinstance(text, str):
            raise ApiError(422, "Validation Failed", [("body", "missing")])
        if len(text) > MAX_COMMENT:
            raise ApiError(422, "Validation Failed", [("body", f"body is too long (maximum is {MAX_COMMENT} characters)")])
        return text

    @handles("issues/list-comments")
    def list_comments(self, request: ApiRequest) -> Reply:
        repository, number = self._issue(request)
        found = sorted((c for c in self.store.values("comments")
                        if c["repository"] == repository and c["issue"] == number), key=lambda c: c["id"])
        return self._page(request, [self._comment(c) for c in found], request.query)

    @handles("issues/create-comment")
    def create_comment(self, request: ApiRequest) -> Reply:
        repository, number = self._issue(request)
        text = self._body_text(request)
        stamp = now_rfc3339()
        record = {"id": self._next_id(), "repository": repository, "issue": number, "body": text,
                  "author": self._login(request.headers), "created_at": stamp, "updated_at": stamp}
        self.store.put("comments", str(record["id"]), record)
        return Reply(201, self._comment(record), {"Location": self._comment(record)["url"]})

    def _stored_comment(self, request: ApiRequest) -> dict[str, Any]:
        repository = self._repository(request)
        record = self.store.get("comments", str(request.path_params["comment_id"]))
        if record is None or record["repository"] != repository:
            raise ApiError(404, "Not Found")
        return record

    @handles("issues/get-comment")
    def get_comment(self, request: ApiRequest) -> Reply:
        return Reply(200, self._comment(self._stored_comment(request)))

    @handles("issues/update-comment")
    def update_comment(self, request: ApiRequest) -> Reply:
        record = self._stored_comment(request)
        record["body"] = self._body_text(request)
        record["updated_at"] = now_rfc3339()
        return Reply(200, self._comment(record))

    @handles("issues/delete-comment")
    def delete_comment(self, request: ApiRequest) -> Reply:
        record = self._stored_comment(request)
        self.store.pop("comments", str(record["id"]))
        return Reply(204)

    # ---- pull requests ----------------------------------------------------------------------------

    def _pull(self, record: dict[str, Any], schema: str) -> dict[str, Any]:
        repo = record["repository"]
        owner = repo.split("/")[0]
        return shaped(self.spec, schema, {
            "id": record["id"], "node_id": f"PR_{record['id']}", "number": record["number"],
            "state": record["state"], "title": record["title"], "user": self._user(record["author"]),
            "created_at": record["created_at"], "updated_at": record["created_at"],
            "closed_at": record["closed_at"], "merged_at": record["merged_at"], "locked": False,
            "url": f"https://api.github.com/repos/{repo}/pulls/{record['number']}",
            "html_url": f"https://github.com/{repo}/pull/{record['number']}",
            "head": {"ref": record["head"], "label": f"{owner}:{record['head']}", "sha": "0" * 40},
            "base": {"ref": record["base"], "label": f"{owner}:{record['base']}", "sha": "0" * 40},
            "author_association": "CONTRIBUTOR"})

    @handles("pulls/list")
    def list_pulls(self, request: ApiRequest) -> Reply:
        repository = self._repository(request)
        state = request.query.get("state", "open")
        head, base = request.query.get("head"), request.query.get("base")
        found = [p for p in self.store.values("pulls") if p["repository"] == repository
                 and (state == "all" or p["state"] == state)
                 and (head is None or f"{repository.split('/')[0]}:{p['head']}" == head.lower() or p["head"] == head)
                 and (base is None or p["base"] == base)]
        direction = request.query.get("direction", "desc" if request.query.get("sort", "created") == "created" else "asc")
        found.sort(key=lambda p: p["id"], reverse=direction == "desc")
        return self._page(request, [self._pull(p, "pull-request-simple") for p in found], request.query)

    @handles("pulls/get")
    def get_pull(self, request: ApiRequest) -> Reply:
        repository = self._repository(request)
        record = self.store.get("pulls", _pull_key(repository, int(request.path_params["pull_number"])))
        if record is None:
            raise ApiError(404, "Not Found")
        return Reply(200, self._pull(record, "pull-request"))

    # ---- environments -----------------------------------------------------------------------------

    def _new_environment(self, repository: str, name: str) -> dict[str, Any]:
        stamp = now_rfc3339()
        record = {"repository": repository.lower(), "name": name, "id": self._next_id(), "wait_timer": 0,
                  "prevent_self_review": False, "reviewers": [], "branch_policy": None,
                  "created_at": stamp, "updated_at": stamp}
        self.store.put("environments", _env_key(repository, name), record)
        return record

    def _environment(self, record: dict[str, Any]) -> dict[str, Any]:
        rules: list[dict[str, Any]] = []
        if record["wait_timer"]:
            rules.append({"id": record["id"] * 10 + 1, "node_id": "GA_wait", "type": "wait_timer",
                          "wait_timer": record["wait_timer"]})
        if record["reviewers"]:
            rules.append({"id": record["id"] * 10 + 2, "node_id": "GA_reviewers", "type": "required_reviewers",
                          "prevent_self_review": record["prevent_self_review"],
                          "reviewers": [{"type": "User", "reviewer": self._user(login)} for login in record["reviewers"]]})
        if record["branch_policy"] is not None:
            rules.append({"id": record["id"] * 10 + 3, "node_id": "GA_branch", "type": "branch_policy"})
        modelled = {"id": record["id"], "node_id": f"EN_{record['id']}", "name": record["name"],
                    "url": f"https://api.github.com/repos/{record['repository']}/environments/{record['name']}",
                    "html_url": f"https://github.com/{record['repository']}/deployments",
                    "created_at": record["created_at"], "updated_at": record["updated_at"],
                    "protection_rules": rules, "deployment_branch_policy": record["branch_policy"]}
        return shaped(self.spec, "environment", modelled)

    def _stored_environment(self, request: ApiRequest) -> dict[str, Any]:
        repository = self._repository(request)
        record = self.store.get("environments", _env_key(repository, request.path_params["environment_name"]))
        if record is None:
            raise ApiError(404, "Not Found")
        return record

    @handles("repos/get-all-environments")
    def list_environments(self, request: ApiRequest) -> Reply:
        repository = self._repository(request)
        found = [e for e in self.store.values("environments") if e["repository"] == repository]
        return Reply(200, {"total_count": len(found), "environments": [self._environment(e) for e in found]})

    @handles("repos/get-environment")
    def get_environment(self, request: ApiRequest) -> Reply:
        return Reply(200, self._environment(self._stored_environment(request)))

    @handles("repos/create-or-update-environment")
    def put_environment(self, request: ApiRequest) -> Reply:
        repository = self._repository(request)
        name = request.path_params["environment_name"]
        record = self.store.get("environments", _env_key(repository, name)) or self._new_environment(repository, name)
        body = request.body or {}
        by_id = {user_id: login for login, user_id in self.users.items()}
        reviewers = []
        for entry in body.get("reviewers") or []:
            if entry.get("type") != "User" or entry.get("id") not in by_id:
                raise ApiError(422, "Validation Failed", [("reviewers", f"no user with id {entry.get('id')}")])
            reviewers.append(by_id[entry["id"]])
        if len(reviewers) > 6:
            raise ApiError(422, "Validation Failed", [("reviewers", "at most six reviewers")])
        if "reviewers" in body:
            record["reviewers"] = reviewers
        for key in ("wait_timer", "prevent_self_review"):
            if key in body:
                record[key] = body[key]
        if "deployment_branch_policy" in body:
            record["branch_policy"] = body["deployment_branch_policy"]
        record["updated_at"] = now_rfc3339()
        return Reply(200, self._environment(record))

    @handles("repos/delete-an-environment")
    def delete_environment(self, request: ApiRequest) -> Reply:
        record = self._stored_environment(request)
        self.store.pop("environments", _env_key(record["repository"], record["name"]))
        return Reply(204)

    # ---- workflow runs: reviews -------------------------------------------------------------------

    def _run(self, request: ApiRequest) -> dict[str, Any]:
        repository = self._repository(request)
        record = self.store.get("runs", _run_key(repository, int(request.path_params["run_id"])))
        if record is None:
            raise ApiError(404, "Not Found")
        return record

    def _env_summary(self, env: dict[str, Any]) -> dict[str, Any]:
        full = self._environment(env)
        return {k: full[k] for k in ("id", "node_id", "name", "url", "html_url", "created_at", "updated_at")}

    def _approval(self, record: dict[str, Any]) -> dict[str, Any]:
        envs = [self._env_summary(e) for e in (self.store.get("environments", _env_key(record["repository"], n))
                                               for n in record["environments"]) if e is not None]
        return shaped(self.spec, "environment-approvals", {"environments": envs, "state": record["state"],
                                                           "user": self._user(record["user"]),
                                                           "comment": record["comment"]})

    @handles("actions/get-pending-deployments-for-run")
    def pending_deployments(self, request: ApiRequest) -> Reply:
        run = self._run(request)
        caller = self._login(request.headers)
        out = []
        for name in run["waiting"]:
            env = self.store.get("environments", _env_key(run["repository"], name))
            if env is None:
                continue
            summary = self._env_summary(env)
            out.append(shaped(self.spec, "pending-deployment", {
                "environment": {k: summary[k] for k in ("id", "node_id", "name", "url", "html_url")},
                "wait_timer": env["wait_timer"], "wait_timer_started_at": None,
                "current_user_can_approve": caller in env["reviewers"],
                "reviewers": [{"type": "User", "reviewer": self._user(login)} for login in env["reviewers"]]}))
        return Reply(200, out)

    @handles("actions/review-pending-deployments-for-run")
    def review_pending(self, request: ApiRequest) -> Reply:
        run = self._run(request)
        caller = self._login(request.headers)
        body = request.body
        by_id = {e["id"]: e for e in self.store.values("environments") if e["repository"] == run["repository"]}
        chosen = []
        for env_id in body["environment_ids"]:
            env = by_id.get(env_id)
            if env is None or env["name"] not in run["waiting"]:
                raise ApiError(422, "Validation Failed", [("environment_ids", f"{env_id} is not waiting in this run")])
            if caller not in env["reviewers"]:
                raise ApiError(422, "Validation Failed",
                               [("environment_ids", f"{caller} is not a required reviewer of {env['name']}")])
            if env["prevent_self_review"] and caller == run["actor"]:
                raise ApiError(422, "Validation Failed",
                               [("environment_ids", f"{env['name']} prevents self-review: {caller} started the run")])
            chosen.append(env)
        names = [e["name"] for e in chosen]
        approval = {"repository": run["repository"], "run_id": run["run_id"], "environments": names,
                    "state": body["state"], "user": caller, "comment": body["comment"], "id": self._next_id()}
        self.store.put("approvals", str(approval["id"]), approval)
        run["waiting"] = [n for n in run["waiting"] if n not in names]
        deployments = [shaped(self.spec, "deployment", {
            "id": self._next_id(), "environment": name, "ref": run["head_branch"], "task": "deploy",
            "creator": self._user(run["actor"]), "created_at": now_rfc3339(), "updated_at": now_rfc3339(),
        }) for name in names] if body["state"] == "approved" else []
        return Reply(200, deployments)

    @handles("actions/get-reviews-for-run")
    def run_reviews(self, request: ApiRequest) -> Reply:
        run = self._run(request)
        found = sorted((a for a in self.store.values("approvals")
                        if a["repository"] == run["repository"] and a["run_id"] == run["run_id"]),
                       key=lambda a: a["id"])
        return Reply(200, [self._approval(a) for a in found])

    # ---- rate limit -------------------------------------------------------------------------------

    @handles("rate-limit/get")
    def rate_limit(self, request: ApiRequest) -> Reply:
        with self._rate_lock:
            start, used = self._window(_token(request.headers))
        core = {"limit": self.primary_limit, "used": used, "remaining": max(0, self.primary_limit - used),
                "reset": math.ceil(start + 3600 * self.time_scale)}
        return Reply(200, shaped(self.spec, "rate-limit-overview", {"rate": core, "resources": {"core": core}}))


def _token(headers: Mapping[str, str]) -> str:
    value = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
    scheme, _, token = value.partition(" ")
    return token.strip() if scheme.lower() in ("bearer", "token") else ""


def _pull_key(repository: str, number: int) -> str:
    return f"{repository.lower()}#{int(number)}"


def _env_key(repository: str, name: str) -> str:
    return f"{repository.lower()}@{name}"


def _run_key(repository: str, run_id: int) -> str:
    return f"{repository.lower()}!{int(run_id)}"


def _link_header(request: ApiRequest, query: dict[str, Any], page: int, last: int) -> str:
    host = next((v for k, v in request.headers.items() if k.lower() == "host"), "api.github.com")
    scheme = "https" if host == "api.github.com" else "http"

    def url(number: int) -> str:
        return f"{scheme}://{host}{request.path}?{urlencode({**query, 'page': number})}"

    links = []
    if page > 1:
        links.append(f'<{url(page - 1)}>; rel="prev"')
    if page < last:
        links.append(f'<{url(page + 1)}>; rel="next"')
        links.append(f'<{url(last)}>; rel="last"')
    if page > 1:
        links.append(f'<{url(1)}>; rel="first"')
    return ", ".join(links)
