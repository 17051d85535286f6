"""The program's side of the clone's port: an unset `stagecraft:postgres.local.port` means the port recorded
beside the admin password file (settings/own_server.py); a configured port wins."""

from __future__ import annotations

from pathlib import Path

from bootstrap.pg import port_record
from settings.models import LocalPostgresSettings
from settings.own_server import missing_port_problem, resolve_local_server


def _recorded_clone(root: Path, port: int) -> Path:
    state_dir = root / ".stagecraft" / "postgres"
    port_record.write(state_dir, port)
    return state_dir


def test_an_unset_port_is_the_one_recorded_for_the_clone(tmp_path: Path) -> None:
    _recorded_clone(tmp_path, 54344)

    local = resolve_local_server(LocalPostgresSettings(), tmp_path)

    assert local.port == 54344
    assert local.admin_password_file == str(tmp_path / ".stagecraft" / "postgres" / "admin-password")


def test_a_configured_port_wins_over_the_record(tmp_path: Path) -> None:
    _recorded_clone(tmp_path, 54344)

    assert resolve_local_server(LocalPostgresSettings(port=5432), tmp_path).port == 5432


def test_the_record_beside_an_absolute_password_file_is_used(tmp_path: Path) -> None:
    state_dir = _recorded_clone(tmp_path / "other-clone", 54345)
    local = LocalPostgresSettings(admin_password_file=str(state_dir / "admin-password"))

    assert resolve_local_server(local, tmp_path).port == 54345


def test_without_a_record_the_problem_names_the_key_and_both_fixes(tmp_path: Path) -> None:
    local = resolve_local_server(LocalPostgresSettings(), tmp_path)

    problem = missing_port_problem(local, "dev")

    assert local.port is None
    assert "stagecraft:postgres.local.port is not set" in problem
    assert "run `make up`" in problem
    assert "pulumi config set --path 'stagecraft:postgres.local.port' '<port>' -s dev" in problem


def test_a_resolved_port_is_no_problem(tmp_path: Path) -> None:
    _recorded_clone(tmp_path, 54344)

    assert missing_port_problem(resolve_local_server(LocalPostgresSettings(), tmp_path), "dev") is None


def test_a_server_elsewhere_does_not_take_the_clones_port(tmp_path: Path) -> None:
    _recorded_clone(tmp_path, 54344)

    local = resolve_local_server(LocalPostgresSettings(host="db.internal"), tmp_path)

    assert local.port is None
    assert "the server at db.internal is not this clone's own" in missing_port_problem(local, "dev")
