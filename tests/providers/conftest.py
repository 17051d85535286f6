"""Fixtures for provider tests: each emulator served on loopback with the provider's env vars pointing at it.

Sleeps are scaled down (``STAGECRAFT_HTTP_BACKOFF_SCALE``) so retries and readiness polls cost
milliseconds; ``serve()`` fails the test at teardown if any request violated the vendor spec.
"""

from __future__ import annotations

from typing import Iterator

import pytest

from providers._http import BACKOFF_SCALE_VAR, TIMEOUT_VAR, WAIT_TIMEOUT_VAR
from tests.emulators import KoyebEmulator, NeonEmulator, UpstashEmulator

FAST = {BACKOFF_SCALE_VAR: "0.001", TIMEOUT_VAR: "1", WAIT_TIMEOUT_VAR: "30"}


@pytest.fixture
def fast_http(monkeypatch: pytest.MonkeyPatch) -> None:
    """Short backoff, client timeout and readiness bound for every HTTP call in the test."""
    for name, value in FAST.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def koyeb(monkeypatch: pytest.MonkeyPatch, fast_http: None) -> Iterator[KoyebEmulator]:
    """A fresh Koyeb emulator; KOYEB_API_URL / KOYEB_TOKEN point at it."""
    emu = KoyebEmulator(token="koyeb-test-token")
    with emu.serve() as url:
        monkeypatch.setenv("KOYEB_API_URL", url)
        monkeypatch.setenv("KOYEB_TOKEN", "koyeb-test-token")
        yield emu


@pytest.fixture
def neon(monkeypatch: pytest.MonkeyPatch, fast_http: None) -> Iterator[NeonEmulator]:
    """A fresh Neon emulator; NEON_API_URL / NEON_API_KEY point at it."""
    emu = NeonEmulator(api_key="neon-test-key")
    with emu.serve() as url:
        monkeypatch.setenv("NEON_API_URL", url)
        monkeypatch.setenv("NEON_API_KEY", "neon-test-key")
        yield emu


@pytest.fixture
def upstash(monkeypatch: pytest.MonkeyPatch, fast_http: None) -> Iterator[UpstashEmulator]:
    """A fresh Upstash emulator; UPSTASH_API_URL / UPSTASH_EMAIL / UPSTASH_API_KEY point at it."""
    emu = UpstashEmulator(email="ops@example.com", api_key="upstash-test-key")
    with emu.serve() as url:
        monkeypatch.setenv("UPSTASH_API_URL", url)
        monkeypatch.setenv("UPSTASH_EMAIL", "ops@example.com")
        monkeypatch.setenv("UPSTASH_API_KEY", "upstash-test-key")
        yield emu


@pytest.fixture
def registrations(monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    """Resources constructed in the test, as they would be registered: type token, props and options."""
    import pulumi

    seen: list[dict] = []

    def record(self, type_: str, name: str, props: dict, opts=None, *args, **kwargs) -> None:
        seen.append({"type": type_, "name": name, "props": props, "opts": opts})

    monkeypatch.setattr(pulumi.CustomResource, "__init__", record)
    return seen
