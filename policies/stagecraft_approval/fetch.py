"""Small JSON GETs over the standard library (the pack keeps its dependencies few): bounded, with clear errors.

GitHub answers a rate-limited call with 403 or 429; when it sends ``retry-after`` the call is tried again after that
many seconds (at most ``MAX_WAIT`` each, ``ATTEMPTS`` tries in all), as GitHub's rate-limit page asks
(platform-apis.md §10, "Rate limits for GITHUB_TOKEN").
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Any, Callable, Mapping, Optional

from .requirements import url_problem

TIMEOUT = 10.0
ATTEMPTS = 3
MAX_WAIT = 10.0
USER_AGENT = "stagecraft-approval/0.1"


class FetchError(Exception):
    """A document could not be read: the message says which URL and why."""


def get_json(url: str, headers: Optional[Mapping[str, str]] = None,
             sleep: Callable[[float], None] = time.sleep) -> Any:
    """The decoded JSON body of ``GET url``; raises FetchError (never anything else) when it cannot be had."""
    refused = url_problem(url)
    if refused:
        raise FetchError(f"{url}: refused: the URL {refused}")
    request = urllib.request.Request(url, headers={"Accept": "application/json", "User-Agent": USER_AGENT,
                                                   **(headers or {})})
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 (scheme checked above)
                body = response.read()
            break
        except urllib.error.HTTPError as exc:
            wait = _retry_after(exc)
            if wait is not None and attempt < ATTEMPTS:
                sleep(wait)
                continue
            raise FetchError(f"GET {url}: HTTP {exc.code} {_message(exc)}") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise FetchError(f"GET {url}: no answer ({reason})") from None
    try:
        return json.loads(body)
    except ValueError:
        raise FetchError(f"GET {url}: the answer is not JSON") from None


def _retry_after(exc: urllib.error.HTTPError) -> Optional[float]:
    if exc.code not in (403, 429):
        return None
    raw = (exc.headers or {}).get("retry-after")
    try:
        return min(MAX_WAIT, max(0.0, float(raw))) if raw is not None else None
    except ValueError:
        return None


def _message(exc: urllib.error.HTTPError) -> str:
    try:
        body = json.loads(exc.read() or b"{}")
    except (ValueError, OSError):
        return ""
    return f"({body.get('message')})" if isinstance(body, dict) and body.get("message") else ""
