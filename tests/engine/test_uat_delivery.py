"""uat delivers the product (issue 7): on the real engine against the emulated platforms on loopback.

The uat program's own resources (Koyeb, Neon, Upstash, the builds of the stand-in product and their Cloudflare
Pages deployments) go through `up`; every deployed page is fetched over HTTP from the emulated Pages; a no-op
`up` builds, uploads and writes nothing; a rotated JWT secret rolls exactly one Koyeb deployment; a failing image
fails `up` with Koyeb's reason while the previous one keeps serving; `destroy` leaves every account as it was.
"""

from __future__ import annotations

import re
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest

from providers.koyeb.ownership import SECRETS_DIGEST_ENV as DIGEST_KEY
from settings.inventory import DEFAULT_FRONTENDS
from tests.emulators.support import loopback_client
from tests.engine.cli import ProjectCopy
from tests.engine.emulated_uat import BUILD_CACHE, EmulatedAccounts, uat_config, uat_dynamic_stack

pytestmark = pytest.mark.engine

API_HOST = "stagecraft-uat-api-stagecraft.koyeb.app"
FAILING_IMAGE = "ghcr.io/weedgo/backend:1.0.1-broken"
FAILURE = "Application exited with code 3: ModuleNotFoundError: No module named 'product_api'"


def _expected_names(apps: int) -> dict[str, list[str] | int]:
    sites = sorted(f"stagecraft-uat-{app.name}" for app in DEFAULT_FRONTENDS[:apps])
    return {
        "cloudflare.projects": sites,
        "cloudflare.deployments": apps,
        "koyeb.apps": ["stagecraft-uat-api"],
        "koyeb.services": ["stagecraft-uat-api"],
        "koyeb.secrets": ["stagecraft-uat-api-database-url", "stagecraft-uat-api-jwt-secret",
                          "stagecraft-uat-api-redis-url"],
        "neon.branches": ["uat"],
        "neon.endpoints": 1,
        "neon.roles": ["app"],
        "neon.databases": ["app"],
        "upstash.databases": ["stagecraft-uat-cache"],
    }


def _assert_exactly_the_stack(accounts: EmulatedAccounts, apps: int) -> None:
    created = accounts.created()
    for key, expected in _expected_names(apps).items():
        got = created[key]
        assert (len(got) == expected) if isinstance(expected, int) else (got == expected), (key, got)


def _page(accounts: EmulatedAccounts, url: str) -> str:
    host = url.removeprefix("https://").rstrip("/")
    with loopback_client(accounts.cloudflare_url) as client:
        response = client.get("/", headers={"Host": host})
    assert response.status_code == 200, (url, response.status_code)
    return response.text


def _meta(page: str, name: str) -> str:
    found = re.search(rf'<meta name="stagecraft:{name}" content="([^"]*)"', page)
    assert found, f"no stagecraft:{name} meta tag in the page"
    return found.group(1)


def _assert_every_page_is_this_stacks_build(accounts: EmulatedAccounts, outputs: dict, apps: int) -> None:
    for app in DEFAULT_FRONTENDS[:apps]:
        page = _page(accounts, outputs["apps"][app.name]["url"])
        assert _meta(page, "api-url") == f"https://{API_HOST}"
        assert _meta(page, "environment") == "uat"
        assert _meta(page, "variant") == (app.variant or "")


def _active_deployment(accounts: EmulatedAccounts) -> dict:
    (service,) = accounts.koyeb.objects("services")
    (deployment,) = [d for d in accounts.koyeb.objects("deployments") if d["id"] == service["active_deployment_id"]]
    return deployment


def _deployments_of_service(accounts: EmulatedAccounts) -> int:
    return len(accounts.koyeb.objects("deployments"))


def _koyeb_secret_value(accounts: EmulatedAccounts, name: str) -> str:
    (secret,) = [s for s in accounts.koyeb.store.values("secrets") if s["name"] == name]
    return secret["_value"]  # what `POST /v1/secrets/{id}/reveal` would answer


def _build_count() -> int:
    return sum(1 for entry in BUILD_CACHE.iterdir() if entry.is_dir()) if BUILD_CACHE.exists() else 0


