"""The conformance registry and response checks (emulator bugs are kept apart from client violations)."""

from __future__ import annotations

from tests.emulators import CONFORMANCE, ConformanceRegistry, KoyebEmulator, NeonEmulator, format_conformance_summary
from tests.emulators.base import RawRequest, Reply, handles

AUTH = {"Authorization": "Bearer test-token"}


def list_apps() -> RawRequest:
    return RawRequest("GET", "/v1/apps", "", AUTH, b"")


def test_registry_totals_requests_across_emulator_instances():
    registry = ConformanceRegistry()
    KoyebEmulator(conformance=registry).handle(list_apps())
    KoyebEmulator(conformance=registry).handle(list_apps())
    NeonEmulator(conformance=registry).handle(RawRequest("GET", "/projects", "", AUTH, b""))
    assert dict(registry.checked) == {"koyeb": 2, "neon": 1}


def test_process_registry_is_the_default():
    before = CONFORMANCE.totals()["checked"].get("koyeb", 0)
    KoyebEmulator().handle(list_apps())
    assert CONFORMANCE.totals()["checked"]["koyeb"] == before + 1


def test_summary_line_reports_totals_and_lists_violations():
    registry = ConformanceRegistry()
    emu = KoyebEmulator(conformance=registry)
    emu.handle(list_apps())
    emu.handle(RawRequest("GET", "/v1/appz", "", AUTH, b""))
    summary = format_conformance_summary(registry)
    assert summary.splitlines()[0] == (
        "API emulator conformance: 2 requests checked against vendor specs (koyeb 2); 1 request violations; "
        "0 emulator response mismatches; 0 calls to unimplemented operations"
    ) and "/v1/appz" in summary


def test_wrong_response_shape_is_an_emulator_mismatch_not_a_violation():
    class Sloppy(KoyebEmulator):
        @handles("ListApps")
        def list_apps(self, request):
            return Reply(200, {"apps": "none", "count": "zero"})

    registry = ConformanceRegistry()
    emu = Sloppy(conformance=registry)
    emu.handle(list_apps())
    assert (len(emu.response_mismatches), emu.violations, len(registry.response_mismatches)) == (1, [], 1)


def test_undeclared_success_status_is_an_emulator_mismatch():
    class Creative(KoyebEmulator):
        @handles("ListApps")
        def list_apps(self, request):
            return Reply(202, {"apps": []})

    emu = Creative(conformance=ConformanceRegistry())
    emu.handle(list_apps())
    assert emu.response_mismatches[0].problems == ("status 202 is not a declared response of ListApps",)
