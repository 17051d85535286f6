"""`python -m tests.emulators`: serves on loopback until killed, reports at exit, seeds Neon projects."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.emulators.cli import main

REPO_ROOT = Path(__file__).resolve().parents[2]
AUTH = {"Authorization": "Bearer test-token"}


def start(*args: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "tests.emulators", *args],
        cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def stop(process: subprocess.Popen) -> tuple[str, str]:
    process.send_signal(signal.SIGTERM)
    try:
        return process.communicate(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()


def test_cli_serves_until_terminated_and_writes_stats(tmp_path):
    stats_file = tmp_path / "stats.json"
    process = start("koyeb", "--stats-file", str(stats_file))
    try:
        base_url = process.stdout.readline().strip()
        status = httpx.get(f"{base_url}/v1/apps", headers=AUTH, verify=False).status_code
    finally:
        _, stderr = stop(process)
    stats = json.loads(stats_file.read_text())
    assert (base_url.startswith("http://127.0.0.1:"), status, process.returncode, stats["checked"]) == (True, 200, 0, 1)
    assert "API emulator conformance: 1 requests checked" in stderr


def test_cli_seeds_neon_projects_and_prints_their_ids():
    process = start("neon", "--project", "stagecraft")
    try:
        base_url = process.stdout.readline().strip()
        _, name, project_id = process.stdout.readline().split()
        project = httpx.get(f"{base_url}/projects/{project_id}", headers=AUTH, verify=False).json()["project"]
    finally:
        stop(process)
    assert (name, project["name"]) == ("stagecraft", "stagecraft")


def test_cli_applies_a_random_fault_rate():
    process = start("upstash", "--faults-rate", "1", "--fault-kinds", "503", "--seed", "4")
    try:
        base_url = process.stdout.readline().strip()
        status = httpx.get(f"{base_url}/v2/redis/databases", auth=("a@b.c", "k"), verify=False).status_code
    finally:
        stop(process)
    assert status == 503


def test_cli_writes_a_ready_file(tmp_path):
    ready = tmp_path / "ready.json"
    process = start("neon", "--project", "stagecraft", "--ready-file", str(ready))
    try:
        base_url = process.stdout.readline().strip()
        facts = json.loads(ready.read_text())
    finally:
        stop(process)
    assert (facts["base_url"], list(facts["projects"])) == (base_url, ["stagecraft"])


def test_cli_refuses_projects_for_other_apis(capsys):
    assert main(["koyeb", "--project", "x"]) == 2
    assert "--project only applies to the neon emulator" in capsys.readouterr().err


def test_cli_refuses_an_unknown_api():
    with pytest.raises(SystemExit):
        main(["heroku"])
