"""GraphQL over the shared HTTP layer: one POST per operation, GraphQL errors raised as typed errors.

GraphQL APIs (Railway, Expo EAS) answer HTTP 200 with an ``errors`` array for API-level failures, so status
codes alone say little. ``GraphQLEndpoint.call`` sends ``{"query", "variables"}`` through ``HttpClient``
(timeouts, 429 + Retry-After, transport retries), then:

- returns ``data`` when there are no errors;
- retries, bounded and with backoff, an answer whose errors are all marked transient
  (``extensions.isTransient``: EAS documents it and eas-cli retries such answers, ``graphql/client.ts``);
  such an answer did nothing, so even a mutation may be sent again;
- otherwise raises ``GraphQLFailure`` carrying every error's message and extensions.

Queries are idempotent for the HTTP layer (retried on 5xx / dropped connections); mutations are not.
"""

from __future__ import annotations

import time
from typing import Any, Callable, Mapping, Optional

from .client import HttpClient
from .errors import ApiError
from .retry import backoff_delay


class GraphQLFailure(ApiError):
    """A GraphQL answer with errors (HTTP 200). ``messages`` and ``extensions`` hold each error's parts."""

    def __init__(self, *, api: str, operation: str, resource: str, errors: list[Mapping[str, Any]],
                 path: str = "") -> None:
        self.messages = [str(e.get("message", "")) for e in errors]
        self.extensions = [dict(e.get("extensions") or {}) for e in errors]
        super().__init__(api=api, operation=operation, resource=resource, status=200, reason="with GraphQL errors",
                         api_message="; ".join(self.messages) or "unknown error", method="POST", path=path)

    def has_code(self, code: str) -> bool:
        """Whether any error carries ``extensions.errorCode == code``."""
        return any(ext.get("errorCode") == code for ext in self.extensions)

    def mentions(self, *phrases: str) -> bool:
        """Whether any error message contains one of ``phrases`` (case-insensitive)."""
        lowered = [m.lower() for m in self.messages]
        return any(p.lower() in m for p in phrases for m in lowered)

    @property
    def transient(self) -> bool:
        """True when every error says it is transient (the request did nothing; try again)."""
        return bool(self.extensions) and all(ext.get("isTransient") is True for ext in self.extensions)

    @property
    def user_error(self) -> bool:
        """True when the API blames the request itself (``errorType: USER``) for every error."""
        return bool(self.extensions) and all(ext.get("errorType") == "USER" for ext in self.extensions)


class GraphQLEndpoint:
    """One GraphQL endpoint reached through an ``HttpClient``."""

    def __init__(self, http: HttpClient, path: str, *, sleep: Callable[[float], None] = time.sleep) -> None:
        self.http = http
        self.path = path
        self._sleep = sleep

    def call(self, query: str, variables: Optional[Mapping[str, Any]] = None, *, operation: str, resource: str,
             mutation: bool = False, redact: tuple[str, ...] = ()) -> dict[str, Any]:
        """Send one operation; return its ``data`` (raises ``GraphQLFailure`` on GraphQL errors)."""
        timing = self.http.settings.timing
        attempt = 0
        while True:
            attempt += 1
            body = self.http.request(
                "POST", self.path, operation=operation, resource=resource, idempotent=not mutation,
                json={"query": query, "variables": dict(variables or {})}, redact=redact,
            ) or {}
            errors = body.get("errors") if isinstance(body, dict) else None
            if not errors:
                return (body.get("data") if isinstance(body, dict) else None) or {}
            failure = GraphQLFailure(api=self.http.settings.api, operation=operation, resource=resource,
                                     errors=[e for e in errors if isinstance(e, Mapping)], path=self.path)
            if failure.transient and attempt < timing.max_attempts:
                self._sleep(backoff_delay(attempt, timing))
                continue
            raise failure
