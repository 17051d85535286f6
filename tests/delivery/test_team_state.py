"""State for teams on an S3-compatible bucket (moto's S3 server on loopback standing in for R2): `make login-team`'s
script logs the real engine in with `s3://<bucket>?endpoint=…&s3ForcePathStyle=true`, two stacks deploy at once, and a
second concurrent `up` of one stack is refused by the engine's stack lock without losing anything.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import boto3
import pytest

from tests.engine.cli import engine_env
from tests.machine import closed_port

pytestmark = pytest.mark.engine

ROOT = Path(__file__).resolve().parents[2]
TINY = Path(__file__).resolve().parent / "projects" / "tiny"
BUCKET = "stagecraft-state"
KEYS = {"AWS_ACCESS_KEY_ID": "testing-key", "AWS_SECRET_ACCESS_KEY": "testing-secret"}


@pytest.fixture(scope="module")
def s3():
    """moto's S3 server with the state bucket."""
    from moto.server import ThreadedMotoServer

    port = closed_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", **{
        "aws_access_key_id": KEYS["AWS_ACCESS_KEY_ID"], "aws_secret_access_key": KEYS["AWS_SECRET_ACCESS_KEY"]})
    client.create_bucket(Bucket=BUCKET)
    yield endpoint, client
    server.stop()


@pytest.fixture(scope="module")
def team(s3, tmp_path_factory):
    """The tiny project, logged in to the bucket by bootstrap/login_team.sh (its own PULUMI_HOME)."""
    endpoint, client = s3
    work = tmp_path_factory.mktemp("team")
    project = work / "tiny"
    shutil.copytree(TINY, project)
    (project / "Pulumi.yaml").write_text(f"name: tiny\nruntime:\n  name: python\n  options:\n"
                                         f"    virtualenv: {ROOT / '.venv'}\n")
    (work / "markers").mkdir()
    env = engine_env("unused", "team-passphrase")
    env.pop("PULUMI_BACKEND_URL")
    env.update(KEYS, PULUMI_HOME=str(work / "home"), STAGECRAFT_STATE_BUCKET=BUCKET,
               STAGECRAFT_STATE_ENDPOINT=endpoint, STAGECRAFT_STATE_REGION="us-east-1")
    login = subprocess.run(["bash", str(ROOT / "bootstrap" / "login_team.sh")], cwd=project, env=env,
                           capture_output=True, text=True, timeout=120)
    assert login.returncode == 0, login.stdout + login.stderr
    return project, env, work / "markers", client


def _pulumi(team, *args, extra=None) -> subprocess.CompletedProcess:
    project, env, _, _ = team
    return subprocess.run(["pulumi", *args, "--non-interactive"], cwd=project, env={**env, **(extra or {})},
                          capture_output=True, text=True, timeout=300)


def _start(team, *args, extra=None) -> subprocess.Popen:
    project, env, _, _ = team
    return subprocess.Popen(["pulumi", *args, "--non-interactive"], cwd=project, env={**env, **(extra or {})},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _init(team, stack: str) -> None:
    _, _, markers, _ = team
    for args in (("stack", "init", stack), ("config", "set", "markerFolder", str(markers), "-s", stack)):
        done = _pulumi(team, *args)
        assert done.returncode == 0, done.stdout + done.stderr


def _keys(client, prefix: str) -> list:
    return [o["Key"] for o in client.list_objects_v2(Bucket=BUCKET, Prefix=prefix).get("Contents", [])]


def test_login_writes_the_bucket_url_with_path_style_and_endpoint(team, s3):
    done = _pulumi(team, "whoami", "-v")
    assert done.returncode == 0, done.stderr
    assert f"s3://{BUCKET}?endpoint={s3[0]}&s3ForcePathStyle=true&region=us-east-1&disableSSL=true" in done.stdout


def test_login_without_the_bucket_names_what_to_set(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STAGECRAFT_STATE", "AWS_"))}
    done = subprocess.run(["bash", str(ROOT / "bootstrap" / "login_team.sh")], env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2 and "set STAGECRAFT_STATE_BUCKET STAGECRAFT_STATE_ENDPOINT" in done.stderr


def test_two_stacks_deploy_concurrently(team):
    _, _, markers, client = team
    for stack in ("team-a", "team-b"):
        _init(team, stack)
    running = [_start(team, "up", "--yes", "--skip-preview", "-s", s, extra={"TINY_MARKER_DELAY": "3"})
               for s in ("team-a", "team-b")]
    outputs = [p.communicate(timeout=300)[0] for p in running]
    assert [p.returncode for p in running] == [0, 0], "\n".join(outputs)
    assert {p.name for p in markers.glob("team-*.marker")} == {"team-a.marker", "team-b.marker"}
    assert any("team-a" in k for k in _keys(client, ".pulumi/stacks/")) and any("team-b" in k for k in
                                                                                _keys(client, ".pulumi/stacks/"))


def test_second_concurrent_up_of_one_stack_is_refused_by_the_lock_and_loses_nothing(team):
    _, _, markers, client = team
    _init(team, "team-lock")
    assert _pulumi(team, "up", "--yes", "--skip-preview", "-s", "team-lock").returncode == 0
    assert _pulumi(team, "config", "set", "generation", "2", "-s", "team-lock").returncode == 0
    first = _start(team, "up", "--yes", "--skip-preview", "-s", "team-lock", extra={"TINY_MARKER_DELAY": "8"})
    deadline = time.monotonic() + 60
    while not _keys(client, ".pulumi/locks/") and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _keys(client, ".pulumi/locks/"), "the first update never took the lock"
    second = _pulumi(team, "up", "--yes", "--skip-preview", "-s", "team-lock")
    first_output = first.communicate(timeout=300)[0]
    assert second.returncode != 0 and "the stack is currently locked by 1 lock(s)" in second.stdout + second.stderr
    assert first.returncode == 0, first_output
    assert (markers / "team-lock.marker").read_text() == "team-lock 2"
    outputs = _pulumi(team, "stack", "output", "generation", "-s", "team-lock")
    assert outputs.stdout.strip() == "2"
    assert _keys(client, ".pulumi/locks/") == []
    again = _pulumi(team, "up", "--yes", "--skip-preview", "-s", "team-lock")
    assert again.returncode == 0 and "unchanged" in again.stdout
