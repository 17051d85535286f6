"""Checks before any resource: the dev passphrase guard and the local PostgreSQL reachability."""

from __future__ import annotations

import pulumi
import pytest

from settings import load_settings
from settings.preflight import DEV_PASSPHRASE, preflight
from tests.machine import closed_port

DEV = {
    "frontend": {"platform": "local"},
    "backend": {"platform": "local"},
    "redis": {"platform": "memory"},
    "storage": {"platform": "local"},
}


def test_unreachable_postgres_stops_with_the_key_and_the_fix(tmp_path):
    password_file = tmp_path / "admin-password"
    password_file.write_text("x")
    port = closed_port()
    settings = load_settings("stagecraft", "dev", {**DEV, "postgres": {
        "platform": "local", "local": {"port": port, "adminPasswordFile": str(password_file)}}})
    with pytest.raises(pulumi.RunError) as caught:
        preflight(settings, environ={})
    message = str(caught.value)
    assert f"stagecraft:postgres.local (host 127.0.0.1, port {port})" in message
    assert "bootstrap/postgres.sh ensure" in message
    assert "Nothing was changed" in message


def test_missing_admin_password_file_names_the_setting(tmp_path):
    settings = load_settings("stagecraft", "dev", {**DEV, "postgres": {
        "platform": "local", "local": {"adminPasswordFile": str(tmp_path / "absent")}}})
    with pytest.raises(pulumi.RunError, match="adminPasswordFile"):
        preflight(settings, environ={})


def test_dev_passphrase_is_refused_on_other_stacks():
    settings = load_settings("stagecraft", "pr-7", {**DEV, "postgres": {"platform": "neon"}})
    with pytest.raises(pulumi.RunError, match="must not use the dev stack's documented passphrase"):
        preflight(settings, environ={"PULUMI_CONFIG_PASSPHRASE": DEV_PASSPHRASE})


def test_own_passphrase_passes_on_other_stacks():
    settings = load_settings("stagecraft", "pr-7", {**DEV, "postgres": {"platform": "neon"}})
    preflight(settings, environ={"PULUMI_CONFIG_PASSPHRASE": "team-secret", "NEON_API_KEY": "n"})


UAT = {"frontend": {"platform": "cloudflare-pages"}, "backend": {"platform": "koyeb", "image": "img:1"},
       "postgres": {"platform": "neon"}, "redis": {"platform": "upstash"}, "storage": {"platform": "r2"},
       "cloudflare": {"accountId": "0123456789abcdef0123456789abcdef"}}
ALL_CREDENTIALS = {"KOYEB_TOKEN": "k", "NEON_API_KEY": "n", "UPSTASH_EMAIL": "e", "UPSTASH_API_KEY": "u",
                   "CLOUDFLARE_API_TOKEN": "c"}


def test_missing_platform_credentials_are_named_before_any_change():
    settings = load_settings("stagecraft", "uat", UAT)
    environ = {k: v for k, v in ALL_CREDENTIALS.items() if k not in ("KOYEB_TOKEN", "UPSTASH_API_KEY")}
    with pytest.raises(pulumi.RunError) as caught:
        preflight(settings, environ=environ)
    message = str(caught.value)
    assert "koyeb credentials are missing: set KOYEB_TOKEN" in message
    assert "upstash credentials are missing: set UPSTASH_API_KEY" in message
    assert "neon" not in message


def test_cloudflare_token_may_come_from_stack_config():
    settings = load_settings("stagecraft", "uat", UAT)
    environ = {k: v for k, v in ALL_CREDENTIALS.items() if k != "CLOUDFLARE_API_TOKEN"}
    preflight(settings, environ=environ, config_keys={"cloudflare:apiToken"})
