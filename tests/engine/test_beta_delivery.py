"""beta delivers the product (issue 9): on the real engine against emulated Netlify, Render and Supabase on loopback.

The beta program's own resources go through `up`: every deployed page is fetched over HTTP from the emulated
Netlify; the dashboard-made Render service runs the configured image with every setting; the Supabase project's
real database has the three extensions. A no-op `up` writes nothing, `refresh` finds no change, an image update and
a secret rotation each roll exactly one new Render deploy, and `destroy` leaves the accounts as they were, the
dashboard-made service in place with its own settings back.
"""

from __future__ import annotations

import re
from contextlib import ExitStack
from pathlib import Path

import pytest

from settings.inventory import DEFAULT_FRONTENDS
from tests.emulators.support import loopback_client
from tests.engine.cli import ProjectCopy
from tests.engine.emulated_beta import DASHBOARD_ENV, DASHBOARD_IMAGE, EmulatedBetaAccounts, beta_config, beta_dynamic_stack

pytestmark = pytest.mark.engine

API_URL = "https://weedgo-api.onrender.com"
IMAGE, NEXT_IMAGE = "ghcr.io/weedgo/backend:1.0.0", "ghcr.io/weedgo/backend:1.0.1"
SETTINGS = {"ENVIRONMENT", "STORAGE_PLATFORM", "STORAGE_BUCKET", "STORAGE_ENDPOINT", "DATABASE_URL", "REDIS_URL",
            "JWT_SECRET", "STORAGE_SERVICE_KEY", "PORT", "STAGECRAFT_OWNER"}


def _expected_names(apps: int) -> dict[str, list[str] | int]:
    return {
        "netlify.sites": sorted(f"stagecraft-beta-{app.name}" for app in DEFAULT_FRONTENDS[:apps]),
        "netlify.env": ["STAGECRAFT_OWNER"] * apps,
        "render.services": [],
        "render.key_values": ["stagecraft-beta-cache"],
        "supabase.projects": ["stagecraft-beta"],
        "supabase-storage.buckets": ["stagecraft-beta-uploads"],
    }


def _assert_exactly_the_stack(accounts: EmulatedBetaAccounts, apps: int) -> None:
    created = accounts.created()
    for key, expected in _expected_names(apps).items():
        assert created[key] == expected, (key, created[key])


def _meta(page: str, name: str) -> str:
    found = re.search(rf'<meta name="stagecraft:{name}" content="([^"]*)"', page)
    assert found, f"no stagecraft:{name} meta tag in the page"
    return found.group(1)


def _assert_every_page_is_this_stacks_build(accounts: EmulatedBetaAccounts, outputs: dict, apps: int) -> None:
    with loopback_client(accounts.netlify_url) as web:
        for app in DEFAULT_FRONTENDS[:apps]:
            url = outputs["apps"][app.name]["url"]
            response = web.get("/", headers={"Host": url.removeprefix("https://")})
            assert response.status_code == 200, (url, response.status_code)
            assert (_meta(response.text, "api-url"), _meta(response.text, "environment"),
                    _meta(response.text, "variant")) == (API_URL, "beta", app.variant or "")


def _assert_the_service_runs(accounts: EmulatedBetaAccounts, outputs: dict, image: str) -> dict:
    runs = accounts.render.live_deploy(accounts.service_id)
    assert (runs["image"], runs["healthCheckPath"], set(runs["env"])) == (image, "/api/health", SETTINGS)
    assert (runs["env"]["DATABASE_URL"], runs["env"]["REDIS_URL"], runs["env"]["JWT_SECRET"]) == (
        outputs["databaseUrl"], outputs["redisUrl"], outputs["jwtSecret"])
    assert (runs["env"]["PORT"], runs["env"]["STAGECRAFT_OWNER"], runs["env"]["ENVIRONMENT"]) == (
        "8000", "stagecraft/beta", "beta")
    ref = outputs["supabaseRef"]
    key = next(k["api_key"] for k in accounts.supabase.project_keys(ref) if k["type"] == "secret")
    assert runs["env"]["STORAGE_SERVICE_KEY"] == key
    assert runs["env"]["STORAGE_ENDPOINT"] == accounts.env["SUPABASE_STORAGE_URL_TEMPLATE"].replace("{ref}", ref)
    return runs


