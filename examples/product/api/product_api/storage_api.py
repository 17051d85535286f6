"""Supabase's Storage REST API, the way the health check uses it: write, read and delete one object.

The project's server-side key goes in the `apikey` header; a legacy service_role JWT also in
`Authorization: Bearer` (storage-py sends both), while a new `sb_secret_...` key is not a JWT and goes in `apikey`
alone. Storage answers most errors with HTTP 400 and the real status in the body (`{"statusCode": "404", "code":
"NoSuchBucket", ...}`), which the error reported here names. Only the standard library is used, so the image
needs nothing more.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from urllib.parse import quote

SECRET_KEY_PREFIX = "sb_secret_"


class StorageApiError(RuntimeError):
    """The Storage API refused a call; the message has its logical status and code, never the key."""


def _headers(key: str) -> dict[str, str]:
    headers = {"apikey": key}
    if not key.startswith(SECRET_KEY_PREFIX):
        headers["Authorization"] = f"Bearer {key}"
    return headers


def _call(method: str, url: str, key: str, timeout: float, body: bytes | None = None) -> bytes:
    headers = _headers(key)
    if body is not None:
        headers["Content-Type"] = "text/plain"
    request = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.read()
    except urllib.error.HTTPError as exc:
        raise StorageApiError(f"{method} {url.split('?')[0]}: {_reason(exc)}") from None


def _reason(exc: urllib.error.HTTPError) -> str:
    try:
        body = json.loads(exc.read() or b"{}")
    except ValueError:
        body = {}
    status = body.get("statusCode") or exc.code
    return f"HTTP {exc.code} (status {status} {body.get('code') or ''}: {body.get('message') or exc.reason})".strip()


def storage_api_round_trip(endpoint: str, bucket: str, key: str, name: str, body: bytes, timeout: float) -> bytes:
    """Upload ``body`` as ``name`` in ``bucket``, read it back, delete it; the bytes read."""
    base = endpoint.rstrip("/")
    path = f"{quote(bucket, safe='')}/{quote(name, safe='/')}"
    _call("POST", f"{base}/object/{path}", key, timeout, body)
    try:
        return _call("GET", f"{base}/object/authenticated/{path}", key, timeout)
    finally:
        _call("DELETE", f"{base}/object/{path}", key, timeout)
