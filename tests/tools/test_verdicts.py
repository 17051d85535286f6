"""Targets and winners."""

from tools.ops.verdicts import CATEGORIES, verdicts, winners, widest_uptime


def _environment(avg, p95=None, success=1.0, uptime=None, cold=None, cold_ok=True, db=None):
    return {"latencyMs": {"avg": avg, "p95": p95 if p95 is not None else avg * 1.5},
            "successRate": success, "uptime": uptime or {"1h": None, "24h": None, "7d": None, "30d": None},
            "coldStart": {"ms": cold, "ok": cold_ok} if cold is not None else None,
            "dbQueryMs": {"avg": db} if db is not None else None}


def test_targets_are_strict_and_point_the_right_way():
    judged = verdicts(_environment(500.0, p95=999.0, success=0.99, db=99.9))
    assert judged["latencyAvg"]["met"] is False
    assert judged["latencyP95"]["met"] is True
    assert judged["successRate"]["met"] is False
    assert judged["dbQuery"]["met"] is True


def test_a_missing_figure_is_neither_met_nor_missed():
    assert verdicts(_environment(100.0))["coldStart"] == {"value": None, "met": None}


def test_uptime_is_judged_on_the_widest_window_with_data():
    environment = _environment(1.0, uptime={"1h": 1.0, "24h": 0.99, "7d": None, "30d": None})
    assert widest_uptime(environment) == 0.99


def test_each_category_goes_to_the_best_value():
    environments = {"a": _environment(100.0, success=0.95, db=50.0), "b": _environment(200.0, success=1.0, db=20.0)}
    won = winners(environments)
    assert (won["latencyAvg"], won["successRate"], won["dbQuery"]) == ("a", "b", "b")


def test_a_tie_goes_to_the_lower_average_latency():
    environments = {"slow": _environment(300.0, success=1.0), "quick": _environment(100.0, success=1.0)}
    assert winners(environments)["successRate"] == "quick"


def test_a_failed_cold_start_cannot_win():
    environments = {"timed-out": _environment(100.0, cold=10.0, cold_ok=False), "awake": _environment(200.0, cold=900.0)}
    assert winners(environments)["coldStart"] == "awake"


def test_a_category_nobody_measured_has_no_winner():
    assert winners({"a": _environment(1.0)})["coldStart"] is None


def test_every_category_has_the_seed_target():
    assert {c.key: c.describe() for c in CATEGORIES} == {
        "latencyAvg": "average latency < 500 ms", "latencyP95": "p95 latency < 1000 ms",
        "successRate": "success rate > 99 %", "uptime": "uptime > 99.9 %", "coldStart": "cold start < 15000 ms",
        "dbQuery": "database query time < 100 ms"}
