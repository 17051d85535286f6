"""`stagecraft compare` as a user runs it: the console script, stacks read by the real engine, bad input."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.machine import PROJECT_ROOT, closed_port
from tests.tools.health_servers import Behaviour, Farm
from tests.tools.stacks import outputs_stack

STAGECRAFT = PROJECT_ROOT / ".venv" / "bin" / "stagecraft"


def _stagecraft(*args: str, env: dict | None = None, cwd: Path = PROJECT_ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([str(STAGECRAFT), *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=300)


def _refused(done: subprocess.CompletedProcess, *words: str) -> None:
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("stagecraft compare: "), done.stderr
    for word in words:
        assert word in lines[0]


@pytest.fixture
def stand_in():
    with Farm() as farm:
        yield farm.add("api", Behaviour(latencies_ms=(2.0,)))


def test_the_console_script_lists_its_commands():
    done = _stagecraft("--help")
    assert done.returncode == 0
    for command in ("compare", "failover", "db-sync", "usage"):
        assert f"    {command} " in done.stdout


@pytest.mark.engine
def test_stacks_are_probed_at_their_api_health_url_output(tmp_path, stand_in):
    project = outputs_stack(tmp_path / "project", "opsprobe", {
        "schemaVersion": 1, "environment": "uat", "stack": "opsprobe",
        "api": {"url": stand_in.base_url, "healthUrl": stand_in.health_url, "platform": "local"},
        "database": {"connectionUri": "postgresql://app:pw@127.0.0.1:1/app"}}, secrets=("database.connectionUri",))
    done = _stagecraft("compare", "--stacks", "opsprobe", "--samples", "3", "--out", str(tmp_path / "out"),
                       env=project.env)
    assert done.returncode == 0, done.stderr
    document = json.loads((tmp_path / "out" / "environment_comparison.json").read_text())
    assert document["environments"]["opsprobe"]["stack"] == "opsprobe"
    assert document["environments"]["opsprobe"]["successes"] == 3 and stand_in.behaviour.health_requests == 3


@pytest.mark.engine
def test_an_unknown_stack_is_one_clear_error_and_nothing_is_written(tmp_path):
    project = outputs_stack(tmp_path / "project", "known", {"schemaVersion": 1})
    done = _stagecraft("compare", "--stacks", "nosuchstack", "--out", str(tmp_path / "out"), env=project.env)
    _refused(done, "unknown stack 'nosuchstack'", "pulumi stack ls")
    assert not (tmp_path / "out").exists()


def test_a_stack_without_a_health_url_output_is_refused():
    from tools.ops.errors import OperationsError
    from tools.ops.targets import from_stacks

    with pytest.raises(OperationsError, match="no output api.healthUrl"):
        from_stacks(["uat"], lambda _stack: {"schemaVersion": 1})


@pytest.mark.parametrize("url, reason", [
    ("htp:/broken", "not an http(s) URL"),
    ("http://127.0.0.1:99999/api/health", "invalid port"),
    ("https:///api/health", "has no host"),
    ("http://exa mple.com/api/health", "contains spaces"),
    ("https://user:pw@example.com/api/health", "carries credentials"),
])
def test_a_malformed_url_in_the_endpoints_file_is_one_clear_error_and_nothing_is_written(tmp_path, stand_in, url, reason):
    endpoints = tmp_path / "endpoints.yaml"
    endpoints.write_text(f"good: {stand_in.health_url}\nbroken: '{url}'\n")
    done = _stagecraft("compare", "--endpoints", str(endpoints), "--out", str(tmp_path / "out"))
    _refused(done, "broken", reason)
    assert not (tmp_path / "out").exists() and stand_in.behaviour.health_requests == 0


def test_an_endpoints_file_that_is_not_a_map_is_refused(tmp_path):
    endpoints = tmp_path / "endpoints.yaml"
    endpoints.write_text("- http://127.0.0.1/api/health\n")
    _refused(_stagecraft("compare", "--endpoints", str(endpoints), "--out", str(tmp_path / "out")),
             "map of environment name to health URL")


def test_a_missing_endpoints_file_is_refused(tmp_path):
    _refused(_stagecraft("compare", "--endpoints", str(tmp_path / "nope.yaml"), "--out", str(tmp_path / "out")),
             "cannot read the file")


@pytest.mark.parametrize("history, reason", [
    (lambda tmp: f"postgresql://ops:pw@127.0.0.1:{closed_port()}/history", "cannot connect"),
    (lambda tmp: str(tmp / "missing-folder" / "history.sqlite"), "does not exist"),
    (lambda tmp: f"sqlite:///{tmp}", "is a folder"),
    (lambda tmp: "redis://127.0.0.1/0", "unsupported scheme"),
])
def test_a_history_that_cannot_be_opened_is_one_clear_error_and_nothing_is_written(tmp_path, stand_in, history, reason):
    endpoints = tmp_path / "endpoints.yaml"
    endpoints.write_text(f"api: {stand_in.health_url}\n")
    done = _stagecraft("compare", "--endpoints", str(endpoints), "--history", history(tmp_path),
                       "--out", str(tmp_path / "out"))
    _refused(done, "--history", reason)
    assert not (tmp_path / "out").exists() and not (tmp_path / "missing-folder").exists()
    assert stand_in.behaviour.health_requests == 0


def test_a_history_in_postgresql_works_like_sqlite(tmp_path, stand_in, scratch_database):
    endpoints = tmp_path / "endpoints.yaml"
    endpoints.write_text(f"api: {stand_in.health_url}\n")
    url = scratch_database("compare")
    for _ in range(2):
        done = _stagecraft("compare", "--endpoints", str(endpoints), "--history", url, "--samples", "4",
                           "--out", str(tmp_path / "out"))
        assert done.returncode == 0, done.stderr
    document = json.loads((tmp_path / "out" / "environment_comparison.json").read_text())
    assert document["environments"]["api"]["uptime"]["1h"] == 1.0
    import psycopg

    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT count(*) FROM stagecraft_probes").fetchone()[0] == 8


def test_samples_below_one_are_refused(tmp_path, stand_in):
    endpoints = tmp_path / "endpoints.yaml"
    endpoints.write_text(f"api: {stand_in.health_url}\n")
    _refused(_stagecraft("compare", "--endpoints", str(endpoints), "--samples", "0", "--out", str(tmp_path / "o")),
             "--samples must be at least 1")
