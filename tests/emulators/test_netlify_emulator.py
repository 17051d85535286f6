"""NetlifyEmulator over HTTP with raw httpx calls: sites, file-digest deploys, limits and the served sites."""

from __future__ import annotations

import hashlib
import time

import pytest

from tests.emulators.netlify import NetlifyEmulator
from tests.emulators.support import loopback_client

TOKEN = {"Authorization": "Bearer nfp_test"}
INDEX = b"<!doctype html><title>beta</title>"
ASSET = b"console.log('beta')"


def sha1(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()


FILES = {"/index.html": sha1(INDEX), "/assets/app.js": sha1(ASSET)}


@pytest.fixture
def netlify():
    emu = NetlifyEmulator(token="nfp_test")
    with emu.serve() as base_url, loopback_client(base_url + "/api/v1", headers=TOKEN) as client:
        yield emu, client, base_url
    assert emu.response_mismatches == []


def new_site(client, name="stagecraft-beta-web") -> dict:
    response = client.post("/sites", json={"name": name})
    assert response.status_code == 201, response.text
    return response.json()


def deploy_files(client, site_id: str, uploads: dict[str, bytes], **body) -> dict:
    deploy = client.post(f"/sites/{site_id}/deploys", json={"files": FILES, **body}).json()
    for path, data in uploads.items():
        client.put(f"/deploys/{deploy['id']}/files{path}", content=data,
                   headers={"Content-Type": "application/octet-stream"})
    return deploy


def wait_ready(client, site_id: str, deploy_id: str) -> dict:
    for _ in range(10):
        deploy = client.get(f"/sites/{site_id}/deploys/{deploy_id}").json()
        if deploy["state"] in ("ready", "error"):
            return deploy
    raise AssertionError(deploy)


def test_a_taken_site_name_is_422_must_be_unique(netlify):
    _, client, _ = netlify
    new_site(client)
    response = client.post("/sites", json={"name": "stagecraft-beta-web"})
    assert (response.status_code, response.json()) == (422, {"errors": {"subdomain": ["must be unique"]}})


def test_a_name_taken_by_another_account_is_also_422():
    emu = NetlifyEmulator(taken_names=["popular"])
    with emu.serve() as url, loopback_client(url + "/api/v1", headers=TOKEN) as client:
        assert client.post("/sites", json={"name": "popular"}).status_code == 422


def test_a_name_longer_than_a_dns_label_is_422(netlify):
    _, client, _ = netlify
    assert client.post("/sites", json={"name": "a" * 64}).status_code == 422


def test_a_site_is_found_by_its_domain_too(netlify):
    _, client, _ = netlify
    site = new_site(client)
    assert client.get("/sites/stagecraft-beta-web.netlify.app").json()["id"] == site["id"]


def test_a_deploy_requires_the_files_netlify_does_not_have(netlify):
    _, client, _ = netlify
    site = new_site(client)
    first = deploy_files(client, site["id"], {"/index.html": INDEX, "/assets/app.js": ASSET})
    wait_ready(client, site["id"], first["id"])
    second = client.post(f"/sites/{site['id']}/deploys", json={"files": FILES}).json()
    assert (sorted(first["required"]), second["required"], second["state"]) == (sorted(FILES.values()), [], "prepared")


def test_an_async_deploy_is_preparing_then_lists_required(netlify):
    emu, client, _ = netlify
    emu.set_readiness_delay(1)
    site = new_site(client)
    created = client.post(f"/sites/{site['id']}/deploys", json={"files": FILES, "async": True}).json()
    reads = [client.get(f"/deploys/{created['id']}").json() for _ in range(2)]
    assert (created["state"], reads[0]["state"], reads[1]["state"], len(reads[1]["required"])) == (
        "preparing", "preparing", "uploading", 2)


def test_uploads_take_the_path_with_its_slashes_and_the_deploy_goes_ready(netlify):
    _, client, _ = netlify
    site = new_site(client)
    deploy = deploy_files(client, site["id"], {"/index.html": INDEX, "/assets/app.js": ASSET})
    assert wait_ready(client, site["id"], deploy["id"])["state"] == "ready"


def test_a_deploy_missing_an_upload_never_goes_ready(netlify):
    _, client, _ = netlify
    site = new_site(client)
    deploy = deploy_files(client, site["id"], {"/index.html": INDEX})
    states = {client.get(f"/deploys/{deploy['id']}").json()["state"] for _ in range(5)}
    assert states == {"uploading"}


def test_an_upload_whose_sha1_differs_from_the_manifest_is_422(netlify):
    _, client, _ = netlify
    site = new_site(client)
    deploy = client.post(f"/sites/{site['id']}/deploys", json={"files": FILES}).json()
    response = client.put(f"/deploys/{deploy['id']}/files/index.html", content=b"other",
                          headers={"Content-Type": "application/octet-stream"})
    assert response.status_code == 422


def test_a_failed_deploy_ends_error_with_its_message(netlify):
    emu, client, _ = netlify
    site = new_site(client)
    emu.fail_next_deploy("Failed during stage 'deploying site'")
    deploy = deploy_files(client, site["id"], {"/index.html": INDEX, "/assets/app.js": ASSET})
    ended = wait_ready(client, site["id"], deploy["id"])
    assert (ended["state"], ended["error_message"]) == ("error", "Failed during stage 'deploying site'")


def test_the_published_deploy_is_served_on_the_site_host(netlify):
    _, client, base_url = netlify
    site = new_site(client)
    wait_ready(client, site["id"], deploy_files(client, site["id"], {"/index.html": INDEX,
                                                                    "/assets/app.js": ASSET})["id"])
    with loopback_client(base_url) as web:
        page = web.get("/", headers={"Host": "stagecraft-beta-web.netlify.app"})
        asset = web.get("/assets/app.js", headers={"Host": "stagecraft-beta-web.netlify.app"})
    assert (page.status_code, page.content, asset.content) == (200, INDEX, ASSET)


def test_a_locked_published_deploy_stays_published_until_unlocked(netlify):
    _, client, base_url = netlify
    site = new_site(client)
    first = deploy_files(client, site["id"], {"/index.html": INDEX, "/assets/app.js": ASSET})
    wait_ready(client, site["id"], first["id"])
    assert client.post(f"/deploys/{first['id']}/lock").json()["locked"] is True
    newer = client.post(f"/sites/{site['id']}/deploys", json={"files": {"/index.html": sha1(b"newer")}}).json()
    client.put(f"/deploys/{newer['id']}/files/index.html", content=b"newer",
               headers={"Content-Type": "application/octet-stream"})
    ready = wait_ready(client, site["id"], newer["id"])
    published_while_locked = client.get(f"/sites/{site['id']}").json()["published_deploy"]["id"]
    client.post(f"/deploys/{first['id']}/unlock")
    with loopback_client(base_url) as web:
        served = web.get("/", headers={"Host": "stagecraft-beta-web.netlify.app"}).content
    assert (ready["state"], published_while_locked, served) == ("ready", first["id"], INDEX)


def test_a_deploy_permalink_serves_that_deploy(netlify):
    _, client, base_url = netlify
    site = new_site(client)
    deploy = deploy_files(client, site["id"], {"/index.html": INDEX, "/assets/app.js": ASSET}, draft=True)
    wait_ready(client, site["id"], deploy["id"])
    with loopback_client(base_url) as web:
        permalink = web.get("/", headers={"Host": f"{deploy['id']}--stagecraft-beta-web.netlify.app"})
        published = web.get("/", headers={"Host": "stagecraft-beta-web.netlify.app"})
    assert (permalink.content, published.status_code) == (INDEX, 404)


def test_a_missing_path_is_404_without_a_404_page(netlify):
    _, client, base_url = netlify
    site = new_site(client)
    wait_ready(client, site["id"], deploy_files(client, site["id"], {"/index.html": INDEX,
                                                                    "/assets/app.js": ASSET})["id"])
    with loopback_client(base_url) as web:
        assert web.get("/nope", headers={"Host": "stagecraft-beta-web.netlify.app"}).status_code == 404


def test_deploys_are_limited_to_three_a_minute_and_the_refusal_says_when_to_retry(netlify):
    _, client, _ = netlify
    site = new_site(client)
    answers = [client.post(f"/sites/{site['id']}/deploys", json={"files": FILES}) for _ in range(4)]
    refused = answers[-1]
    assert ([a.status_code for a in answers], refused.headers["X-RateLimit-Limit"],
            int(refused.headers["X-RateLimit-Reset"]) > 0, "Retry-After" in refused.headers) == (
        [200, 200, 200, 429], "3", True, False)


def test_a_compressed_window_reopens_in_scaled_time():
    emu = NetlifyEmulator(rate_limit_scale=0.01)
    with emu.serve() as url, loopback_client(url + "/api/v1", headers=TOKEN) as client:
        site = new_site(client)
        for _ in range(3):
            client.post(f"/sites/{site['id']}/deploys", json={"files": FILES})
        time.sleep(0.7)
        assert client.post(f"/sites/{site['id']}/deploys", json={"files": FILES}).status_code == 200


def test_site_env_vars_are_created_once_and_read_back(netlify):
    emu, client, _ = netlify
    site = new_site(client)
    body = [{"key": "STAGECRAFT_OWNER", "values": [{"value": "stagecraft/beta", "context": "all"}]}]
    created = client.post(f"/accounts/{emu.account_id}/env", params={"site_id": site["id"]}, json=body)
    again = client.post(f"/accounts/{emu.account_id}/env", params={"site_id": site["id"]}, json=body)
    read = client.get(f"/accounts/{emu.account_slug}/env/STAGECRAFT_OWNER", params={"site_id": site["id"]}).json()
    assert (created.status_code, again.status_code, read["values"][0]["value"]) == (201, 409, "stagecraft/beta")


def test_deleting_a_site_frees_its_name(netlify):
    _, client, _ = netlify
    site = new_site(client)
    assert client.delete(f"/sites/{site['id']}").status_code == 204
    assert client.get(f"/sites/{site['id']}").status_code == 404
    new_site(client)
