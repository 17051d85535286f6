"""What the operations tools read from the policy pack (policies/): one source for limits and the production flag.

The pack's package lives in policies/ (the engine runs it from there); it is put on the import path here
the same way.
"""

from __future__ import annotations

import sys
from pathlib import Path

POLICIES_DIR = Path(__file__).resolve().parents[2] / "policies"


def _importable() -> None:
    if str(POLICIES_DIR) not in sys.path:
        sys.path.insert(0, str(POLICIES_DIR))


def is_production_stack(stack: str) -> bool:
    """Production by name, or because its policy config (policies/config/<stack>.json) sets `production: true`."""
    _importable()
    from stagecraft_guard.pack import PRODUCTION_FLAG_POLICIES
    from stagecraft_guard.stack import PRODUCTION_STACK
    from stagecraft_guard.stack_config import file_for_stack, load_file

    if stack == PRODUCTION_STACK:
        return True
    path = file_for_stack(stack)
    if path is None:
        return False
    content = load_file(path)
    return any(isinstance(content.get(name), dict) and content[name].get("production") is True
               for name in PRODUCTION_FLAG_POLICIES)


def catalog():
    """The pack's free-tier tables (policies/limits/*.toml), loaded once."""
    _importable()
    from stagecraft_guard.catalog import default_catalog

    return default_catalog()
