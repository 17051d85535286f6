"""docs/configuration.md is generated from the settings models and must be current."""

from tests.unit.harness import PROJECT_ROOT
from tools.config_reference import render


def test_configuration_reference_is_current():
    committed = (PROJECT_ROOT / "docs" / "configuration.md").read_text()
    assert committed == render(), "regenerate: python -m tools.config_reference > docs/configuration.md"


def test_every_platform_setting_is_listed():
    text = render()
    for key in ("stagecraft:backend.platform", "stagecraft:postgres.local.adminPasswordFile",
                "stagecraft:redis.upstash.plan", "stagecraft:envFiles.directory"):
        assert f"`{key}`" in text
