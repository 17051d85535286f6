"""The preprod stack on the real engine against emulated Railway and Expo EAS: its components, the stack's EAS
channel and the builds of the stand-in product with preprod's values, laid out as the Vercel Build Output the
deployments upload (the Vercel deployments themselves need the pulumiverse-vercel plugin, which cannot be had
offline: they run under mocks in tests/unit/test_preprod_program.py).
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
from contextlib import ExitStack
from pathlib import Path

import psycopg
import pytest

from providers.local.env_file import parse_dotenv
from settings.inventory import DEFAULT_FRONTENDS
from tests.engine.cli import PROJECT_ROOT, ProjectCopy
from tests.engine.emulated_preprod import EmulatedPreprodAccounts, preprod_config, preprod_dynamic_stack

pytestmark = pytest.mark.engine

EXPECTED = {"railway.projects": 1, "railway.environments": 1, "railway.services": 3, "railway.domains": 1,
            "railway.volumes": 3, "eas.branches": 1, "eas.channels": 1}
EMPTY = {key: 0 for key in ("railway.projects", "railway.environments", "railway.services", "railway.instances",
                            "railway.variables", "railway.domains", "railway.volumes", "railway.volume_instances",
                            "eas.branches", "eas.channels")}
IMAGE = "ghcr.io/weedgo/backend:1.0.0"
NEW_IMAGE = "ghcr.io/weedgo/backend:1.0.1"


def _assert_exactly_the_stack(accounts: EmulatedPreprodAccounts) -> None:
    counts = accounts.counts()
    assert {k: counts[k] for k in EXPECTED} == EXPECTED, counts


def _api_deployments(accounts: EmulatedPreprodAccounts) -> list[dict]:
    api = [s["id"] for s in accounts.railway.objects("services") if s["name"].endswith("-api")]
    return [d for d in accounts.railway.objects("deployments") if d["serviceId"] in api]


def _meta(page: str, name: str) -> str:
    found = re.search(rf'<meta name="stagecraft:{name}" content="([^"]*)"', page)
    assert found, f"no stagecraft:{name} meta tag in the page"
    return found.group(1)


def _assert_every_build_is_preprods_prebuilt_output(project: ProjectCopy, outputs: dict, apps: int) -> None:
    for app in DEFAULT_FRONTENDS[:apps]:
        prebuilt = outputs["apps"][app.name]["prebuilt"]
        output = project.root / prebuilt["path"] / ".vercel" / "output"
        page = (output / "static" / "index.html").read_text()
        assert (_meta(page, "api-url"), _meta(page, "environment"), _meta(page, "variant")) == (
            outputs["api"]["url"], "preprod", app.variant or "")
        assert json.loads((output / "config.json").read_text())["version"] == 3
        for key, size_sha in prebuilt["files"].items():  # what vercel.Deployment would read and upload
            data = (project.root / key).read_bytes()
            assert size_sha == f"{len(data)}~{hashlib.sha1(data).hexdigest()}"


def _stagecraft_env(project: ProjectCopy, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(PROJECT_ROOT / ".venv" / "bin" / "stagecraft"), "env", "-s", project.stack,
                           "--project", str(project.root), "--out", str(out)],
                          env=project.env, capture_output=True, text=True, timeout=300)


def _assert_env_files_equal_the_outputs(project: ProjectCopy, outputs: dict, out: Path, apps: int) -> None:
    done = _stagecraft_env(project, out)
    assert done.returncode == 0, done.stderr
    folder = out / "preprod"
    files = sorted(folder.iterdir())
    assert len(files) == apps + 2 and {f.stat().st_mode & 0o777 for f in files} == {0o600}
    backend = parse_dotenv((folder / ".env.backend").read_text())
    assert backend == {"ENVIRONMENT": "preprod", "DATABASE_URL": outputs["database"]["connectionUri"],
                       "REDIS_URL": outputs["redis"]["url"], "JWT_SECRET": outputs["jwtSecret"],
                       "STORAGE_PLATFORM": "railway-volume", "STORAGE_BUCKET": outputs["storage"]["bucket"],
                       "STORAGE_ENDPOINT": outputs["storage"]["endpoint"]}
    for app in DEFAULT_FRONTENDS[:apps]:
        assert parse_dotenv((folder / f".env.{app.name}").read_text()) == {
            "VITE_API_URL": outputs["api"]["url"], "VITE_ENVIRONMENT": "preprod",
            **({"VITE_VARIANT": app.variant} if app.variant else {})}
    assert json.loads((folder / "eas.json").read_text()) == {"build": {"preprod": {"channel": "preprod", "env": {
        "EXPO_PUBLIC_API_URL": outputs["api"]["url"], "EXPO_PUBLIC_ENVIRONMENT": "preprod"}}}}


def _lifecycle(project: ProjectCopy, accounts: EmulatedPreprodAccounts, apps: int, out: Path) -> None:
    project.preview().check()
    assert accounts.mutations() == 0  # a preview plans; it never changes the accounts
    project.up().check()
    _assert_exactly_the_stack(accounts)
    outputs = project.outputs()
    with psycopg.connect(outputs["database"]["connectionUri"]) as conn:
        installed = {r[0] for r in conn.execute("SELECT extname FROM pg_extension")}
    assert {"vector", "pg_trgm", "uuid-ossp"} <= installed
    assert outputs["mobile"] == {"channel": "preprod", "branch": "preprod", "apiUrl": outputs["api"]["url"]}
    _assert_every_build_is_preprods_prebuilt_output(project, outputs, apps)
    _assert_env_files_equal_the_outputs(project, outputs, out, apps)

    before = accounts.mutations()
    project.up("--expect-no-changes").check()
    assert accounts.mutations() == before
    project.refresh("--expect-no-changes").check()

    deployments = len(_api_deployments(accounts))
    project.write_config(preprod_config(accounts, image=NEW_IMAGE, apps=apps))
    project.up().check()
    rolled = _api_deployments(accounts)
    assert len(rolled) == deployments + 1  # exactly one new Railway deployment
    assert rolled[-1]["meta"]["image"] == NEW_IMAGE and project.outputs()["api"]["image"] == NEW_IMAGE
    # The frontends were built with the API URL only: a new image rebuilds and re-lays out none of them.
    assert {a["prebuilt"]["path"] for a in project.outputs()["apps"].values()} == {
        a["prebuilt"]["path"] for a in outputs["apps"].values()}
    _assert_exactly_the_stack(accounts)

    project.destroy().check()
    assert {k: v for k, v in accounts.counts().items() if k in EMPTY} == EMPTY
    assert not any((project.root / ".stagecraft" / "vercel").iterdir())


def test_up_noop_refresh_image_update_destroy_leaves_the_accounts_empty(tmp_path):
    with ExitStack() as stack:
        accounts = EmulatedPreprodAccounts(stack)
        _lifecycle(preprod_dynamic_stack(tmp_path, accounts, apps=3), accounts, 3, tmp_path / "env")


def test_with_faults_at_a_fixed_rate_the_same_sequence_converges_without_duplicates(tmp_path):
    with ExitStack() as stack:
        accounts = EmulatedPreprodAccounts(stack)
        for seed, emulator in enumerate(accounts.emulators().values()):
            emulator.inject_rate(0.15, seed=seed + 21, kinds=("429", "500", "503", "drop_after_action"),
                                 retry_after=1)
        _lifecycle(preprod_dynamic_stack(tmp_path, accounts, apps=1), accounts, 1, tmp_path / "env")


def test_bad_preprod_input_is_refused_by_preview_naming_every_key_before_anything_changes(tmp_path):
    with ExitStack() as stack:
        accounts = EmulatedPreprodAccounts(stack)
        config = {key: value for key, value in _committed_preprod_config().items()}
        config["stagecraft:backend"] = {"platform": "railway", "image": IMAGE,
                                        "railway": {"region": "eu-west-1", "numReplicas": 1}}
        config["stagecraft:mobile"] = {"projectId": "weedgo-mobile"}
        config["stagecraft:vercel"] = {"projectNamePrefix": "weedgo-preprod-frontends-for-the-store"}
        project = ProjectCopy(tmp_path / "project", "preprod", config, passphrase="preprod-test-passphrase",
                              extra_env={**accounts.env, "VERCEL_API_TOKEN": "v-test"})
        result = project.preview()
        assert result.returncode != 0 and "Traceback" not in result.output
        for text in ("stagecraft:backend.railway.region: 'eu-west-1' is not a Railway region",
                     "pulumi config set --path 'stagecraft:backend.railway.region' us-west2 -s preprod",
                     "stagecraft:mobile.projectId: 'weedgo-mobile' is not an EAS project id"):
            assert text in result.output, result.output[-3000:]
        config["stagecraft:mobile"] = {"projectId": accounts.app_id}
        config["stagecraft:backend"]["railway"] = {"numReplicas": 2}
        project.write_config(config)
        result = project.preview()
        assert result.returncode != 0
        for text in ("stagecraft:backend.railway.numReplicas: Railway's free plan runs at most 1 replica",
                     "stagecraft:vercel.projectNamePrefix: prefix 'weedgo-preprod-frontends-for-the-store'",
                     "1-52 lower-case letters, digits and dashes"):
            assert text in result.output, result.output[-3000:]
        assert accounts.mutations() == 0 and sum(len(e.requests) for e in accounts.emulators().values()) == 0
        assert project.resource_count() == 0


def _committed_preprod_config() -> dict:
    import yaml

    return dict(yaml.safe_load((PROJECT_ROOT / "Pulumi.preprod.yaml").read_text())["config"])
