"""Where the HTTP layer gets its credentials, base URLs and timing: environment variables, read per call.

Pulumi 3.79's dynamic providers have no ``configure()``, and anything passed as a resource input lands in
the state file, so credentials reach a provider only through the environment of the ``pulumi`` process.
Nothing here is cached: a provider builds a fresh ``ApiSettings`` inside each CRUD call.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass, field
from typing import Mapping, Optional
from urllib.parse import urlsplit

from .errors import InvalidSetting, MissingCredentials

BACKOFF_SCALE_VAR = "STAGECRAFT_HTTP_BACKOFF_SCALE"
TIMEOUT_VAR = "STAGECRAFT_HTTP_TIMEOUT"
MAX_ATTEMPTS_VAR = "STAGECRAFT_HTTP_MAX_ATTEMPTS"
WAIT_TIMEOUT_VAR = "STAGECRAFT_WAIT_TIMEOUT"


@dataclass(frozen=True)
class Timing:
    """Timeouts, retry budget and pacing shared by every request and wait.

    Attributes:
        timeout: seconds to wait for a response (read/write); connect uses at most 10 s of it.
        max_attempts: total tries of one request when its failure is retryable (first try included).
        base_delay: first backoff delay in seconds; doubles per retry up to ``max_delay``.
        max_delay: cap of one computed backoff delay, seconds.
        max_retry_after: cap of a server's ``Retry-After``, seconds (a misbehaving server cannot park us).
        scale: multiplies every sleep (backoff, Retry-After, poll interval); tests set it near zero.
        wait_timeout: bound, in seconds, on waiting for a resource to report ready.
        poll_interval: seconds between two readiness polls (before ``scale``).
    """

    timeout: float = 30.0
    max_attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0
    max_retry_after: float = 120.0
    scale: float = 1.0
    wait_timeout: float = 600.0
    poll_interval: float = 3.0

    @classmethod
    def from_env(cls, environ: Optional[Mapping[str, str]] = None) -> "Timing":
        """Build timing from the optional ``STAGECRAFT_HTTP_*`` / ``STAGECRAFT_WAIT_TIMEOUT`` variables."""
        env = os.environ if environ is None else environ
        return cls(
            timeout=_positive_float(env, TIMEOUT_VAR, cls.timeout),
            max_attempts=int(_positive_float(env, MAX_ATTEMPTS_VAR, cls.max_attempts, integer=True)),
            scale=_positive_float(env, BACKOFF_SCALE_VAR, cls.scale, allow_zero=True),
            wait_timeout=_positive_float(env, WAIT_TIMEOUT_VAR, cls.wait_timeout),
        )


@dataclass(frozen=True)
class ApiSettings:
    """Everything needed to talk to one vendor API.

    Attributes:
        api: vendor name used in messages, e.g. ``"Neon"``.
        base_url: scheme, host and base path, without trailing slash.
        headers: authentication headers (never logged, never put in a message).
        secrets: values to redact from any message (tokens, keys).
        credential_vars: names of the variables holding the credentials, for hints on 401/403.
        unsafe_retry_statuses: statuses that, for this API, prove a request was NOT acted on, so even a
            non-idempotent request may be retried (429 everywhere; Neon documents 423 and 503 too).
        timing: retry and wait settings.
        rate_limit_reset_header: a header that states, as a Unix time, when a refused (429) request may be sent
            again, for APIs that send it instead of ``Retry-After`` (Netlify's ``X-RateLimit-Reset``).
    """

    api: str
    base_url: str
    headers: Mapping[str, str] = field(repr=False)
    secrets: tuple[str, ...] = field(repr=False)
    credential_vars: tuple[str, ...]
    unsafe_retry_statuses: frozenset[int] = frozenset({429})
    timing: Timing = Timing()
    rate_limit_reset_header: Optional[str] = None


def require_env(name: str, api: str, how: str, environ: Optional[Mapping[str, str]] = None) -> str:
    """Return the non-empty value of ``name`` or raise ``MissingCredentials`` saying how to set it."""
    env = os.environ if environ is None else environ
    value = env.get(name, "").strip()
    if not value:
        raise MissingCredentials(
            f"{api}: environment variable {name} is not set. {how} Then export {name}=... in the shell "
            f"(or the CI job) that runs pulumi; it is read from the environment so it never lands in state."
        )
    return value


def base_url_from_env(name: str, default: str, api: str, environ: Optional[Mapping[str, str]] = None) -> str:
    """Return ``name`` (or ``default``) as a base URL, refusing anything that is not http(s)://host[/path]."""
    env = os.environ if environ is None else environ
    raw = env.get(name, "").strip() or default
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidSetting(
            f"{api}: {name} must be an http(s) URL such as {default}; got a value with scheme "
            f"{parts.scheme or '(none)'!r}. Unset it to use the default."
        )
    if parts.username or parts.password:
        raise InvalidSetting(f"{api}: {name} must not carry credentials in the URL; use the token variables.")
    return raw.rstrip("/")


def bearer_headers(token: str) -> dict[str, str]:
    """``Authorization: Bearer <token>`` as used by Koyeb and Neon."""
    return {"Authorization": f"Bearer {token}"}


def basic_headers(user: str, password: str) -> dict[str, str]:
    """HTTP Basic ``Authorization`` header as used by Upstash (email:api_key)."""
    pair = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    return {"Authorization": f"Basic {pair}"}


def _positive_float(
    env: Mapping[str, str], name: str, default: float, *, allow_zero: bool = False, integer: bool = False
) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise InvalidSetting(f"{name} must be a number (got {raw!r}); unset it to use {default}") from None
    if value < 0 or (value == 0 and not allow_zero) or (integer and value != int(value)):
        kind = "a whole number" if integer else "a number"
        floor = ">= 0" if allow_zero else "> 0"
        raise InvalidSetting(f"{name} must be {kind} {floor} (got {raw!r}); unset it to use {default}")
    return value
