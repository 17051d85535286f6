"""Helpers shared by the emulator tests."""

from __future__ import annotations

from typing import Any

import httpx


def loopback_client(base_url: str, **options: Any) -> httpx.Client:
    """An httpx client for a plain-HTTP loopback emulator.

    `verify=False` only skips loading the CA bundle (about 20 ms per client); no TLS is ever negotiated.
    """
    options.setdefault("timeout", 5.0)
    return httpx.Client(base_url=base_url, verify=False, **options)
