"""The probe history in SQLite and in PostgreSQL, and uptime windows from a history with known outages."""

from __future__ import annotations

import pytest

from tools.ops.errors import OperationsError
from tools.ops.history import open_history, redact
from tools.ops.probe import ProbeResult
from tools.ops.uptime import uptime_windows

NOW = 1_800_000_000.0
MINUTE = 60.0
DAY = 86400.0
# Outages (start seconds before NOW, length in seconds), probed every minute for 30 days:
# 10 min yesterday, 2 h ten days ago, 6 h twenty days ago, and 3 min inside the last hour.
OUTAGES = ((DAY + 3 * 3600, 600), (10 * DAY, 7200), (20 * DAY, 6 * 3600), (1800, 180))


def _seeded_results() -> list[ProbeResult]:
    results = []
    start = NOW - 30 * DAY
    for minute in range(int(30 * DAY / MINUTE)):
        at = start + minute * MINUTE
        down = any(NOW - ago <= at < NOW - ago + length for ago, length in OUTAGES)
        results.append(ProbeResult("prod", "http://x/api/health", at, 40.0, ok=not down,
                                   error="HTTP 503" if down else ""))
    return results


def _expected(window: float) -> float:
    down = sum(length for ago, length in OUTAGES if ago <= window)
    return 1 - down / window


def _check_uptime_exact(url: str) -> None:
    with open_history(url) as history:
        history.record(_seeded_results(), "seed")
        probes = history.probes("prod", NOW - 31 * DAY, NOW)
    windows = uptime_windows(probes, NOW, coverage=300)
    assert windows == {
        "1h": pytest.approx(_expected(3600), abs=1e-12),
        "24h": pytest.approx(_expected(DAY), abs=1e-12),
        "7d": pytest.approx(_expected(7 * DAY), abs=1e-12),
        "30d": pytest.approx(_expected(30 * DAY), abs=1e-12),
    }
    assert windows["1h"] == pytest.approx(1 - 180 / 3600, abs=1e-12)


def test_uptime_windows_from_a_sqlite_history_with_known_outages_are_exact(tmp_path):
    _check_uptime_exact(str(tmp_path / "history.sqlite"))


def test_uptime_windows_from_a_postgresql_history_with_known_outages_are_exact(scratch_database):
    _check_uptime_exact(scratch_database("history"))


def test_time_between_sparse_runs_is_unknown_not_up(tmp_path):
    with open_history(str(tmp_path / "h.sqlite")) as history:
        history.record([ProbeResult("e", "u", NOW - 2 * DAY, 1.0, ok=False, error="HTTP 503"),
                        ProbeResult("e", "u", NOW - 600, 1.0, ok=True)], "r")
        probes = history.probes("e", NOW - 3 * DAY, NOW)
    windows = uptime_windows(probes, NOW, coverage=300)
    assert windows["1h"] == 1.0
    assert windows["7d"] == pytest.approx(300 / 600)


def test_a_window_without_probes_has_no_uptime(tmp_path):
    with open_history(str(tmp_path / "h.sqlite")) as history:
        history.record([ProbeResult("e", "u", NOW - 3 * DAY, 1.0, ok=True)], "r")
        probes = history.probes("e", NOW - 31 * DAY, NOW)
    assert uptime_windows(probes, NOW)["24h"] is None


def test_the_sqlite_url_spelling_and_a_plain_path_open_the_same_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with open_history("sqlite:///h.sqlite") as history:
        history.record([ProbeResult("e", "u", NOW, 1.0, ok=True)], "r")
    with open_history(str(tmp_path / "h.sqlite")) as history:
        assert len(history.probes("e", 0, NOW)) == 1


def test_the_end_of_the_previous_probe_is_found_across_runs(tmp_path):
    with open_history(str(tmp_path / "h.sqlite")) as history:
        history.record([ProbeResult("e", "u", 100.0, 250.0, ok=True), ProbeResult("f", "u", 150.0, 1.0, ok=True)], "a")
        history.record([ProbeResult("e", "u", 200.0, 1.0, ok=True)], "b")
        assert history.previous_probe_end("e", 200.0) == 100.25
        assert history.previous_probe_end("e", 100.0) is None


def test_a_history_in_a_missing_folder_is_refused_without_creating_it(tmp_path):
    with pytest.raises(OperationsError, match="does not exist"):
        open_history(str(tmp_path / "nowhere" / "h.sqlite"))
    assert not (tmp_path / "nowhere").exists()


def test_a_postgresql_history_that_cannot_be_reached_names_the_url_without_its_password():
    from tests.machine import closed_port

    with pytest.raises(OperationsError, match="cannot connect") as raised:
        open_history(f"postgresql://ops:s3cret-pw@127.0.0.1:{closed_port()}/history")
    assert "s3cret-pw" not in str(raised.value) and "***" in str(raised.value)


def test_an_unknown_scheme_is_refused():
    with pytest.raises(OperationsError, match="unsupported scheme"):
        open_history("mysql://db/history")


def test_redact_hides_only_the_password():
    assert redact("postgresql://u:pw@h:5432/d") == "postgresql://u:***@h:5432/d"
