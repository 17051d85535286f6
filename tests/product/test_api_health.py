"""The product API's /api/health, run for real: the answer's shape, and degraded when a dependency is down."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import psycopg

from tests.machine import closed_port
from tests.product.conftest import JWT_SECRET, S3_KEY_ID, S3_SECRET, s3_client


def _with_port(uri: str, port: int) -> str:
    parts = urlsplit(uri)
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit(":", 1)[0] + f":{port}"))


def _assert_no_secret(text: str, *secrets: str) -> None:
    for secret in secrets:
        assert secret not in text


def test_healthy_local_stack_answers_ok_with_every_check_and_its_latency(api_runner, local_env) -> None:
    response = api_runner(local_env).health()
    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "ok" and body["environment"] == "dev"
    assert set(body) == {"status", "environment", "checks"}
    assert body["checks"]["database"]["extensions"] == ["pg_trgm", "uuid-ossp", "vector"]
    for name in ("database", "redis", "storage"):
        check = body["checks"][name]
        assert check["ok"] is True and "error" not in check
        assert isinstance(check["latencyMs"], float) and check["latencyMs"] >= 0
    assert set(body["checks"]["redis"]) == {"ok", "latencyMs"} and set(body["checks"]["storage"]) == {"ok", "latencyMs"}


def test_storage_probe_leaves_no_object_in_the_bucket(api_runner, local_env, bucket_folder: Path) -> None:
    assert api_runner(local_env).health().status_code == 200
    assert [p for p in bucket_folder.rglob("*") if p.is_file()] == []


def test_missing_extension_degrades_and_names_it(api_runner, local_env, database_url: str) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("DROP EXTENSION pg_trgm")
    response = api_runner(local_env).health()
    database = response.json()["checks"]["database"]
    assert response.status_code == 503 and response.json()["status"] == "degraded"
    assert database["ok"] is False and database["extensions"] == ["uuid-ossp", "vector"]
    assert "pg_trgm" in database["error"]


def test_unreachable_database_degrades_without_revealing_its_password(api_runner, local_env) -> None:
    url = _with_port(local_env["DATABASE_URL"], closed_port())
    response = api_runner({**local_env, "DATABASE_URL": url}).health()
    checks = response.json()["checks"]
    assert response.status_code == 503
    assert checks["database"]["ok"] is False and checks["database"]["extensions"] == []
    assert "connection" in checks["database"]["error"].lower()
    assert checks["redis"]["ok"] and checks["storage"]["ok"]
    _assert_no_secret(response.text, urlsplit(url).password, JWT_SECRET)


def test_unreachable_redis_degrades(api_runner, local_env) -> None:
    response = api_runner({**local_env, "REDIS_URL": f"redis://:pw-9c1b@127.0.0.1:{closed_port()}/0"}).health()
    redis_check = response.json()["checks"]["redis"]
    assert response.status_code == 503 and redis_check["ok"] is False
    assert "ConnectionError" in redis_check["error"]
    _assert_no_secret(response.text, "pw-9c1b")


def test_missing_bucket_folder_degrades(api_runner, local_env, bucket_folder: Path) -> None:
    bucket_folder.rmdir()
    response = api_runner(local_env).health()
    storage = response.json()["checks"]["storage"]
    assert response.status_code == 503 and storage["ok"] is False
    assert str(bucket_folder) in storage["error"]


def _s3_env(local_env: dict[str, str], endpoint: str, bucket: str) -> dict[str, str]:
    return {**local_env, "STORAGE_PLATFORM": "r2", "STORAGE_BUCKET": bucket, "STORAGE_ENDPOINT": endpoint,
            "STORAGE_ACCESS_KEY_ID": S3_KEY_ID, "STORAGE_SECRET_ACCESS_KEY": S3_SECRET}


def test_s3_storage_round_trip_is_ok_and_leaves_the_bucket_empty(api_runner, local_env, s3_endpoint: str) -> None:
    s3 = s3_client(s3_endpoint)
    s3.create_bucket(Bucket="stagecraft-uat-uploads")
    response = api_runner(_s3_env(local_env, s3_endpoint, "stagecraft-uat-uploads")).health()
    assert response.status_code == 200 and response.json()["checks"]["storage"]["ok"] is True
    assert s3.list_objects_v2(Bucket="stagecraft-uat-uploads").get("KeyCount") == 0


def test_s3_bucket_that_does_not_exist_degrades(api_runner, local_env, s3_endpoint: str) -> None:
    response = api_runner(_s3_env(local_env, s3_endpoint, "stagecraft-uat-missing")).health()
    storage = response.json()["checks"]["storage"]
    assert response.status_code == 503 and storage["ok"] is False
    assert "NoSuchBucket" in storage["error"]
    _assert_no_secret(response.text, S3_SECRET)


def test_unreachable_s3_endpoint_degrades(api_runner, local_env) -> None:
    response = api_runner(_s3_env(local_env, f"http://127.0.0.1:{closed_port()}", "stagecraft-uat-uploads")).health()
    assert response.status_code == 503 and response.json()["checks"]["storage"]["ok"] is False
    _assert_no_secret(response.text, S3_SECRET)


def test_browser_origin_may_read_the_health_answer(api_runner, local_env) -> None:
    api = api_runner(local_env)
    response = httpx.get(f"{api.url}/api/health", headers={"Origin": "https://shop.example.pages.dev"}, timeout=30)
    assert response.headers["access-control-allow-origin"] == "*"
