"""Typed errors raised by the shared HTTP layer and the dynamic providers.

Every message names the API, the operation, the resource and (for HTTP failures) the status and the API's
own error message. Messages never contain a credential: the client redacts every secret it knows about
before an error is built, and request bodies are never quoted.
"""

from __future__ import annotations

from typing import Optional


class ProviderError(Exception):
    """Base class of every error a stagecraft dynamic provider raises on purpose."""


class MissingCredentials(ProviderError):
    """A required environment variable (token, API key, e-mail) is not set or is empty."""


class InvalidSetting(ProviderError):
    """An environment variable that tunes the HTTP layer holds a value it cannot use."""


class ApiError(ProviderError):
    """An API answered with an HTTP status the operation did not expect.

    Attributes:
        api: vendor name, e.g. ``"Koyeb"``.
        operation: what was being done, e.g. ``"create service"``.
        resource: the resource name or id the operation was about.
        status: the HTTP status code.
        api_message: the API's own error message (already redacted).
        method, path: the request line, for debugging (never carries a secret).
        retry_after: seconds the API asked us to wait before trying again (a 429's ``Retry-After`` or reset
            time), when it said.
    """

    def __init__(
        self,
        *,
        api: str,
        operation: str,
        resource: str,
        status: int,
        reason: str,
        api_message: str,
        method: str,
        path: str,
        hint: str = "",
        retry_after: Optional[float] = None,
    ) -> None:
        self.api = api
        self.retry_after = retry_after
        self.operation = operation
        self.resource = resource
        self.status = status
        self.reason = reason
        self.api_message = api_message
        self.method = method
        self.path = path
        self.hint = hint
        text = f"{api}: {operation} {resource} failed: HTTP {status} {reason}".rstrip()
        if api_message:
            text += f": {api_message}"
        text += f" ({method} {path})"
        if hint:
            text += f". {hint}"
        super().__init__(text)


class BadRequest(ApiError):
    """HTTP 400/422: the API rejected the request as invalid."""


class Unauthorized(ApiError):
    """HTTP 401/403: the credential is missing, wrong or lacks permission."""


class NotFound(ApiError):
    """HTTP 404: the resource does not exist (providers treat this as "gone")."""


class Conflict(ApiError):
    """HTTP 409: the resource already exists or is in a conflicting state."""


class RateLimited(ApiError):
    """HTTP 429 still answered after every retry the policy allows."""


class ServerError(ApiError):
    """HTTP 5xx (or 423 Locked) still answered after every retry the policy allows."""


class TransportError(ProviderError):
    """No usable HTTP response: connection refused or dropped, or a timeout.

    ``maybe_applied`` is true when the request may have reached the server (the connection was open and
    the request sent), so a non-idempotent request might have taken effect.
    """

    def __init__(
        self, *, api: str, operation: str, resource: str, method: str, path: str, cause: str,
        attempts: int, maybe_applied: bool,
    ) -> None:
        self.api = api
        self.operation = operation
        self.resource = resource
        self.method = method
        self.path = path
        self.attempts = attempts
        self.maybe_applied = maybe_applied
        plural = "attempt" if attempts == 1 else "attempts"
        super().__init__(
            f"{api}: {operation} {resource} failed: no HTTP response after {attempts} {plural} "
            f"({cause}) ({method} {path})"
        )


class WaitTimeout(ProviderError):
    """A resource did not reach its ready state within the bounded wait."""

    def __init__(self, *, api: str, what: str, waited: float, last_state: Optional[str], setting: str) -> None:
        self.api = api
        self.what = what
        self.waited = waited
        self.last_state = last_state
        state = f"; last reported state: {last_state}" if last_state else ""
        super().__init__(
            f"{api}: {what} was not ready after {waited:.0f}s{state}. Check the resource in the {api} console; "
            f"raise {setting} (seconds) if it is only slow"
        )


class ResourceFailed(ProviderError):
    """A resource reached a terminal failed state while the provider waited for it."""


class AmbiguousResource(ProviderError):
    """More than one existing resource matches a unique name, so the provider cannot adopt one safely."""
