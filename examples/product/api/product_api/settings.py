"""The backend's environment contract: every variable it reads, validated once at start.

A missing or malformed variable stops the process before it serves anything, with one message listing
every problem; values are never echoed, since most of them carry credentials.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping
from urllib.parse import unquote, urlsplit

FOLDER_PLATFORMS = ("local", "railway-volume")
"""Storage platforms whose bucket is a folder on the backend's filesystem (STORAGE_ENDPOINT names it)."""
S3_PLATFORMS = ("r2",)
"""Storage platforms reached through their S3-compatible API."""
STORAGE_API_PLATFORMS = ("supabase",)
"""Storage platforms reached through Supabase's Storage REST API with the project's server-side key: Supabase
gives no S3 access keys through its API, so stagecraft hands the backend STORAGE_SERVICE_KEY instead."""
REQUIRED_EXTENSIONS = ("pg_trgm", "uuid-ossp", "vector")
"""PostgreSQL extensions the product needs in its database."""
MEMORY_REDIS = "memory://"
MIN_JWT_SECRET_LENGTH = 32
MIN_REDACTED_LENGTH = 4
"""Shorter values are not redacted: replacing one or two characters everywhere would garble every message."""


class ConfigError(RuntimeError):
    """The environment does not satisfy the contract; the message lists every problem."""


@dataclass(frozen=True)
class Settings:
    """The backend's configuration, read from the environment."""

    environment: str
    """ENVIRONMENT: the environment of the stack this backend belongs to (development, preview, uat, ...), reported
    by /api/health."""
    database_url: str
    """DATABASE_URL: PostgreSQL connection URI (postgres:// or postgresql://)."""
    redis_url: str
    """REDIS_URL: redis:// or rediss:// URI, or memory:// for the in-process fallback."""
    storage_platform: str
    """STORAGE_PLATFORM: local, railway-volume (a folder), r2 (S3-compatible) or supabase (Storage API)."""
    storage_bucket: str
    """STORAGE_BUCKET: bucket name (S3) or the bucket's name for messages (folder)."""
    storage_endpoint: str
    """STORAGE_ENDPOINT: the S3 API endpoint, or the folder as file:///path or /path."""
    storage_access_key_id: str
    """STORAGE_ACCESS_KEY_ID: S3 access key id (S3 platforms only)."""
    storage_secret_access_key: str
    """STORAGE_SECRET_ACCESS_KEY: S3 secret access key (S3 platforms only)."""
    storage_service_key: str
    """STORAGE_SERVICE_KEY: the Supabase project's server-side key (`sb_secret_...`, or the legacy service_role
    JWT) for its Storage API (supabase only)."""
    storage_region: str
    """STORAGE_REGION: S3 signing region; R2 uses `auto` (the default), Supabase the project's region."""
    jwt_secret: str
    """JWT_SECRET: the key tokens are signed with; the backend refuses to start without it."""
    cors_allow_origins: tuple[str, ...]
    """CORS_ALLOW_ORIGINS: comma-separated origins allowed to call the API from a browser (default `*`)."""

    @property
    def storage_folder(self) -> str:
        """The bucket folder of a folder platform (STORAGE_ENDPOINT without its file:// prefix)."""
        endpoint = self.storage_endpoint
        return unquote(urlsplit(endpoint).path) if endpoint.startswith("file://") else endpoint

    def secret_values(self) -> tuple[str, ...]:
        """Every configured value that must never appear in an answer or a log line."""
        values = [self.jwt_secret, self.storage_secret_access_key, self.storage_service_key]
        for uri in (self.database_url, self.redis_url):
            password = urlsplit(uri).password
            if password:
                values += [password, unquote(password)]
        return tuple(v for v in values if len(v) >= MIN_REDACTED_LENGTH)


def load_settings(env: Mapping[str, str]) -> Settings:
    """Settings from ``env``; raises ``ConfigError`` listing every missing or invalid variable."""
    problems: list[str] = []

    def need(name: str) -> str:
        value = env.get(name, "").strip()
        if not value:
            problems.append(f"{name} is not set")
        return value

    environment = need("ENVIRONMENT")
    jwt_secret = need("JWT_SECRET")
    if jwt_secret and len(jwt_secret) < MIN_JWT_SECRET_LENGTH:
        problems.append(f"JWT_SECRET is shorter than {MIN_JWT_SECRET_LENGTH} characters; generate one with "
                        "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'")
    database_url = need("DATABASE_URL")
    if database_url and urlsplit(database_url).scheme not in ("postgres", "postgresql"):
        problems.append("DATABASE_URL must be a postgresql:// URI")
    redis_url = need("REDIS_URL")
    if redis_url and redis_url != MEMORY_REDIS and urlsplit(redis_url).scheme not in ("redis", "rediss"):
        problems.append(f"REDIS_URL must be a redis:// or rediss:// URI, or {MEMORY_REDIS}")
    platform = need("STORAGE_PLATFORM")
    bucket = need("STORAGE_BUCKET")
    endpoint = need("STORAGE_ENDPOINT")
    key_id = env.get("STORAGE_ACCESS_KEY_ID", "").strip()
    secret_key = env.get("STORAGE_SECRET_ACCESS_KEY", "").strip()
    service_key = env.get("STORAGE_SERVICE_KEY", "").strip()
    platforms = FOLDER_PLATFORMS + S3_PLATFORMS + STORAGE_API_PLATFORMS
    if platform and platform not in platforms:
        problems.append(f"STORAGE_PLATFORM={platform!r} is not one of {', '.join(platforms)}")
    elif platform in STORAGE_API_PLATFORMS:
        if endpoint and urlsplit(endpoint).scheme not in ("http", "https"):
            problems.append(f"STORAGE_ENDPOINT must be the Storage API's http(s) URL for STORAGE_PLATFORM={platform}")
        if not service_key:
            problems.append(f"STORAGE_SERVICE_KEY is not set (STORAGE_PLATFORM={platform} needs it)")
    elif platform in S3_PLATFORMS:
        if endpoint and urlsplit(endpoint).scheme not in ("http", "https"):
            problems.append(f"STORAGE_ENDPOINT must be the S3 API's http(s) URL for STORAGE_PLATFORM={platform}")
        problems += [f"{name} is not set (STORAGE_PLATFORM={platform} needs it)"
                     for name, value in (("STORAGE_ACCESS_KEY_ID", key_id), ("STORAGE_SECRET_ACCESS_KEY", secret_key))
                     if not value]
    elif platform in FOLDER_PLATFORMS and endpoint and not (endpoint.startswith("file:///") or endpoint.startswith("/")):
        problems.append(f"STORAGE_ENDPOINT must be the bucket folder (file:///path or /path) for STORAGE_PLATFORM={platform}")
    if problems:
        raise ConfigError("the backend cannot start: " + "; ".join(problems)
                          + " (see examples/product/README.md for every variable)")
    origins = tuple(o.strip() for o in env.get("CORS_ALLOW_ORIGINS", "*").split(",") if o.strip()) or ("*",)
    return Settings(
        environment=environment, database_url=database_url, redis_url=redis_url, storage_platform=platform,
        storage_bucket=bucket, storage_endpoint=endpoint, storage_access_key_id=key_id,
        storage_secret_access_key=secret_key, storage_service_key=service_key, storage_region=env.get("STORAGE_REGION", "").strip() or "auto",
        jwt_secret=jwt_secret, cors_allow_origins=origins,
    )
