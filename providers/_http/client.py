"""One httpx client wrapper used by every vendor client: auth, timeouts, retries, typed errors.

A ``HttpClient`` is built inside each provider call, so nothing unpicklable ever sits on a provider object.
The connection pool under it is shared by every call of the provider process with the same API settings
(issue 8: a new ``httpx.Client`` per call cost ~17 ms and a TCP+TLS handshake on the critical path).
"""

from __future__ import annotations

import logging
import random
import threading
import time
from typing import Any, Callable, Iterable, Mapping, Optional

import httpx

from . import errors
from .retry import IDEMPOTENT_METHODS, backoff_delay, is_retryable_status, parse_retry_after, retry_after_delay
from .settings import ApiSettings

log = logging.getLogger("stagecraft.http")

USER_AGENT = "stagecraft-pulumi-dynamic/0.1 (+httpx)"
_MAX_MESSAGE = 400
# Shorter "secrets" (test tokens like "t") would shred every message they occur in; real keys are longer.
_MIN_REDACTED = 6
# These fail before a byte of the request leaves the machine, so even a POST is safe to try again.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


class HttpClient:
    """JSON-over-HTTP client for one API.

    ``request`` retries transient failures with exponential backoff and jitter, honouring ``Retry-After``;
    a non-idempotent request (POST, PATCH) is retried only on outcomes that prove the server did not act,
    unless the caller passes ``idempotent=True`` because it made the request safe itself.
    """

    def __init__(
        self,
        settings: ApiSettings,
        *,
        transport: Optional[httpx.BaseTransport] = None,
        sleep: Callable[[float], None] = time.sleep,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self.settings = settings
        self.transport = transport
        """The transport this client was made with (a test's), or None: the network through a shared pool."""
        self._sleep = sleep
        self._rand = rand
        self._owns_pool = transport is not None
        self._http = _new_pool(settings, transport) if transport is not None else _shared_pool(settings)

    def __enter__(self) -> "HttpClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool if this client made its own (a test transport); shared pools stay open."""
        if self._owns_pool:
            self._http.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        operation: str,
        resource: str,
        json: Any = None,
        params: Optional[Mapping[str, Any]] = None,
        idempotent: Optional[bool] = None,
        redact: Iterable[str] = (),
        files: Optional[Mapping[str, tuple[Any, ...]]] = None,
        content: Optional[bytes] = None,
        content_type: Optional[str] = None,
    ) -> Any:
        """Send one request and return its decoded JSON body (None when empty, text when not JSON).

        Args:
            method, path: the request line; ``path`` is relative to the API base URL ("/v1/apps").
            operation, resource: wording for errors, e.g. ``"create service"``, ``'"stagecraft-uat-api"'``.
            json, params: body and query.
            files: a multipart/form-data body instead: field -> ``(None, text)`` or ``(file name, bytes, media type)``.
            content, content_type: a raw body instead (e.g. a file's bytes as ``application/octet-stream``).
            idempotent: override the method's default (GET/PUT/DELETE/HEAD/OPTIONS are idempotent).
            redact: extra secret values (e.g. a password being set) to scrub from any error message.

        Raises:
            NotFound, Conflict, BadRequest, Unauthorized, RateLimited, ServerError, ApiError: on an HTTP error
            status (retryable ones only once the retry budget is spent).
            TransportError: when no response could be had.
        """
        method = method.upper()
        safe = method in IDEMPOTENT_METHODS if idempotent is None else idempotent
        secrets = tuple(s for s in (*self.settings.secrets, *redact) if s)
        rel = path.lstrip("/")
        shown_path = "/" + rel
        timing = self.settings.timing
        attempt = 0
        while True:
            attempt += 1
            last_try = attempt >= timing.max_attempts
            try:
                response = self._http.request(method, rel, json=json, params=_clean_params(params), files=files,
                                              content=content,
                                              headers={"Content-Type": content_type} if content_type else None)
            except httpx.TransportError as exc:
                maybe_applied = not isinstance(exc, _NOT_SENT)
                if last_try or (maybe_applied and not safe):
                    raise errors.TransportError(
                        api=self.settings.api, operation=operation, resource=resource, method=method,
                        path=shown_path, cause=_redact(f"{type(exc).__name__}: {exc}", secrets),
                        attempts=attempt, maybe_applied=maybe_applied,
                    ) from None
                delay = backoff_delay(attempt, timing, rand=self._rand)
                log.info("%s %s: %s, retry %d in %.2fs", method, shown_path, type(exc).__name__, attempt, delay)
                self._sleep(delay)
                continue

            status = response.status_code
            if 200 <= status < 300:
                return _decode(response)
            retryable = is_retryable_status(
                status, idempotent=safe, unsafe_retry_statuses=self.settings.unsafe_retry_statuses
            )
            if retryable and not last_try:
                header = _wait_asked(response, self.settings)
                if header is not None:
                    delay = retry_after_delay(header, timing)
                else:
                    delay = backoff_delay(attempt, timing, rand=self._rand)
                log.info("%s %s: HTTP %d, retry %d in %.2fs", method, shown_path, status, attempt, delay)
                self._sleep(delay)
                continue
            raise self._error(response, method, shown_path, operation, resource, secrets, attempt)

    def _error(
        self, response: httpx.Response, method: str, path: str, operation: str, resource: str,
        secrets: tuple[str, ...], attempts: int,
    ) -> errors.ApiError:
        status = response.status_code
        cls, hint = _classify(status, self.settings, attempts)
        return cls(
            api=self.settings.api, operation=operation, resource=resource, status=status,
            reason=response.reason_phrase, api_message=_truncate(_redact(_api_message(response), secrets)),
            method=method, path=path, hint=hint, retry_after=_wait_asked(response, self.settings),
        )


