"""Hysteresis, routing and the nginx upstream file, without nginx."""

from __future__ import annotations

from tools.ops.failover import Controller, describe, routing
from tools.ops.failover_config import Backend
from tools.ops.nginx import render_upstream, write_upstream

UAT = Backend(name="uat", health="http://u/api/health", server="10.0.0.1:8000", weight=90, backup=False)
BETA = Backend(name="beta", health="http://b/api/health", server="10.0.0.2:8000", weight=10, backup=False)
PREPROD = Backend(name="preprod", health="http://p/api/health", server="10.0.0.3:8000", weight=1, backup=True)


def _feed(controller: Controller, backend: str, outcomes: str, start: float = 0.0):
    changes = []
    for index, outcome in enumerate(outcomes):
        change = controller.observe(backend, outcome == "+", start + index, start + index + 0.1)
        if change:
            changes.append(change)
    return changes


def test_n_failures_in_a_row_take_a_backend_out_timed_from_the_first():
    controller = Controller(fail_after=3, recover_after=5)
    [change] = _feed(controller, "uat", "++---", start=100.0)
    assert (change.in_service, change.probes, round(change.seconds, 2)) == (False, 3, 2.1)


def test_a_success_between_failures_restarts_the_count():
    controller = Controller(fail_after=3, recover_after=5)
    assert _feed(controller, "uat", "--+--+--") == [] and controller.in_service("uat")


def test_m_successes_in_a_row_bring_it_back():
    controller = Controller(fail_after=2, recover_after=3)
    changes = _feed(controller, "uat", "--++-+++")
    assert [(c.in_service, c.probes) for c in changes] == [(False, 2), (True, 3)]


def test_routing_marks_the_backend_out_of_service_down_and_keeps_the_backup():
    controller = Controller(fail_after=1, recover_after=1)
    _feed(controller, "uat", "-")
    routes = routing([UAT, BETA, PREPROD], controller)
    assert describe(routes) == "uat 90 (down), beta 10, preprod backup"
    text = render_upstream("stagecraft_api", routes)
    assert "server 10.0.0.1:8000 weight=90 down;  # uat" in text
    assert "server 10.0.0.3:8000 backup;  # preprod" in text


def test_with_nothing_in_service_no_server_is_marked_down():
    controller = Controller(fail_after=1, recover_after=1)
    for name in ("uat", "beta", "preprod"):
        _feed(controller, name, "-")
    assert "down" not in describe(routing([UAT, BETA, PREPROD], controller))


def test_the_upstream_file_is_written_only_when_it_changes(tmp_path):
    path = tmp_path / "upstream.conf"
    text = render_upstream("api", routing([UAT, BETA], Controller(3, 5)))
    assert write_upstream(path, text) is True
    assert write_upstream(path, text) is False


def test_the_counters_survive_a_save_and_load():
    controller = Controller(fail_after=3, recover_after=5)
    _feed(controller, "uat", "--")
    again = Controller.from_json(3, 5, controller.to_json())
    [change] = _feed(again, "uat", "-", start=10.0)
    assert change.probes == 3 and not change.in_service
