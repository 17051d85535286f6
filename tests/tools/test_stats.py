"""Percentiles and the latency summary."""

import pytest

from tools.ops.stats import distribution, percentile, success_rate


def test_percentile_interpolates_between_closest_ranks():
    values = [10.0, 20.0, 30.0, 40.0, 50.0]
    assert percentile(values, 0.5) == 30.0
    assert percentile(values, 0.95) == pytest.approx(48.0)
    assert percentile(values, 0.25) == 20.0


def test_percentile_of_one_value_is_that_value():
    assert percentile([7.0], 0.99) == 7.0


def test_percentile_ignores_the_order_values_came_in():
    assert percentile([50.0, 10.0, 40.0, 20.0, 30.0], 0.95) == pytest.approx(48.0)


def test_distribution_gives_average_percentiles_and_range():
    summary = distribution([100.0] * 99 + [1100.0])
    assert summary.avg == pytest.approx(110.0)
    assert (summary.p50, summary.min, summary.max) == (100.0, 100.0, 1100.0)
    assert summary.p99 == pytest.approx(110.0)


def test_no_values_give_no_distribution_and_no_success_rate():
    assert distribution([]) is None and success_rate([]) is None


def test_success_rate_is_a_fraction():
    assert success_rate([True] * 9 + [False]) == pytest.approx(0.9)