def _unchanged(result) -> None:
    """The run changed nothing; otherwise fail naming what it changed (the lines of the diff, not just its tail)."""
    if result.returncode != 0:
        changed = [line for line in result.output.splitlines() if line.strip()[:1] in ("~", "+", "-", "±")
                   or "[diff:" in line]
        raise AssertionError("changes where none were expected:\n" + "\n".join(changed[:80])
                             + "\n" + result.output[-2000:])


def _render_deploys(accounts: EmulatedBetaAccounts) -> int:
    return len(accounts.render.objects("deploys"))


def _lifecycle(project: ProjectCopy, accounts: EmulatedBetaAccounts, apps: int) -> None:
    project.preview().check()
    assert accounts.writes() == 0  # a preview plans; it never changes the accounts
    project.up().check()
    _assert_exactly_the_stack(accounts, apps)
    outputs = project.outputs()
    assert outputs["apiUrl"] == API_URL
    _assert_every_page_is_this_stacks_build(accounts, outputs, apps)
    _assert_the_service_runs(accounts, outputs, IMAGE)
    assert {"vector", "pg_trgm", "uuid-ossp"} <= set(accounts.supabase.extensions(outputs["supabaseRef"]))

    writes = accounts.writes()
    _unchanged(project.up("--expect-no-changes", "--diff"))
    assert accounts.writes() == writes  # nothing built, uploaded or written
    _unchanged(project.refresh("--expect-no-changes", "--diff"))

    deploys = _render_deploys(accounts)
    project.write_config(beta_config(accounts, image=NEXT_IMAGE, apps=apps))
    project.up().check()
    assert _render_deploys(accounts) == deploys + 1  # the image update is one new Render deploy
    updated = project.outputs()
    _assert_the_service_runs(accounts, updated, NEXT_IMAGE)
    assert updated["apiDeploymentId"] != outputs["apiDeploymentId"]
    # The frontends were built with the backend URL only: a backend change redeploys none of them.
    assert {a["deploymentId"] for a in updated["apps"].values()} == {a["deploymentId"] for a in outputs["apps"].values()}

    project.write_config(beta_config(accounts, image=NEXT_IMAGE, jwtRotation="2026-12", apps=apps))
    project.up().check()
    rotated = project.outputs()
    assert rotated["jwtSecret"] != updated["jwtSecret"]
    assert _render_deploys(accounts) == deploys + 2  # the secret change is one more deploy
    _assert_the_service_runs(accounts, rotated, NEXT_IMAGE)
    _unchanged(project.refresh("--expect-no-changes", "--diff"))

    destroyed = project.destroy().check()
    assert "left it in place, unmanaged" in destroyed.output, destroyed.output[-3000:]
    assert accounts.snapshot() == accounts.baseline
    service = accounts.dashboard_service()
    assert (service["imagePath"], service["serviceDetails"]["healthCheckPath"], service["env"]) == (
        DASHBOARD_IMAGE, "", DASHBOARD_ENV)


def test_beta_delivers_every_app_and_rolls_the_backend_on_every_change(tmp_path: Path) -> None:
    apps = len(DEFAULT_FRONTENDS)
    with ExitStack() as stack:
        accounts = EmulatedBetaAccounts(stack)
        _lifecycle(beta_dynamic_stack(tmp_path, accounts, apps=apps), accounts, apps)


def test_with_faults_at_a_fixed_rate_the_same_sequence_converges_without_duplicates(tmp_path: Path) -> None:
    apps = 3
    with ExitStack() as stack:
        accounts = EmulatedBetaAccounts(stack)
        for seed, emulator in enumerate(accounts.emulators().values()):
            emulator.inject_rate(0.15, seed=seed + 21, kinds=("429", "500", "503", "drop_after_action"),
                                 retry_after=1)  # whole seconds, as real APIs send; the test scales waits down
        _lifecycle(beta_dynamic_stack(tmp_path, accounts, apps=apps), accounts, apps)
        fired = {api: len(emulator.faults.fired) for api, emulator in accounts.emulators().items()}
        # Netlify, Render and Supabase really answered with faults along the way (Storage sees a handful of calls).
        assert all(fired[api] for api in ("netlify", "render", "supabase")), fired
