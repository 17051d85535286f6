"""What the operations tools read from the policy pack (policies/): one source for limits and the production flag.

The pack's package lives in policies/ (the engine runs it from there); it is put on the import path here
the same way.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[2]
POLICIES_DIR = PROJECT_ROOT / "policies"


def _importable() -> None:
    if str(POLICIES_DIR) not in sys.path:
        sys.path.insert(0, str(POLICIES_DIR))


def is_production_stack(stack: str, project_root: Path = PROJECT_ROOT) -> bool:
    """Production by name, because its `Pulumi.<stack>.yaml` declares `stagecraft:environment: production` (a stack
    of any name may, DESIGN §3), or because its policy config (policies/config/<stack>.json) sets `production: true`."""
    _importable()
    from stagecraft_guard.pack import PRODUCTION_FLAG_POLICIES
    from stagecraft_guard.stack import PRODUCTION_STACK
    from stagecraft_guard.stack_config import file_for_stack, load_file

    if stack == PRODUCTION_STACK or _declared_environment(project_root / f"Pulumi.{stack}.yaml") == "production":
        return True
    path = file_for_stack(stack)
    if path is None:
        return False
    content = load_file(path)
    return any(isinstance(content.get(name), dict) and content[name].get("production") is True
               for name in PRODUCTION_FLAG_POLICIES)


def _declared_environment(config_file: Path) -> object:
    """`stagecraft:environment` of a stack's config file, or None when the file or the key is not there."""
    try:
        document = yaml.safe_load(config_file.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return None
    config = document.get("config") if isinstance(document, dict) else None
    return config.get("stagecraft:environment") if isinstance(config, dict) else None


def catalog():
    """The pack's free-tier tables (policies/limits/*.toml), loaded once."""
    _importable()
    from stagecraft_guard.catalog import default_catalog

    return default_catalog()
