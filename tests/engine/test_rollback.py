"""`stagecraft rollback` on the emulated uat (the real engine, emulated Koyeb, Neon, Upstash and Pages).

v1 is deployed; v2 (a new image whose app answers its health check with 503, and a changed frontend) deploys fine
but fails the post-deploy health check; `stagecraft rollback -s uat` makes v1's image the active Koyeb deployment and
v1's builds the served pages again, and the stack's outputs say so (release.rolledBackTo = update 1).

The emulated Koyeb runs no container, so the app's health is a stand-in on loopback: it answers /api/health for the
image Koyeb's active deployment runs (200 for v1, 503 for v2), and the deploy gate's own `check` probes it.
"""

from __future__ import annotations

import json
import subprocess
import threading
from contextlib import ExitStack, contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from settings.inventory import DEFAULT_FRONTENDS
from tests.emulators.support import loopback_client
from tests.engine.cli import PROJECT_ROOT
from tests.engine.emulated_uat import EmulatedAccounts, uat_config, uat_dynamic_stack
from tools.delivery.health_check import check

pytestmark = pytest.mark.engine

V1, V2 = "ghcr.io/weedgo/backend:1.0.0", "ghcr.io/weedgo/backend:2.0.0-unhealthy"
APPS = 2


def _active_image(accounts: EmulatedAccounts) -> str:
    (service,) = accounts.koyeb.objects("services")
    (deployment,) = [d for d in accounts.koyeb.objects("deployments") if d["id"] == service["active_deployment_id"]]
    return deployment["definition"]["docker"]["image"]


@contextmanager
def _app_health(accounts: EmulatedAccounts):
    """/api/health of the app Koyeb runs: 200 for v1's image, 503 for v2's (its release broke the health check)."""

    class Health(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            self.send_response(200 if _active_image(accounts) == V1 else 503)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Health)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/api/health"
    finally:
        server.shutdown()
        server.server_close()


def _healthy(url: str) -> bool:
    (probe,) = check([("api", url)], attempts=1, interval=0, timeout=5)
    return probe.healthy


def _pages(accounts: EmulatedAccounts, outputs: dict) -> dict[str, str]:
    pages = {}
    for app in DEFAULT_FRONTENDS[:APPS]:
        host = outputs["apps"][app.name]["url"].removeprefix("https://").rstrip("/")
        with loopback_client(accounts.cloudflare_url) as client:
            response = client.get("/", headers={"Host": host})
        assert response.status_code == 200
        pages[app.name] = response.text
    return pages


def _change_the_frontend(root: Path) -> None:
    index = root / "examples" / "product" / "web" / "index.html"
    index.write_text(index.read_text().replace("<head>", '<head>\n    <meta name="stagecraft:release" content="v2">', 1))


def _rollback(project, *args: str) -> subprocess.CompletedProcess:
    """`stagecraft rollback -s uat` as the deploy job runs it (under the project's policy pack)."""
    venv = project.root / ".venv"
    if not venv.exists():
        venv.symlink_to(PROJECT_ROOT / ".venv")  # the policy pack runs in the project's venv
    return subprocess.run([str(PROJECT_ROOT / ".venv" / "bin" / "python"), "-m", "tools.cli", "rollback", "-s", "uat",
                           "--project-dir", str(project.root), *args], cwd=PROJECT_ROOT,
                          env=project.env, capture_output=True, text=True, timeout=900)


def test_a_failed_health_check_is_rolled_back_to_v1s_image_and_builds(tmp_path):
    with ExitStack() as stack:
        accounts = EmulatedAccounts(stack)
        health = stack.enter_context(_app_health(accounts))
        project = uat_dynamic_stack(tmp_path, accounts, image=V1, apps=APPS)
        project.up().check()
        v1 = project.outputs()
        v1_pages = _pages(accounts, v1)
        assert _healthy(health) and v1["release"]["rolledBackTo"] is None

        _change_the_frontend(project.root)
        project.write_config(uat_config(accounts, image=V2, apps=APPS))
        project.up().check()
        v2 = project.outputs()
        assert _active_image(accounts) == V2 and not _healthy(health)
        assert v2["release"]["builds"] != v1["release"]["builds"]
        assert all('content="v2"' in page for page in _pages(accounts, v2).values())

        done = _rollback(project)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "rolling back uat to update 1" in done.stdout

        after = project.outputs()
        assert _active_image(accounts) == V1 and _healthy(health)
        assert _pages(accounts, after) == v1_pages
        assert after["release"] == {"image": V1, "builds": v1["release"]["builds"], "rolledBackTo": 1}
        assert after["apiImage"] == V1


def test_a_rollback_to_an_update_that_did_not_succeed_changes_nothing(tmp_path):
    with ExitStack() as stack:
        accounts = EmulatedAccounts(stack)
        project = uat_dynamic_stack(tmp_path, accounts, image=V1, apps=1)
        project.up().check()
        writes = accounts.writes()
        done = _rollback(project, "--to", "7")
        assert done.returncode == 2 and "--to 7: not a successful update of this stack" in done.stderr
        assert accounts.writes() == writes
        assert json.loads(project.run("config", "--json", "-s", "uat").check().stdout).get("stagecraft:rollback") is None
