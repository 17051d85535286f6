"""The loopback server and the emulator core around it: lifecycle, violations, request log, control API."""

from __future__ import annotations

import httpx
import pytest

from tests.emulators import (
    ConformanceRegistry,
    Fault,
    KoyebEmulator,
    NeonEmulator,
    SpecViolationError,
    UpstashEmulator,
)
from tests.emulators.base import Emulator, handles
from tests.emulators.control import REDACTED, arm_fault, fetch_objects, fetch_stats
from tests.emulators.support import loopback_client

AUTH = {"Authorization": "Bearer test-token"}


def quiet_koyeb(**options) -> KoyebEmulator:
    """An emulator for tests that send non-conforming requests on purpose."""
    return KoyebEmulator(fail_on_violation=False, conformance=ConformanceRegistry(), **options)


def test_serve_yields_a_loopback_url_on_a_free_port():
    with KoyebEmulator().serve() as base_url:
        host, port = base_url.removeprefix("http://").split(":")
    assert (host, int(port) > 0) == ("127.0.0.1", True)


def test_server_is_gone_after_the_block():
    with KoyebEmulator().serve() as base_url:
        pass
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{base_url}/v1/apps", headers=AUTH, verify=False)


def test_two_emulators_serve_side_by_side():
    with KoyebEmulator().serve() as koyeb_url, NeonEmulator().serve() as neon_url:
        statuses = (httpx.get(f"{koyeb_url}/v1/apps", headers=AUTH, verify=False).status_code,
                    httpx.get(f"{neon_url}/projects", headers=AUTH, verify=False).status_code)
    assert (koyeb_url != neon_url, statuses) == (True, (200, 200))


def test_open_keep_alive_connection_does_not_block_stop():
    emu = KoyebEmulator()
    with emu.serve() as base_url:
        client = loopback_client(base_url, headers=AUTH)
        client.get("/v1/apps")
    with pytest.raises(httpx.TransportError):
        client.get("/v1/apps")
    client.close()


def test_serve_raises_at_exit_when_a_request_violated_the_spec():
    emu = KoyebEmulator(conformance=ConformanceRegistry())
    with pytest.raises(SpecViolationError, match="unknown field 'nmae'"):
        with emu.serve() as base_url:
            httpx.post(f"{base_url}/v1/apps", json={"nmae": "x"}, headers=AUTH, verify=False)


def test_serve_stays_quiet_when_violations_are_not_fatal():
    emu = quiet_koyeb()
    with emu.serve() as base_url:
        httpx.post(f"{base_url}/v1/apps", json={"nmae": "x"}, headers=AUTH, verify=False)
    assert len(emu.violations) == 1


def test_violation_is_answered_400_with_the_reason_in_the_api_shape():
    emu = quiet_koyeb()
    with emu.serve() as base_url:
        response = httpx.post(f"{base_url}/v1/apps", json={"name": 3}, headers=AUTH, verify=False)
    assert (response.status_code, response.json()["fields"]) == (
        400, [{"field": "body.name", "description": "expected string, got int"}],
    )


def test_assert_conformant_lists_the_violations():
    emu = quiet_koyeb()
    with emu.serve() as base_url:
        httpx.get(f"{base_url}/v1/nowhere", headers=AUTH, verify=False)
    with pytest.raises(SpecViolationError, match="/v1/nowhere"):
        emu.assert_conformant()


def test_request_log_records_method_path_and_status():
    emu = KoyebEmulator()
    with emu.serve() as base_url:
        httpx.get(f"{base_url}/v1/apps", headers=AUTH, verify=False)
        httpx.get(f"{base_url}/v1/apps/missing", headers=AUTH, verify=False)
    assert emu.requests == [("GET", "/v1/apps", 200), ("GET", "/v1/apps/missing", 404)]


def test_every_api_request_is_counted_as_checked():
    emu = KoyebEmulator()
    with emu.serve() as base_url:
        for _ in range(3):
            httpx.get(f"{base_url}/v1/apps", headers=AUTH, verify=False)
    assert emu.checked == 3


def test_valid_call_to_an_operation_the_emulator_lacks_is_501_and_listed():
    emu = KoyebEmulator(conformance=ConformanceRegistry())
    with emu.serve() as base_url:
        response = httpx.get(f"{base_url}/v1/catalog/regions", headers=AUTH, verify=False)
    assert (response.status_code, emu.unimplemented) == (501, ["ListRegions"])


def test_handler_for_an_operation_missing_from_the_spec_fails_at_construction():
    class Broken(KoyebEmulator):
        @handles("CreateWidget")
        def create_widget(self, request):  # pragma: no cover - never dispatched
            raise AssertionError

    with pytest.raises(RuntimeError, match="CreateWidget"):
        Broken()


def test_objects_of_an_unknown_collection_names_the_known_ones():
    with pytest.raises(KeyError, match="apps, services, deployments, secrets"):
        KoyebEmulator().objects("widgets")


def test_emulator_base_declares_the_hooks_it_needs():
    assert {"authenticate", "error_body", "render"} <= set(vars(Emulator))


# ---- control endpoints ------------------------------------------------------------------------


def test_stats_endpoint_reports_counts_and_is_not_itself_checked():
    emu = KoyebEmulator()
    with emu.serve() as base_url:
        httpx.get(f"{base_url}/v1/apps", headers=AUTH, verify=False)
        stats = fetch_stats(base_url)
    assert (stats["checked"], stats["violations"], stats["objects"]["apps"], emu.checked) == (1, [], 0, 1)


def test_objects_endpoint_redacts_secret_fields():
    emu = UpstashEmulator()
    with emu.serve() as base_url:
        httpx.post(f"{base_url}/v2/redis/database", auth=("a@b.c", "k"), verify=False,
                   json={"database_name": "cache", "platform": "aws", "primary_region": "eu-west-1"})
        database = fetch_objects(base_url, "databases")[0]
    assert (database["password"], database["rest_token"], database["database_name"]) == (REDACTED, REDACTED, "cache")


def test_fault_can_be_armed_remotely():
    emu = KoyebEmulator()
    with emu.serve() as base_url:
        arm_fault(base_url, "503", method="GET", path="/v1/apps", times=1)
        statuses = [httpx.get(f"{base_url}/v1/apps", headers=AUTH, verify=False).status_code for _ in range(2)]
    assert statuses == [503, 200]


def test_settings_endpoint_sets_latency_and_readiness():
    emu = KoyebEmulator()
    with emu.serve() as base_url:
        httpx.post(f"{base_url}/__emulator__/settings", json={"latency": 0.01, "readiness_polls": 2}, verify=False)
    assert (emu.latency, emu.readiness_polls) == (0.01, 2)


def test_unknown_control_endpoint_is_404():
    with KoyebEmulator().serve() as base_url:
        assert httpx.get(f"{base_url}/__emulator__/nothing", verify=False).status_code == 404


def test_fault_kinds_are_armable_by_name():
    emu = KoyebEmulator()
    with emu.serve() as base_url:
        arm_fault(base_url, "drop_after_action", method="POST", path="/v1/secrets")
    assert emu.faults.pending == 1 and emu.faults.pick("POST", "/v1/secrets") == Fault.drop_after_action()
