"""`stagecraft health-check`: every URL of a stack's outputs must answer 200."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tools.delivery.health_check import check, urls_of
from tools.ops.errors import OperationsError


@pytest.fixture(scope="module")
def server():
    """/ok answers 200; /down 503; /flaky 503 twice, then 200."""
    calls = {"flaky": 0}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            if self.path == "/flaky":
                calls["flaky"] += 1
            status = {"/ok": 200, "/down": 503}.get(self.path, 200 if calls["flaky"] > 2 else 503)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_urls_are_the_health_url_and_every_frontend():
    outputs = {"api": {"healthUrl": "https://api/health"}, "apps": {"shop": {"url": "https://shop"}}}
    assert urls_of(outputs, "uat") == [("api", "https://api/health"), ("app shop", "https://shop")]


def test_stack_without_urls_is_an_error():
    with pytest.raises(OperationsError, match="exports neither api.healthUrl"):
        urls_of({}, "uat")


def test_healthy_urls_pass(server):
    assert all(p.healthy for p in check([("api", f"{server}/ok")], attempts=1, interval=0, timeout=5))


def test_a_url_that_stays_down_fails_after_its_attempts(server):
    [probe] = check([("api", f"{server}/down")], attempts=3, interval=0, timeout=5)
    assert not probe.healthy and probe.detail == "HTTP 503"


def test_a_url_that_comes_up_within_the_attempts_passes(server):
    [probe] = check([("api", f"{server}/flaky")], attempts=5, interval=0, timeout=5)
    assert probe.healthy


def test_an_unreachable_url_fails_with_no_answer():
    [probe] = check([("api", "http://127.0.0.1:9/")], attempts=1, interval=0, timeout=2)
    assert not probe.healthy and probe.detail.startswith("no answer")