def _lifecycle(project: ProjectCopy, accounts: EmulatedAccounts, apps: int) -> None:
    project.preview().check()
    assert accounts.writes() == 0  # a preview plans; it never changes the accounts
    project.up().check()
    _assert_exactly_the_stack(accounts, apps)
    outputs = project.outputs()
    _assert_every_page_is_this_stacks_build(accounts, outputs, apps)
    first = _active_deployment(accounts)

    writes, builds = accounts.writes(), _build_count()
    project.up("--expect-no-changes").check()
    assert accounts.writes() == writes and _build_count() == builds  # nothing built, uploaded or written
    (branch,) = [b for b in accounts.neon.objects("branches") if b["name"] == "uat"]
    (endpoint,) = [e for e in accounts.neon.objects("endpoints") if e["branch_id"] == branch["id"]]
    accounts.neon.idle_endpoint(endpoint["id"])  # Neon suspends an idle compute on its own
    project.refresh("--expect-no-changes").check()

    deployments = _deployments_of_service(accounts)
    project.write_config(uat_config(accounts, image="ghcr.io/weedgo/backend:1.0.0", jwtRotation="2026-12",
                                    apps=apps))
    project.up().check()
    rotated = project.outputs()
    assert rotated["jwtSecret"] != outputs["jwtSecret"]
    assert _deployments_of_service(accounts) == deployments + 1  # exactly one new deployment
    second = _active_deployment(accounts)
    env = {entry["key"]: entry for entry in second["definition"]["env"]}
    assert env["JWT_SECRET"]["secret"] == "stagecraft-uat-api-jwt-secret"
    assert env[DIGEST_KEY]["value"] != {e["key"]: e for e in first["definition"]["env"]}[DIGEST_KEY]["value"]
    assert _koyeb_secret_value(accounts, "stagecraft-uat-api-jwt-secret") == rotated["jwtSecret"]
    # The frontends were built with the backend URL only: a secret rotation redeploys none of them.
    assert {a["deploymentId"] for a in rotated["apps"].values()} == {a["deploymentId"] for a in outputs["apps"].values()}

    accounts.koyeb.fail_image(FAILING_IMAGE, FAILURE)
    project.write_config(uat_config(accounts, image=FAILING_IMAGE, jwtRotation="2026-12", apps=apps))
    failed = project.up()
    assert failed.returncode != 0 and FAILURE in failed.output, failed.output[-3000:]
    assert "Traceback" not in failed.output
    assert _active_deployment(accounts)["definition"]["docker"]["image"] == "ghcr.io/weedgo/backend:1.0.0"
    project.refresh("--expect-no-changes").check()
    assert project.outputs()["apiImage"] == "ghcr.io/weedgo/backend:1.0.0"

    project.destroy().check()
    assert accounts.snapshot() == accounts.baseline


def test_uat_delivers_every_app_and_rolls_the_backend_on_every_change(tmp_path: Path) -> None:
    apps = len(DEFAULT_FRONTENDS)
    with ExitStack() as stack:
        accounts = EmulatedAccounts(stack)
        _lifecycle(uat_dynamic_stack(tmp_path, accounts, apps=apps), accounts, apps)


def test_with_faults_at_a_fixed_rate_the_same_sequence_converges_without_duplicates(tmp_path: Path) -> None:
    apps = 3
    with ExitStack() as stack:
        accounts = EmulatedAccounts(stack)
        for seed, emulator in enumerate(accounts.emulators().values()):
            emulator.inject_rate(0.15, seed=seed + 11, kinds=("429", "500", "503", "drop_after_action"),
                                 retry_after=1)  # whole seconds, as real APIs send; the test scales waits down
        accounts.cloudflare.expire_upload_tokens(after_asset_calls=2)
        accounts.neon.hold_operations(accounts.project_id, requests=3)
        _lifecycle(uat_dynamic_stack(tmp_path, accounts, apps=apps), accounts, apps)


def test_a_foreign_resource_with_the_stacks_name_stops_up_and_stays_untouched(tmp_path: Path) -> None:
    with ExitStack() as stack:
        accounts = EmulatedAccounts(stack)
        created = httpx.post(f"{accounts.env['UPSTASH_API_URL']}/redis/database",
                             auth=(accounts.env["UPSTASH_EMAIL"], accounts.env["UPSTASH_API_KEY"]),
                             json={"database_name": "stagecraft-uat-cache", "platform": "aws",
                                   "primary_region": "us-east-1", "plan": "free"})
        foreign_id = created.raise_for_status().json()["database_id"]
        project = uat_dynamic_stack(tmp_path, accounts, apps=1)
        failed = project.up()
        assert failed.returncode != 0
        assert '"stagecraft-uat-cache" already exists' in failed.output and "stagecraft/uat" in failed.output
        project.destroy().check()
        (database,) = accounts.upstash.objects("databases")
        assert database["database_id"] == foreign_id


def test_a_failing_build_stops_up_before_any_frontend_is_uploaded(tmp_path: Path) -> None:
    with ExitStack() as stack:
        accounts = EmulatedAccounts(stack)
        project = uat_dynamic_stack(tmp_path, accounts, apps=3, failBuildOf="weedgo-commerce-modern")
        failed = project.up()
        assert failed.returncode != 0
        for text in ("weedgo-commerce-modern", "npm run build -- --definitely-not-an-option", "exit"):
            assert text in failed.output, failed.output[-3000:]
        assert accounts.cloudflare.objects("deployments") == []  # the two good builds were not uploaded either
        project.write_config(uat_config(accounts, image="ghcr.io/weedgo/backend:1.0.0", apps=3))
        project.up().check()
        assert len(accounts.cloudflare.objects("deployments")) == 3
        project.destroy().check()
        assert accounts.snapshot() == accounts.baseline
