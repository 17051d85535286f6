"""The shared HTTP layer of stagecraft's dynamic providers.

- ``settings``: credentials, base URLs and timing from environment variables, read per call.
- ``client``: ``HttpClient`` (httpx) with timeouts, retries with backoff + jitter honouring Retry-After,
  no blind retry of non-idempotent requests, and typed errors (``errors``).
- ``converge``: create first, adopt only with proof of ownership; ``polling``: bounded wait for ready.
- ``inputs`` / ``diffing``: the ``check`` and ``diff`` helpers every resource module uses.
"""

from .client import HttpClient
from .converge import Claim, ForeignResource, create_owned, parse_timestamp
from .diffing import changed_fields, diff_props, differs, normalise
from .errors import (
    AmbiguousResource,
    ApiError,
    BadRequest,
    Conflict,
    InvalidSetting,
    MissingCredentials,
    NotFound,
    ProviderError,
    RateLimited,
    ResourceFailed,
    ServerError,
    TransportError,
    Unauthorized,
    WaitTimeout,
)
from .inputs import UNKNOWN, CheckedArgs, InputReader, InvalidInputs, contains_unknown, is_unknown
from .polling import wait_until
from .settings import (
    BACKOFF_SCALE_VAR,
    MAX_ATTEMPTS_VAR,
    TIMEOUT_VAR,
    WAIT_TIMEOUT_VAR,
    ApiSettings,
    Timing,
    base_url_from_env,
    basic_headers,
    bearer_headers,
    require_env,
)

__all__ = [
    "AmbiguousResource", "ApiError", "Claim", "ForeignResource", "create_owned", "parse_timestamp", "ApiSettings", "BACKOFF_SCALE_VAR", "BadRequest", "CheckedArgs", "Conflict",
    "HttpClient", "InputReader", "InvalidInputs", "InvalidSetting", "MAX_ATTEMPTS_VAR", "MissingCredentials", "NotFound", "ProviderError",
    "RateLimited", "ResourceFailed", "ServerError", "TIMEOUT_VAR", "Timing", "TransportError", "UNKNOWN",
    "Unauthorized", "WAIT_TIMEOUT_VAR", "WaitTimeout", "base_url_from_env", "basic_headers", "bearer_headers",
    "changed_fields", "contains_unknown", "diff_props", "differs", "is_unknown", "normalise",
    "require_env", "wait_until",
]
