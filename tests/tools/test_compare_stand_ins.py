"""`stagecraft compare` against three stand-in APIs with known latency, failures and sleep.

fast ~150 ms (database check 20 ms); flaky ~250 ms, every 10th answer 503 (database 130 ms); sleepy ~400 ms,
asleep after 1.5 s idle and 2.5 s to wake (database 3 ms). A two-probe run starts the history, the test waits
past the idle period, then a 20-probe run (one full cycle of each latency list) is checked against the
injected figures. (The latencies are long enough that a busy machine's scheduling delays, a few milliseconds
per request, stay well inside the 10 % the issue allows.)
"""

from __future__ import annotations

import json
import time

import pytest

from tests.tools.health_servers import Behaviour, lognormal_latencies, serve_in_child
from tools.cli import main
from tools.ops.stats import distribution

CYCLE = 20
WARM_UP = 2
FAST = Behaviour(latencies_ms=lognormal_latencies(150, 0.25, CYCLE, seed=1), db_ms=(20.0,))
FLAKY = Behaviour(latencies_ms=lognormal_latencies(250, 0.25, CYCLE, seed=2), fail_every=10, db_ms=(130.0,))
SLEEPY = Behaviour(latencies_ms=lognormal_latencies(400, 0.25, CYCLE, seed=3), sleep_after_s=1.5, wake_ms=2500,
                   db_ms=(3.0,))
BEHAVIOURS = {"fast": FAST, "flaky": FLAKY, "sleepy": SLEEPY}


def _injected_warm(behaviour: Behaviour) -> list[float]:
    """Latencies the second run's successful warm probes were served with (its first probe is the cold one)."""
    indices = range(WARM_UP + 1, WARM_UP + CYCLE)
    failed = {i for i in indices if behaviour.fail_every and (i + 1) % behaviour.fail_every == 0}
    return [behaviour.latencies_ms[i % CYCLE] for i in indices if i not in failed]


@pytest.fixture(scope="module")
def comparison(tmp_path_factory):
    folder = tmp_path_factory.mktemp("compare")
    with serve_in_child(BEHAVIOURS) as urls:
        endpoints = folder / "endpoints.yaml"
        endpoints.write_text("".join(f"{name}: {url}\n" for name, url in urls.items()))
        common = ["compare", "--endpoints", str(endpoints), "--out", str(folder / "out"), "--idle-period", "1"]
        assert main(common + ["--samples", str(WARM_UP)]) == 0
        time.sleep(2.0)
        assert main(common + ["--samples", str(CYCLE)]) == 0
    return json.loads((folder / "out" / "environment_comparison.json").read_text())


@pytest.mark.parametrize("name", sorted(BEHAVIOURS))
def test_reported_average_and_p95_are_within_ten_percent_of_the_injected(comparison, name):
    injected = distribution(_injected_warm(BEHAVIOURS[name]))
    reported = comparison["environments"][name]["latencyMs"]
    print(f"{name}: avg reported {reported['avg']:.1f} ms / injected {injected.avg:.1f} ms, "
          f"p95 reported {reported['p95']:.1f} ms / injected {injected.p95:.1f} ms")
    assert reported["avg"] == pytest.approx(injected.avg, rel=0.10)
    assert reported["p95"] == pytest.approx(injected.p95, rel=0.10)


def test_success_rate_is_within_one_point_of_the_injected_failures(comparison):
    rates = {name: env["successRate"] for name, env in comparison["environments"].items()}
    print(f"success rates: {rates}")
    assert rates == {"fast": pytest.approx(1.0, abs=0.01), "flaky": pytest.approx(0.9, abs=0.01),
                     "sleepy": pytest.approx(1.0, abs=0.01)}


def test_the_cold_start_is_detected_and_measured_against_the_warm_median(comparison):
    cold = comparison["environments"]["sleepy"]["coldStart"]
    injected = SLEEPY.wake_ms + SLEEPY.latencies_ms[WARM_UP % CYCLE]
    print(f"sleepy cold start: {cold['ms']:.0f} ms (injected {injected:.0f} ms), warm median {cold['warmMedianMs']:.0f} ms, "
          f"idle {cold['idleSeconds']} s")
    assert cold["thisRun"] and cold["ok"]
    assert cold["ms"] == pytest.approx(injected, rel=0.10)
    assert cold["penaltyMs"] == pytest.approx(cold["ms"] - cold["warmMedianMs"], abs=0.02)
    assert cold["warmMedianMs"] < 600


def test_the_database_query_time_comes_from_the_health_report(comparison):
    averages = {name: env["dbQueryMs"]["avg"] for name, env in comparison["environments"].items()}
    assert averages == {"fast": 20.0, "flaky": 130.0, "sleepy": 3.0}


def test_the_winners_are_right(comparison):
    assert comparison["winners"] == {"latencyAvg": "fast", "latencyP95": "fast", "successRate": "fast",
                                     "uptime": "fast", "coldStart": "fast", "dbQuery": "sleepy"}


def test_each_environment_is_judged_against_the_targets(comparison):
    met = {name: {k: v["met"] for k, v in env["verdicts"].items()} for name, env in comparison["environments"].items()}
    assert met["flaky"]["successRate"] is False and met["flaky"]["dbQuery"] is False
    assert met["sleepy"]["coldStart"] is True and met["sleepy"]["latencyAvg"] is True
    assert met["fast"] == {"latencyAvg": True, "latencyP95": True, "successRate": True, "uptime": True,
                           "coldStart": True, "dbQuery": True}


def test_the_document_validates_against_its_documented_schema(comparison):
    import jsonschema

    from tools.ops.report_json import SCHEMA_PATH

    jsonschema.Draft202012Validator(json.loads(SCHEMA_PATH.read_text())).validate(comparison)
    assert comparison["schemaVersion"] == 1
