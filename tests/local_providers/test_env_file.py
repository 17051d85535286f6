"""`local:EnvFile`: dotenv rendering and the provider's file life cycle."""

from __future__ import annotations

from providers.local.env_file import EnvFileProvider, parse_dotenv, render_dotenv

TRICKY = {"PLAIN": "abc", "SPACES": "a b", "QUOTES": 'say "hi"', "NEWLINE": "l1\nl2", "EMPTY": "",
          "URL": "postgresql://u:p%40ss@h:5432/db?sslmode=require"}


def test_render_then_parse_gives_back_every_value():
    assert parse_dotenv(render_dotenv(TRICKY)) == TRICKY


def test_create_writes_an_owner_only_file(tmp_path):
    path = tmp_path / "env" / ".env.backend"
    EnvFileProvider().create({"path": str(path), "values": {"A": "1"}})
    assert path.read_text() == "A=1\n"
    assert path.stat().st_mode & 0o777 == 0o600


def test_read_after_out_of_band_deletion_reports_gone(tmp_path):
    path = tmp_path / ".env.x"
    provider = EnvFileProvider()
    outs = provider.create({"path": str(path), "values": {"A": "1"}}).outs
    path.unlink()
    assert provider.read(str(path), outs).id == ""


def test_read_shows_an_edited_value_as_drift(tmp_path):
    path = tmp_path / ".env.x"
    provider = EnvFileProvider()
    outs = provider.create({"path": str(path), "values": {"A": "1"}}).outs
    path.write_text("A=2\n")
    read = provider.read(str(path), outs)
    assert provider.diff(str(path), read.outs, {"path": str(path), "values": {"A": "1"}}).changes


def test_moving_the_file_replaces_it(tmp_path):
    diff = EnvFileProvider().diff("x", {"path": "/a", "values": {}}, {"path": "/b", "values": {}})
    assert diff.replaces == ["path"]


def test_delete_of_a_missing_file_is_done(tmp_path):
    EnvFileProvider().delete(str(tmp_path / "absent"), {"path": str(tmp_path / "absent")})


def test_check_refuses_relative_paths_and_bad_names():
    result = EnvFileProvider().check({}, {"path": "rel/.env", "values": {"1BAD": "x"}})
    assert sorted(f.property for f in result.failures) == ["path", "values"]
