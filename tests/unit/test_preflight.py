"""Checks before any resource: the dev passphrase guard and the local PostgreSQL reachability."""

from __future__ import annotations

import socket

import pulumi
import pytest

from settings import load_settings
from settings.preflight import DEV_PASSPHRASE, preflight

DEV = {
    "frontend": {"platform": "local"},
    "backend": {"platform": "local"},
    "redis": {"platform": "memory"},
    "storage": {"platform": "local"},
}


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_unreachable_postgres_stops_with_the_key_and_the_fix(tmp_path):
    password_file = tmp_path / "admin-password"
    password_file.write_text("x")
    port = _closed_port()
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
    preflight(settings, environ={"PULUMI_CONFIG_PASSPHRASE": "team-secret"})
