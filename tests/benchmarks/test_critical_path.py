"""The critical path of a run: the chain of requests, each sent after the previous one was answered, with the
most time in requests (benchmarks/critical_path.py)."""

from __future__ import annotations

import httpx

from benchmarks.critical_path import TimedRequest, critical_path, marks, requests_since
from tests.emulators import KoyebEmulator


def _request(path: str, started: float, finished: float) -> TimedRequest:
    return TimedRequest("koyeb", "GET", path, 200, started, finished)


def test_overlapping_requests_are_not_one_chain() -> None:
    chain = critical_path([_request("/a", 0.0, 1.0), _request("/b", 0.5, 1.2)])

    assert [r.path for r in chain] == ["/a"]


def test_a_request_sent_after_another_was_answered_extends_its_chain() -> None:
    chain = critical_path([_request("/create", 0.0, 0.1), _request("/poll", 0.15, 0.25), _request("/other", 0.05, 0.2)])

    assert [r.path for r in chain] == ["/create", "/poll"]


def test_the_chain_with_the_most_time_in_requests_wins_over_the_longest_count() -> None:
    many_short = [_request(f"/short{i}", i * 0.1, i * 0.1 + 0.05) for i in range(3)]
    one_long = [_request("/long", 0.0, 0.5)]

    assert [r.path for r in critical_path(many_short + one_long)] == ["/long"]


def test_a_request_sent_long_after_an_answer_does_not_extend_its_chain() -> None:
    chain = critical_path([_request("/a", 0.0, 0.1), _request("/b", 2.0, 2.05)], max_gap=0.25)

    assert [r.path for r in chain] == ["/a"]


def test_no_requests_is_an_empty_path() -> None:
    assert critical_path([]) == []


def test_requests_since_takes_only_later_requests_with_their_times() -> None:
    emulator = KoyebEmulator()
    with emulator.serve() as url:
        httpx.get(f"{url}/v1/apps", headers={"Authorization": "Bearer t"})
        before = marks({"koyeb": emulator})
        httpx.get(f"{url}/v1/apps", headers={"Authorization": "Bearer t"})
    later = requests_since({"koyeb": emulator}, before)

    assert [(r.method, r.path) for r in later] == [("GET", "/v1/apps")]
    assert 0 <= later[0].seconds < 5
