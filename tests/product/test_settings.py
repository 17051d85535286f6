"""The product API's environment contract: every problem listed at once, no value echoed."""

from __future__ import annotations

import sys

import pytest

from tests.product.conftest import API_DIR

sys.path.insert(0, str(API_DIR))
from product_api.settings import ConfigError, load_settings  # noqa: E402

LOCAL = {
    "ENVIRONMENT": "dev",
    "JWT_SECRET": "s3cr3t-jwt-0123456789abcdef0123456789",
    "DATABASE_URL": "postgresql://app:db-pw@127.0.0.1:5432/app",
    "REDIS_URL": "memory://",
    "STORAGE_PLATFORM": "local",
    "STORAGE_BUCKET": "stagecraft-dev-uploads",
    "STORAGE_ENDPOINT": "file:///var/lib/buckets/stagecraft-dev-uploads",
}
R2 = {
    **LOCAL,
    "STORAGE_PLATFORM": "r2",
    "STORAGE_ENDPOINT": "https://0123456789abcdef.r2.cloudflarestorage.com",
    "STORAGE_ACCESS_KEY_ID": "key-id",
    "STORAGE_SECRET_ACCESS_KEY": "r2-secret",
}


def test_every_missing_variable_is_listed_in_one_message() -> None:
    with pytest.raises(ConfigError) as failure:
        load_settings({})
    for name in ("ENVIRONMENT", "JWT_SECRET", "DATABASE_URL", "REDIS_URL", "STORAGE_PLATFORM", "STORAGE_BUCKET",
                 "STORAGE_ENDPOINT"):
        assert f"{name} is not set" in str(failure.value)


def test_s3_platform_needs_its_keys() -> None:
    env = {k: v for k, v in R2.items() if not k.startswith("STORAGE_") or k in ("STORAGE_PLATFORM", "STORAGE_BUCKET",
                                                                                "STORAGE_ENDPOINT")}
    with pytest.raises(ConfigError, match=r"STORAGE_ACCESS_KEY_ID is not set \(STORAGE_PLATFORM=r2 needs it\)"):
        load_settings(env)


def test_unknown_storage_platform_names_the_choices() -> None:
    with pytest.raises(ConfigError, match=r"STORAGE_PLATFORM='gcs' is not one of local, railway-volume, r2, supabase"):
        load_settings({**LOCAL, "STORAGE_PLATFORM": "gcs"})


def test_malformed_database_url_is_refused_without_echoing_it() -> None:
    with pytest.raises(ConfigError) as failure:
        load_settings({**LOCAL, "DATABASE_URL": "mysql://app:db-pw@host/app"})
    assert "DATABASE_URL must be a postgresql:// URI" in str(failure.value)
    assert "db-pw" not in str(failure.value)


def test_local_bucket_folder_comes_from_a_file_url() -> None:
    assert load_settings(LOCAL).storage_folder == "/var/lib/buckets/stagecraft-dev-uploads"


def test_r2_region_defaults_to_auto() -> None:
    assert load_settings(R2).storage_region == "auto"


def test_secret_values_cover_passwords_in_urls_and_keys() -> None:
    settings = load_settings({**R2, "REDIS_URL": "rediss://default:redis-pw@host:6379"})
    assert {"s3cr3t-jwt-0123456789abcdef0123456789", "r2-secret", "db-pw", "redis-pw"} <= set(settings.secret_values())


def test_short_jwt_secret_is_refused_with_a_way_to_generate_one() -> None:
    with pytest.raises(ConfigError, match=r"JWT_SECRET is shorter than 32 characters; generate one with"):
        load_settings({**LOCAL, "JWT_SECRET": "short"})


def test_values_too_short_to_redact_are_left_out_of_the_redaction_list() -> None:
    settings = load_settings({**LOCAL, "DATABASE_URL": "postgresql://app:pw@127.0.0.1:5432/app"})
    assert "pw" not in settings.secret_values()
