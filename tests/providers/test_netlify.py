"""Netlify providers: input checks and diffs (no network), then Site and Deploy against the Netlify emulator."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Iterator

import pytest

from providers._http import ForeignResource, ProviderError, ResourceFailed
from providers.netlify.client import DeployLimitReached
from providers.netlify.deploy import DeployProvider, file_digests
from providers.netlify.site import SiteProvider
from tests.emulators import Fault, NetlifyEmulator
from tests.emulators.netlify import DEPLOYS_PER_DAY
from tests.emulators.rate_limits import RateLimiter
from tests.emulators.support import loopback_client

OWNER = "stagecraft/beta"
SITE = {"name": "stagecraft-beta-shop", "owner": OWNER, "plan": "free"}
INDEX = b"<!doctype html><title>shop</title>"
SCRIPT = b"console.log('shop')"
DIGEST = "sha256:" + "ab" * 32


@pytest.fixture
def netlify(monkeypatch: pytest.MonkeyPatch, fast_http: None) -> Iterator[NetlifyEmulator]:
    """A fresh Netlify emulator with its limits on a compressed clock; NETLIFY_API_URL/NETLIFY_AUTH_TOKEN point at it."""
    emu = NetlifyEmulator(token="nfp-test-token", rate_limit_scale=0.001)
    with emu.serve() as url:
        monkeypatch.setenv("NETLIFY_API_URL", url + "/api/v1")
        monkeypatch.setenv("NETLIFY_AUTH_TOKEN", "nfp-test-token")
        yield emu


@pytest.fixture
def built(tmp_path: Path) -> Path:
    site = tmp_path / "dist"
    (site / "assets").mkdir(parents=True)
    (site / "index.html").write_bytes(INDEX)
    (site / "assets" / "app.js").write_bytes(SCRIPT)
    (site / "assets" / "copy.js").write_bytes(SCRIPT)
    return site


def failures(result) -> dict[str, str]:
    return {f.property: f.reason for f in result.failures}


def deploy_props(site_id: str, directory: Path, digest: str = DIGEST) -> dict:
    return {"site_id": site_id, "directory": str(directory), "content_digest": digest}


def served(emu: NetlifyEmulator, host: str, path: str = "/") -> bytes:
    with emu.serve() as url, loopback_client(url) as web:
        return web.get(path, headers={"Host": host}).content


# --- check and diff --------------------------------------------------------------------------------------

def test_a_site_name_netlify_would_refuse_fails_check():
    reasons = failures(SiteProvider().check({}, {**SITE, "name": "Stagecraft_Beta.Shop"}))
    assert "netlify.app subdomain" in reasons["name"]


def test_a_site_name_longer_than_a_dns_label_fails_check():
    assert "name" in failures(SiteProvider().check({}, {**SITE, "name": "a" * 64}))


def test_a_relative_directory_fails_check():
    assert "directory" in failures(DeployProvider().check({}, deploy_props("site-1", Path("dist"))))


def test_a_renamed_site_updates_in_place():
    result = SiteProvider().diff("id", SITE, {**SITE, "name": "stagecraft-beta-store"})
    assert (result.changes, result.replaces) == (True, [])


def test_a_new_build_replaces_the_deploy_creating_the_new_one_first():
    result = DeployProvider().diff("id", deploy_props("s", Path("/a")), deploy_props("s", Path("/b"), "sha256:" + "cd" * 32))
    assert (result.replaces, result.delete_before_replace) == (["content_digest"], False)


def test_the_same_build_in_another_folder_is_no_change():
    assert DeployProvider().diff("id", deploy_props("s", Path("/a")), deploy_props("s", Path("/b"))).changes is False


def test_file_digests_key_each_file_by_its_site_path(built):
    files, by_sha = file_digests(built)
    assert (files["/assets/app.js"], len(by_sha)) == (hashlib.sha1(SCRIPT).hexdigest(), 2)


# --- site --------------------------------------------------------------------------------------------------

def test_create_makes_the_site_and_marks_it_with_the_owner(netlify):
    created = SiteProvider().create(SITE)
    (marker,) = netlify.objects("env")
    assert (created.outs["url"], marker["key"], marker["values"][0]["value"]) == (
        "https://stagecraft-beta-shop.netlify.app", "STAGECRAFT_OWNER", OWNER)


def test_a_site_of_this_stack_is_adopted_on_a_repeated_create(netlify):
    first = SiteProvider().create(SITE)
    again = SiteProvider().create(SITE)
    assert (again.id, len(netlify.objects("sites"))) == (first.id, 1)


def test_a_site_of_another_stack_is_never_adopted(netlify):
    SiteProvider().create({**SITE, "owner": "stagecraft/uat"})
    with pytest.raises(ForeignResource, match="stagecraft/beta"):
        SiteProvider().create(SITE)


def test_a_name_taken_outside_the_account_names_the_fix(monkeypatch, fast_http):
    emu = NetlifyEmulator(taken_names=["stagecraft-beta-shop"])
    with emu.serve() as url:
        monkeypatch.setenv("NETLIFY_API_URL", url + "/api/v1")
        monkeypatch.setenv("NETLIFY_AUTH_TOKEN", "t")
        with pytest.raises(ProviderError, match="stagecraft:netlify.siteNamePrefix"):
            SiteProvider().create(SITE)
    assert emu.objects("sites") == []


def test_a_create_whose_answer_was_lost_adopts_the_site_it_made(netlify):
    netlify.inject(Fault.drop_after_action(), method="POST", path="/sites")
    created = SiteProvider().create(SITE)
    assert [s["id"] for s in netlify.objects("sites")] == [created.id]


def test_delete_of_a_site_already_gone_is_done(netlify):
    created = SiteProvider().create(SITE)
    SiteProvider().delete(created.id, created.outs)
    SiteProvider().delete(created.id, created.outs)
    assert (netlify.objects("sites"), SiteProvider().read(created.id, created.outs).id) == ([], "")


# --- deploy ------------------------------------------------------------------------------------------------

def test_a_deploy_uploads_each_required_file_once_and_is_served(netlify, built):
    site = SiteProvider().create(SITE)
    deploy = DeployProvider().create(deploy_props(site.id, built))
    uploads = [r for r in netlify.requests if r.method == "PUT"]
    assert (len(uploads), served(netlify, "stagecraft-beta-shop.netlify.app"),
            deploy.outs["deploy_url"]) == (2, INDEX, f"https://{deploy.id}--stagecraft-beta-shop.netlify.app")


def test_a_second_deploy_of_the_same_files_uploads_nothing(netlify, built):
    site = SiteProvider().create(SITE)
    DeployProvider().create(deploy_props(site.id, built))
    before = len([r for r in netlify.requests if r.method == "PUT"])
    DeployProvider().create(deploy_props(site.id, built, "sha256:" + "cd" * 32))
    assert len([r for r in netlify.requests if r.method == "PUT"]) == before


def test_a_failed_deploy_fails_with_netlifys_message_and_the_old_one_keeps_serving(netlify, built, tmp_path):
    site = SiteProvider().create(SITE)
    DeployProvider().create(deploy_props(site.id, built))
    newer = tmp_path / "newer"
    newer.mkdir()
    (newer / "index.html").write_bytes(b"newer")
    netlify.fail_next_deploy("Failed to process the deploy")
    with pytest.raises(ResourceFailed, match="Failed to process the deploy"):
        DeployProvider().create(deploy_props(site.id, newer, "sha256:" + "cd" * 32))
    assert served(netlify, "stagecraft-beta-shop.netlify.app") == INDEX


def test_a_deploy_the_locked_site_does_not_publish_fails_saying_why(netlify, built, tmp_path):
    site = SiteProvider().create(SITE)
    first = DeployProvider().create(deploy_props(site.id, built))
    with loopback_client(os.environ["NETLIFY_API_URL"], headers={"Authorization": "Bearer nfp-test-token"}) as client:
        client.post(f"/deploys/{first.id}/lock")
    newer = tmp_path / "newer"
    newer.mkdir()
    (newer / "index.html").write_bytes(b"newer")
    with pytest.raises(ResourceFailed, match="auto publishing is stopped"):
        DeployProvider().create(deploy_props(site.id, newer, "sha256:" + "cd" * 32))
    assert served(netlify, "stagecraft-beta-shop.netlify.app") == INDEX


def test_deploys_beyond_three_a_minute_wait_for_the_window(netlify, built):
    site = SiteProvider().create(SITE)
    netlify.rate_limiter = RateLimiter(time_scale=0.01)  # a 0.6 s minute: longer than three deploys take here
    for n in range(5):
        DeployProvider().create(deploy_props(site.id, built, f"sha256:{n:064x}"))
    refused = [r for r in netlify.requests if r.method == "POST" and r.status == 429]
    assert (len(refused) >= 1, len([d for d in netlify.objects("deploys") if d["state"] == "ready"])) == (True, 5)


def test_the_daily_deploy_limit_fails_saying_so(netlify, built):
    site = SiteProvider().create(SITE)
    netlify.rate_limiter = RateLimiter(time_scale=1.0)
    for _ in range(DEPLOYS_PER_DAY.limit):
        netlify.rate_limiter.check((DEPLOYS_PER_DAY,), netlify.account_id)
    with pytest.raises(DeployLimitReached, match="100 a day"):
        DeployProvider().create(deploy_props(site.id, built))


def test_a_lost_deploy_answer_carries_on_with_the_deploy_it_made(netlify, built):
    site = SiteProvider().create(SITE)
    netlify.inject(Fault.drop_after_action(), method="POST", path="/sites/*/deploys")
    DeployProvider().create(deploy_props(site.id, built))
    assert len(netlify.objects("deploys")) == 1


def test_a_lost_answer_while_going_back_to_an_earlier_build_publishes_that_build_again(netlify, built, tmp_path):
    site = SiteProvider().create(SITE)
    first = DeployProvider().create(deploy_props(site.id, built))
    newer = tmp_path / "newer"
    newer.mkdir()
    (newer / "index.html").write_bytes(b"newer")
    DeployProvider().create(deploy_props(site.id, newer, "sha256:" + "cd" * 32))
    netlify.inject(Fault.drop_before_action(), method="POST", path="/sites/*/deploys", times=1)
    again = DeployProvider().create(deploy_props(site.id, built))
    assert (again.id != first.id, served(netlify, "stagecraft-beta-shop.netlify.app")) == (True, INDEX)


def test_read_of_a_deploy_returns_its_state_unchanged(netlify, built):
    site = SiteProvider().create(SITE)
    deploy = DeployProvider().create(deploy_props(site.id, built))
    assert DeployProvider().read(deploy.id, deploy.outs).outs == deploy.outs
