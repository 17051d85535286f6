"""Cloudflare PagesDeployment: checks and diffs (no network), then the provider against the Cloudflare emulator."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest

from providers._http import UNKNOWN, MissingCredentials, ProviderError, ResourceFailed
from providers.cloudflare.client import is_last_page
from providers.cloudflare.direct_upload import InvalidSiteDirectory, SiteFile, collect_files, hash_file, plan_buckets
from providers.cloudflare.pages_deployment import PagesDeploymentProvider, marker
from tests.emulators import CloudflareEmulator, Fault
from tests.emulators.cloudflare_upload import parse_form
from tests.emulators.support import loopback_client

TOKEN = "cf-provider-test-token"
ACCOUNT = "0123456789abcdef0123456789abcdef"
DIGEST_1 = "sha256:" + "1" * 64
DIGEST_2 = "sha256:" + "2" * 64
FILES = {
    "index.html": b"<!doctype html><title>shop</title><div id=root></div>",
    "assets/app.js": b"console.log('uat');",
    "assets/style.css": b"body{margin:0}",
    "favicon.svg": b"<svg xmlns='http://www.w3.org/2000/svg'/>",
}


@pytest.fixture
def cloudflare(monkeypatch: pytest.MonkeyPatch, fast_http: None) -> Iterator[CloudflareEmulator]:
    """A fresh Cloudflare emulator with project `shop`; CLOUDFLARE_API_BASE_URL / _TOKEN point at it."""
    emu = CloudflareEmulator(api_token=TOKEN, account_id=ACCOUNT)
    emu.add_project("shop")
    with emu.serve() as url:
        monkeypatch.setenv("CLOUDFLARE_API_BASE_URL", url)
        monkeypatch.setenv("CLOUDFLARE_API_TOKEN", TOKEN)
        emu.base_url = url  # type: ignore[attr-defined]
        yield emu


def write_site(root: Path, files: dict[str, bytes] = FILES) -> Path:
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return root


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return write_site(tmp_path / "dist")


def props(site: Path, **changes: Any) -> dict[str, Any]:
    base = {"account_id": ACCOUNT, "project_name": "shop", "branch": "main", "directory": str(site),
            "content_digest": DIGEST_1}
    return {**base, **changes}


def fetch(emu: CloudflareEmulator, host: str, path: str = "/") -> httpx.Response:
    with loopback_client(emu.base_url, follow_redirects=True) as client:  # type: ignore[attr-defined]
        return client.get(path, headers={"Host": host})


def requests_to(emu: CloudflareEmulator, method: str, suffix: str) -> int:
    return sum(1 for r in emu.requests if r.method == method and r.path.endswith(suffix))


def failures(result) -> dict[str, str]:
    return {f.property: f.reason for f in result.failures}


# ---- check and diff ----------------------------------------------------------------------------------

def test_valid_inputs_pass_check(site: Path) -> None:
    assert PagesDeploymentProvider().check({}, props(site)).failures == []


def test_a_relative_directory_fails_check_naming_the_field(site: Path) -> None:
    reason = failures(PagesDeploymentProvider().check({}, props(site, directory="dist")))["directory"]
    assert "cloudflare:PagesDeployment.directory" in reason and "absolute" in reason


def test_unknown_inputs_at_preview_pass_check(site: Path) -> None:
    unknowns = props(site, directory=UNKNOWN, content_digest=UNKNOWN, project_name=UNKNOWN)
    assert PagesDeploymentProvider().check({}, unknowns).failures == []


def test_a_malformed_account_id_fails_check(site: Path) -> None:
    assert "account_id" in failures(PagesDeploymentProvider().check({}, props(site, account_id="acct")))


def test_an_upper_case_project_name_fails_check(site: Path) -> None:
    assert "project_name" in failures(PagesDeploymentProvider().check({}, props(site, project_name="Shop")))


def test_a_branch_with_spaces_fails_check(site: Path) -> None:
    assert "branch" in failures(PagesDeploymentProvider().check({}, props(site, branch="my branch")))


def test_a_missing_directory_passes_check_because_another_machine_may_hold_the_build(tmp_path: Path) -> None:
    assert PagesDeploymentProvider().check({}, props(tmp_path / "absent")).failures == []


def test_only_a_new_directory_is_not_a_change(site: Path) -> None:
    assert PagesDeploymentProvider().diff("d", props(site), props(site, directory="/elsewhere/dist")).changes is False


@pytest.mark.parametrize("field,value", [("content_digest", DIGEST_2), ("branch", "pr-7"), ("project_name", "blog"),
                                         ("account_id", "f" * 32)])
def test_a_changed_deployment_field_replaces_creating_first(site: Path, field: str, value: str) -> None:
    result = PagesDeploymentProvider().diff("d", props(site), props(site, **{field: value}))
    assert result.replaces == [field] and result.delete_before_replace is False


def test_the_marker_fits_a_commit_hash_and_names_the_digest() -> None:
    commit_hash, message = marker(DIGEST_1)
    assert commit_hash == "1" * 40 and message == f"stagecraft build {DIGEST_1}"


# ---- the files (Wrangler's rules) -------------------------------------------------------------------------

def test_wranglers_ignored_files_are_left_out(tmp_path: Path) -> None:
    site = write_site(tmp_path, {**FILES, "_headers": b"/*\n  X: y", "functions/api.js": b"x",
                                 "assets/.DS_Store": b"x", "node_modules/a/b.js": b"x", ".git/HEAD": b"x"})
    assert sorted(collect_files(site)) == sorted(FILES)


def test_the_hash_is_blake3_of_base64_and_extension(tmp_path: Path) -> None:
    # BLAKE3("aGk=" + "txt"), the first 32 hex digits: Wrangler's hashFile for a file "hi" named x.txt.
    (tmp_path / "x.txt").write_bytes(b"hi")
    assert hash_file(tmp_path / "x.txt") == "36d0c5876a2fdcdc9e50d9f33383cabc"


def _sized(name: str, mib: int) -> SiteFile:
    return SiteFile(Path(name), name, "application/octet-stream", mib * 1024 * 1024, name)


def test_uploads_are_batched_largest_first_over_three_buckets() -> None:
    files = [_sized("d", 1), _sized("b", 20), _sized("a", 24), _sized("c", 15)]
    assert [[f.name for f in bucket] for bucket in plan_buckets(files)] == [["a", "d"], ["b"], ["c"]]


def test_a_file_that_fits_no_bucket_opens_another_of_at_most_40_mib() -> None:
    files = [_sized(name, 24) for name in "abcd"]
    assert [[f.name for f in bucket] for bucket in plan_buckets(files)] == [["a"], ["b"], ["c"], ["d"]]


def test_an_empty_directory_is_refused_naming_it(tmp_path: Path) -> None:
    (tmp_path / "dist").mkdir()
    with pytest.raises(InvalidSiteDirectory, match=str(tmp_path / "dist")):
        collect_files(tmp_path / "dist", label="shop")


# ---- create --------------------------------------------------------------------------------------------

def test_create_waits_for_the_deploy_stage_and_reports_ids_and_urls(cloudflare: CloudflareEmulator, site: Path) -> None:
    cloudflare.set_readiness_delay(3)
    result = PagesDeploymentProvider().create(props(site))
    short_id = result.id[:8]
    assert result.outs["deployment_id"] == result.id
    assert (result.outs["url"], result.outs["alias_url"], result.outs["environment"]) == (
        f"https://{short_id}.shop.pages.dev", "https://shop.pages.dev", "production")
    assert cloudflare.objects("deployments")[0]["latest_stage"]["status"] == "success"


def test_files_fetched_back_over_http_equal_the_artifact(cloudflare: CloudflareEmulator, site: Path) -> None:
    PagesDeploymentProvider().create(props(site))
    served = {name: fetch(cloudflare, "shop.pages.dev", f"/{name}").content for name in FILES}
    assert served == FILES


def test_a_pr_branch_is_a_preview_served_at_its_alias(cloudflare: CloudflareEmulator, site: Path) -> None:
    result = PagesDeploymentProvider().create(props(site, branch="pr-7"))
    assert (result.outs["environment"], result.outs["alias_url"]) == ("preview", "https://pr-7.shop.pages.dev")
    assert fetch(cloudflare, "pr-7.shop.pages.dev").content == FILES["index.html"]


def test_alias_url_follows_a_suffixed_project_subdomain(cloudflare: CloudflareEmulator, site: Path) -> None:
    cloudflare.add_project("taken", subdomain="taken-x7q.pages.dev")
    result = PagesDeploymentProvider().create(props(site, project_name="taken"))
    assert result.outs["alias_url"] == "https://taken-x7q.pages.dev"


def test_the_deployment_carries_the_build_marker(cloudflare: CloudflareEmulator, site: Path) -> None:
    PagesDeploymentProvider().create(props(site))
    metadata = cloudflare.objects("deployments")[0]["deployment_trigger"]["metadata"]
    assert (metadata["commit_hash"], metadata["commit_message"]) == marker(DIGEST_1)


def test_headers_and_redirects_go_with_the_deployment_not_as_assets(cloudflare: CloudflareEmulator, tmp_path: Path) -> None:
    site = write_site(tmp_path, {**FILES, "_redirects": b"/old /new 301"})
    PagesDeploymentProvider().create(props(site))
    assert cloudflare.asset_count() == len(FILES)


def test_a_missing_directory_fails_naming_it_before_anything_is_uploaded(
    cloudflare: CloudflareEmulator, tmp_path: Path
) -> None:
    with pytest.raises(InvalidSiteDirectory, match=str(tmp_path / "absent")):
        PagesDeploymentProvider().create(props(tmp_path / "absent"))
    assert requests_to(cloudflare, "POST", "/upload") == 0 and cloudflare.objects("deployments") == []


def test_a_missing_project_fails_naming_it(cloudflare: CloudflareEmulator, site: Path) -> None:
    with pytest.raises(ProviderError, match="project 'blog' does not exist"):
        PagesDeploymentProvider().create(props(site, project_name="blog"))


def test_missing_credentials_fail_naming_the_variable(
    cloudflare: CloudflareEmulator, site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CLOUDFLARE_API_TOKEN")
    with pytest.raises(MissingCredentials, match="CLOUDFLARE_API_TOKEN"):
        PagesDeploymentProvider().create(props(site))


def test_redeploying_an_earlier_build_makes_it_live_again(cloudflare: CloudflareEmulator, site: Path) -> None:
    first = PagesDeploymentProvider().create(props(site))
    PagesDeploymentProvider().create(props(site, content_digest=DIGEST_2))
    again = PagesDeploymentProvider().create(props(site))  # a rollback: the first build, deployed anew
    assert again.id != first.id and len(cloudflare.objects("deployments")) == 3
    assert again.outs["deployment_id"] == cloudflare.objects("projects")[0]["canonical_deployment"]["id"]


def test_unchanged_files_are_not_uploaded_again(cloudflare: CloudflareEmulator, site: Path) -> None:
    PagesDeploymentProvider().create(props(site))
    uploads = requests_to(cloudflare, "POST", "/pages/assets/upload")
    PagesDeploymentProvider().create(props(site, content_digest=DIGEST_2))
    assert requests_to(cloudflare, "POST", "/pages/assets/upload") == uploads


def test_an_expired_upload_token_is_replaced_and_the_upload_retried(cloudflare: CloudflareEmulator, site: Path) -> None:
    cloudflare.expire_upload_tokens(after_asset_calls=1)
    PagesDeploymentProvider().create(props(site))
    assert cloudflare.expired_answers == 1 and cloudflare.tokens_issued == 2
    assert fetch(cloudflare, "shop.pages.dev", "/assets/app.js").content == FILES["assets/app.js"]


def test_a_failed_deployment_fails_with_cloudflares_reason(cloudflare: CloudflareEmulator, site: Path) -> None:
    cloudflare.fail_next_deployment("Failed to publish your Function. Got error: out of memory")
    with pytest.raises(ResourceFailed, match="deploy stage: Failed to publish your Function. Got error: out of memory"):
        PagesDeploymentProvider().create(props(site))


def test_a_failed_deployment_is_removed_and_the_previous_one_keeps_serving(
    cloudflare: CloudflareEmulator, site: Path, tmp_path: Path
) -> None:
    good = PagesDeploymentProvider().create(props(site))
    cloudflare.fail_next_deployment("broken build")
    newer = write_site(tmp_path / "v2", {**FILES, "index.html": b"v2"})
    with pytest.raises(ResourceFailed):
        PagesDeploymentProvider().create(props(newer, content_digest=DIGEST_2))
    assert [d["id"] for d in cloudflare.objects("deployments")] == [good.id]
    assert fetch(cloudflare, "shop.pages.dev").content == FILES["index.html"]


def test_a_slow_deployment_times_out_within_the_bound(
    cloudflare: CloudflareEmulator, site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STAGECRAFT_WAIT_TIMEOUT", "0.2")
    cloudflare.set_readiness_delay(10_000)
    with pytest.raises(ProviderError, match="was not ready"):
        PagesDeploymentProvider().create(props(site))


# ---- faults converge on one deployment -------------------------------------------------------------

def test_a_dropped_create_answer_adopts_the_created_deployment(cloudflare: CloudflareEmulator, site: Path) -> None:
    cloudflare.inject(Fault.drop_after_action(), method="POST", path="/accounts/*/pages/projects/*/deployments")
    result = PagesDeploymentProvider().create(props(site))
    assert [d["id"] for d in cloudflare.objects("deployments")] == [result.id]


def test_a_5xx_on_create_is_retried_after_checking_nothing_was_made(cloudflare: CloudflareEmulator, site: Path) -> None:
    cloudflare.inject(Fault.status(500), method="POST", path="/accounts/*/pages/projects/*/deployments")
    PagesDeploymentProvider().create(props(site))
    assert len(cloudflare.objects("deployments")) == 1
    assert requests_to(cloudflare, "POST", "/deployments") == 2


def test_429s_on_reads_are_waited_out(cloudflare: CloudflareEmulator, site: Path) -> None:
    cloudflare.inject(Fault.status(429, retry_after=1), method="GET", times=3)
    PagesDeploymentProvider().create(props(site))
    assert len(cloudflare.objects("deployments")) == 1


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_faults_converge_without_duplicate_deployments(
    cloudflare: CloudflareEmulator, site: Path, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STAGECRAFT_HTTP_MAX_ATTEMPTS", "8")
    cloudflare.inject_rate(0.2, seed=seed)
    result = PagesDeploymentProvider().create(props(site))
    cloudflare.clear_faults()
    assert [d["id"] for d in cloudflare.objects("deployments")] == [result.id]
    assert fetch(cloudflare, "shop.pages.dev").content == FILES["index.html"]


def test_random_token_expiry_is_ridden_out(monkeypatch: pytest.MonkeyPatch, fast_http: None, site: Path) -> None:
    emu = CloudflareEmulator(api_token=TOKEN, account_id=ACCOUNT, upload_token_expiry_rate=0.5, seed=11)
    emu.add_project("shop")
    with emu.serve() as url:
        monkeypatch.setenv("CLOUDFLARE_API_BASE_URL", url)
        monkeypatch.setenv("CLOUDFLARE_API_TOKEN", TOKEN)
        monkeypatch.setenv("STAGECRAFT_HTTP_MAX_ATTEMPTS", "10")
        PagesDeploymentProvider().create(props(site))
    assert emu.expired_answers > 0 and len(emu.objects("deployments")) == 1


# ---- read ----------------------------------------------------------------------------------------------

def test_read_returns_the_same_state(cloudflare: CloudflareEmulator, site: Path) -> None:
    created = PagesDeploymentProvider().create(props(site))
    read = PagesDeploymentProvider().read(created.id, created.outs)
    assert (read.id, read.outs) == (created.id, created.outs)


def test_read_of_a_deleted_deployment_returns_an_empty_id(cloudflare: CloudflareEmulator, site: Path) -> None:
    created = PagesDeploymentProvider().create(props(site, branch="pr-3"))
    PagesDeploymentProvider().delete(created.id, created.outs)
    assert PagesDeploymentProvider().read(created.id, created.outs).id == ""


def test_read_when_the_project_is_gone_returns_an_empty_id(cloudflare: CloudflareEmulator, site: Path) -> None:
    created = PagesDeploymentProvider().create(props(site))
    with loopback_client(cloudflare.base_url) as client:  # type: ignore[attr-defined]
        client.delete(f"/accounts/{ACCOUNT}/pages/projects/shop", headers={"Authorization": f"Bearer {TOKEN}"})
    assert PagesDeploymentProvider().read(created.id, created.outs).id == ""


# ---- replace and delete --------------------------------------------------------------------------------

def test_new_content_replaces_and_the_old_deployment_is_then_deleted(
    cloudflare: CloudflareEmulator, site: Path, tmp_path: Path
) -> None:
    old = PagesDeploymentProvider().create(props(site))
    newer = write_site(tmp_path / "v2", {**FILES, "index.html": b"v2"})
    new = PagesDeploymentProvider().create(props(newer, content_digest=DIGEST_2))
    PagesDeploymentProvider().delete(old.id, old.outs)
    assert [d["id"] for d in cloudflare.objects("deployments")] == [new.id]
    assert fetch(cloudflare, "shop.pages.dev").content == b"v2"


def test_delete_of_a_preview_removes_it_and_its_alias(cloudflare: CloudflareEmulator, site: Path) -> None:
    created = PagesDeploymentProvider().create(props(site, branch="pr-7"))
    PagesDeploymentProvider().delete(created.id, created.outs)
    assert cloudflare.objects("deployments") == []
    assert fetch(cloudflare, "pr-7.shop.pages.dev").status_code == 404


def test_delete_leaves_the_active_production_deployment_serving(cloudflare: CloudflareEmulator, site: Path) -> None:
    created = PagesDeploymentProvider().create(props(site))
    PagesDeploymentProvider().delete(created.id, created.outs)
    assert [d["id"] for d in cloudflare.objects("deployments")] == [created.id]
    assert requests_to(cloudflare, "DELETE", created.id) == 0


def test_delete_of_a_gone_deployment_is_done(cloudflare: CloudflareEmulator, site: Path) -> None:
    created = PagesDeploymentProvider().create(props(site, branch="pr-3"))
    PagesDeploymentProvider().delete(created.id, created.outs)
    PagesDeploymentProvider().delete(created.id, created.outs)
    assert cloudflare.objects("deployments") == []


def test_delete_when_the_project_is_gone_is_done(cloudflare: CloudflareEmulator, site: Path) -> None:
    created = PagesDeploymentProvider().create(props(site))
    with loopback_client(cloudflare.base_url) as client:  # type: ignore[attr-defined]
        client.delete(f"/accounts/{ACCOUNT}/pages/projects/shop", headers={"Authorization": f"Bearer {TOKEN}"})
    PagesDeploymentProvider().delete(created.id, created.outs)
    assert cloudflare.objects("projects") == []


# ---- parity with Wrangler, Cloudflare's own client ---------------------------------------------------------

WRANGLER_DIR = Path(__file__).resolve().parents[2] / "providers" / "cloudflare" / "wrangler"
PARITY_FILES = {**FILES, "_headers": b"/*\n  X-Frame-Options: DENY\n", "docs/index.html": b"<h1>docs</h1>"}


class RecordingEmulator(CloudflareEmulator):
    """The Cloudflare emulator, also keeping each API request's method, operation, headers and body."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.raw: list[tuple[str, dict[str, str], bytes]] = []

    def handle(self, raw):  # type: ignore[override]
        match = self.spec.match(raw.method, raw.path)
        if match.operation is not None:
            self.raw.append((match.operation.operation_id, dict(raw.headers), raw.body))
        return super().handle(raw)


