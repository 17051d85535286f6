"""The product API refuses to start without its required settings (JWT_SECRET above all)."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.product.conftest import API_DIR, JWT_SECRET

BASE_ENV = {
    "ENVIRONMENT": "dev",
    "JWT_SECRET": JWT_SECRET,
    "DATABASE_URL": "postgresql://u:database-pw-41@127.0.0.1:1/db",
    "REDIS_URL": "memory://",
    "STORAGE_PLATFORM": "local",
    "STORAGE_BUCKET": "b",
    "STORAGE_ENDPOINT": "file:///tmp",
}


def _import_app(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "import product_api.main"], cwd=API_DIR,
                          env={"PATH": os.environ["PATH"], **env}, capture_output=True, text=True, timeout=60)


def test_without_jwt_secret_the_api_does_not_start() -> None:
    done = _import_app({k: v for k, v in BASE_ENV.items() if k != "JWT_SECRET"})
    assert done.returncode != 0
    assert "JWT_SECRET is not set" in done.stderr


def test_with_every_required_variable_the_app_loads() -> None:
    assert _import_app(BASE_ENV).returncode == 0
