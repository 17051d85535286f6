"""A PR's preview on another stack's Netlify site: an alias deploy served at <alias>--<site>, the site's published
deploy untouched, removed again on delete (against the Netlify emulator)."""

from __future__ import annotations

from pathlib import Path

from providers.netlify.deploy import DeployProvider
from providers.netlify.site import SiteProvider
from tests.providers.test_netlify import DIGEST, INDEX, SITE, built, deploy_props, netlify, served  # noqa: F401

PREVIEW = b"<!doctype html><title>pr-7</title>"


def _preview_build(tmp_path: Path) -> Path:
    site = tmp_path / "preview"
    site.mkdir()
    (site / "index.html").write_bytes(PREVIEW)
    return site


def test_an_alias_deploy_is_served_at_its_alias_and_the_site_keeps_its_own(netlify, built, tmp_path):
    site = SiteProvider().create(SITE)
    DeployProvider().create(deploy_props(site.id, built))
    preview = DeployProvider().create({**deploy_props(site.id, _preview_build(tmp_path), "sha256:" + "cd" * 32),
                                       "alias": "pr-7"})
    assert preview.outs["deploy_url"] == "https://pr-7--stagecraft-beta-shop.netlify.app"
    assert served(netlify, "pr-7--stagecraft-beta-shop.netlify.app") == PREVIEW
    assert served(netlify, "stagecraft-beta-shop.netlify.app") == INDEX


def test_deleting_an_alias_deploy_removes_it_and_leaves_the_site_serving(netlify, built, tmp_path):
    site = SiteProvider().create(SITE)
    DeployProvider().create(deploy_props(site.id, built))
    props = {**deploy_props(site.id, _preview_build(tmp_path), "sha256:" + "cd" * 32), "alias": "pr-7"}
    preview = DeployProvider().create(props)
    DeployProvider().delete(preview.id, preview.outs)
    assert [d["id"] for d in netlify.objects("deploys")] != [] and preview.id not in {
        d["id"] for d in netlify.objects("deploys")}
    assert served(netlify, "stagecraft-beta-shop.netlify.app") == INDEX
    DeployProvider().delete(preview.id, preview.outs)  # gone is done


def test_an_alias_netlify_would_refuse_fails_check():
    props = {**deploy_props("site-1", Path("/abs/dist")), "alias": "PR_7"}
    assert "alias" in {f.property for f in DeployProvider().check({}, props).failures}


def test_another_alias_of_the_same_build_is_a_new_deploy():
    olds = {**deploy_props("site-1", Path("/abs/dist")), "alias": "pr-7"}
    diff = DeployProvider().diff("d1", olds, {**olds, "alias": "pr-8"})
    assert diff.changes and "alias" in diff.replaces
