"""A small GitHub REST client for the delivery commands: bearer auth, `Link` pagination, rate limits waited out.

Settings come from the variables GitHub Actions sets in every job: `GITHUB_API_URL` (default https://api.github.com),
`GITHUB_REPOSITORY` (owner/name) and the job's `GITHUB_TOKEN`.

Rate limits (platform-apis.md §10, "Rate limits for GITHUB_TOKEN"; docs.github.com rest/using-the-rest-api/
rate-limits-for-the-rest-api): a 403 or 429 with `retry-after` waits that many seconds; one with
`x-ratelimit-remaining: 0` waits until `x-ratelimit-reset`; a 429 with neither waits a minute, doubling. A 403 with
none of these is a permission problem and fails at once. Every wait is capped (`max_wait`), and so is the number of
tries; 5xx answers to reads are retried with backoff. Pagination follows `rel="next"` of the `Link` header.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Mapping, Optional

import httpx

from providers._http.retry import parse_retry_after
from providers._http.settings import Timing
from tools.ops.errors import OperationsError

API_VERSION = "2022-11-28"
DEFAULT_API_URL = "https://api.github.com"
USER_AGENT = "stagecraft-delivery/0.1"


class GitHubError(OperationsError):
    """GitHub refused or failed a request; the message names the request and GitHub's reason."""


@dataclass(frozen=True)
class GitHubSettings:
    """Where and as whom to call the API."""

    api_url: str
    repository: str
    token: str

    @classmethod
    def from_env(cls, repository: Optional[str] = None, environ: Optional[Mapping[str, str]] = None) -> "GitHubSettings":
        """From the Actions variables (`repository` overrides GITHUB_REPOSITORY)."""
        env = os.environ if environ is None else environ
        repo = repository or env.get("GITHUB_REPOSITORY", "")
        if "/" not in repo:
            raise OperationsError("no repository: pass --repository <owner>/<name> or set GITHUB_REPOSITORY")
        token = env.get("GITHUB_TOKEN", "").strip()
        if not token:
            raise OperationsError("GITHUB_TOKEN is not set: pass the job's token (env: GITHUB_TOKEN: "
                                  "${{ github.token }}) or a token with access to the repository")
        return cls(api_url=(env.get("GITHUB_API_URL") or DEFAULT_API_URL).rstrip("/"), repository=repo, token=token)


class GitHubClient:
    """JSON requests to one repository's API."""

    def __init__(self, settings: GitHubSettings, *, attempts: int = 5, max_wait: float = 120.0,
                 sleep: Callable[[float], None] = time.sleep, transport: Optional[httpx.BaseTransport] = None):
        self.settings = settings
        self.attempts = attempts
        self.max_wait = max_wait
        self._scale = Timing.from_env().scale
        self._sleep = sleep
        self._http = httpx.Client(base_url=settings.api_url, timeout=30.0, transport=transport, headers={
            "Authorization": f"Bearer {settings.token}", "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": API_VERSION, "User-Agent": USER_AGENT})

    def __enter__(self) -> "GitHubClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self._http.close()

    def repo_path(self, tail: str) -> str:
        """`/repos/<owner>/<name>/<tail>`."""
        return f"/repos/{self.settings.repository}/{tail.lstrip('/')}"

    def request(self, method: str, path: str, *, json: Any = None, params: Optional[Mapping[str, Any]] = None) -> httpx.Response:
        """One request, rate limits and transient failures waited out; raises GitHubError on a refusal."""
        for attempt in range(1, self.attempts + 1):
            try:
                response = self._http.request(method, path, json=json, params=params)
            except httpx.TransportError as exc:
                if method != "GET" or attempt == self.attempts:
                    raise GitHubError(f"{method} {path}: no answer from {self.settings.api_url} ({exc})") from None
                self._wait(2.0 ** attempt)
                continue
            wait = self._wait_for(response, attempt)
            if wait is None or attempt == self.attempts:
                if response.is_success:
                    return response
                raise GitHubError(f"{method} {path}: HTTP {response.status_code} {_message(response)}")
            self._wait(wait)
        raise AssertionError("unreachable")

    def paginate(self, path: str, params: Optional[Mapping[str, Any]] = None) -> Iterator[Any]:
        """Every item of a list endpoint, page after page (`per_page=100`, then `rel="next"`)."""
        url: Optional[str] = path
        query: Optional[dict[str, Any]] = {"per_page": 100, **(params or {})}
        while url:
            response = self.request("GET", url, params=query)
            yield from response.json()
            url = response.links.get("next", {}).get("url")
            query = None

    def _wait_for(self, response: httpx.Response, attempt: int) -> Optional[float]:
        """Seconds to wait before trying again, or None when the answer is final."""
        status = response.status_code
        if status in (403, 429):
            asked = parse_retry_after(response.headers.get("retry-after"))
            if asked is not None:
                return asked
            if response.headers.get("x-ratelimit-remaining") == "0" and response.headers.get("x-ratelimit-reset"):
                return max(0.0, float(response.headers["x-ratelimit-reset"]) - time.time())
            return 60.0 * 2 ** (attempt - 1) if status == 429 else None
        if status >= 500 and response.request.method == "GET":
            return 2.0 ** attempt
        return None

    def _wait(self, seconds: float) -> None:
        self._sleep(min(seconds, self.max_wait) * self._scale)


def _message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    return str(body.get("message", "")) if isinstance(body, dict) else ""
