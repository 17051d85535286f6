"""The variables the backend receives (DESIGN §4 "Wiring"), in one place for the platforms and for `stagecraft env`.

The environment builds them from the components' outputs; `stagecraft env` builds them from the stack's output
document, so a backend run anywhere gets exactly what the stack gives its own platform.
"""

from __future__ import annotations

from typing import TypeVar

Value = TypeVar("Value")

FOLDER_STORAGE = ("local", "railway-volume")
"""Storage platforms whose bucket is a folder on the backend's filesystem: no keys at all."""
SERVICE_KEY_STORAGE = ("supabase",)
"""Storage platforms reached with one server-side key (Supabase's Storage API), given as STORAGE_SERVICE_KEY."""


def backend_env(*, environment: Value, storage_platform: str, bucket: Value, endpoint: Value, access_key_id: Value,
                secret_access_key: Value, database_url: Value, redis_url: Value,
                jwt_secret: Value) -> tuple[dict[str, Value], dict[str, Value]]:
    """(plain, secret) variables of the backend: ENVIRONMENT, DATABASE_URL, REDIS_URL, JWT_SECRET and the storage
    settings its platform needs (S3 keys, a Supabase server-side key, or nothing for a folder)."""
    plain: dict[str, Value] = {"ENVIRONMENT": environment, "STORAGE_PLATFORM": storage_platform,  # type: ignore[dict-item]
                               "STORAGE_BUCKET": bucket, "STORAGE_ENDPOINT": endpoint}
    secret: dict[str, Value] = {"DATABASE_URL": database_url, "REDIS_URL": redis_url, "JWT_SECRET": jwt_secret}
    if storage_platform in SERVICE_KEY_STORAGE:
        secret["STORAGE_SERVICE_KEY"] = secret_access_key
    elif storage_platform not in FOLDER_STORAGE:
        plain["STORAGE_ACCESS_KEY_ID"] = access_key_id
        secret["STORAGE_SECRET_ACCESS_KEY"] = secret_access_key
    return plain, secret