def _deploy_with_wrangler(site: Path, workdir: Path) -> RecordingEmulator:
    from providers._node.npm_tree import ensure_tree, node_bin

    # Node.js is what every frontend build needs too: without it this fails with the install hint, never skips.
    node, modules = node_bin(), ensure_tree(WRANGLER_DIR)
    emu = RecordingEmulator(api_token=TOKEN, account_id=ACCOUNT)
    emu.add_project("shop")
    commit_hash, commit_message = marker(DIGEST_1)
    (workdir / "home").mkdir()
    (workdir / "cwd").mkdir()
    with emu.serve() as url:
        # Offline and quiet: no metrics, no update check (the banner does it), no error reports, no login.
        env = {"PATH": os.environ["PATH"], "HOME": str(workdir / "home"), "CI": "true",
               "CLOUDFLARE_API_TOKEN": TOKEN, "CLOUDFLARE_ACCOUNT_ID": ACCOUNT,
               "CLOUDFLARE_API_BASE_URL": f"{url}/client/v4", "WRANGLER_SEND_METRICS": "false",
               "WRANGLER_HIDE_BANNER": "true", "WRANGLER_SEND_ERROR_REPORTS": "false"}
        run = subprocess.run(
            [node, str(modules / "wrangler" / "bin" / "wrangler.js"), "pages", "deploy", str(site),
             "--project-name", "shop", "--branch", "main", "--commit-hash", commit_hash,
             "--commit-message", commit_message, "--commit-dirty=false"],
            cwd=workdir / "cwd", env=env, capture_output=True, text=True, timeout=300,
        )
        assert run.returncode == 0, run.stdout + run.stderr
    return emu


