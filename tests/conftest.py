"""Session-wide test settings: the conformance totals of every API emulator, printed and enforced."""

from __future__ import annotations

import pytest


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    from tests.emulators import format_conformance_summary

    terminalreporter.write_sep("-", "vendor-spec conformance of every request the providers sent")
    terminalreporter.write_line(format_conformance_summary())


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    from tests.emulators import CONFORMANCE

    # A provider request that the vendor's own spec rejects fails the run, even if every test passed.
    if exitstatus == 0 and CONFORMANCE.totals()["violations"]:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
