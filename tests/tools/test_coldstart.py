"""Cold probes: the first after a known idle period."""

from tools.ops.coldstart import cold_probes, latest_cold_start
from tools.ops.history import StoredProbe


def _probe(at, ms=50.0, ok=True):
    return StoredProbe("e", at, ms, ok, "r")


def test_the_idle_period_counts_from_the_end_of_the_previous_answer():
    probes = [_probe(0, ms=2000), _probe(2.0), _probe(1003.05)]
    assert [(p.started_at, round(gap, 2)) for p, gap in cold_probes(probes, None, 1000)] == [(1003.05, 1001.0)]


def test_a_slow_cold_answer_does_not_make_the_next_probe_cold():
    probes = [_probe(0), _probe(1000, ms=3000), _probe(1003.1)]
    assert [p.started_at for p, _gap in cold_probes(probes, None, 900)] == [1000]


def test_a_probe_after_the_idle_period_is_a_cold_probe():
    probes = [_probe(0), _probe(1), _probe(1000, ms=4000), _probe(1004.1)]
    assert [(p.started_at, round(gap, 2)) for p, gap in cold_probes(probes, None, 900)] == [(1000, 998.95)]


def test_without_an_earlier_probe_the_first_is_not_known_to_be_cold():
    assert cold_probes([_probe(5000, ms=4000)], None, 900) == []


def test_the_probe_before_the_window_makes_the_first_one_cold():
    cold = latest_cold_start([_probe(5000, ms=4000)], previous=1000, idle_period=900)
    assert (cold.ms, cold.idle_seconds, cold.ok) == (4000, 4000, True)


def test_the_latest_cold_probe_is_reported():
    probes = [_probe(0), _probe(1000, ms=3000), _probe(1003.1), _probe(3000, ms=5000, ok=False)]
    cold = latest_cold_start(probes, None, 900)
    assert (cold.ms, cold.observed_at, cold.ok) == (5000, 3000, False)


def test_a_gap_just_under_the_idle_period_is_warm():
    assert cold_probes([_probe(0), _probe(899.9)], None, 900) == []