def _deploy_with_provider(site: Path) -> RecordingEmulator:
    emu = RecordingEmulator(api_token=TOKEN, account_id=ACCOUNT)
    emu.add_project("shop")
    with emu.serve() as url, pytest.MonkeyPatch.context() as patch:
        for name, value in {"CLOUDFLARE_API_BASE_URL": f"{url}/client/v4", "CLOUDFLARE_API_TOKEN": TOKEN,
                            "STAGECRAFT_HTTP_BACKOFF_SCALE": "0.001"}.items():
            patch.setenv(name, value)
        PagesDeploymentProvider().create(props(site))
    return emu


@pytest.fixture(scope="module")
def parity(tmp_path_factory: pytest.TempPathFactory) -> tuple[RecordingEmulator, RecordingEmulator]:
    """The same site deployed once by Wrangler 4.86.0 and once by the provider, each to a fresh emulator."""
    site = write_site(tmp_path_factory.mktemp("parity-site"), PARITY_FILES)
    return _deploy_with_wrangler(site, tmp_path_factory.mktemp("wrangler")), _deploy_with_provider(site)


def _operations(emu: RecordingEmulator) -> list[str]:
    return list(dict.fromkeys(op for op, _, _ in emu.raw))


def _bodies(emu: RecordingEmulator, operation: str) -> list[tuple[dict[str, str], bytes]]:
    return [(headers, body) for op, headers, body in emu.raw if op == operation]


