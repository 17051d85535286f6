"""The settings model tree: defaults, and one clear message per bad value."""

from __future__ import annotations

import pytest

from settings import ConfigError, load_settings
from settings.load import environment_for

DEV = {
    "frontend": {"platform": "local"},
    "backend": {"platform": "local"},
    "postgres": {"platform": "local"},
    "redis": {"platform": "memory"},
    "storage": {"platform": "local"},
}


def _with(section: str, **values) -> dict:
    return {**DEV, section: {**DEV[section], **values}}


def _error(raw: dict, stack: str = "dev") -> str:
    with pytest.raises(ConfigError) as caught:
        load_settings("stagecraft", stack, raw)
    return str(caught.value)


def test_dev_defaults_give_twelve_frontends_and_the_three_extensions():
    settings = load_settings("stagecraft", "dev", DEV)
    assert len(settings.frontend.deployed_apps) == 12
    assert settings.postgres.extensions == ("vector", "pg_trgm", "uuid-ossp")
    assert settings.runs_offline


def test_unknown_platform_names_the_key_the_allowed_values_and_the_fix():
    message = _error(_with("backend", platform="heroku"))
    assert "stagecraft:backend.platform" in message
    assert "'koyeb'" in message and "'local'" in message
    assert "pulumi config set --path 'stagecraft:backend.platform' koyeb -s dev" in message


def test_malformed_port_names_the_key_and_the_bad_value():
    message = _error(_with("backend", port="80x"))
    assert "stagecraft:backend.port" in message
    assert "'80x'" in message


def test_out_of_range_port_is_refused():
    assert "stagecraft:postgres.local.port" in _error(_with("postgres", local={"port": 70000}))


def test_missing_required_section_suggests_setting_its_platform():
    raw = {k: v for k, v in DEV.items() if k != "redis"}
    message = _error(raw)
    assert "stagecraft:redis: is required but not set" in message
    assert "pulumi config set --path 'stagecraft:redis.platform'" in message


def test_unknown_key_is_refused_as_a_probable_typo():
    message = _error(_with("storage", bukket="x"))
    assert "stagecraft:storage.bukket: is not a known setting" in message
    assert "pulumi config rm --path 'stagecraft:storage.bukket'" in message


def test_every_problem_is_listed_in_one_message():
    message = _error({**_with("backend", platform="nope"), "redis": {"platform": "nope"}})
    assert "stagecraft:backend.platform" in message and "stagecraft:redis.platform" in message


def test_cloud_backend_without_image_is_refused():
    assert "needs `image`" in _error(_with("backend", platform="koyeb"))


def test_cloudflare_platforms_need_the_account_id():
    raw = {**DEV, "frontend": {"platform": "cloudflare-pages"}}
    assert "cloudflare.accountId" in _error(raw, stack="uat")


def test_duplicate_dev_ports_are_refused():
    apps = [{"name": "a-app", "source": "a", "devPort": 3000, "framework": "vite"},
            {"name": "b-app", "source": "b", "devPort": 3000, "framework": "vite"}]
    assert "devPort must differ" in _error(_with("frontend", apps=apps))


def test_excluding_an_unknown_app_is_refused():
    assert "not in the inventory: nope" in _error(_with("frontend", exclude=["nope"]))


@pytest.mark.parametrize(("stack", "environment"), [("dev", "development"), ("uat", "uat"),
                                                     ("production", "production"), ("pr-42", "preview")])
def test_environment_is_derived_from_the_stack_name(stack, environment):
    assert environment_for(stack, None) == environment


def test_unknown_stack_name_needs_an_explicit_environment():
    with pytest.raises(ConfigError, match="stagecraft:environment"):
        environment_for("staging2", None)


def test_physical_names_carry_project_and_stack():
    settings = load_settings("stagecraft", "dev", DEV)
    assert settings.physical_name("api") == "stagecraft-dev-api"


def test_settings_are_frozen():
    settings = load_settings("stagecraft", "dev", DEV)
    with pytest.raises(Exception):
        settings.stack = "uat"  # type: ignore[misc]
