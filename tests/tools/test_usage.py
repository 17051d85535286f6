"""`stagecraft usage` against the platforms' emulators (every request checked against the vendor's spec).

Each emulator is set to known usage; the readings must be those figures against the allowances of
policies/limits, at the right level (80 % warns, 100 % errs).
"""

from __future__ import annotations

import functools
import json
import subprocess
from contextlib import ExitStack

import pytest

from providers._http import BACKOFF_SCALE_VAR, MAX_ATTEMPTS_VAR, TIMEOUT_VAR
from tests.emulators import KoyebEmulator, NeonEmulator, UpstashEmulator
from tests.emulators.railway import RailwayEmulator
from tests.emulators.supabase import SupabaseEmulator
from tests.emulators.support import loopback_client
from tests.machine import PROJECT_ROOT, project_admin_url
from tools.ops.usage.allowances import Allowances
from tools.ops.usage.report import read_platforms

ADMIN_URL = functools.cache(project_admin_url)
FAST = {BACKOFF_SCALE_VAR: "0.001", TIMEOUT_VAR: "5", MAX_ATTEMPTS_VAR: "2"}
KOYEB_SERVICE = {"type": "WEB", "docker": {"image": "ghcr.io/stagecraft/api:1.0.0"}, "regions": ["fra"],
                 "instance_types": [{"type": "free"}], "scalings": [{"min": 0, "max": 1}],
                 "ports": [{"port": 8000, "protocol": "http"}], "routes": [{"port": 8000, "path": "/"}]}
SUPABASE_PROJECT = {"name": "stagecraft-beta", "organization_slug": "stagecraft-org", "db_pass": "p4ss-w0rd-long-enough",
                    "region_selection": {"type": "specific", "code": "eu-central-1"}}


def _platform(environ, name):
    return next(p for p in read_platforms(environ) if p.platform == name)


def _readings(platform):
    return {r.id: (round(r.used, 6), r.limit, r.level) for r in platform.readings}


@pytest.fixture
def neon():
    emu = NeonEmulator(api_key="neon-key")
    with emu.serve() as url:
        yield emu, {**FAST, "NEON_API_URL": url, "NEON_API_KEY": "neon-key"}
    assert emu.response_mismatches == []


@pytest.fixture
def upstash():
    emu = UpstashEmulator(email="ops@example.com", api_key="upstash-key")
    with emu.serve() as url:
        yield emu, url, {**FAST, "UPSTASH_API_URL": url, "UPSTASH_EMAIL": "ops@example.com", "UPSTASH_API_KEY": "upstash-key"}
    assert emu.response_mismatches == []


def test_neon_consumption_is_read_per_project_against_the_free_plan(neon):
    emu, environ = neon
    project = emu.add_project("stagecraft")
    emu.set_consumption(project, synthetic_storage_size=300_000_000, compute_time_seconds=85 * 3600,
                        data_transfer_bytes=6_000_000_000)
    platform = _platform(environ, "neon")
    assert platform.state == "measured"
    assert _readings(platform) == {
        "neon.projects": (1, 100, "ok"),
        "neon.storage-gb": (0.3, 0.5, "ok"),
        "neon.compute-cu-hours": (85, 100, "warning"),
        "neon.egress-gb": (6, 5, "error"),
        "neon.branches-per-project": (1, 10, "ok"),
    }
    assert all(r.scope == f"project stagecraft ({project})" for r in platform.readings if r.id != "neon.projects")


def test_upstash_stats_of_the_free_database_are_read(upstash):
    emu, url, environ = upstash
    with loopback_client(url, auth=("ops@example.com", "upstash-key")) as client:
        created = client.post("/redis/database", json={"database_name": "stagecraft-uat", "platform": "aws",
                                                        "primary_region": "us-east-1", "plan": "free", "tls": True})
        assert created.status_code == 200, created.text
    database_id = created.json()["database_id"]
    emu.set_usage(database_id, total_monthly_requests=400_000, total_monthly_bandwidth=2_000_000_000,
                  current_storage=300_000_000)
    assert _readings(_platform(environ, "upstash")) == {
        "upstash.free-databases": (1, 1, "error"),
        "upstash.commands-per-month": (400_000, 500_000, "warning"),
        "upstash.bandwidth-gb": (2, 10, "ok"),
        "upstash.data-mb": (300, 256, "error"),
    }


def test_koyeb_counts_the_free_instance_running_now():
    emu = KoyebEmulator(token="koyeb-token", organization="acme")
    with emu.serve() as url, loopback_client(url, headers={"Authorization": "Bearer koyeb-token"}) as client:
        app = client.post("/v1/apps", json={"name": "stagecraft-uat"}).json()["app"]
        service = client.post("/v1/services", json={"app_id": app["id"], "name": "api", "definition": KOYEB_SERVICE})
        assert service.status_code == 200, service.text
        client.get(f"/v1/services/{service.json()['service']['id']}")
        platform = _platform({**FAST, "KOYEB_API_URL": url, "KOYEB_TOKEN": "koyeb-token"}, "koyeb")
    assert _readings(platform) == {"koyeb.free-instances": (1, 1, "error")}
    assert "running: api" in platform.readings[0].scope
    assert emu.response_mismatches == []


