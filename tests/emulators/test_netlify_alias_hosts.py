"""NetlifyEmulator's alias deploys (`netlify deploy --alias`) and deploy deletion, over raw HTTP."""

from __future__ import annotations

from tests.emulators.test_netlify_emulator import ASSET, INDEX, deploy_files, netlify, new_site, wait_ready  # noqa: F401
from tests.emulators.support import loopback_client


def _served(base_url: str, host: str):
    with loopback_client(base_url) as web:
        return web.get("/", headers={"Host": host})


def test_an_alias_deploy_answers_at_alias_dash_dash_site_and_is_not_published(netlify):
    emu, client, base_url = netlify
    site = new_site(client)
    deploy = deploy_files(client, site["id"], {"/index.html": INDEX, "/assets/app.js": ASSET}, branch="pr-7")
    ready = wait_ready(client, site["id"], deploy["id"])
    assert ready["deploy_ssl_url"] == "https://pr-7--stagecraft-beta-web.netlify.app"
    assert _served(base_url, "pr-7--stagecraft-beta-web.netlify.app").content == INDEX
    assert _served(base_url, "stagecraft-beta-web.netlify.app").status_code == 404  # nothing published yet


def test_an_alias_longer_than_37_characters_is_422(netlify):
    _, client, _ = netlify
    site = new_site(client)
    reply = client.post(f"/sites/{site['id']}/deploys", json={"files": {"/a.html": "0" * 40}, "branch": "a" * 38})
    assert reply.status_code == 422


def test_a_deleted_deploy_is_gone_and_a_second_delete_is_404(netlify):
    _, client, base_url = netlify
    site = new_site(client)
    deploy = deploy_files(client, site["id"], {"/index.html": INDEX, "/assets/app.js": ASSET}, branch="pr-7")
    wait_ready(client, site["id"], deploy["id"])
    assert client.delete(f"/deploys/{deploy['id']}").status_code == 204
    assert client.delete(f"/deploys/{deploy['id']}").status_code == 404
    assert _served(base_url, "pr-7--stagecraft-beta-web.netlify.app").status_code == 404


def test_the_published_deploy_cannot_be_deleted(netlify):
    _, client, _ = netlify
    site = new_site(client)
    deploy = deploy_files(client, site["id"], {"/index.html": INDEX, "/assets/app.js": ASSET})
    wait_ready(client, site["id"], deploy["id"])
    assert client.delete(f"/sites/{site['id']}/deploys/{deploy['id']}").status_code == 422
