"""The web app declares the variants it builds where stagecraft's preflight reads them (package.json)."""

from __future__ import annotations

import json
import re
from pathlib import Path

WEB = Path(__file__).resolve().parents[2] / "examples" / "product" / "web"


def test_package_json_declares_exactly_the_variants_the_app_implements():
    declared = json.loads((WEB / "package.json").read_text())["stagecraft"]["variants"]
    implemented = re.findall(r"^\s*'?([a-z0-9-]+)'?: \{ app:", (WEB / "variants.js").read_text(), re.M)
    assert sorted(declared) == sorted(implemented) and len(declared) == 11


def test_every_variant_of_the_default_inventory_is_declared():
    from settings.inventory import DEFAULT_FRONTENDS

    declared = set(json.loads((WEB / "package.json").read_text())["stagecraft"]["variants"])
    assert {app.variant for app in DEFAULT_FRONTENDS if app.variant} == declared
