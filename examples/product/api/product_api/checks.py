"""The health checks: one function per dependency, each doing real work and timing it.

A check never raises: it returns a ``Check`` whose ``error`` says what failed, with every configured
secret value removed.
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

import boto3
import psycopg
import redis
from botocore.config import Config as BotoConfig

from .settings import MEMORY_REDIS, REQUIRED_EXTENSIONS, S3_PLATFORMS, STORAGE_API_PLATFORMS, Settings
from .storage_api import storage_api_round_trip

TIMEOUT_SECONDS = 5
PROBE_PREFIX = "stagecraft-health/"


@dataclass
class Check:
    """The outcome of one check, as /api/health reports it."""

    ok: bool
    latency_ms: float
    error: Optional[str] = None
    extensions: Optional[list[str]] = None

    def as_json(self) -> dict:
        body: dict = {"ok": self.ok, "latencyMs": self.latency_ms}
        if self.extensions is not None:
            body["extensions"] = self.extensions
        if self.error is not None:
            body["error"] = self.error
        return body


@dataclass
class MemoryStore:
    """The in-process stand-in for Redis (REDIS_URL=memory://): a dict behind a lock."""

    values: dict[str, bytes] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def round_trip(self, key: str, value: bytes) -> bytes | None:
        """Set, read back and delete ``key``; the value read."""
        with self.lock:
            self.values[key] = value
            read = self.values.get(key)
            del self.values[key]
        return read


class MissingExtensions(Exception):
    """The database lacks one of the product's extensions."""


def redact(message: str, secrets: tuple[str, ...]) -> str:
    """``message`` with every secret value replaced by ``***``."""
    for secret in sorted(secrets, key=len, reverse=True):
        message = message.replace(secret, "***")
    return message


def timed(run: Callable[[], Optional[list[str]]], secrets: tuple[str, ...]) -> Check:
    """Run one check's work, timing it; an exception becomes a failed check with a redacted message."""
    started = time.perf_counter()
    try:
        extensions = run()
    except Exception as exc:  # noqa: BLE001 - a health check reports every failure instead of raising
        elapsed = round((time.perf_counter() - started) * 1000, 1)
        extensions = getattr(exc, "extensions", None)
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        return Check(False, elapsed, redact(f"{type(exc).__name__}: {detail}".rstrip(": "), secrets), extensions)
    return Check(True, round((time.perf_counter() - started) * 1000, 1), extensions=extensions)


def check_database(settings: Settings) -> Check:
    """Connect to DATABASE_URL and list the product's extensions; failed when one is missing."""
    check = timed(lambda: database_extensions(settings), settings.secret_values())
    if check.extensions is None:
        check.extensions = []
    return check


def check_redis(settings: Settings, memory: MemoryStore) -> Check:
    """A key written, read and deleted in Redis (or the in-process fallback)."""
    return timed(lambda: redis_round_trip(settings, memory), settings.secret_values())


def check_storage(settings: Settings) -> Check:
    """An object written, read and deleted in the bucket."""
    return timed(lambda: storage_round_trip(settings), settings.secret_values())


def database_extensions(settings: Settings) -> list[str]:
    """The required extensions installed in DATABASE_URL's database; raises when one is missing."""
    with psycopg.connect(settings.database_url, connect_timeout=TIMEOUT_SECONDS, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT extname FROM pg_extension WHERE extname = ANY(%s) ORDER BY extname", (list(REQUIRED_EXTENSIONS),)
        ).fetchall()
    installed = [name for (name,) in rows]
    missing = [name for name in REQUIRED_EXTENSIONS if name not in installed]
    if missing:
        error = MissingExtensions(f"extension(s) not installed in the database: {', '.join(missing)}")
        error.extensions = installed  # type: ignore[attr-defined]
        raise error
    return installed


def redis_round_trip(settings: Settings, memory: MemoryStore) -> None:
    """A write, read and delete of a short-lived key in Redis (or the in-process fallback)."""
    key, value = f"{PROBE_PREFIX}{uuid.uuid4().hex}", b"ok"
    if settings.redis_url == MEMORY_REDIS:
        read = memory.round_trip(key, value)
    else:
        client = redis.Redis.from_url(settings.redis_url, socket_timeout=TIMEOUT_SECONDS,
                                      socket_connect_timeout=TIMEOUT_SECONDS)
        try:
            client.set(key, value, ex=60)
            read = client.get(key)
            client.delete(key)
        finally:
            client.close()
    if read != value:
        raise RuntimeError("the value read back differs from the value written")


def storage_round_trip(settings: Settings) -> None:
    """A real write, read and delete of a small object in the bucket (S3 API, or the bucket folder)."""
    key, body = f"{PROBE_PREFIX}{uuid.uuid4().hex}.txt", b"stagecraft health probe\n"
    if settings.storage_platform in S3_PLATFORMS:
        read = _s3_round_trip(settings, key, body)
    elif settings.storage_platform in STORAGE_API_PLATFORMS:
        read = storage_api_round_trip(settings.storage_endpoint, settings.storage_bucket,
                                      settings.storage_service_key, key, body, TIMEOUT_SECONDS)
    else:
        read = _folder_round_trip(Path(settings.storage_folder), key, body)
    if read != body:
        raise RuntimeError("the object read back differs from the object written")


def _s3_round_trip(settings: Settings, key: str, body: bytes) -> bytes:
    s3 = boto3.client(
        "s3", endpoint_url=settings.storage_endpoint, region_name=settings.storage_region,
        aws_access_key_id=settings.storage_access_key_id,
        aws_secret_access_key=settings.storage_secret_access_key,
        config=BotoConfig(connect_timeout=TIMEOUT_SECONDS, read_timeout=TIMEOUT_SECONDS,
                          retries={"max_attempts": 2, "mode": "standard"}, s3={"addressing_style": "path"}),
    )
    s3.put_object(Bucket=settings.storage_bucket, Key=key, Body=body)
    try:
        return s3.get_object(Bucket=settings.storage_bucket, Key=key)["Body"].read()
    finally:
        s3.delete_object(Bucket=settings.storage_bucket, Key=key)


def _folder_round_trip(folder: Path, key: str, body: bytes) -> bytes:
    if not folder.is_dir():
        raise FileNotFoundError(f"the bucket folder {folder} does not exist")
    path = folder / key
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(body)
    try:
        return path.read_bytes()
    finally:
        path.unlink(missing_ok=True)