def test_supabase_projects_database_and_file_sizes_are_read_and_the_rest_said_unreadable():
    emu = SupabaseEmulator(postgres_admin_url=ADMIN_URL(), token="sbp_test")
    emu.add_organization("stagecraft-org")
    try:
        with emu.serve() as url, loopback_client(url, headers={"Authorization": "Bearer sbp_test"}) as client:
            ref = client.post("/v1/projects", json=SUPABASE_PROJECT).json()["ref"]
            for _ in range(10):
                if client.get(f"/v1/projects/{ref}").json()["status"] == "ACTIVE_HEALTHY":
                    break
            # Every Supabase database has Storage's `storage.objects` table; here the test lays out its rows.
            done = client.post(f"/v1/projects/{ref}/database/query", json={"query": (
                "create schema storage; create table storage.objects (id serial, bucket_id text, name text, "
                "metadata jsonb); insert into storage.objects (bucket_id, name, metadata) values "
                "('media', 'a.png', '{\"size\": 600000000}'), ('media', 'b.png', '{\"size\": 250000000}')")})
            assert done.status_code == 201, done.text
            platform = _platform({**FAST, "SUPABASE_API_URL": url, "SUPABASE_ACCESS_TOKEN": "sbp_test"}, "supabase")
            size = client.post(f"/v1/projects/{ref}/database/query/read-only", json={
                "query": "select pg_database_size(current_database()) as bytes"}).json()[0]["bytes"]
    finally:
        emu.close()
    readings = _readings(platform)
    assert readings["supabase.free-projects"] == (1, 2, "ok")
    assert readings["supabase.storage-gb"] == (0.85, 1, "warning")
    assert readings["supabase.database-mb"] == (round(size / 1e6, 6), 500, "ok")
    assert set(platform.unmeasured) == {"supabase.egress-gb", "supabase.auth-mau"}
    assert "no egress figure" in platform.unmeasured["supabase.egress-gb"]


def test_railway_current_usage_is_read_against_the_free_credit():
    emu = RailwayEmulator(token="rw-token")
    emu.set_current_usage(0.85)
    with emu.serve() as url:
        platform = _platform({**FAST, "RAILWAY_API_URL": url, "RAILWAY_API_TOKEN": "rw-token"}, "railway")
    assert _readings(platform) == {"railway.usage-usd": (0.85, 1, "warning")}
    assert "rate-limit headers" in platform.unmeasured["railway.api-requests-per-hour"]


def test_railway_on_a_paid_plan_is_not_judged_against_the_free_credit():
    emu = RailwayEmulator(token="rw-token", plan="hobby")
    with emu.serve() as url:
        platform = _platform({**FAST, "RAILWAY_API_URL": url, "RAILWAY_API_TOKEN": "rw-token",
                              "RAILWAY_WORKSPACE_ID": "ws-stagecraft"}, "railway")
    assert platform.readings == [] and "HOBBY plan" in platform.unmeasured["railway.usage-usd"]


def test_without_credentials_a_platform_says_which_variables_to_set_and_gives_no_numbers():
    platform = _platform({}, "neon")
    assert platform.state == "no-credentials" and "NEON_API_KEY" in platform.message and platform.readings == []


def test_a_failing_usage_api_is_reported_as_failed_without_numbers(neon):
    emu, environ = neon
    emu.add_project("stagecraft")
    platform = _platform({**environ, "NEON_API_KEY": "wrong-key"}, "neon")
    assert platform.state == "failed" and "401" in platform.message and platform.readings == []


def test_platforms_without_a_usage_api_say_so_instead_of_a_number():
    platforms = {p.platform: p for p in read_platforms({})}
    assert platforms["netlify"].state == "no-usage-api" and "no usage" in platforms["netlify"].message
    for name in ("render", "cloudflare", "vercel"):
        assert platforms[name].state == "not-read" and platforms[name].readings == []
        assert set(platforms[name].unmeasured) == set(Allowances().ids(name))


def test_every_allowance_comes_from_the_policy_packs_limits_tables(neon):
    emu, environ = neon
    emu.add_project("stagecraft")
    allowances = Allowances()
    for reading in _platform(environ, "neon").readings:
        assert reading.limit == allowances.get(reading.id).limit and "as of" in reading.source


def test_the_command_prints_warnings_and_errors_writes_the_json_and_fails_on_an_error(upstash, tmp_path):
    import jsonschema

    from tools.ops.report_json import SCHEMA_PATH

    emu, url, environ = upstash
    with loopback_client(url, auth=("ops@example.com", "upstash-key")) as client:
        database_id = client.post("/redis/database", json={"database_name": "d", "platform": "aws", "tls": True,
                                                            "primary_region": "us-east-1", "plan": "free"}).json()["database_id"]
    emu.set_usage(database_id, total_monthly_requests=450_000)
    import os

    done = subprocess.run([str(PROJECT_ROOT / ".venv" / "bin" / "stagecraft"), "usage", "--json", str(tmp_path / "u.json")],
                          capture_output=True, text=True, env={"PATH": os.environ["PATH"], **environ}, timeout=120)
    assert done.returncode == 1, done.stderr
    assert "90 %  WARNING" in done.stdout and "100 %  ERROR" in done.stdout
    assert "Netlify: no-usage-api" in done.stdout
    usage = json.loads((tmp_path / "u.json").read_text())
    schema = json.loads(SCHEMA_PATH.read_text())
    jsonschema.Draft202012Validator({"$defs": schema["$defs"], "$ref": "#/$defs/usage"}).validate(usage)
    assert usage["worst"] == "error"
