"""Make the pack's package importable the way the engine imports it (from inside policies/)."""

import sys
from pathlib import Path

import pytest

POLICIES_DIR = Path(__file__).resolve().parents[2] / "policies"
if str(POLICIES_DIR) not in sys.path:
    sys.path.insert(0, str(POLICIES_DIR))


@pytest.fixture(scope="session")
def catalog():
    """The pack's own free-tier tables."""
    from stagecraft_guard.catalog import default_catalog

    return default_catalog()
