"""The shared HTTP layer of stagecraft's dynamic providers.

- ``settings``: credentials, base URLs and timing from environment variables, read per call.
- ``client``: ``HttpClient`` (httpx) with timeouts, retries with backoff + jitter honouring Retry-After,
  no blind retry of non-idempotent requests, and typed errors (``errors``).
- ``api_client``: ``ApiClient``, the base of every vendor client (made from the environment, closed on exit).
- ``converge``: create first, adopt only with proof of ownership; ``polling``: bounded wait for ready.
- ``inputs`` / ``diffing``: the ``check`` and ``diff`` helpers every resource module uses.

The names below are importable from the package (``from .._http import HttpClient``), but this file imports no
submodule when it runs: each is loaded on first use (PEP 562). The dynamic-provider host unpickles providers on
several threads at once; a package ``__init__`` that imports its submodules lets one thread hold a submodule's
import lock (``from .._http.retry import ...``) while it waits for the package, whose ``__init__`` another thread
is running and which waits for that submodule: a ``_DeadlockError`` (see providers/neon/__init__.py).
"""

from importlib import import_module
from typing import Any

_EXPORTS = {
    "api_client": ("ApiClient",),
    "client": ("HttpClient",),
    "converge": ("Claim", "ForeignResource", "create_owned", "holds_foreign", "parse_timestamp"),
    "diffing": ("changed_fields", "diff_props", "differs", "normalise"),
    "errors": ("AmbiguousResource", "ApiError", "BadRequest", "Conflict", "InvalidSetting", "MissingCredentials",
               "NotFound", "ProviderError", "RateLimited", "ResourceFailed", "ServerError", "TransportError",
               "Unauthorized", "WaitTimeout"),
    "inputs": ("UNKNOWN", "CheckedArgs", "InputReader", "InvalidInputs", "contains_unknown", "is_unknown"),
    "polling": ("wait_until",),
    "settings": ("BACKOFF_SCALE_VAR", "MAX_ATTEMPTS_VAR", "TIMEOUT_VAR", "WAIT_TIMEOUT_VAR", "ApiSettings", "Timing",
                 "base_url_from_env", "basic_headers", "bearer_headers", "require_env"),
}
_HOME = {name: module for module, names in _EXPORTS.items() for name in names}

__all__ = sorted(_HOME)


def __getattr__(name: str) -> Any:
    """Load the submodule that defines ``name`` on first use."""
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOME})