def _uploaded(emu: RecordingEmulator) -> dict[str, tuple[str, bool, str]]:
    items = [item for _, body in _bodies(emu, "pages-assets-upload") for item in json.loads(body)]
    return {i["key"]: (i["metadata"]["contentType"], i["base64"], i["value"]) for i in items}


def _form(emu: RecordingEmulator) -> dict[str, str]:
    headers, body = _bodies(emu, "pages-deployment-create-deployment")[0]
    content_type = next(v for k, v in headers.items() if k.lower() == "content-type")
    return {name: part.text for name, part in parse_form(content_type, body).items()}


def test_wrangler_deploys_to_the_emulator_without_a_spec_violation(parity) -> None:
    wrangler, _ = parity
    assert wrangler.violations == [] and wrangler.response_mismatches == [] and wrangler.unimplemented == []
    assert wrangler.objects("deployments")[0]["latest_stage"]["status"] == "success"


def test_the_provider_calls_the_endpoints_wrangler_calls_in_its_order(parity) -> None:
    wrangler, provider = parity
    # The provider's one extra call is the read that finds an earlier deployment of the same build (adoption).
    ours = [op for op in _operations(provider) if op != "pages-deployment-get-deployments"]
    assert ours == _operations(wrangler)


def test_the_provider_uploads_what_wrangler_uploads(parity) -> None:
    wrangler, provider = parity
    assert _uploaded(provider) == _uploaded(wrangler)


