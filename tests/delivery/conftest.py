"""Fixtures of the delivery tests: a local OIDC issuer, a GitHub emulator with a gated production run."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
POLICIES_DIR = ROOT / "policies"
if str(POLICIES_DIR) not in sys.path:
    # The pack imports its packages from inside policies/, as the engine runs it; the callback tests do the same.
    sys.path.insert(0, str(POLICIES_DIR))

from tests.delivery.oidc_issuer import LocalIssuer  # noqa: E402
from tests.delivery.approval_scene import ApprovalScene  # noqa: E402


@pytest.fixture(scope="session")
def issuer():
    """A generated RSA key served as discovery + JWKS on loopback."""
    with LocalIssuer() as running:
        yield running


@pytest.fixture(scope="session")
def scene(issuer):
    """GitHub (emulated) with repository acme/shop, a `production` environment whose reviewer is `reviewer`, and
    run 4242 started by `merger` and approved by `reviewer`."""
    with ApprovalScene(issuer) as built:
        yield built
