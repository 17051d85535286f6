"""Settings of bootstrap/postgres.py: options beat environment, environment beats defaults, bad values are
named with their option and variable."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from bootstrap.pg import config
from bootstrap.pg.errors import BootstrapError

ROOT = Path("/srv/project")


def test_defaults_are_loopback_the_clones_own_port_and_the_project_state_dir() -> None:
    settings = config.resolve(ROOT, {})

    assert (settings.host, settings.port, settings.admin_user) == ("127.0.0.1", None, "stagecraft_admin")
    assert settings.port_source == config.PORT_OF_THE_CLONE
    assert settings.state_dir == ROOT / ".stagecraft" / "postgres"
    assert settings.password_file == ROOT / ".stagecraft" / "postgres" / "admin-password"
    assert settings.data_dir == ROOT / ".stagecraft" / "postgres" / "data"


def test_environment_overrides_defaults() -> None:
    env = {
        "STAGECRAFT_PG_HOST": "db.internal",
        "STAGECRAFT_PG_PORT": "5432",
        "STAGECRAFT_PG_ADMIN_USER": "postgres",
        "STAGECRAFT_PG_ADMIN_PASSWORD_FILE": "/etc/pg/pw",
        "STAGECRAFT_PG_STATE_DIR": "/var/tmp/pg",
    }

    settings = config.resolve(ROOT, env)

    assert (settings.host, settings.port, settings.admin_user) == ("db.internal", 5432, "postgres")
    assert (settings.password_file, settings.state_dir) == (Path("/etc/pg/pw"), Path("/var/tmp/pg"))


def test_options_override_environment() -> None:
    settings = config.resolve(ROOT, {"STAGECRAFT_PG_PORT": "5432"}, port="6543")

    assert (settings.port, settings.port_source) == (6543, config.PORT_FROM_OPTION)


def test_a_port_from_the_environment_says_so() -> None:
    settings = config.resolve(ROOT, {"STAGECRAFT_PG_PORT": "5432"})

    assert (settings.port, settings.port_source) == (5432, config.PORT_FROM_ENV)


def test_empty_environment_values_count_as_unset() -> None:
    settings = config.resolve(ROOT, {"STAGECRAFT_PG_PORT": "", "STAGECRAFT_PG_HOST": ""})

    assert (settings.host, settings.port) == ("127.0.0.1", None)


def test_password_file_defaults_into_a_chosen_state_dir() -> None:
    settings = config.resolve(ROOT, {}, state_dir="/var/tmp/pg")

    assert settings.password_file == Path("/var/tmp/pg/admin-password")


@pytest.mark.parametrize("bad", ["abc", "0", "65536", "-1"])
def test_a_bad_port_names_the_option_and_variable(bad: str) -> None:
    with pytest.raises(BootstrapError, match=r"--port / STAGECRAFT_PG_PORT.*1 to 65535"):
        config.resolve(ROOT, {"STAGECRAFT_PG_PORT": bad})


def test_a_bad_admin_user_names_the_option_and_the_allowed_characters() -> None:
    with pytest.raises(BootstrapError, match=r"--admin-user / STAGECRAFT_PG_ADMIN_USER.*letters, digits"):
        config.resolve(ROOT, {}, admin_user="drop table;")


@pytest.mark.parametrize("host,local", [("127.0.0.1", True), ("localhost", True), ("127.0.0.2", False),
                                        ("db.example", False)])
def test_only_hosts_served_by_the_loopback_server_count_as_local(host: str, local: bool) -> None:
    assert config.resolve(ROOT, {}, host=host).host_is_local is local


def test_read_password_takes_the_first_line(tmp_path: Path) -> None:
    (tmp_path / "pw").write_text("s3cret\nignored\n")

    assert config.read_password(config.resolve(ROOT, {}, password_file=str(tmp_path / "pw"))) == "s3cret"


def test_read_password_of_a_missing_file_is_none(tmp_path: Path) -> None:
    assert config.read_password(config.resolve(ROOT, {}, password_file=str(tmp_path / "absent"))) is None


def test_an_empty_password_file_is_an_error_naming_the_file(tmp_path: Path) -> None:
    (tmp_path / "pw").write_text("")

    with pytest.raises(BootstrapError, match=f"{tmp_path / 'pw'} is empty"):
        config.read_password(config.resolve(ROOT, {}, password_file=str(tmp_path / "pw")))


def test_write_password_creates_an_owner_only_file(tmp_path: Path) -> None:
    settings = config.resolve(ROOT, {}, password_file=str(tmp_path / "sub" / "pw"))

    config.write_password(settings, "generated")

    assert settings.password_file.read_text() == "generated\n"
    assert settings.password_file.stat().st_mode & 0o777 == 0o600


def test_system_dir_defaults_to_var_lib_stagecraft_and_follows_environment_then_option() -> None:
    assert config.resolve(ROOT, {}).system_dir == Path("/var/lib/stagecraft")
    assert config.resolve(ROOT, {"STAGECRAFT_PG_SYSTEM_DIR": "/srv/sc"}).system_dir == Path("/srv/sc")
    assert config.resolve(ROOT, {"STAGECRAFT_PG_SYSTEM_DIR": "/srv/sc"}, system_dir="/opt/sc").system_dir == Path("/opt/sc")


def test_the_cluster_lives_in_the_state_dir_unless_a_cluster_dir_is_set() -> None:
    settings = config.resolve(ROOT, {})
    elsewhere = dataclasses.replace(settings, cluster_dir=Path("/var/lib/stagecraft/clusters/k"))

    assert settings.log_file == ROOT / ".stagecraft" / "postgres" / "server.log"
    assert elsewhere.data_dir == Path("/var/lib/stagecraft/clusters/k/data")
    assert elsewhere.log_file == Path("/var/lib/stagecraft/clusters/k/server.log")
    assert (elsewhere.marker_file, elsewhere.password_file) == (settings.marker_file, settings.password_file)