def test_the_provider_checks_and_upserts_the_hashes_wrangler_does(parity) -> None:
    wrangler, provider = parity
    for operation in ("pages-assets-check-missing", "pages-assets-upsert-hashes"):
        hashes = [sorted(json.loads(body)["hashes"]) for _, body in _bodies(wrangler, operation)]
        assert [sorted(json.loads(body)["hashes"]) for _, body in _bodies(provider, operation)] == hashes


def test_the_provider_sends_the_deployment_form_wrangler_sends(parity) -> None:
    wrangler, provider = parity
    ours, theirs = _form(provider), _form(wrangler)
    assert {**ours, "manifest": json.loads(ours["manifest"])} == {**theirs, "manifest": json.loads(theirs["manifest"])}


def test_asset_calls_carry_the_upload_jwt_not_the_api_token(parity) -> None:
    for emu in parity:
        for headers, _ in _bodies(emu, "pages-assets-check-missing"):
            assert headers.get("Authorization", headers.get("authorization")).count(".") == 2


# ---- paging ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("info,page,count,last", [
    ({"total_pages": 3}, 2, 25, False), ({"total_pages": 3}, 3, 25, True),
    ({"total_count": 30, "per_page": 10}, 2, 10, False), ({"total_count": 30, "per_page": 10}, 3, 10, True),
    ({}, 1, 25, False), ({}, 1, 7, True),
])
def test_the_last_page_is_read_from_result_info(info: dict, page: int, count: int, last: bool) -> None:
    assert is_last_page(info, page, count) is last
