"""Fault injection: each kind of fault does what it says, rules are consumed as armed, rates are seeded."""

from __future__ import annotations

import httpx
import pytest

from tests.emulators import Fault, KoyebEmulator
from tests.emulators.base import RawRequest
from tests.emulators.faults import fault_from_kind
from tests.emulators.support import loopback_client

AUTH = {"Authorization": "Bearer test-token"}
LIST_APPS = RawRequest("GET", "/v1/apps", "", AUTH, b"")


@pytest.fixture
def koyeb():
    emu = KoyebEmulator()
    with emu.serve() as base_url, loopback_client(base_url, headers=AUTH) as client:
        yield emu, client


def test_429_fault_carries_retry_after(koyeb):
    emu, client = koyeb
    emu.inject(Fault.status(429, retry_after=1), method="POST", path="/v1/apps", times=1)
    response = client.post("/v1/apps", json={"name": "stagecraft-uat"})
    assert (response.status_code, response.headers["Retry-After"]) == (429, "1")


def test_status_fault_answers_in_the_api_error_shape(koyeb):
    emu, client = koyeb
    emu.inject(Fault.status(503))
    assert client.get("/v1/apps").json() == {"status": 503, "code": "unavailable", "message": "injected fault: HTTP 503"}


def test_status_fault_does_not_act(koyeb):
    emu, client = koyeb
    emu.inject(Fault.status(500), method="POST", path="/v1/apps")
    client.post("/v1/apps", json={"name": "stagecraft-uat"})
    assert emu.objects("apps") == []


def test_fault_is_used_up_after_its_times(koyeb):
    emu, client = koyeb
    emu.inject(Fault.status(503), times=2)
    assert [client.get("/v1/apps").status_code for _ in range(3)] == [503, 503, 200]


def test_fault_without_a_limit_fires_until_cleared(koyeb):
    emu, client = koyeb
    emu.inject(Fault.status(503), times=None)
    before = [client.get("/v1/apps").status_code for _ in range(3)]
    emu.clear_faults()
    assert (before, client.get("/v1/apps").status_code) == ([503, 503, 503], 200)


def test_fault_only_hits_requests_matching_method_and_path_glob(koyeb):
    emu, client = koyeb
    emu.inject(Fault.status(503), method="GET", path="/v1/apps/*")
    other = (client.get("/v1/apps").status_code, client.post("/v1/apps", json={"name": "stagecraft-uat"}).status_code)
    app_id = emu.objects("apps")[0]["id"]
    assert (other, client.get(f"/v1/apps/{app_id}").status_code) == ((200, 200), 503)


def test_drop_after_action_changes_state_and_sends_no_response(koyeb):
    emu, client = koyeb
    emu.inject(Fault.drop_after_action(), method="POST", path="/v1/apps", times=1)
    with pytest.raises(httpx.RemoteProtocolError):
        client.post("/v1/apps", json={"name": "stagecraft-uat"})
    assert ([a["name"] for a in emu.objects("apps")], emu.requests[-1]) == (["stagecraft-uat"], ("POST", "/v1/apps", None))


def test_drop_before_action_leaves_state_unchanged(koyeb):
    emu, client = koyeb
    emu.inject(Fault.drop_before_action(), method="POST", path="/v1/apps")
    with pytest.raises(httpx.RemoteProtocolError):
        client.post("/v1/apps", json={"name": "stagecraft-uat"})
    assert emu.objects("apps") == []


def test_timeout_fault_lets_the_client_timeout_fire_without_acting():
    emu = KoyebEmulator()
    emu.inject(Fault.timeout(seconds=30), method="POST", path="/v1/apps")
    with emu.serve() as base_url, loopback_client(base_url, headers=AUTH, timeout=0.2) as client:
        with pytest.raises(httpx.ReadTimeout):
            client.post("/v1/apps", json={"name": "stagecraft-uat"})
    assert emu.objects("apps") == []


def test_timeout_fault_holds_the_request_for_its_seconds(monkeypatch):
    emu = KoyebEmulator()
    waits = []
    monkeypatch.setattr(emu._stopping, "wait", lambda seconds: waits.append(seconds))
    emu.inject(Fault.timeout(seconds=5))
    outcome = emu.handle(LIST_APPS)
    assert (waits, outcome.dropped) == ([5.0], True)


def test_latency_delays_every_request(monkeypatch):
    emu = KoyebEmulator()
    waits = []
    monkeypatch.setattr(emu._stopping, "wait", lambda seconds: waits.append(seconds))
    emu.set_latency(0.1)
    statuses = [emu.handle(LIST_APPS).status for _ in range(2)]
    assert (waits, statuses) == ([0.1, 0.1], [200, 200])


def test_random_faults_repeat_exactly_with_the_same_seed():
    def run() -> list[int | None]:
        emu = KoyebEmulator()
        emu.inject_rate(fraction=0.5, seed=7, kinds=("429", "500", "503", "drop_after_action"))
        return [emu.handle(LIST_APPS).status for _ in range(30)]

    first = run()
    assert first == run() and {200, None} <= set(first) and len(set(first)) >= 3


def test_rate_zero_never_fires():
    emu = KoyebEmulator()
    emu.inject_rate(fraction=0.0, seed=1)
    assert {emu.handle(LIST_APPS).status for _ in range(20)} == {200}


def test_rate_one_always_fires_with_the_given_kind():
    emu = KoyebEmulator()
    emu.inject_rate(fraction=1.0, seed=1, kinds=("503",))
    assert {emu.handle(LIST_APPS).status for _ in range(5)} == {503}


def test_random_429_carries_retry_after():
    emu = KoyebEmulator()
    emu.inject_rate(fraction=1.0, seed=1, kinds=("429",), retry_after=2)
    assert ("Retry-After", "2") in emu.handle(LIST_APPS).headers


def test_faults_fired_are_listed():
    emu = KoyebEmulator()
    emu.inject(Fault.status(429, retry_after=1))
    emu.handle(LIST_APPS)
    assert emu.faults.fired == [("GET", "/v1/apps", "429 (Retry-After 1)")]


def test_status_fault_needs_an_error_status():
    with pytest.raises(ValueError, match="between 400 and 599"):
        Fault.status(200)


def test_inject_needs_a_positive_count():
    with pytest.raises(ValueError, match="times must be >= 1"):
        KoyebEmulator().inject(Fault.status(503), times=0)


def test_unknown_fault_kind_is_named():
    with pytest.raises(ValueError, match="'teapot'"):
        fault_from_kind("teapot")