def _wait_asked(response: httpx.Response, settings: ApiSettings) -> Optional[float]:
    """Seconds the API asks us to wait: ``Retry-After``, else (on a 429) its documented reset-time header."""
    asked = parse_retry_after(response.headers.get("Retry-After"))
    reset = response.headers.get(settings.rate_limit_reset_header) if settings.rate_limit_reset_header else None
    if asked is None and response.status_code == 429 and reset:
        try:
            asked = max(0.0, float(reset) - time.time())
        except ValueError:
            return None
    return asked


_POOLS: dict[tuple, httpx.Client] = {}
_POOLS_LOCK = threading.Lock()


def _new_pool(settings: ApiSettings, transport: Optional[httpx.BaseTransport]) -> httpx.Client:
    timeout = settings.timing.timeout
    return httpx.Client(
        base_url=settings.base_url + "/",
        headers={**settings.headers, "User-Agent": USER_AGENT, "Accept": "application/json"},
        timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
        transport=transport,
        follow_redirects=False,
    )


def _shared_pool(settings: ApiSettings) -> httpx.Client:
    """The process's pool for these settings (credentials are part of the key: a new token gets a new pool)."""
    key = (settings.base_url, tuple(sorted(settings.headers.items())), settings.timing.timeout)
    with _POOLS_LOCK:
        pool = _POOLS.get(key)
        if pool is None or pool.is_closed:
            pool = _POOLS[key] = _new_pool(settings, None)
        return pool


def _classify(status: int, settings: ApiSettings, attempts: int) -> tuple[type[errors.ApiError], str]:
    tries = f" (still answered after {attempts} attempts)" if attempts > 1 else ""
    if status == 404:
        return errors.NotFound, ""
    if status == 409:
        return errors.Conflict, ""
    if status in (400, 422):
        return errors.BadRequest, ""
    if status in (401, 403):
        names = " / ".join(settings.credential_vars)
        hint = f"Check that {names} hold a valid, unexpired credential with access to this resource"
        return errors.Unauthorized, hint
    if status == 429:
        return errors.RateLimited, f"{settings.api} rate limit hit{tries}; wait a little and run pulumi again"
    if status >= 500 or status == 423:
        return errors.ServerError, f"{settings.api} is failing or busy{tries}; run pulumi again later" if tries else ""
    return errors.ApiError, ""


def _decode(response: httpx.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return response.text


def _api_message(response: httpx.Response) -> str:
    """The vendor's error text: ``message`` (+ ``code``, + Koyeb's per-field reasons, + Cloudflare's ``errors``
    list of ``{code, message}``, + Netlify's ``errors`` mapping of field -> reasons), else the raw body."""
    try:
        body = response.json()
    except ValueError:
        return response.text.strip()
    if isinstance(body, str):
        return body
    if not isinstance(body, dict):
        return str(body)
    message = str(body.get("message") or body.get("error") or "").strip()
    errors = body.get("errors")
    if not message and isinstance(errors, list):  # a GraphQL answer: {"errors": [{"message": ...}, ...]}
        message = "; ".join(str(e.get("message", "")) for e in errors if isinstance(e, dict)).strip()
    code = body.get("code")
    if isinstance(code, str) and code and code not in message:
        message = f"{message} [{code}]" if message else code
    listed = body.get("errors")
    if not message and isinstance(listed, list):
        message = "; ".join(
            f"{e.get('message')} [code {e.get('code')}]" for e in listed if isinstance(e, dict) and e.get("message")
        )
    if not message and isinstance(listed, dict):  # Netlify's validation answer: {"errors": {"subdomain": [...]}}
        message = "; ".join(f"{k}: {', '.join(map(str, v)) if isinstance(v, list) else v}" for k, v in listed.items())
    fields = body.get("fields")
    if isinstance(fields, list):
        details = [
            f"{f.get('field')}: {f.get('description')}" for f in fields if isinstance(f, dict) and f.get("field")
        ]
        if details:
            message = f"{message} ({'; '.join(details)})" if message else "; ".join(details)
    return message


def _truncate(text: str) -> str:
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 3] + "..."


def _redact(text: str, secrets: tuple[str, ...]) -> str:
    for secret in sorted(secrets, key=len, reverse=True):
        if len(secret) >= _MIN_REDACTED:
            text = text.replace(secret, "***")
    return text


def _clean_params(params: Optional[Mapping[str, Any]]) -> Optional[dict[str, Any]]:
    if params is None:
        return None
    return {k: v for k, v in params.items() if v is not None}
