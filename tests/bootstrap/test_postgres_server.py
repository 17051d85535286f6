"""bootstrap/postgres.py on this machine, for real: a server with vector, pg_trgm and uuid-ossp."""

from __future__ import annotations

import json
import socket
import threading
import uuid

import psycopg
import pytest

from .conftest import Instance, free_port


def test_ensure_leaves_a_server_the_project_started(server: Instance) -> None:
    result = server.run("status")

    assert result.returncode == 0
    assert f"reachable at 127.0.0.1:{server.port}: PostgreSQL 18" in result.stdout
    assert "started by this project: yes" in result.stdout


def test_the_three_extensions_work_in_a_fresh_database(server: Instance) -> None:
    with psycopg.connect(server.url(), autocommit=True) as admin:
        admin.execute("CREATE DATABASE extensions_check")
    try:
        with psycopg.connect(server.url("extensions_check"), autocommit=True) as conn:
            conn.execute('CREATE EXTENSION vector; CREATE EXTENSION pg_trgm; CREATE EXTENSION "uuid-ossp"')
            generated, distance, similarity = conn.execute(
                "SELECT uuid_generate_v4(), '[1,2,3]'::vector <-> '[1,2,5]'::vector, similarity('word', 'words')"
            ).fetchone()
    finally:
        with psycopg.connect(server.url(), autocommit=True) as admin:
            admin.execute("DROP DATABASE extensions_check")

    assert isinstance(generated, uuid.UUID) and generated.version == 4
    assert distance == pytest.approx(2.0)
    # 'word' has 5 trigrams, 'words' 6, 4 shared: 4 / (5 + 6 - 4).
    assert similarity == pytest.approx(4 / 7)


def test_a_second_ensure_changes_nothing(server: Instance) -> None:
    pid_before = server.postmaster_pid()
    marker_before = json.loads((server.state_dir / "cluster.json").read_text())

    result = server.run("ensure")

    assert result.returncode == 0, result.stderr
    assert "nothing to do" in result.stderr
    assert server.postmaster_pid() == pid_before
    assert json.loads((server.state_dir / "cluster.json").read_text()) == marker_before


def test_url_is_the_only_output_of_the_url_command_and_logs_in(server: Instance) -> None:
    result = server.run("url")

    assert result.stderr == ""
    assert result.stdout.count("\n") == 1 and result.stdout.startswith("postgresql://stagecraft_admin:")
    with psycopg.connect(result.stdout.strip()) as conn:
        assert conn.execute("SELECT current_user").fetchone()[0] == "stagecraft_admin"


def test_admin_password_file_is_private(server: Instance) -> None:
    assert server.password_file.stat().st_mode & 0o777 == 0o600


def test_server_refuses_a_login_without_the_password(server: Instance) -> None:
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(host="127.0.0.1", port=server.port, user="stagecraft_admin", password="not-it",
                        dbname="postgres", passfile="/dev/null")


def test_wrong_admin_password_on_a_reachable_port_is_a_clear_error(server: Instance, new_instance) -> None:
    elsewhere = new_instance()
    wrong = elsewhere.state_dir / "wrong-password"
    wrong.write_text("definitely-not-the-password\n")

    result = elsewhere.run("ensure", "--port", str(server.port), "--admin-password-file", str(wrong))

    assert result.returncode == 1
    assert f"already listening on 127.0.0.1:{server.port}" in result.stderr
    assert "password authentication failed" in result.stderr
    assert "--port" in result.stderr and "--admin-password-file" in result.stderr
    assert "definitely-not-the-password" not in result.stderr + result.stdout
    assert not (elsewhere.state_dir / "data").exists()


def test_ensure_uses_a_reachable_server_it_can_log_into_without_starting_one(server: Instance, new_instance) -> None:
    elsewhere = new_instance()

    result = elsewhere.run("ensure", "--port", str(server.port), "--admin-password-file", str(server.password_file))

    assert result.returncode == 0, result.stderr
    assert "nothing to do" in result.stderr
    assert not (elsewhere.state_dir / "data").exists()


def test_ensure_refuses_a_port_held_by_something_that_is_not_postgresql(new_instance) -> None:
    instance = new_instance()
    listener = socket.socket()
    listener.bind(("127.0.0.1", instance.port))
    listener.listen()

    def refuse_everyone() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            conn.close()

    threading.Thread(target=refuse_everyone, daemon=True).start()
    try:
        result = instance.run("ensure")
    finally:
        listener.close()

    assert result.returncode == 1
    assert f"something is listening on 127.0.0.1:{instance.port}" in result.stderr
    # The port came from STAGECRAFT_PG_PORT, so the advice changes that variable, with a port that is free.
    assert "another port: `STAGECRAFT_PG_PORT=" in result.stderr and " make up`" in result.stderr


def test_status_reports_nothing_reachable_with_exit_3(new_instance) -> None:
    result = new_instance().run("status")

    assert result.returncode == 3
    assert "not reachable" in result.stdout


def test_stop_stops_the_project_server_and_no_other(server: Instance, new_instance) -> None:
    ours = new_instance()
    assert ours.run("ensure").returncode == 0
    other_pid = server.postmaster_pid()

    result = ours.run("stop")

    assert result.returncode == 0, result.stderr
    assert not (ours.state_dir / "data" / "postmaster.pid").exists()
    assert ours.run("status").returncode == 3
    assert server.postmaster_pid() == other_pid
    assert server.run("status").returncode == 0


def test_stop_leaves_alone_a_server_named_by_a_pidfile_it_did_not_create(server: Instance, new_instance) -> None:
    impostor = new_instance()
    data = impostor.state_dir / "data"
    data.mkdir()
    # A pidfile that names the shared server's process, data directory and port, but no cluster of ours.
    (data / "postmaster.pid").write_text(
        (server.state_dir / "data" / "postmaster.pid").read_text()
    )
    pid = server.postmaster_pid()

    result = impostor.run("stop", "--port", str(server.port))

    assert result.returncode == 0
    assert "not started by this project" in result.stderr
    assert server.postmaster_pid() == pid
    assert server.run("status").returncode == 0


def test_stop_with_nothing_running_is_a_no_op(new_instance) -> None:
    result = new_instance().run("stop")

    assert result.returncode == 0
    assert "no server started by this project" in result.stderr


def test_ensure_after_stop_restarts_the_same_cluster(new_instance) -> None:
    instance = new_instance()
    assert instance.run("ensure").returncode == 0
    marker = json.loads((instance.state_dir / "cluster.json").read_text())
    assert instance.run("stop").returncode == 0

    result = instance.run("ensure")

    assert result.returncode == 0, result.stderr
    assert "creating a cluster" not in result.stderr
    assert json.loads((instance.state_dir / "cluster.json").read_text()) == marker
    assert instance.run("status").returncode == 0


def test_ensure_refuses_a_port_other_than_the_one_its_server_runs_on(server: Instance) -> None:
    other = free_port()

    result = server.run("ensure", "--port", str(other))

    assert result.returncode == 1
    assert f"already runs on port {server.port}, not {other}" in result.stderr
