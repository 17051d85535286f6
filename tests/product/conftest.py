"""The product API run for real: uvicorn in its own process, a fresh database on the project's PostgreSQL,
a bucket folder, and moto's S3 server on loopback for the S3 path."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Mapping
from urllib.parse import urlsplit, urlunsplit

import boto3
import httpx
import psycopg
import pytest
from psycopg import sql

from tests.machine import PROJECT_ROOT, closed_port, project_admin_url

API_DIR = PROJECT_ROOT / "examples" / "product" / "api"
EXTENSIONS = ("vector", "pg_trgm", "uuid-ossp")
JWT_SECRET = "jwt-test-secret-0f3c9a-5b7e2d8c4a1f6e3b"
S3_KEY_ID = "test-key-id"
S3_SECRET = "test-secret-access-key-7d1e"
START_TIMEOUT_SECONDS = 30


@dataclass
class RunningApi:
    """A started API process and its base URL."""

    url: str
    process: subprocess.Popen

    def health(self) -> httpx.Response:
        return httpx.get(f"{self.url}/api/health", timeout=30)


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def start_api(env: Mapping[str, str]) -> RunningApi:
    """Start uvicorn with ``env`` as the whole environment (plus PATH) and wait until it listens."""
    port = closed_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "product_api.main:app", "--host", "127.0.0.1", "--port", str(port)],
        cwd=API_DIR, env={"PATH": os.environ["PATH"], **env},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while not _port_open(port):
        if process.poll() is not None:
            raise AssertionError(f"the API exited with {process.returncode}:\n{process.stdout.read()}")
        if time.monotonic() > deadline:
            process.kill()
            raise AssertionError("the API did not listen within the timeout")
        time.sleep(0.05)
    return RunningApi(f"http://127.0.0.1:{port}", process)


def stop_api(api: RunningApi) -> None:
    api.process.terminate()
    try:
        api.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        api.process.kill()
        api.process.wait()


@pytest.fixture
def api_runner() -> Iterator[Callable[[Mapping[str, str]], RunningApi]]:
    """Starts APIs for the test and stops every one at teardown."""
    started: list[RunningApi] = []

    def run(env: Mapping[str, str]) -> RunningApi:
        api = start_api(env)
        started.append(api)
        return api

    yield run
    for api in started:
        stop_api(api)


@pytest.fixture
def database_url() -> Iterator[str]:
    """A uniquely named database on the project's PostgreSQL with the product's three extensions."""
    name = f"sc_product_{secrets.token_hex(4)}"
    admin = project_admin_url()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = _with_database(admin, name)
    with psycopg.connect(url, autocommit=True) as conn:
        for extension in EXTENSIONS:
            conn.execute(sql.SQL("CREATE EXTENSION {}").format(sql.Identifier(extension)))
    yield url
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _with_database(uri: str, name: str) -> str:
    """``uri`` pointing at database ``name``."""
    return urlunsplit(urlsplit(uri)._replace(path=f"/{name}"))


@pytest.fixture
def bucket_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "bucket"
    folder.mkdir()
    return folder


@pytest.fixture
def local_env(database_url: str, bucket_folder: Path) -> dict[str, str]:
    """A complete environment for the API: real database, memory:// Redis, a local bucket folder."""
    return {
        "ENVIRONMENT": "dev",
        "JWT_SECRET": JWT_SECRET,
        "DATABASE_URL": database_url,
        "REDIS_URL": "memory://",
        "STORAGE_PLATFORM": "local",
        "STORAGE_BUCKET": "stagecraft-dev-uploads",
        "STORAGE_ENDPOINT": bucket_folder.as_uri(),
    }


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """moto's S3 server on a loopback port."""
    from moto.server import ThreadedMotoServer

    port = closed_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


def s3_client(endpoint: str):
    return boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id=S3_KEY_ID, aws_secret_access_key=S3_SECRET)
