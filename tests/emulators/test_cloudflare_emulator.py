"""Raw-HTTP tests of the Cloudflare Pages emulator: one test per platform rule it models (see cloudflare.py)."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest

from tests.emulators import CloudflareEmulator, ConformanceRegistry, Fault
from tests.emulators.control import run_action
from tests.emulators.support import loopback_client

TOKEN = "cf-test-token"
ACCOUNT = "0123456789abcdef0123456789abcdef"
PROJECTS = f"/client/v4/accounts/{ACCOUNT}/pages/projects"
INDEX = b"<!doctype html><h1>home</h1>"
ABOUT = b"<!doctype html><h1>about</h1>"
NOT_FOUND = b"<!doctype html><h1>lost</h1>"
HASHES = {"index": "a" * 32, "about": "b" * 32, "404": "c" * 32, "docs": "d" * 32}


@pytest.fixture
def emu() -> CloudflareEmulator:
    emulator = CloudflareEmulator(api_token=TOKEN, account_id=ACCOUNT, conformance=ConformanceRegistry())
    emulator.add_project("shop")
    return emulator


@pytest.fixture
def api(emu: CloudflareEmulator) -> Iterator[httpx.Client]:
    with emu.serve() as url, loopback_client(url, headers={"Authorization": f"Bearer {TOKEN}"}) as client:
        client.base = url  # type: ignore[attr-defined]
        yield client


def _jwt(api: httpx.Client, project: str = "shop") -> str:
    return api.get(f"{PROJECTS}/{project}/upload-token").json()["result"]["jwt"]


def _assets(api: httpx.Client, jwt: str, path: str, payload: Any) -> httpx.Response:
    return api.post(f"/client/v4/pages/assets/{path}", json=payload, headers={"Authorization": f"Bearer {jwt}"})


def _upload(api: httpx.Client, files: dict[str, bytes], content_type: str = "text/html") -> None:
    payload = [{"key": key, "value": base64.b64encode(data).decode(), "metadata": {"contentType": content_type},
                "base64": True} for key, data in files.items()]
    assert _assets(api, _jwt(api), "upload", payload).status_code == 200


def _deploy(api: httpx.Client, manifest: dict[str, str], branch: str | None = None, **fields: str) -> httpx.Response:
    form: dict[str, Any] = {"manifest": (None, json.dumps(manifest).encode())}
    if branch is not None:
        form["branch"] = (None, branch.encode())
    form.update({k: (None, v.encode()) for k, v in fields.items()})
    return api.post(f"{PROJECTS}/shop/deployments", files=form)


def _site(api: httpx.Client) -> dict[str, str]:
    _upload(api, {HASHES["index"]: INDEX, HASHES["about"]: ABOUT})
    return {"/index.html": HASHES["index"], "/about.html": HASHES["about"]}


def _read(api: httpx.Client, deployment_id: str) -> dict[str, Any]:
    return api.get(f"{PROJECTS}/shop/deployments/{deployment_id}").json()["result"]


def _live(api: httpx.Client, manifest: dict[str, str], branch: str | None = None) -> dict[str, Any]:
    created = _deploy(api, manifest, branch).json()["result"]
    return _read(api, created["id"])


def _get_site(api: httpx.Client, host: str, path: str = "/") -> httpx.Response:
    with loopback_client(api.base) as client:  # type: ignore[attr-defined]
        return client.get(path, headers={"Host": host})


# ---- envelope and auth -----------------------------------------------------------------------------

def test_answers_use_cloudflares_success_envelope(api: httpx.Client) -> None:
    body = api.get(f"{PROJECTS}/shop").json()
    assert (body["success"], body["errors"], body["messages"], body["result"]["name"]) == (True, [], [], "shop")


def test_a_wrong_api_token_is_403_authentication_error(api: httpx.Client) -> None:
    response = api.get(f"{PROJECTS}/shop", headers={"Authorization": "Bearer wrong"})
    assert response.status_code == 403
    assert response.json() == {"success": False, "errors": [{"code": 10000, "message": "Authentication error"}],
                               "messages": [], "result": None}


def test_another_account_is_refused(api: httpx.Client) -> None:
    assert api.get(f"/client/v4/accounts/{'f' * 32}/pages/projects/shop").status_code == 403


def test_a_missing_project_is_404_code_8000007(api: httpx.Client) -> None:
    response = api.get(f"{PROJECTS}/nope")
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == 8000007


def test_the_bare_host_path_without_the_v4_prefix_is_accepted(api: httpx.Client) -> None:
    assert api.get(f"/accounts/{ACCOUNT}/pages/projects/shop").status_code == 200


# ---- projects ---------------------------------------------------------------------------------------

def test_a_seeded_project_is_a_direct_upload_project_on_its_pages_dev_subdomain(api: httpx.Client) -> None:
    project = api.get(f"{PROJECTS}/shop").json()["result"]
    assert project["subdomain"] == "shop.pages.dev"
    assert "source" not in project and project["canonical_deployment"] is None
    assert set(project["deployment_configs"]) == {"preview", "production"}


def test_a_project_can_be_seeded_with_a_suffixed_subdomain(emu: CloudflareEmulator, api: httpx.Client) -> None:
    emu.add_project("taken", subdomain="taken-4xq.pages.dev")
    assert api.get(f"{PROJECTS}/taken").json()["result"]["subdomain"] == "taken-4xq.pages.dev"


def test_projects_are_listed_with_result_info(api: httpx.Client) -> None:
    body = api.get(PROJECTS, params={"per_page": 10}).json()
    assert [p["name"] for p in body["result"]] == ["shop"]
    assert body["result_info"]["total_count"] == 1


def test_creating_a_project_twice_is_a_conflict(api: httpx.Client) -> None:
    response = api.post(PROJECTS, json={"name": "shop", "production_branch": "main"})
    assert response.status_code == 409


def test_deleting_a_project_removes_its_deployments(emu: CloudflareEmulator, api: httpx.Client) -> None:
    _live(api, _site(api))
    assert api.delete(f"{PROJECTS}/shop").status_code == 200
    assert emu.objects("deployments") == [] and emu.objects("projects") == []


# ---- upload tokens and assets ---------------------------------------------------------------------

def test_the_upload_token_is_a_jwt_with_exp_and_file_count_claims(api: httpx.Client) -> None:
    payload = _jwt(api).split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert claims["max_file_count_allowed"] == 20_000 and claims["exp"] > claims["iat"]


def test_check_missing_lists_the_hashes_not_uploaded_yet(api: httpx.Client) -> None:
    _upload(api, {HASHES["index"]: INDEX})
    response = _assets(api, _jwt(api), "check-missing", {"hashes": [HASHES["index"], HASHES["about"]]})
    assert response.json()["result"] == [HASHES["about"]]


def test_asset_endpoints_refuse_the_api_token_with_8000013(api: httpx.Client) -> None:
    response = _assets(api, TOKEN, "check-missing", {"hashes": []})
    assert response.status_code == 401 and response.json()["errors"][0]["code"] == 8000013


def test_an_expired_upload_token_is_answered_403_expired_jwt_in_plain_text(
    emu: CloudflareEmulator, api: httpx.Client
) -> None:
    jwt = _jwt(api)
    emu.expire_upload_tokens()
    response = _assets(api, jwt, "check-missing", {"hashes": []})
    assert (response.status_code, response.text) == (403, "Expired JWT")
    assert response.headers["content-type"].startswith("text/plain")


def test_a_new_token_works_after_the_old_ones_expired(emu: CloudflareEmulator, api: httpx.Client) -> None:
    _jwt(api)
    emu.expire_upload_tokens()
    assert _assets(api, _jwt(api), "check-missing", {"hashes": []}).status_code == 200


def test_tokens_can_be_set_to_expire_after_some_asset_calls(emu: CloudflareEmulator, api: httpx.Client) -> None:
    jwt = _jwt(api)
    emu.expire_upload_tokens(after_asset_calls=1)
    first = _assets(api, jwt, "check-missing", {"hashes": []})
    second = _assets(api, jwt, "check-missing", {"hashes": []})
    assert (first.status_code, second.status_code) == (200, 403)


def test_a_token_past_its_exp_claim_is_expired(api: httpx.Client) -> None:
    emulator = CloudflareEmulator(api_token=TOKEN, upload_token_lifetime=0, conformance=ConformanceRegistry())
    emulator.add_project("shop")
    with emulator.serve() as url, loopback_client(url, headers={"Authorization": f"Bearer {TOKEN}"}) as client:
        jwt = client.get(f"{PROJECTS}/shop/upload-token").json()["result"]["jwt"]
        response = _assets(client, jwt, "check-missing", {"hashes": []})
    assert response.status_code == 403


def test_an_expiry_rate_of_one_expires_every_token_at_its_first_use() -> None:
    emulator = CloudflareEmulator(api_token=TOKEN, upload_token_expiry_rate=1.0, seed=3,
                                  conformance=ConformanceRegistry())
    emulator.add_project("shop")
    with emulator.serve() as url, loopback_client(url, headers={"Authorization": f"Bearer {TOKEN}"}) as client:
        response = _assets(client, _jwt(client), "check-missing", {"hashes": []})
    assert (response.status_code, response.text) == (403, "Expired JWT")


def test_token_expiry_can_be_armed_out_of_process(emu: CloudflareEmulator, api: httpx.Client) -> None:
    jwt = _jwt(api)
    run_action(api.base, "expire_upload_tokens")  # type: ignore[attr-defined]
    assert _assets(api, jwt, "check-missing", {"hashes": []}).status_code == 403


def test_a_failing_deployment_can_be_armed_out_of_process(emu: CloudflareEmulator, api: httpx.Client) -> None:
    run_action(api.base, "fail_next_deployment", reason="no")  # type: ignore[attr-defined]
    assert _live(api, _site(api))["latest_stage"]["status"] == "failure"


def test_a_file_over_25_mib_is_refused(api: httpx.Client) -> None:
    big = base64.b64encode(b"x" * (25 * 1024 * 1024 + 1)).decode()
    payload = [{"key": "e" * 32, "value": big, "metadata": {"contentType": "text/plain"}, "base64": True}]
    assert _assets(api, _jwt(api), "upload", payload).status_code == 400


def test_upsert_hashes_answers_success(api: httpx.Client) -> None:
    assert _assets(api, _jwt(api), "upsert-hashes", {"hashes": [HASHES["index"]]}).json()["success"] is True


# ---- deployments ------------------------------------------------------------------------------------

def test_a_deployment_on_the_production_branch_is_production(api: httpx.Client) -> None:
    created = _deploy(api, _site(api), "main").json()["result"]
    assert created["environment"] == "production"
    assert created["url"] == f"https://{created['short_id']}.shop.pages.dev" and created["id"].startswith(
        created["short_id"]) and len(created["short_id"]) == 8


def test_a_deployment_without_a_branch_goes_to_production(api: httpx.Client) -> None:
    assert _deploy(api, _site(api)).json()["result"]["environment"] == "production"


def test_a_deployment_on_another_branch_is_a_preview(api: httpx.Client) -> None:
    assert _deploy(api, _site(api), "pr-7").json()["result"]["environment"] == "preview"


def test_the_create_answer_shows_the_queued_stage_active(api: httpx.Client) -> None:
    stage = _deploy(api, _site(api)).json()["result"]["latest_stage"]
    assert (stage["name"], stage["status"]) == ("queued", "active")


def test_stages_progress_over_reads_until_deploy_succeeds(emu: CloudflareEmulator, api: httpx.Client) -> None:
    emu.set_readiness_delay(3)
    created = _deploy(api, _site(api)).json()["result"]
    seen = [(s["name"], s["status"]) for s in (_read(api, created["id"])["latest_stage"] for _ in range(4))]
    assert seen == [("initialize", "active"), ("clone_repo", "active"), ("build", "active"), ("deploy", "success")]


def test_the_deployment_trigger_keeps_the_commit_fields(api: httpx.Client) -> None:
    created = _deploy(api, _site(api), "main", commit_hash="abc123", commit_message="build 1",
                      commit_dirty="true").json()["result"]
    assert created["deployment_trigger"] == {"type": "ad_hoc", "metadata": {
        "branch": "main", "commit_hash": "abc123", "commit_message": "build 1", "commit_dirty": True}}


def test_a_manifest_naming_an_unuploaded_asset_is_refused(api: httpx.Client) -> None:
    assert _deploy(api, {"/index.html": "f" * 32}).status_code == 400


def test_a_manifest_over_20000_files_is_refused(api: httpx.Client) -> None:
    _upload(api, {HASHES["index"]: INDEX})
    manifest = {f"/f{i}.html": HASHES["index"] for i in range(20_001)}
    response = _deploy(api, manifest)
    assert response.status_code == 400 and "20000" in response.json()["errors"][0]["message"]


def test_a_create_without_manifest_is_refused(api: httpx.Client) -> None:
    response = api.post(f"{PROJECTS}/shop/deployments", files={"branch": (None, b"main")})
    assert response.status_code == 400


def test_a_successful_production_deployment_becomes_canonical(api: httpx.Client) -> None:
    live = _live(api, _site(api))
    assert api.get(f"{PROJECTS}/shop").json()["result"]["canonical_deployment"]["id"] == live["id"]


def test_a_successful_preview_takes_its_branch_alias(api: httpx.Client) -> None:
    live = _live(api, _site(api), "Feature/Login")
    assert live["aliases"] == ["https://feature-login.shop.pages.dev"]


def test_the_branch_alias_moves_to_the_newest_deployment(api: httpx.Client) -> None:
    first = _live(api, _site(api), "pr-7")
    second = _live(api, _site(api), "pr-7")
    assert _read(api, first["id"])["aliases"] is None and second["aliases"] == ["https://pr-7.shop.pages.dev"]


def test_fail_next_deployment_ends_the_deploy_stage_in_failure(emu: CloudflareEmulator, api: httpx.Client) -> None:
    emu.fail_next_deployment("Failed to publish assets")
    stage = _live(api, _site(api))["latest_stage"]
    assert (stage["name"], stage["status"]) == ("deploy", "failure")


def test_a_failed_deployment_logs_its_reason_last(emu: CloudflareEmulator, api: httpx.Client) -> None:
    emu.fail_next_deployment("Failed to publish assets")
    live = _live(api, _site(api))
    logs = api.get(f"{PROJECTS}/shop/deployments/{live['id']}/history/logs", params={"size": 10_000_000}).json()
    assert logs["result"]["data"][logs["result"]["total"] - 1]["line"] == "Error: Failed to publish assets"


def test_a_failed_production_deployment_does_not_become_canonical(emu: CloudflareEmulator, api: httpx.Client) -> None:
    good = _live(api, _site(api))
    emu.fail_next_deployment("boom")
    _live(api, _site(api))
    assert api.get(f"{PROJECTS}/shop").json()["result"]["canonical_deployment"]["id"] == good["id"]


def test_latest_deployment_is_the_newest(api: httpx.Client) -> None:
    _live(api, _site(api))
    newest = _live(api, _site(api), "pr-1")
    assert api.get(f"{PROJECTS}/shop").json()["result"]["latest_deployment"]["id"] == newest["id"]


def test_deployments_are_listed_newest_first_and_filtered_by_env(api: httpx.Client) -> None:
    production = _live(api, _site(api))
    preview = _live(api, _site(api), "pr-1")
    every = [d["id"] for d in api.get(f"{PROJECTS}/shop/deployments").json()["result"]]
    only = [d["id"] for d in api.get(f"{PROJECTS}/shop/deployments", params={"env": "production"}).json()["result"]]
    assert (every, only) == ([preview["id"], production["id"]], [production["id"]])


def test_deployment_lists_are_paged(api: httpx.Client) -> None:
    for _ in range(3):
        _live(api, _site(api), "pr-1")
    body = api.get(f"{PROJECTS}/shop/deployments", params={"page": 2, "per_page": 2}).json()
    assert len(body["result"]) == 1 and body["result_info"] == {
        "page": 2, "per_page": 2, "count": 1, "total_count": 3, "total_pages": 2}


def test_a_missing_deployment_is_404(api: httpx.Client) -> None:
    assert api.get(f"{PROJECTS}/shop/deployments/00000000-0000-4000-8000-000000000000").status_code == 404


# ---- deleting deployments ------------------------------------------------------------------------------

def test_the_active_production_deployment_cannot_be_deleted(api: httpx.Client) -> None:
    live = _live(api, _site(api))
    response = api.delete(f"{PROJECTS}/shop/deployments/{live['id']}", params={"force": "true"})
    assert response.status_code == 400 and response.json()["errors"][0]["code"] == 8000034


def test_a_superseded_production_deployment_can_be_deleted(api: httpx.Client) -> None:
    old = _live(api, _site(api))
    _live(api, _site(api))
    assert api.delete(f"{PROJECTS}/shop/deployments/{old['id']}").status_code == 200


def test_an_aliased_preview_needs_force_true(api: httpx.Client) -> None:
    live = _live(api, _site(api), "pr-7")
    response = api.delete(f"{PROJECTS}/shop/deployments/{live['id']}")
    assert response.status_code == 400 and response.json()["errors"][0]["code"] == 8000035


def test_force_deletes_an_aliased_preview_and_its_alias(api: httpx.Client) -> None:
    live = _live(api, _site(api), "pr-7")
    assert api.delete(f"{PROJECTS}/shop/deployments/{live['id']}", params={"force": "true"}).status_code == 200
    assert _get_site(api, "pr-7.shop.pages.dev").status_code == 404


def test_deleting_a_missing_deployment_is_404(api: httpx.Client) -> None:
    response = api.delete(f"{PROJECTS}/shop/deployments/00000000-0000-4000-8000-000000000000")
    assert response.status_code == 404


# ---- faults ---------------------------------------------------------------------------------------------

def test_an_injected_5xx_carries_the_pages_unknown_error_code(emu: CloudflareEmulator, api: httpx.Client) -> None:
    emu.inject(Fault.status(500), method="POST", path="/accounts/*/pages/projects/*/deployments")
    response = _deploy(api, _site(api))
    assert response.status_code == 500 and response.json()["errors"][0]["code"] == 8000000


def test_an_injected_429_carries_the_rate_limit_code(emu: CloudflareEmulator, api: httpx.Client) -> None:
    emu.inject(Fault.status(429, retry_after=1), method="GET")
    response = api.get(f"{PROJECTS}/shop")
    assert response.status_code == 429 and response.json()["errors"][0]["code"] == 971


# ---- the sites ---------------------------------------------------------------------------------------------

def test_the_project_subdomain_serves_the_canonical_deployment(api: httpx.Client) -> None:
    _live(api, _site(api))
    response = _get_site(api, "shop.pages.dev")
    assert (response.status_code, response.content) == (200, INDEX)
    assert response.headers["content-type"] == "text/html" and "x-robots-tag" not in response.headers


def test_the_branch_alias_serves_the_preview_with_noindex(api: httpx.Client) -> None:
    _live(api, _site(api), "pr-7")
    response = _get_site(api, "pr-7.shop.pages.dev")
    assert response.content == INDEX and response.headers["x-robots-tag"] == "noindex"


def test_the_short_id_host_serves_that_deployment(api: httpx.Client) -> None:
    live = _live(api, _site(api))
    assert _get_site(api, f"{live['short_id']}.shop.pages.dev").content == INDEX


def test_a_path_without_extension_serves_its_html_file(api: httpx.Client) -> None:
    _live(api, _site(api))
    assert _get_site(api, "shop.pages.dev", "/about").content == ABOUT


def test_an_html_path_redirects_to_its_extensionless_form(api: httpx.Client) -> None:
    _live(api, _site(api))
    response = _get_site(api, "shop.pages.dev", "/about.html")
    assert (response.status_code, response.headers["location"]) == (308, "/about")


def test_an_index_html_path_redirects_to_its_folder(api: httpx.Client) -> None:
    _upload(api, {HASHES["index"]: INDEX, HASHES["docs"]: b"docs"})
    _live(api, {"/index.html": HASHES["index"], "/docs/index.html": HASHES["docs"]})
    response = _get_site(api, "shop.pages.dev", "/docs/index.html")
    assert (response.status_code, response.headers["location"]) == (308, "/docs/")
    assert _get_site(api, "shop.pages.dev", "/docs/").content == b"docs"


def test_without_a_404_page_unknown_paths_get_the_root_index_spa(api: httpx.Client) -> None:
    _live(api, _site(api))
    response = _get_site(api, "shop.pages.dev", "/some/client/route")
    assert (response.status_code, response.content) == (200, INDEX)


def test_with_a_404_page_unknown_paths_get_it_with_status_404(api: httpx.Client) -> None:
    manifest = _site(api)
    _upload(api, {HASHES["404"]: NOT_FOUND})
    _live(api, {**manifest, "/404.html": HASHES["404"]})
    response = _get_site(api, "shop.pages.dev", "/missing")
    assert (response.status_code, response.content) == (404, NOT_FOUND)


def test_the_closest_404_page_up_the_tree_is_used(api: httpx.Client) -> None:
    manifest = _site(api)
    _upload(api, {HASHES["404"]: NOT_FOUND, HASHES["docs"]: b"docs lost"})
    _live(api, {**manifest, "/404.html": HASHES["404"], "/docs/404.html": HASHES["docs"]})
    assert _get_site(api, "shop.pages.dev", "/docs/deep/missing").content == b"docs lost"


def test_a_project_without_a_live_deployment_serves_404(api: httpx.Client) -> None:
    assert _get_site(api, "shop.pages.dev").status_code == 404


def test_an_unknown_pages_dev_host_is_404(api: httpx.Client) -> None:
    assert _get_site(api, "nobody.pages.dev").status_code == 404


def test_a_failed_deployment_is_not_served_by_its_short_id(emu: CloudflareEmulator, api: httpx.Client) -> None:
    emu.fail_next_deployment("boom")
    live = _live(api, _site(api))
    assert _get_site(api, f"{live['short_id']}.shop.pages.dev").status_code == 404


def test_site_requests_are_not_counted_as_api_requests(emu: CloudflareEmulator, api: httpx.Client) -> None:
    _live(api, _site(api))
    checked = emu.checked
    _get_site(api, "shop.pages.dev")
    assert emu.checked == checked


# ---- out of process ----------------------------------------------------------------------------------------

def test_the_cli_seeds_pages_projects(tmp_path: Path) -> None:
    ready = tmp_path / "ready.json"
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.emulators", "cloudflare", "--pages-project", "shop:release",
         "--ready-file", str(ready)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parents[2],
    )
    try:
        assert process.stdout is not None
        base_url = process.stdout.readline().strip()
        assert process.stdout.readline().strip() == "pages-project shop shop.pages.dev"
        project = httpx.get(f"{base_url}{PROJECTS}/shop", headers={"Authorization": "Bearer any"}).json()["result"]
        assert project["production_branch"] == "release"
        assert json.loads(ready.read_text())["pages_projects"] == {"shop": "shop.pages.dev"}
    finally:
        process.terminate()
        process.wait(timeout=10)
