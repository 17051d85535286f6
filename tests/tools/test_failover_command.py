"""`stagecraft failover` configuration checks and `--once` for cron."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.machine import PROJECT_ROOT
from tests.tools.health_servers import Behaviour, Farm
from tools.ops.errors import OperationsError
from tools.ops.failover_config import load_config, resolve_backends

STAGECRAFT = PROJECT_ROOT / ".venv" / "bin" / "stagecraft"


def _write(path: Path, document) -> Path:
    path.write_text(yaml.safe_dump(document))
    return path


def _config(tmp_path: Path, **changes) -> dict:
    document = {"upstreamFile": str(tmp_path / "upstream.conf"), "state": str(tmp_path / "state.json"),
                "failAfter": 2, "recoverAfter": 2,
                "backends": [{"name": "uat", "health": "http://127.0.0.1:1/api/health", "server": "127.0.0.1:1", "weight": 90},
                             {"name": "beta", "health": "http://127.0.0.1:2/api/health", "server": "127.0.0.1:2", "weight": 10}]}
    document.update(changes)
    return document


def test_every_problem_in_the_configuration_is_named_by_its_key(tmp_path):
    document = _config(tmp_path, failAfter=0, interval=-1)
    document["backends"][1]["weight"] = 0
    document["backends"][0]["server"] = "not a server"
    with pytest.raises(OperationsError) as raised:
        load_config(_write(tmp_path / "f.yaml", document))
    message = str(raised.value)
    for key in ("failAfter", "interval", "backends[1].weight", "backends[0].server"):
        assert key in message


def test_an_unknown_key_is_refused(tmp_path):
    with pytest.raises(OperationsError, match="failafter"):
        load_config(_write(tmp_path / "f.yaml", _config(tmp_path, failafter=3)))


def test_a_backend_needs_health_and_server_or_a_stack(tmp_path):
    document = _config(tmp_path)
    del document["backends"][0]["server"]
    with pytest.raises(OperationsError, match=r"backends\[0\].*or `stack`"):
        load_config(_write(tmp_path / "f.yaml", document))


def test_a_stack_backend_takes_its_health_url_and_server_from_the_outputs(tmp_path):
    document = _config(tmp_path)
    document["backends"][1] = {"name": "beta", "stack": "beta", "weight": 10}
    config = load_config(_write(tmp_path / "f.yaml", document))
    outputs = {"api": {"url": "https://beta-api.onrender.com", "healthUrl": "https://beta-api.onrender.com/api/health"}}
    beta = resolve_backends(config, lambda stack: outputs)[1]
    assert (beta.health, beta.server) == ("https://beta-api.onrender.com/api/health", "beta-api.onrender.com:443")


def test_once_keeps_the_hysteresis_between_runs_and_prints_the_decision(tmp_path):
    with Farm() as farm:
        uat = farm.add("uat", Behaviour(latencies_ms=(1.0,), failing=True))
        beta = farm.add("beta", Behaviour(latencies_ms=(1.0,)))
        document = _config(tmp_path)
        document["backends"][0].update(health=uat.health_url, server=f"127.0.0.1:{uat.port}")
        document["backends"][1].update(health=beta.health_url, server=f"127.0.0.1:{beta.port}")
        config = _write(tmp_path / "f.yaml", document)
        outputs = []
        for _ in range(2):
            done = subprocess.run([str(STAGECRAFT), "failover", "--config", str(config), "--once"],
                                  capture_output=True, text=True, timeout=60)
            assert done.returncode == 0, done.stderr
            outputs.append(done.stdout)
    assert "routing: uat 90, beta 10" in outputs[0]
    assert "uat out of service after 2 probes in a row" in outputs[1]
    assert "routing: uat 90 (down), beta 10 (changed, written)" in outputs[1]
    assert json.loads((tmp_path / "state.json").read_text())["backends"]["uat"]["in_service"] is False


def test_once_without_a_state_file_is_refused(tmp_path):
    document = _config(tmp_path)
    del document["state"]
    done = subprocess.run([str(STAGECRAFT), "failover", "--config", str(_write(tmp_path / "f.yaml", document)), "--once"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "--once needs `state: <file>`" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "upstream.conf").exists()


def test_rounds_are_recorded_in_the_compare_history_when_asked(tmp_path):
    from tools.ops.history import open_history

    with Farm() as farm:
        uat = farm.add("uat", Behaviour(latencies_ms=(1.0,)))
        beta = farm.add("beta", Behaviour(latencies_ms=(1.0,)))
        document = _config(tmp_path, interval=0.05)
        document["backends"][0].update(health=uat.health_url, server=f"127.0.0.1:{uat.port}")
        document["backends"][1].update(health=beta.health_url, server=f"127.0.0.1:{beta.port}")
        config = _write(tmp_path / "f.yaml", document)
        history = tmp_path / "history.sqlite"
        done = subprocess.run([str(STAGECRAFT), "failover", "--config", str(config), "--rounds", "3",
                               "--history", str(history)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "stopped after 3 rounds; routing: uat 90, beta 10" in done.stdout
    with open_history(str(history)) as store:
        assert len(store.probes("uat", 0, 4e9)) == 3 and len(store.probes("beta", 0, 4e9)) == 3


def test_a_failed_reload_is_tried_again_next_round(tmp_path):
    attempts = tmp_path / "attempts"
    # Fails the first time it runs, succeeds afterwards.
    reload = f"echo x >> {attempts}; [ $(wc -l < {attempts}) -ge 2 ]"
    with Farm() as farm:
        uat = farm.add("uat", Behaviour(latencies_ms=(1.0,)))
        beta = farm.add("beta", Behaviour(latencies_ms=(1.0,)))
        document = _config(tmp_path, interval=0.05, reloadCommand=["sh", "-c", reload])
        document["backends"][0].update(health=uat.health_url, server=f"127.0.0.1:{uat.port}")
        document["backends"][1].update(health=beta.health_url, server=f"127.0.0.1:{beta.port}")
        done = subprocess.run([str(STAGECRAFT), "failover", "--config", str(_write(tmp_path / "f.yaml", document)),
                               "--rounds", "3"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "reload failed" in done.stdout and "retried next round" in done.stdout
    assert attempts.read_text().count("x") == 2
